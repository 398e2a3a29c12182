/**
 * `plan`: what `ensure` would do, without pulling: per required model `present`, `pull`,
 * `update` (with `--update`) or `blocked`, with the bytes to download (the registry's manifest
 * less the blobs the server already has), and the total. Exit 0, or 4 when a required model
 * would not be pulled.
 *
 * @module
 */

import type { Plan } from "../../ensure/plan.ts";
import { missingModelAdvice, type NoPullCause, noPullReason } from "../advice.ts";
import type { CliCommand, PlanRow } from "../command.ts";
import { runHook } from "../hook_run.ts";
import type { Output } from "../output.ts";

/** `plan`: say what `ensure` would do and download. */
export const planCommand: CliCommand = {
  name: "plan",
  summary: "what ensure would do, without pulling: per required model present / pull /\n" +
    "update / blocked, with the bytes to download; never pulls",
  accepts: ["model", "no-pull", "update"],
  operandHint: "name required models with --model NAME",
  saysReady: false,
  async run(context) {
    // Loaded by this command only, not by every run of the command line.
    const [{ planOllama }, { formatBytes }] = await Promise.all([
      import("../../ensure/plan_ollama.ts"),
      import("../../progress/format.ts"),
    ]);
    const { config, flags } = context;
    const cause: NoPullCause = {
      check: false,
      noPull: flags.noPull,
      autoPullOff: !config.autoPull,
      configSource: context.configSource,
    };
    const { result } = await runHook(context, {
      entry: planOllama,
      config: { ...config, autoPull: config.autoPull && !flags.noPull },
      options: {
        update: flags.update,
        noPullReason: noPullReason(cause),
        missingAdvice: (models) => missingModelAdvice(models, cause),
      },
      describe(report, output) {
        if (report.plan !== null) sayPlan(report.plan, output, formatBytes);
        return {
          plan: (report.plan?.entries ?? []).map(({ model, action, downloadBytes, reason }) => ({
            model,
            action,
            downloadBytes,
            reason,
          })),
          downloadBytes: report.plan?.downloadBytes ?? null,
        };
      },
    });
    return result;
  },
};

/** One line per model (`qwen3:8b  pull  5.2 GB`), then the total. */
function sayPlan(plan: Plan, output: Output, formatBytes: (bytes: number) => string): void {
  const width = Math.max(0, ...plan.entries.map((entry) => entry.model.length));
  for (const entry of plan.entries) {
    output.line(
      [entry.model.padEnd(width), entry.action.padEnd(7), detail(entry, formatBytes)].join("  ")
        .trimEnd(),
    );
  }
  const acting = plan.entries.filter((e) => e.action === "pull" || e.action === "update").length;
  output.line(
    acting === 0
      ? "nothing to download"
      : `to download: ${
        plan.downloadBytes === null ? "unknown" : formatBytes(plan.downloadBytes)
      } for ${acting} model${acting === 1 ? "" : "s"}`,
  );
}

function detail(
  entry: Omit<PlanRow, "host">,
  formatBytes: (bytes: number) => string,
): string {
  const acting = entry.action === "pull" || entry.action === "update";
  if (acting && entry.downloadBytes !== null) return formatBytes(entry.downloadBytes);
  return entry.reason ?? "";
}
