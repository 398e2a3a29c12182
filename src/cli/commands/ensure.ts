/**
 * `ensure` (the default command) and `check`: health-check the server (or each of a fleet), find
 * which required models are missing, pull them when `ensure` may (auto_pull, whitelist, up to
 * `--concurrency` at once; with `--update` also those whose tag moved), confirm they are listed,
 * hold them to the lock (`--locked`), warm them (`--warm`), and record them (`--write-lock`).
 * `check` never pulls.
 *
 * @module
 */

import { ensureOllamaReady } from "../../ensure/ensure.ts";
import type { LockEntry, OllamaLock } from "../../ensure/lock.ts";
import { OllamaError } from "../../errors/ollama_error.ts";
import { shortModelName } from "../../names.ts";
import { missingModelAdvice, type NoPullCause, noPullReason } from "../advice.ts";
import { type CliCommand, type CliResult, type CommandContext, emptyResult } from "../command.ts";
import { runHook } from "../hook_run.ts";
import type { LockLocation } from "../lock_file.ts";

/** `ensure`: make the required models present, pulling what policy allows. */
export const ensureCommand: CliCommand = {
  name: "ensure",
  summary: "health-check the server, find which required models are missing,\n" +
    "pull them (subject to auto_pull and whitelist), then confirm they are listed",
  accepts: [
    "model",
    "no-pull",
    "tui",
    "update",
    "concurrency",
    "warm",
    "lock",
    "write-lock",
    "locked",
  ],
  operandHint: "name required models with --model NAME",
  run: (context) => ensure(context, false),
};

/** `check`: report present and missing required models; never pulls. */
export const checkCommand: CliCommand = {
  name: "check",
  summary: "health-check and report present/missing required models; never pulls",
  accepts: ["model", "no-pull", "lock", "locked"],
  refuses: {
    update: "check never pulls; use `outdated` to see which tags moved",
    warm: "warming happens after `ensure`",
    "write-lock": "the lock is written after `ensure`",
  },
  operandHint: "name required models with --model NAME",
  run: (context) => ensure(context, true),
};

async function ensure(context: CommandContext, check: boolean): Promise<CliResult> {
  const { config, flags } = context;
  const cause: NoPullCause = {
    check,
    noPull: flags.noPull,
    autoPullOff: !config.autoPull,
    configSource: context.configSource,
  };
  // The lock's code is loaded by runs that use a lock, warm-up's by runs that warm.
  const locking = flags.locked || flags.writeLock
    ? { ...await import("../lock_file.ts"), ...await import("../../ensure/lock.ts") }
    : undefined;
  const location = locking?.lockLocation(flags.lock, context.configSource, context.cwd);
  let lock: OllamaLock | undefined;
  if (flags.locked && locking !== undefined && location !== undefined) {
    const { lockEntryFor, readLockFile } = locking;
    const found = await readLockFile(location);
    if (found === undefined) return noLock(location);
    lock = found;
    // A model the lock does not record can never match it: say so before pulling anything.
    const unlocked = [...new Set(config.models.map((name) => shortModelName(name)))]
      .filter((model) => lockEntryFor(found, model) === undefined);
    if (unlocked.length > 0) {
      const mismatches = unlocked.map((model) => ({ model, locked: null, installed: null }));
      const { LockMismatchError } = await import("../../errors/lock_mismatch_error.ts");
      return emptyResult(new LockMismatchError(mismatches, location.shown));
    }
  }
  // `check` only looks: it never loads a model, whatever `warm` says.
  const warm = !check && (flags.warm || config.warm);
  const warming = warm ? await import("../../ensure/warm.ts") : undefined;
  const { result, reports } = await runHook(context, {
    entry: ensureOllamaReady,
    config: { ...config, autoPull: config.autoPull && !flags.noPull && !check },
    options: {
      noPullReason: noPullReason(cause),
      missingAdvice: (models) => missingModelAdvice(models, cause),
      update: flags.update,
      warm,
      concurrency: flags.concurrency,
      lock,
      locked: lock !== undefined,
      lockPath: location?.shown,
    },
    describe(report, output) {
      for (const { model, loadMs, size, sizeVram } of report.warmed) {
        const share = warming?.gpuShare(size, sizeVram);
        output.info(`warmed ${model} in ${duration(loadMs)}${share ? ` (${share})` : ""}`);
      }
      return {
        ...(warm ? { warmed: report.warmed } : {}),
        ...(flags.update ? { outdated: report.outdated, unknown: report.unknown } : {}),
        ...(report.plan === null ? {} : { downloadBytes: report.plan.downloadBytes }),
      };
    },
  });
  if (!flags.writeLock || locking === undefined || location === undefined) return result;
  if (result.error !== null) return result;
  try {
    const models = lockedModels(reports);
    await locking.writeLockFile(location, locking.formatLock(models));
    const count = Object.keys(models).length;
    context.output.info(`Wrote ${location.shown} (${count} model${count === 1 ? "" : "s"})`);
    return result;
  } catch (error) {
    if (!(error instanceof OllamaError)) throw error;
    return { ...result, error };
  }
}

/** `--locked` without a lock file: nothing can match it. */
function noLock(location: LockLocation): CliResult {
  return emptyResult(
    new OllamaError(
      "lock_mismatch",
      `--locked: there is no lock file at ${location.shown}. Run \`ensure --write-lock\` ` +
        `(without --locked) to record the installed models' digests, keep ${location.shown} ` +
        "with the project, then use --locked.",
    ),
  );
}

/**
 * The digests to lock: each required model's, which every host must agree on.
 *
 * @throws {OllamaError} (code `lock_mismatch`) When hosts have different versions of a model.
 */
function lockedModels(
  reports: readonly { label: string; report: { digests: Record<string, LockEntry> } }[],
): Record<string, LockEntry> {
  const models: Record<string, LockEntry> = {};
  const seenOn: Record<string, string> = {};
  for (const { label, report } of reports) {
    for (const [model, entry] of Object.entries(report.digests)) {
      const known = models[model];
      if (known === undefined) {
        models[model] = entry;
        seenOn[model] = label;
      } else if (known.digest !== entry.digest) {
        throw new OllamaError(
          "lock_mismatch",
          `--write-lock: the servers have different versions of ${model} ` +
            `(${seenOn[model]}: ${known.digest.slice(0, 12)}, ${label}: ` +
            `${entry.digest.slice(0, 12)}); the lock was not written. Run \`ensure --update\` ` +
            "so that every server has the registry's version, or lock one server with --host.",
        );
      }
    }
  }
  return models;
}

/** `2.3 s`, or `850 ms` under a second. */
function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
