/**
 * {@link outdatedOllama}: which installed models have a newer version in the registry.
 *
 * @module
 */

import type { OllamaConfig } from "../config/schema.ts";
import { OutdatedError } from "../errors/outdated_error.ts";
import type { EnsureOptions, StartupReport } from "./report.ts";
import { requiredModel, Run } from "./run.ts";

/**
 * Which installed required models (every installed model when none is required) have a newer
 * version in the registry: the tag's manifest digest now against the installed one. A registry
 * that cannot be asked is a warning (`unknown`), never "up to date". Exit status 4 (code
 * `outdated`) when a tag moved, else 0.
 *
 * @param config The `[ollama]` settings.
 * @param options As for {@link ensureOllamaReady}.
 * @returns The report, with `outdated` and `unknown` set.
 *
 * @example
 * ```ts
 * import { outdatedOllama } from "@vtcode/ollama";
 *
 * const { outdated, unknown } = await outdatedOllama({ models: ["llama3"] });
 * ```
 */
export async function outdatedOllama(
  config?: Partial<OllamaConfig>,
  options: EnsureOptions = {},
): Promise<StartupReport> {
  return await Run.execute(config, options, async (run, prepared) => {
    const { installed } = prepared;
    for (const model of prepared.required) {
      if (!installed.has(model.key)) {
        run.warn(`${model.short} is not installed (nothing to compare)`);
      }
    }
    const required = prepared.required.length > 0
      ? prepared.required.filter((m) => installed.has(m.key))
      : [...installed.values()].flatMap((info) => requiredModel(info.name) ?? []);
    const plan = await run.plan(prepared, required, "all", {
      autoPull: false,
      update: false,
      noPullReason: "outdated never pulls",
    });
    for (const model of required) run.satisfy(model, installed.get(model.key)!.name);
    return run.finish(plan.outdated.length > 0 ? new OutdatedError(plan.outdated) : null);
  });
}
