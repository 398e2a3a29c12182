/**
 * `@vtcode/ollama`: is Ollama running, and are my models there? A trustworthy one-line startup
 * step for Deno, Bun and Node 20+.
 *
 * - {@link ensureOllamaReady}: health check, find missing required models (by normalized name),
 *   pull what `auto_pull` and the whitelist allow, confirm they are listed, return a report.
 * - {@link OllamaClient}: health check, version, list, and pulls with typed progress events,
 *   bounded waits, retries with resume, and verification.
 * - Progress reporters for terminals ({@link CliPullProgressReporter},
 *   {@link TuiPullProgressReporter}), for machines ({@link JsonPullProgressReporter}) and none.
 * - Model names ({@link normalizeModelName}, {@link isModelAllowed}), addresses
 *   ({@link resolveBaseUrl}), the `[ollama]` TOML table ({@link parseOllamaConfig}).
 *
 * The fake Ollama server for tests is in `@vtcode/ollama/testing`; the command line is
 * `@vtcode/ollama/cli`.
 *
 * @example
 * ```ts
 * import { ensureOllamaReady } from "@vtcode/ollama";
 *
 * const report = await ensureOllamaReady({ models: ["llama3"] });
 * if (!report.ok) throw report.error;
 * ```
 *
 * @module
 */

export * from "./src/errors/mod.ts";
export { DEFAULT_SANITIZE_LIMIT, type SanitizeOptions, sanitizeText } from "./src/sanitize.ts";
export * from "./src/events.ts";
export {
  decodeJsonLines,
  type DecodeJsonLinesOptions,
  DEFAULT_MAX_LINE_LENGTH,
  type JsonLinesOptions,
  JsonLinesStream,
} from "./src/ndjson.ts";
export { pullEventFromValue, pullEventsFromLine, pullEventsFromValue } from "./src/parser.ts";
export * from "./src/names.ts";
export {
  baseUrlFromOllamaHost,
  type BaseUrlSource,
  type BaseUrlSources,
  baseUrlToHostRoot,
  DEFAULT_BASE_URL,
  isOllamaCloudUrl,
  isOpenAICompatibleBaseUrl,
  normalizeBaseUrl,
  redactUrl,
  resolveBaseUrl,
} from "./src/url.ts";
export { isVersionAtLeast, parseVersion } from "./src/version.ts";
export {
  classifyPullError,
  DEFAULT_PULL_RETRIES,
  isTransientPullError,
  type PullErrorClass,
  type RetryPolicy,
} from "./src/retry.ts";
export {
  isLoopbackUrl,
  noProxyWithLoopback,
  PROXY_ENV_NAMES,
  type ProxyChoice,
  type ProxyEnv,
  proxyForUrl,
} from "./src/proxy.ts";
export * from "./src/client.ts";
export * from "./src/client_options.ts";
export type { PullOptions, PullResult, PullStreamOptions } from "./src/pull.ts";
export * from "./src/config.ts";
export * from "./src/startup.ts";
export {
  type ManifestLookup,
  RegistryClient,
  type RegistryClientOptions,
  type RegistryManifest,
} from "./src/registry.ts";
export * from "./src/ensure/lock.ts";
export type { Plan, PlanAction, PlanEntry } from "./src/ensure/plan.ts";
export { gpuShare, type WarmedModel, warmModels } from "./src/ensure/warm.ts";
export { cloudReadiness } from "./src/ensure/cloud.ts";
export { ensureFleet, fleetExitCode, type FleetReport } from "./src/ensure/fleet.ts";
export * from "./src/progress/sink.ts";
export * from "./src/progress/progress_state.ts";
export * from "./src/progress/format.ts";
export * from "./src/progress/text_width.ts";
export * from "./src/progress/cli_reporter.ts";
export * from "./src/progress/tui_reporter.ts";
export * from "./src/progress/json_reporter.ts";
export * from "./src/progress/silent_reporter.ts";
