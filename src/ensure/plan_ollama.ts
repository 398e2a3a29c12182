/**
 * {@link planOllama}: what the startup hook would do, without doing it.
 *
 * @module
 */

import type { OllamaConfig } from "../config/schema.ts";
import { ModelMissingError } from "../errors/model_missing_error.ts";
import { NotWhitelistedError } from "../errors/not_whitelisted_error.ts";
import type { EnsureOptions, StartupReport } from "./report.ts";
import { installedShort, Run } from "./run.ts";

/**
 * What {@link ensureOllamaReady} would do, without pulling: per required model `present`,
 * `pull`, `update` (with `update`) or `blocked`, and the bytes to download (the registry
 * manifest's blobs less those the server has). Exit status 0, or 4 when a required model is
 * missing and would not be pulled (like `check`), or the server's failure.
 *
 * @param config The `[ollama]` settings.
 * @param options As for {@link ensureOllamaReady} (`update` plans updates).
 * @returns The report, with `plan` set.
 *
 * @example
 * ```ts
 * import { planOllama } from "@vtcode/ollama";
 *
 * const { plan } = await planOllama({ models: ["llama3", "qwen3:8b"] });
 * console.log(plan?.downloadBytes);
 * ```
 */
export async function planOllama(
  config?: Partial<OllamaConfig>,
  options: EnsureOptions = {},
): Promise<StartupReport> {
  return await Run.execute(config, options, async (run, prepared) => {
    const { required, installed } = prepared;
    const policy = run.policy(prepared.config);
    const plan = await run.plan(prepared, required, "all", policy);
    await run.announce(plan);
    for (const model of required) {
      if (installed.has(model.key)) run.satisfy(model, installed.get(model.key)!.name);
    }
    const blocked = plan.entries.filter((e) =>
      e.action === "blocked" && !installedShort(installed, e.model)
    );
    if (blocked.length === 0) return run.finish(null);
    // The same error ensure would give: auto_pull off first, else the whitelist.
    if (!policy.autoPull) {
      const names = blocked.map((e) => e.model);
      return run.finish(
        new ModelMissingError(names, policy.noPullReason, {
          advice: options.missingAdvice?.(names),
        }),
      );
    }
    return run.finish(new NotWhitelistedError(blocked[0].model, policy.whitelist ?? []));
  });
}
