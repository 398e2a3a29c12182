/**
 * What an `OllamaClient` is given and gives back beyond models: its options and bounds,
 * per-call options, and the results of the health check and of loading a model.
 *
 * @module
 */

import type { ProxyEnv } from "./proxy.ts";
import type { RetryPolicy } from "./retry.ts";
import type { FetchLike } from "./transport.ts";

/**
 * Bound for the health check, each non-streaming request and the start of a pull: 5 s.
 *
 * @example
 * ```ts
 * import { DEFAULT_TIMEOUT_MS } from "@vtcode/ollama";
 *
 * DEFAULT_TIMEOUT_MS; // 5000
 * ```
 */
export const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Bound for loading a model into memory (a large model can take minutes from disk): 5 minutes.
 *
 * @example
 * ```ts
 * import { DEFAULT_LOAD_TIMEOUT_MS } from "@vtcode/ollama";
 *
 * DEFAULT_LOAD_TIMEOUT_MS / 60_000; // 5
 * ```
 */
export const DEFAULT_LOAD_TIMEOUT_MS = 300_000;

/**
 * The largest non-streaming response body accepted (a huge `/api/tags`): 32 MiB.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_RESPONSE_BYTES } from "@vtcode/ollama";
 *
 * DEFAULT_MAX_RESPONSE_BYTES / 1024 / 1024; // 32
 * ```
 */
export const DEFAULT_MAX_RESPONSE_BYTES: number = 32 * 1024 * 1024;

/**
 * A pull in which no layer's download grew for this long is abandoned (and retried): 60 s.
 *
 * @example
 * ```ts
 * import { DEFAULT_STALL_TIMEOUT_MS } from "@vtcode/ollama";
 *
 * DEFAULT_STALL_TIMEOUT_MS / 1000; // 60
 * ```
 */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

/**
 * Bound on silence once the server says it verifies a blob or writes the manifest (it sends
 * nothing while it hashes a large blob): 10 minutes.
 *
 * @example
 * ```ts
 * import { DEFAULT_QUIET_TIMEOUT_MS } from "@vtcode/ollama";
 *
 * DEFAULT_QUIET_TIMEOUT_MS / 60_000; // 10
 * ```
 */
export const DEFAULT_QUIET_TIMEOUT_MS = 600_000;

/**
 * Options for `OllamaClient`.
 *
 * @example
 * ```ts
 * import { OllamaClient, type OllamaClientOptions } from "@vtcode/ollama";
 *
 * const options: OllamaClientOptions = { timeoutMs: 2_000, retry: { retries: 5 } };
 * new OllamaClient("http://127.0.0.1:11434", options);
 * ```
 */
export interface OllamaClientOptions {
  /** The `fetch` to use. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Extra headers on every request, e.g. `{ Authorization: "Bearer …" }` for ollama.com. */
  headers?: HeadersInit;
  /** Bound for the health check, each non-streaming request and a pull's start. Default 5 s. */
  timeoutMs?: number;
  /** A pull in which no layer's download grew for this long is abandoned. Default 60 s. */
  stallTimeoutMs?: number;
  /** Silence bound after `verifying sha256 digest` / `writing manifest`. Default 10 minutes. */
  quietTimeoutMs?: number;
  /** Longest line accepted in a pull stream. Default 1 MiB. */
  maxLineLength?: number;
  /** Largest non-streaming response body accepted. Default 32 MiB. */
  maxResponseBytes?: number;
  /** Aborts every request this client makes (e.g. on shutdown). */
  signal?: AbortSignal;
  /** How `OllamaClient.pullModel` retries. Default: 3 retries, 0.5 s base backoff. */
  retry?: RetryPolicy;
  /** Pull from plain-HTTP registries (Ollama's `insecure`). Default `false`. */
  insecure?: boolean;
  /**
   * The proxy variables the runtime's `fetch` honours (Deno's and Bun's do; Node's does not),
   * so that failures can say which proxy was in the way. Only read, never applied.
   */
  proxyEnv?: ProxyEnv;
}

/**
 * Per-call options for requests that wait.
 *
 * @example
 * ```ts
 * import { OllamaClient, type RequestOptions } from "@vtcode/ollama";
 *
 * const options: RequestOptions = { signal: AbortSignal.timeout(1_000) };
 * await new OllamaClient("http://127.0.0.1:11434").listModels(options);
 * ```
 */
export interface RequestOptions {
  /** Aborts this call; it then rejects with `InterruptedError` (a timeout for `AbortSignal.timeout`). */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

/**
 * Options for `OllamaClient.listModels`.
 *
 * @example
 * ```ts
 * import type { ListOptions } from "@vtcode/ollama";
 *
 * const options: ListOptions = { onWarning: (message) => console.error(message) };
 * ```
 */
export interface ListOptions extends RequestOptions {
  /** Told about each malformed entry that was skipped. */
  onWarning?: (message: string) => void;
}

/**
 * What the health check learned.
 *
 * @example
 * ```ts
 * import { OllamaClient, type HealthInfo } from "@vtcode/ollama";
 *
 * const health: HealthInfo = await new OllamaClient("http://127.0.0.1:11434").healthCheck();
 * ```
 */
export interface HealthInfo {
  /** The server's host root, credentials removed. */
  baseUrl: string;
  /** The server's version, or `null` for servers too old to say. */
  version: string | null;
}

/**
 * Options for `OllamaClient.loadModel`.
 *
 * @example
 * ```ts
 * import type { LoadOptions } from "@vtcode/ollama";
 *
 * const options: LoadOptions = { keepAlive: "30m", embedding: false };
 * ```
 */
export interface LoadOptions extends RequestOptions {
  /** How long it stays loaded: a duration (`"30m"`), seconds, or `-1` for ever. */
  keepAlive?: string | number;
  /**
   * Load it as an embedding model (`/api/embed`). Default: try `/api/generate`, and fall back
   * to `/api/embed` when the server says the model does not support generate.
   */
  embedding?: boolean;
}

/**
 * What `OllamaClient.loadModel` did.
 *
 * @example
 * ```ts
 * import type { LoadResult } from "@vtcode/ollama";
 *
 * const result: LoadResult = { model: "llama3:latest", loadMs: 2300, endpoint: "/api/generate" };
 * ```
 */
export interface LoadResult {
  /** The model, in short form. */
  model: string;
  /** How long the load took, as measured here, in milliseconds. */
  loadMs: number;
  /** The endpoint that loaded it. */
  endpoint: "/api/generate" | "/api/embed";
}
