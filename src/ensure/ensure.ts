/**
 * The startup hook itself: {@link ensureOllamaReady} makes one server ready (present, pulled,
 * confirmed, cloud usable, locked, warm), and {@link ensureModel} makes one model present on
 * demand.
 *
 * @module
 */

import type { OllamaClient } from "../client.ts";
import type { OllamaConfig } from "../config/schema.ts";
import { OllamaError } from "../errors/ollama_error.ts";
import type { OllamaPullProgressReporter } from "../events.ts";
import { isModelAllowed, normalizeModelName, parseModelName, shortModelName } from "../names.ts";
import type { Plan, PlanEntry } from "./plan.ts";
import { runPool } from "./pool.ts";
import type { EnsureOptions, StartupLogEntry, StartupReport } from "./report.ts";
import { type RequiredModel, Run } from "./run.ts";

/**
 * Makes Ollama ready for an application, as configured: the roadmap's startup check and
 * auto-pull in one call. Expected outcomes (server down, model missing, pull failed, cloud not
 * usable, lock mismatch, warm-up failed, interrupted) come back in the report with the
 * contract's exit code; only bugs throw.
 *
 * @param config The `[ollama]` settings (see `validateOllamaConfig`); omitted keys take defaults.
 *   An invalid config (`models: "llama3"`, `pullRetries: NaN`) is a usage error in the report.
 * @param options Environment, reporter, signal, log, transport, update/warm/lock.
 * @returns The report.
 *
 * @example Before starting an app
 * ```ts
 * import { ensureOllamaReady } from "@vtcode/ollama";
 *
 * const report = await ensureOllamaReady(
 *   { models: ["llama3", "qwen3:8b"], whitelist: ["qwen3:*", "llama3"] },
 *   { env: { OLLAMA_HOST: Deno.env.get("OLLAMA_HOST") }, onLog: (l) => console.error(l.message) },
 * );
 * if (!report.ok) Deno.exit(report.exitCode);
 * ```
 */
export async function ensureOllamaReady(
  config?: Partial<OllamaConfig>,
  options: EnsureOptions = {},
): Promise<StartupReport> {
  return await Run.execute(config, options, async (run, prepared) => {
    const { client, required, installed } = prepared;
    const settings = prepared.config;
    const policy = run.policy(settings);
    const present = required.filter((model) => installed.has(model.key));
    const missing = required.filter((model) => !installed.has(model.key));
    for (const model of present) run.satisfy(model, installed.get(model.key)!.name);

    // The registry is asked only when something will be pulled or compared.
    let plan: Plan | undefined;
    const toCheck = policy.update ? required : missing;
    const allowedToPull = toCheck.filter((m) =>
      policy.autoPull && isModelAllowed(m.name, policy.whitelist)
    );
    if (allowedToPull.length > 0 && run.asksRegistry) {
      plan = await run.plan(prepared, toCheck, "needed", policy);
      await run.announce(plan);
    }

    const failures: OllamaError[] = [];
    const refusals: RequiredModel[] = [];
    const pulls: { model: RequiredModel; entry?: PlanEntry }[] = [];
    for (const model of missing) {
      if (!policy.autoPull) refusals.push(model);
      else if (!isModelAllowed(model.name, policy.whitelist)) {
        const { NotWhitelistedError } = await import("../errors/not_whitelisted_error.ts");
        const error = new NotWhitelistedError(model.short, policy.whitelist ?? []);
        run.log("error", error.message);
        failures.push(error);
      } else pulls.push({ model, entry: plan?.entries.find((e) => e.model === model.short) });
    }
    if (policy.update && plan !== undefined) {
      for (const entry of plan.entries) {
        if (entry.action !== "update") continue;
        const model = present.find((m) => installed.get(m.key)?.name === entry.model);
        if (model !== undefined) pulls.push({ model, entry });
      }
    }
    if (refusals.length > 0) {
      const names = refusals.map((m) => m.short);
      const { ModelMissingError } = await import("../errors/model_missing_error.ts");
      const error = new ModelMissingError(names, policy.noPullReason, {
        advice: options.missingAdvice?.(names),
      });
      run.log("error", error.message);
      failures.push(error);
    }

    // --locked: a pull that cannot give the locked version is not even started.
    if (options.locked === true && options.lock !== undefined && pulls.length > 0) {
      const { lockEntryFor } = await import("./lock.ts");
      const drifted = pulls.flatMap(({ model, entry }) => {
        const locked = lockEntryFor(options.lock!, model.name);
        const registry = entry?.registryDigest;
        return locked !== undefined && registry != null && registry !== locked.digest
          ? [{ model: model.short, locked: locked.digest, installed: null, registry }]
          : [];
      });
      if (drifted.length > 0) {
        const { LockMismatchError } = await import("../errors/lock_mismatch_error.ts");
        return run.finish(new LockMismatchError(drifted, options.lockPath));
      }
    }

    const concurrency = options.concurrency ?? settings.pullConcurrency;
    const outcomes = await runPool(pulls, concurrency, async ({ model, entry }) => {
      run.log(
        "info",
        `Pulling ${model.short}${entry?.action === "update" ? " (a newer version)" : ""}`,
      );
      const result = await client.pullModel(model.name, {
        reporter: options.reporter,
        signal: options.signal,
        layers: entry?.layers,
      });
      return result;
    }, options.signal);
    let interrupted: OllamaError | undefined;
    outcomes.forEach((outcome, index) => {
      const { model } = pulls[index];
      if (outcome === undefined) return;
      if (outcome.status === "fulfilled") {
        run.pulled(model);
        return;
      }
      const error = outcome.reason;
      if (!(error instanceof OllamaError)) throw error;
      if (error.code === "interrupted" || error.code === "timeout") interrupted ??= error;
      else failures.push(error);
      if (installed.has(model.key)) run.unsatisfy(model); // an update that failed
    });
    options.signal?.throwIfAborted();
    if (interrupted !== undefined) return run.finish(interrupted);
    if (failures.length > 0) {
      run.report.failures = failures;
      return run.finish(mostSevere(failures));
    }

    // Every required model is listed now: its digest, for the lock and for `--locked`.
    const final = run.report.pulled.length > 0 ? await run.list(client) : installed;
    for (const model of required) {
      const info = final.get(model.key);
      if (info?.digest !== undefined) {
        run.report.digests[info.name] = { digest: info.digest.toLowerCase(), size: info.size ?? 0 };
      }
    }

    // Cloud, lock and warm-up code is loaded only by a run that needs it.
    const cloud = required.filter((m) => m.cloud).map((m) => final.get(m.key)?.name ?? m.short);
    if (cloud.length > 0) {
      const { cloudReadiness } = await import("./cloud.ts");
      const cloudProblem = await cloudReadiness(client, cloud, options.signal);
      if (cloudProblem !== undefined) {
        run.log("error", cloudProblem.message);
        return run.finish(cloudProblem);
      }
    }

    if (options.locked === true && options.lock !== undefined) {
      const { checkLock } = await import("./lock.ts");
      const mismatches = checkLock(
        options.lock,
        required.map((m) => ({ model: m.short, digest: final.get(m.key)?.digest ?? null })),
      );
      if (mismatches.length > 0) {
        const { LockMismatchError } = await import("../errors/lock_mismatch_error.ts");
        return run.finish(new LockMismatchError(mismatches, options.lockPath));
      }
    }

    if (options.warm ?? settings.warm) {
      const local = required.filter((m) => !m.cloud).map((m) => ({
        name: final.get(m.key)?.name ?? m.short,
        capabilities: final.get(m.key)?.capabilities,
      }));
      const { warmModels } = await import("./warm.ts");
      run.report.warmed = await warmModels(client, local, {
        keepAlive: settings.keepAlive,
        signal: options.signal,
      });
    }
    return run.finish(null);
  });
}

/** How {@link ensureModel} may act. */
export interface EnsureModelPolicy {
  /** Pull a missing model. Default `true`. */
  autoPull?: boolean;
  /** Patterns of models that may be pulled; `undefined` means no restriction. */
  whitelist?: readonly string[];
  /** Receives the pull's events. */
  reporter?: OllamaPullProgressReporter;
  /** Aborts the check or the pull. */
  signal?: AbortSignal;
  /** Receives log lines. */
  onLog?: (entry: StartupLogEntry) => void;
  /** Why a missing model is not pulled when auto-pull is off. Default `"auto_pull is off"`. */
  noPullReason?: string;
}

/**
 * What {@link ensureModel} did.
 *
 * @example
 * ```ts
 * import type { EnsureModelResult } from "@vtcode/ollama";
 *
 * const result: EnsureModelResult = { model: "qwen3:8b", status: "pulled" };
 * ```
 */
export interface EnsureModelResult {
  /** The model, in short form. */
  model: string;
  /** `present` when it was already installed, `pulled` when it was pulled now. */
  status: "present" | "pulled";
}

const inflight = new WeakMap<OllamaClient, Map<string, Promise<EnsureModelResult>>>();

/**
 * Makes sure one model is installed, on demand (the roadmap's "auto-pull when a missing model
 * is selected"): checks by normalized name, pulls it when the policy allows, and confirms it is
 * then listed. Concurrent calls for the same model on the same client share one pull.
 *
 * @param client A client for the server.
 * @param name The model.
 * @param policy Auto-pull, whitelist, reporter, signal.
 * @returns Whether it was present or pulled.
 * @throws {InvalidModelNameError} Before any request, for an invalid name.
 * @throws {ModelMissingError} Missing, and auto-pull is off.
 * @throws {NotWhitelistedError} Missing, and no whitelist pattern allows it.
 * @throws {PullFailedError | InterruptedError | UnreachableError | RequestTimeoutError}
 *
 * @example
 * ```ts
 * import { ensureModel, OllamaClient } from "@vtcode/ollama";
 *
 * const client = await OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434");
 * const { status } = await ensureModel(client, "qwen3:8b", { whitelist: ["qwen3:*"] });
 * ```
 */
export function ensureModel(
  client: OllamaClient,
  name: string,
  policy: EnsureModelPolicy = {},
): Promise<EnsureModelResult> {
  const key = normalizeModelName(parseModelName(name));
  let pending = inflight.get(client);
  if (pending === undefined) inflight.set(client, pending = new Map());
  const shared = pending.get(key);
  if (shared !== undefined) return shared;
  const running = ensureModelOnce(client, name, policy).finally(() => pending.delete(key));
  pending.set(key, running);
  return running;
}

async function ensureModelOnce(
  client: OllamaClient,
  name: string,
  policy: EnsureModelPolicy,
): Promise<EnsureModelResult> {
  const model = shortModelName(parseModelName(name));
  const log = (level: StartupLogEntry["level"], message: string) =>
    policy.onLog?.({ level, message });
  if (await client.hasModel(name, { signal: policy.signal })) return { model, status: "present" };
  if (policy.autoPull === false) {
    const why = policy.noPullReason ?? "auto_pull is off";
    log("error", `Required model ${model} is not installed (${why})`);
    const { ModelMissingError } = await import("../errors/model_missing_error.ts");
    throw new ModelMissingError([model], why);
  }
  if (!isModelAllowed(name, policy.whitelist)) {
    const { NotWhitelistedError } = await import("../errors/not_whitelisted_error.ts");
    const error = new NotWhitelistedError(model, policy.whitelist ?? []);
    log("error", error.message);
    throw error;
  }
  await client.pullModel(name, { reporter: policy.reporter, signal: policy.signal });
  return { model, status: "pulled" };
}

/**
 * One error stands for all: a pull failure (exit 5) outranks refusals (exit 4). Told by its
 * code, so that the outcome errors load only when there is an outcome to report.
 */
function mostSevere(failures: OllamaError[]): OllamaError {
  return failures.find((error) => error.code === "pull_failed") ?? failures[0];
}
