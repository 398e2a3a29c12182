/**
 * `outdated`: compare each installed required model (every installed model when none is
 * required) with the registry: the tag's manifest digest now against the installed one. Models
 * the registry could not be asked about are warnings, never "up to date". Exit 4 (code
 * `outdated`) when a tag moved, else 0. Never pulls.
 *
 * @module
 */

import type { Plan } from "../../ensure/plan.ts";
import type { CliCommand } from "../command.ts";
import { runHook } from "../hook_run.ts";
import type { Output } from "../output.ts";

/** `outdated`: say which tags moved in the registry. */
export const outdatedCommand: CliCommand = {
  name: "outdated",
  summary: "compare each required model (every installed one when none is required)\n" +
    "with the registry: did its tag move since it was pulled? never pulls",
  accepts: ["model"],
  operandHint: "name required models with --model NAME",
  saysReady: false,
  async run(context) {
    // Loaded by this command only, not by every run of the command line.
    const { outdatedOllama } = await import("../../ensure/outdated_ollama.ts");
    const { result } = await runHook(context, {
      entry: outdatedOllama,
      config: context.config,
      options: {},
      describe(report, output) {
        if (report.plan !== null) sayOutdated(report.plan, output);
        return { outdated: report.outdated, unknown: report.unknown };
      },
    });
    return result;
  },
};

/** One line per model: `llama3:latest  newer version in the registry (…)`, `up to date`. */
function sayOutdated(plan: Plan, output: Output): void {
  const width = Math.max(0, ...plan.entries.map((entry) => entry.model.length));
  for (const entry of plan.entries) {
    const status = plan.outdated.includes(entry.model)
      ? `newer version in the registry (installed ${short(entry.installedDigest)}, registry ${
        short(entry.registryDigest)
      })`
      : plan.unknown.includes(entry.model)
      ? "unknown (the registry could not be asked)"
      : "up to date";
    output.line(`${entry.model.padEnd(width)}  ${status}`);
  }
}

function short(digest: string | null): string {
  return digest === null ? "none" : digest.slice(0, 12);
}
