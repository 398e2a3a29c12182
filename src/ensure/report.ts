/**
 * What the startup hook is given and what it gives back: the environment it may use, its log
 * lines, its report, and its options.
 *
 * @module
 */

import type { FetchLike } from "../client.ts";
import type { OllamaError } from "../errors/ollama_error.ts";
import type { OllamaPullProgressReporter } from "../events.ts";
import type { ProxyEnv } from "../proxy.ts";
import type { RegistryClient } from "../registry.ts";
import type { RetryPolicy } from "../retry.ts";
import type { BaseUrlSource } from "../url.ts";
import type { LockEntry, OllamaLock } from "./lock.ts";
import type { Plan } from "./plan.ts";
import type { WarmedModel } from "./warm.ts";

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
