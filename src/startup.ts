/**
 * The startup hook: is Ollama running, and are my models there? For one server:
 * {@link ensureOllamaReady} health-checks it, finds the required models that are missing (by
 * normalized name, so an alias never causes a pull), pulls what `auto_pull` and the whitelist
 * allow (up to `pull_concurrency` at once, with exact totals from the registry's manifests),
 * confirms each is then listed, checks that cloud models can be used, holds the result to a lock
 * when asked, and warms the models; {@link planOllama} says what it would do and what it would
 * download; {@link outdatedOllama} says which tags moved in the registry. Each returns a report
 * instead of throwing for expected outcomes. Several servers: see `ensureFleet`.
 *
 * @module
 */

import { type FetchLike, OllamaClient, type OllamaModelInfo } from "./client.ts";
import { type OllamaConfig, validateOllamaConfig } from "./config/schema.ts";
import {
  LockMismatchError,
  ModelMissingError,
  NotWhitelistedError,
  OllamaError,
  OutdatedError,
  PullFailedError,
  ServerTooOldError,
} from "./errors/mod.ts";
import type { OllamaPullProgressReporter } from "./events.ts";
import {
  isCloudModel,
  isModelAllowed,
  normalizeModelName,
  parseModelName,
  shortModelName,
} from "./names.ts";
import type { ProxyEnv } from "./proxy.ts";
import { RegistryClient } from "./registry.ts";
import type { RetryPolicy } from "./retry.ts";
import { sanitizeText } from "./sanitize.ts";
import { type BaseUrlSource, isOllamaCloudUrl, resolveBaseUrl } from "./url.ts";
import { isVersionAtLeast } from "./version.ts";
import { formatBytes } from "./progress/format.ts";
import { callerAbort } from "./transport.ts";
import { cloudReadiness } from "./ensure/cloud.ts";
import { checkLock, type LockEntry, type OllamaLock } from "./ensure/lock.ts";
import { type Plan, type PlanEntry, planModels } from "./ensure/plan.ts";
import { runPool } from "./ensure/pool.ts";
import { type WarmedModel, warmModels } from "./ensure/warm.ts";

/**
 * The environment variables the startup hook uses. Read them at the edge and pass them in.
 *
 * @example
 * ```ts
 * import type { OllamaEnv } from "@vtcode/ollama";
 *
 * const env: OllamaEnv = { OLLAMA_HOST: "gpu-box:11434" };
 * ```
 */
export interface OllamaEnv {
  /** A server address (may end in `/v1`); beaten by `--host` and `base_url`. */
  OLLAMA_BASE_URL?: string;
  /** A server address by Ollama's own rules (`host:port`, `:port`, `0.0.0.0`, `ollama.com`). */
  OLLAMA_HOST?: string;
  /** A key for ollama.com, sent as `Authorization: Bearer …` to ollama.com only. */
  OLLAMA_API_KEY?: string;
}

/**
 * A line for the application's log, as the hook goes. Messages are sanitized.
 *
 * @example
 * ```ts
 * import type { StartupLogEntry } from "@vtcode/ollama";
 *
 * const log = (entry: StartupLogEntry) => console.error(`${entry.level}: ${entry.message}`);
 * ```
 */
export interface StartupLogEntry {
  /**
   * `info` for progress, `warn` for a problem that does not decide the outcome (a registry
   * that cannot be asked, a download that will not fit), `error` for the problem that does
   * (it is also the report's `error`: a caller that prints the outcome can skip these).
   */
  level: "info" | "warn" | "error";
  /** A one-line message for people. */
  message: string;
}

/**
 * What {@link ensureOllamaReady} (or {@link planOllama}, {@link outdatedOllama}) found and did.
 *
 * @example
 * ```ts
 * import { ensureOllamaReady, type StartupReport } from "@vtcode/ollama";
 *
 * const report: StartupReport = await ensureOllamaReady({ models: ["llama3"] });
 * console.log(report.present, report.pulled, report.missing);
 * ```
 */
export interface StartupReport {
  /** `true` when the server is reachable and every required model is installed (and usable). */
  ok: boolean;
  /** The command line's exit status for this outcome (0 when ok). */
  exitCode: number;
  /** Whether an Ollama server answered. */
  reachable: boolean;
  /** The server address used, credentials removed. */
  baseUrl: string;
  /** Where the address came from. */
  baseUrlSource: BaseUrlSource;
  /** The server's version, `null` when unknown. */
  serverVersion: string | null;
  /** Every model the server listed at the start, short form. */
  installed: string[];
  /** Required models that were already installed, short form. */
  present: string[];
  /** Required models pulled now (also those updated), short form. */
  pulled: string[];
  /** Required models still missing at the end, short form. */
  missing: string[];
  /** Installed required models whose tag moved in the registry, short form. */
  outdated: string[];
  /** Required models the registry could not be asked about, short form. */
  unknown: string[];
  /** The models warm-up loaded, when it ran. */
  warmed: WarmedModel[];
  /** Each required model installed at the end, with its digest and size (for a lock file). */
  digests: Record<string, LockEntry>;
  /** What would be (or was) done per model, when a plan was made. */
  plan: Plan | null;
  /** Problems worth a user's attention that did not decide the outcome. */
  warnings: string[];
  /** Every model's failure (a refusal next to a failed pull, say); `error` is the decisive one. */
  failures: OllamaError[];
  /** The outcome's error, `null` when ok. */
  error: OllamaError | null;
}

/**
 * Options for {@link ensureOllamaReady}, {@link planOllama} and {@link outdatedOllama}.
 *
 * @example
 * ```ts
 * import type { EnsureOptions } from "@vtcode/ollama";
 *
 * const options: EnsureOptions = { update: true, warm: true, onLog: (l) => console.error(l.message) };
 * ```
 */
export interface EnsureOptions {
  /** The environment (`OLLAMA_HOST`, …); the hook never reads it on its own. */
  env?: OllamaEnv;
  /** A server address that beats the config and the environment (the CLI's `--host`). */
  host?: string;
  /** Receives every pull event (of every model pulled, interleaved when several run at once). */
  reporter?: OllamaPullProgressReporter;
  /** Aborts everything; the report then has an `interrupted` error. */
  signal?: AbortSignal;
  /** Receives log lines as the hook goes. */
  onLog?: (entry: StartupLogEntry) => void;
  /** The `fetch` to use (e.g. the fake server's). */
  fetch?: FetchLike;
  /** Extra headers on every request to the server. */
  headers?: HeadersInit;
  /** Retry timing (e.g. an instant `sleep` in tests); the count comes from `pull_retries`. */
  retry?: Omit<RetryPolicy, "retries">;
  /** Why missing models are not pulled when auto-pull is off. Default `"auto_pull is off"`. */
  noPullReason?: string;
  /** What to tell people about models that are missing and were not pulled. */
  missingAdvice?: (models: readonly string[]) => string;
  /** Also pull required models whose tag moved in the registry (`--update`). */
  update?: boolean;
  /** Load the models after `ensure` (overrides the config's `warm`). */
  warm?: boolean;
  /** Pulls at once (overrides the config's `pull_concurrency`). */
  concurrency?: number;
  /** With `locked`: every required model must be installed with the digest this lock records. */
  lock?: OllamaLock;
  /** Hold the result to `lock` (exit 6 on a mismatch). */
  locked?: boolean;
  /** The lock file's name, for messages. */
  lockPath?: string;
  /**
   * The registry client (share one across servers so that each model is asked once), or `false`
   * to never ask a registry (sizes and moved tags are then unknown; `plan` and `outdated` say so).
   */
  registry?: RegistryClient | false;
  /** The proxy variables the runtime's `fetch` honours, to explain failures. */
  proxyEnv?: ProxyEnv;
  /** Free disk where the server keeps models, when it is on this machine (warns on a download that will not fit). */
  freeDisk?: () => Promise<{ bytes: number; path: string } | undefined>;
}

interface RequiredModel {
  name: string;
  key: string;
  short: string;
  cloud: boolean;
}

interface Prepared {
  config: OllamaConfig;
  client: OllamaClient;
  required: RequiredModel[];
  installed: Map<string, OllamaModelInfo>;
}

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
  const run = new Run(options);
  try {
    const prepared = await run.prepare(config);
    if (prepared === undefined) return run.report;
    const { client, required, installed } = prepared;
    const settings = prepared.config;
    const policy = {
      autoPull: settings.autoPull,
      whitelist: settings.whitelist,
      update: options.update === true,
      noPullReason: options.noPullReason ?? "auto_pull is off",
    };
    const present = required.filter((model) => installed.has(model.key));
    const missing = required.filter((model) => !installed.has(model.key));
    for (const model of present) run.satisfy(model, installed.get(model.key)!.name);

    // The registry is asked only when something will be pulled or compared.
    let plan: Plan | undefined;
    const toCheck = policy.update ? required : missing;
    const allowedToPull = toCheck.filter((m) =>
      policy.autoPull && isModelAllowed(m.name, policy.whitelist)
    );
    const registry = run.registry(settings);
    if (allowedToPull.length > 0 && registry !== undefined) {
      plan = await planModels({
        client,
        registry,
        required: toCheck,
        installed,
        policy,
        ask: "needed",
        concurrency: 4,
        signal: options.signal,
      });
      run.report.plan = plan;
      run.report.outdated = plan.outdated;
      run.report.unknown = plan.unknown;
      for (const warning of plan.warnings) run.warn(warning);
      await run.announce(plan);
    }

    const failures: OllamaError[] = [];
    const refusals: RequiredModel[] = [];
    const pulls: { model: RequiredModel; entry?: PlanEntry }[] = [];
    for (const model of missing) {
      if (!policy.autoPull) refusals.push(model);
      else if (!isModelAllowed(model.name, policy.whitelist)) {
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
      const error = new ModelMissingError(names, policy.noPullReason, {
        advice: options.missingAdvice?.(names),
      });
      run.log("error", error.message);
      failures.push(error);
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

    const cloud = required.filter((m) => m.cloud).map((m) => final.get(m.key)?.name ?? m.short);
    const cloudProblem = await cloudReadiness(client, cloud, options.signal);
    if (cloudProblem !== undefined) {
      run.log("error", cloudProblem.message);
      return run.finish(cloudProblem);
    }

    if (options.locked === true && options.lock !== undefined) {
      const mismatches = checkLock(
        options.lock,
        required.map((m) => ({ model: m.short, digest: final.get(m.key)?.digest ?? null })),
      );
      if (mismatches.length > 0) {
        return run.finish(new LockMismatchError(mismatches, options.lockPath));
      }
    }

    if (options.warm ?? settings.warm) {
      const local = required.filter((m) => !m.cloud).map((m) => ({
        name: final.get(m.key)?.name ?? m.short,
        capabilities: final.get(m.key)?.capabilities,
      }));
      run.report.warmed = await warmModels(client, local, {
        keepAlive: settings.keepAlive,
        signal: options.signal,
      });
    }
    return run.finish(null);
  } catch (error) {
    return run.fail(error);
  }
}

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
  const run = new Run(options);
  try {
    const prepared = await run.prepare(config);
    if (prepared === undefined) return run.report;
    const { client, required, installed } = prepared;
    const policy = {
      autoPull: prepared.config.autoPull,
      whitelist: prepared.config.whitelist,
      update: options.update === true,
      noPullReason: options.noPullReason ?? "auto_pull is off",
    };
    const plan = await planModels({
      client,
      registry: run.registry(prepared.config),
      required,
      installed,
      policy,
      ask: "all",
      concurrency: 4,
      signal: options.signal,
    });
    run.report.plan = plan;
    run.report.outdated = plan.outdated;
    run.report.unknown = plan.unknown;
    for (const warning of plan.warnings) run.warn(warning);
    await run.announce(plan);
    for (const model of required) {
      if (installed.has(model.key)) run.satisfy(model, installed.get(model.key)!.name);
    }
    const blocked = plan.entries.filter((e) =>
      e.action === "blocked" && !installedShort(installed, e.model)
    );
    if (blocked.length > 0) {
      const names = blocked.map((e) => e.model);
      return run.finish(
        new ModelMissingError(names, blocked[0].reason ?? policy.noPullReason, {
          advice: options.missingAdvice?.(names),
        }),
      );
    }
    return run.finish(null);
  } catch (error) {
    return run.fail(error);
  }
}

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
  const run = new Run(options);
  try {
    const prepared = await run.prepare(config);
    if (prepared === undefined) return run.report;
    const { client, installed } = prepared;
    let required = prepared.required.filter((m) => installed.has(m.key));
    for (const model of prepared.required) {
      if (!installed.has(model.key)) {
        run.warn(`${model.short} is not installed (nothing to compare)`);
      }
    }
    if (prepared.required.length === 0) {
      required = [...installed.values()].flatMap((info) => {
        const model = requiredModel(info.name);
        return model === undefined ? [] : [model];
      });
    }
    const plan = await planModels({
      client,
      registry: run.registry(prepared.config),
      required,
      installed,
      policy: { autoPull: false, update: false, noPullReason: "outdated never pulls" },
      ask: "all",
      concurrency: 4,
      signal: options.signal,
    });
    run.report.plan = plan;
    run.report.outdated = plan.outdated;
    run.report.unknown = plan.unknown;
    for (const model of required) run.satisfy(model, installed.get(model.key)!.name);
    for (const warning of plan.warnings) run.warn(warning);
    return run.finish(plan.outdated.length > 0 ? new OutdatedError(plan.outdated) : null);
  } catch (error) {
    return run.fail(error);
  }
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
    throw new ModelMissingError([model], why);
  }
  if (!isModelAllowed(name, policy.whitelist)) {
    const error = new NotWhitelistedError(model, policy.whitelist ?? []);
    log("error", error.message);
    throw error;
  }
  await client.pullModel(name, { reporter: policy.reporter, signal: policy.signal });
  return { model, status: "pulled" };
}

/** One run of the hook: the report being built, and the steps every entry point shares. */
class Run {
  readonly report: StartupReport = {
    ok: false,
    exitCode: 1,
    reachable: false,
    baseUrl: "",
    baseUrlSource: "default",
    serverVersion: null,
    installed: [],
    present: [],
    pulled: [],
    missing: [],
    outdated: [],
    unknown: [],
    warmed: [],
    digests: {},
    plan: null,
    warnings: [],
    failures: [],
    error: null,
  };
  readonly #options: EnsureOptions;
  #required: RequiredModel[] = [];
  /** Normalized names of the required models known to be installed. */
  readonly #satisfied = new Set<string>();
  #registry: RegistryClient | undefined;

  constructor(options: EnsureOptions) {
    this.#options = options;
  }

  log(level: StartupLogEntry["level"], message: string): void {
    this.#options.onLog?.({ level, message: sanitizeText(message, { maxLength: 2000 }) });
  }

  warn(message: string): void {
    this.report.warnings.push(sanitizeText(message, { maxLength: 2000 }));
    this.log("warn", message);
  }

  satisfy(model: RequiredModel, listedName: string): void {
    if (this.#satisfied.has(model.key)) return;
    this.#satisfied.add(model.key);
    this.report.present.push(listedName);
  }

  unsatisfy(model: RequiredModel): void {
    this.#satisfied.delete(model.key);
    this.report.present = this.report.present.filter((name) => keyOrUndefined(name) !== model.key);
  }

  pulled(model: RequiredModel): void {
    // An update moves a present model to `pulled`.
    this.report.present = this.report.present.filter((name) => keyOrUndefined(name) !== model.key);
    this.#satisfied.add(model.key);
    this.report.pulled.push(model.short);
  }

  missing(): string[] {
    return this.#required.filter((model) => !this.#satisfied.has(model.key)).map((m) => m.short);
  }

  /** The registry client, `undefined` when asking a registry is turned off. */
  registry(config: OllamaConfig): RegistryClient | undefined {
    if (this.#options.registry === false) return undefined;
    return this.#registry ??= this.#options.registry ??
      new RegistryClient({
        fetch: this.#options.fetch,
        signal: this.#options.signal,
        insecure: config.insecure,
        timeoutMs: config.timeoutSecs * 1000,
      });
  }

  /** Validates, connects, checks the version and lists the models; `undefined` when it failed. */
  async prepare(config: Partial<OllamaConfig> | undefined): Promise<Prepared | undefined> {
    const settings = validateOllamaConfig(config);
    this.#required = requiredModels(settings.models);
    const resolved = resolveBaseUrl({
      host: this.#options.host,
      baseUrl: settings.baseUrl ?? settings.hosts?.[0],
      env: this.#options.env,
    });
    this.report.baseUrlSource = resolved.source;
    const client = new OllamaClient(
      resolved.url,
      clientOptions(settings, this.#options, resolved.url),
    );
    this.report.baseUrl = client.baseUrl;
    let health;
    try {
      health = await client.healthCheck({ signal: this.#options.signal });
    } catch (error) {
      if (!(error instanceof OllamaError)) throw error;
      if (error.code !== "interrupted") this.log("error", `Ollama unavailable: ${error.message}`);
      this.finish(error);
      return undefined;
    }
    this.report.reachable = true;
    this.report.serverVersion = health.version;
    this.log(
      "info",
      `Ollama ${health.version ?? "(version unknown)"} is running at ${client.baseUrl}`,
    );
    if (
      settings.minVersion !== undefined && health.version !== null &&
      !isVersionAtLeast(health.version, settings.minVersion)
    ) {
      const error = new ServerTooOldError(client.baseUrl, health.version, settings.minVersion);
      this.log("error", error.message);
      this.finish(error);
      return undefined;
    }
    const installed = await this.list(client);
    this.report.installed = [...installed.values()].map((info) => info.name);
    this.log(
      "info",
      installed.size === 0
        ? "No models installed"
        : `Installed models (${installed.size}): ${this.report.installed.join(", ")}`,
    );
    return { config: settings, client, required: this.#required, installed };
  }

  /** The installed models by normalized key; each listed name is parsed once. */
  async list(client: OllamaClient): Promise<Map<string, OllamaModelInfo>> {
    const models = await client.listModels({
      signal: this.#options.signal,
      onWarning: (warning) => this.warn(warning),
    });
    const byKey = new Map<string, OllamaModelInfo>();
    for (const info of models) {
      const key = keyOrUndefined(info.name);
      if (key === undefined) continue;
      info.name = displayName(info.name);
      if (!byKey.has(key)) byKey.set(key, info);
    }
    return byKey;
  }

  /** Says what will be downloaded, and whether it fits. */
  async announce(plan: Plan): Promise<void> {
    const acting = plan.entries.filter((e) => e.action === "pull" || e.action === "update");
    if (acting.length === 0) return;
    if (plan.downloadBytes !== null) {
      this.log(
        "info",
        `To download: ${formatBytes(plan.downloadBytes)} for ${acting.length} model${
          acting.length === 1 ? "" : "s"
        } (${acting.map((e) => e.model).join(", ")})`,
      );
    }
    const total = plan.downloadBytes;
    if (total === null || total === 0 || this.#options.freeDisk === undefined) return;
    const free = await this.#options.freeDisk().catch(() => undefined);
    if (free !== undefined && free.bytes < total) {
      this.warn(
        `The download (${formatBytes(total)}) will not fit: ${formatBytes(free.bytes)} free in ` +
          `${free.path}. Free space there, or set OLLAMA_MODELS on the server to a larger disk.`,
      );
    }
  }

  finish(error: OllamaError | null): StartupReport {
    // Whatever step failed, every required model not known to be there is still missing.
    this.report.missing = this.missing();
    this.report.error = error;
    this.report.ok = error === null;
    this.report.exitCode = error === null ? 0 : error.exitCode;
    return this.report;
  }

  fail(error: unknown): StartupReport {
    if (error instanceof OllamaError) return this.finish(error);
    const signal = this.#options.signal;
    if (signal?.aborted === true) return this.finish(callerAbort(signal, "ensure"));
    throw error;
  }
}

/** Validates the required names and drops aliases of one another (first spelling kept). */
function requiredModels(names: readonly string[]): RequiredModel[] {
  const seen = new Set<string>();
  const models: RequiredModel[] = [];
  for (const name of names) {
    const model = requiredModel(name);
    if (model === undefined) parseModelName(name); // throws the reason
    if (model === undefined || seen.has(model.key)) continue;
    seen.add(model.key);
    models.push(model);
  }
  return models;
}

function requiredModel(name: string): RequiredModel | undefined {
  try {
    const parsed = parseModelName(name);
    return {
      name,
      key: normalizeModelName(parsed),
      short: shortModelName(parsed),
      cloud: isCloudModel(parsed),
    };
  } catch {
    return undefined;
  }
}

function clientOptions(config: OllamaConfig, options: EnsureOptions, url: string) {
  const headers = new Headers(options.headers);
  const key = options.env?.OLLAMA_API_KEY?.trim();
  if (key && !headers.has("authorization") && isOllamaCloudUrl(url)) {
    headers.set("authorization", `Bearer ${key}`);
  }
  return {
    fetch: options.fetch,
    headers,
    timeoutMs: config.timeoutSecs * 1000,
    stallTimeoutMs: config.stallTimeoutSecs * 1000,
    signal: options.signal,
    retry: { ...options.retry, retries: config.pullRetries },
    insecure: config.insecure,
    proxyEnv: options.proxyEnv,
  };
}

function keyOrUndefined(name: string): string | undefined {
  try {
    return normalizeModelName(name);
  } catch {
    return undefined;
  }
}

function displayName(name: string): string {
  try {
    return shortModelName(name);
  } catch {
    return sanitizeText(name, { maxLength: 200 });
  }
}

function installedShort(installed: ReadonlyMap<string, OllamaModelInfo>, short: string): boolean {
  const key = keyOrUndefined(short);
  return key !== undefined && installed.has(key);
}

/** One error stands for all: a pull failure (exit 5) outranks refusals (exit 4). */
function mostSevere(failures: OllamaError[]): OllamaError {
  return failures.find((error) => error instanceof PullFailedError) ?? failures[0];
}
