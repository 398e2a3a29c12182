/**
 * The startup hook: is Ollama running, and are my models there? Health-checks the server, logs
 * what it has, finds the required models that are missing (by normalized name, so an alias never
 * causes a pull), pulls what `auto_pull` and the whitelist allow, confirms each is then listed,
 * and returns a report instead of throwing for expected outcomes.
 *
 * @module
 */

import { type FetchLike, OllamaClient, type OllamaClientOptions } from "./client.ts";
import type { OllamaConfig } from "./config.ts";
import {
  InterruptedError,
  ModelMissingError,
  NotWhitelistedError,
  OllamaError,
  PullFailedError,
  ServerTooOldError,
  UsageError,
} from "./errors/mod.ts";
import type { OllamaPullProgressReporter } from "./events.ts";
import { isModelAllowed, normalizeModelName, parseModelName, shortModelName } from "./names.ts";
import type { RetryPolicy } from "./retry.ts";
import { sanitizeText } from "./sanitize.ts";
import { type BaseUrlSource, resolveBaseUrl } from "./url.ts";
import { isVersionAtLeast } from "./version.ts";

/** The environment variables the startup hook uses. Read them at the edge and pass them in. */
export interface OllamaEnv {
  /** A server address (may end in `/v1`); beaten by `--host` and `base_url`. */
  OLLAMA_BASE_URL?: string;
  /** A server address by Ollama's own rules (`host:port`, `:port`, `0.0.0.0`). */
  OLLAMA_HOST?: string;
  /** A key for ollama.com, sent as `Authorization: Bearer …` to ollama.com only. */
  OLLAMA_API_KEY?: string;
}

/** A line for the application's log, as the hook goes. Messages are sanitized. */
export interface StartupLogEntry {
  /** `warn` for problems (server down, model missing), `info` otherwise. */
  level: "info" | "warn";
  /** A one-line message for people. */
  message: string;
}

/** What {@link ensureOllamaReady} found and did. */
export interface StartupReport {
  /** `true` when the server is reachable and every required model is installed. */
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
  /** Required models pulled now, short form. */
  pulled: string[];
  /** Required models still missing at the end, short form. */
  missing: string[];
  /** Problems worth a user's attention that did not decide the outcome. */
  warnings: string[];
  /** The outcome's error, `null` when ok. */
  error: OllamaError | null;
}

/** Options for {@link ensureOllamaReady}. */
export interface EnsureOptions {
  /** The environment (`OLLAMA_HOST`, …); the hook never reads it on its own. */
  env?: OllamaEnv;
  /** A server address that beats the config and the environment (the CLI's `--host`). */
  host?: string;
  /** Receives every pull event. */
  reporter?: OllamaPullProgressReporter;
  /** Aborts everything; the report then has an `interrupted` error. */
  signal?: AbortSignal;
  /** Receives log lines as the hook goes. */
  onLog?: (entry: StartupLogEntry) => void;
  /** The `fetch` to use (e.g. the fake server's). */
  fetch?: FetchLike;
  /** Extra headers on every request. */
  headers?: HeadersInit;
  /** Retry timing (e.g. an instant `sleep` in tests); the count comes from `pull_retries`. */
  retry?: Omit<RetryPolicy, "retries">;
  /** Why missing models are not pulled when auto-pull is off. Default `"auto_pull is off"`. */
  noPullReason?: string;
}

/**
 * Makes Ollama ready for an application, as configured: the roadmap's startup check and
 * auto-pull in one call. Expected outcomes (server down, model missing, pull failed,
 * interrupted) come back in the report with the contract's exit code; only bugs throw.
 *
 * @param config The `[ollama]` settings (see `parseOllamaConfig`); omitted keys take defaults.
 * @param options Environment, reporter, signal, log and transport.
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
  config: Partial<OllamaConfig>,
  options: EnsureOptions = {},
): Promise<StartupReport> {
  const log = (level: StartupLogEntry["level"], message: string) =>
    options.onLog?.({ level, message });
  const report: StartupReport = {
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
    warnings: [],
    error: null,
  };
  let required: RequiredModel[] = [];
  /** Normalized names of the required models known to be installed. */
  const satisfied = new Set<string>();
  const finish = (error: OllamaError | null): StartupReport => {
    // Whatever step failed, every required model not known to be there is still missing.
    report.missing = required.filter((model) => !satisfied.has(model.key)).map((m) => m.short);
    report.error = error;
    report.ok = error === null;
    report.exitCode = error === null ? 0 : error.exitCode;
    return report;
  };

  try {
    required = requiredModels(config.models ?? []);
    const resolved = resolveBaseUrl({
      host: options.host,
      baseUrl: config.baseUrl,
      env: options.env,
    });
    report.baseUrlSource = resolved.source;
    const client = new OllamaClient(resolved.url, clientOptions(config, options, resolved.url));
    report.baseUrl = client.baseUrl;

    let health;
    try {
      health = await client.healthCheck({ signal: options.signal });
    } catch (error) {
      if (!(error instanceof OllamaError)) throw error;
      if (error.code !== "interrupted") log("warn", `Ollama unavailable: ${error.message}`);
      return finish(error);
    }
    report.reachable = true;
    report.serverVersion = health.version;
    log("info", `Ollama ${health.version ?? "(version unknown)"} is running at ${client.baseUrl}`);
    if (
      config.minVersion !== undefined && health.version !== null &&
      !isVersionAtLeast(health.version, config.minVersion)
    ) {
      const error = new ServerTooOldError(client.baseUrl, health.version, config.minVersion);
      log("warn", error.message);
      return finish(error);
    }

    const installed = await client.fetchModels({ signal: options.signal });
    report.installed = installed.map(displayName);
    log(
      "info",
      installed.length === 0
        ? "No models installed"
        : `Installed models (${installed.length}): ${report.installed.join(", ")}`,
    );
    // Present models are reported as the server lists them (`LLAMA3` is `llama3:latest`).
    const listed = new Map(installed.map((name) => [keyOrUndefined(name), displayName(name)]));
    const missing = required.filter((model) => {
      const name = listed.get(model.key);
      if (name === undefined) return true;
      report.present.push(name);
      satisfied.add(model.key);
      return false;
    });
    if (missing.length === 0) return finish(null);

    const failures: OllamaError[] = [];
    for (const model of missing) {
      try {
        const outcome = await ensureModel(client, model.name, {
          autoPull: config.autoPull ?? true,
          whitelist: config.whitelist,
          reporter: options.reporter,
          signal: options.signal,
          alreadyChecked: true,
          onLog: options.onLog,
          noPullReason: options.noPullReason,
        });
        if (outcome.status === "pulled") report.pulled.push(model.short);
        else report.present.push(model.short);
        satisfied.add(model.key);
      } catch (error) {
        if (!(error instanceof OllamaError)) throw error;
        if (error instanceof InterruptedError) return finish(error);
        failures.push(error);
      }
    }
    if (failures.length === 0) return finish(null);
    const stillMissing = missing.filter((model) => !satisfied.has(model.key)).map((m) => m.short);
    return finish(mostSevere(failures, stillMissing, options.noPullReason ?? "auto_pull is off"));
  } catch (error) {
    if (error instanceof OllamaError) return finish(error);
    throw error;
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
  /** Skip the presence check (the caller just listed the models). Default `false`. */
  alreadyChecked?: boolean;
  /** Why a missing model is not pulled when auto-pull is off. Default `"auto_pull is off"`. */
  noPullReason?: string;
}

/** What {@link ensureModel} did. */
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
  if (!policy.alreadyChecked && await client.hasModel(name, { signal: policy.signal })) {
    return { model, status: "present" };
  }
  if (policy.autoPull === false) {
    const why = policy.noPullReason ?? "auto_pull is off";
    log("warn", `Required model ${model} is not installed (${why})`);
    throw new ModelMissingError([model], why);
  }
  if (!isModelAllowed(name, policy.whitelist)) {
    const error = new NotWhitelistedError(model, policy.whitelist ?? []);
    log("warn", error.message);
    throw error;
  }
  log("info", `Pulling ${model} (required, not installed)`);
  const started = performance.now();
  const result = await client.pullModel(name, { reporter: policy.reporter, signal: policy.signal });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const tries = result.attempts > 1 ? ` (${result.attempts} attempts)` : "";
  log("info", `Pulled ${model} in ${seconds} s${tries}`);
  return { model, status: "pulled" };
}

interface RequiredModel {
  name: string;
  key: string;
  short: string;
}

/** Validates the required names and drops aliases of one another (first spelling kept). */
function requiredModels(names: readonly string[]): RequiredModel[] {
  const seen = new Set<string>();
  const models: RequiredModel[] = [];
  for (const name of names) {
    const parsed = parseModelName(name);
    const key = normalizeModelName(parsed);
    if (seen.has(key)) continue;
    seen.add(key);
    models.push({ name, key, short: shortModelName(parsed) });
  }
  return models;
}

function clientOptions(
  config: Partial<OllamaConfig>,
  options: EnsureOptions,
  url: string,
): OllamaClientOptions {
  const headers = new Headers(options.headers);
  const key = options.env?.OLLAMA_API_KEY?.trim();
  if (key && !headers.has("authorization") && isOllamaCloud(url)) {
    headers.set("authorization", `Bearer ${key}`);
  }
  const seconds = (value: number | undefined) => value === undefined ? undefined : value * 1000;
  if (config.timeoutSecs !== undefined && !(config.timeoutSecs > 0)) {
    throw new UsageError(`timeout_secs must be greater than 0, got ${config.timeoutSecs}`);
  }
  return {
    fetch: options.fetch,
    headers,
    timeoutMs: seconds(config.timeoutSecs),
    stallTimeoutMs: seconds(config.stallTimeoutSecs),
    signal: options.signal,
    retry: { ...options.retry, retries: config.pullRetries },
  };
}

/** The API key goes to ollama.com only: never to a local server or a third party. */
function isOllamaCloud(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === "https:" && (hostname === "ollama.com" || hostname.endsWith(".ollama.com"));
  } catch {
    return false;
  }
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

/**
 * One error stands for all: a pull failure (exit 5) outranks refusals (exit 4); several models
 * missing with auto-pull off are named together.
 */
function mostSevere(failures: OllamaError[], missing: string[], why: string): OllamaError {
  const pull = failures.find((error) => error instanceof PullFailedError);
  if (pull !== undefined) return pull;
  if (failures.length > 1 && failures.every((error) => error instanceof ModelMissingError)) {
    return new ModelMissingError(missing, why);
  }
  return failures[0];
}
