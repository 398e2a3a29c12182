/**
 * The Ollama client: health check, version, model list, and model pulls with typed progress,
 * bounded waits, retries and verification. Web standards only (`fetch`, streams,
 * `AbortSignal.timeout`/`AbortSignal.any`), so it runs unchanged on Deno, Bun and Node 20+.
 *
 * @module
 */

import {
  InterruptedError,
  NotOllamaError,
  OllamaError,
  ProtocolError,
  PullFailedError,
  type PullFailureReason,
  RequestTimeoutError,
  UnreachableError,
} from "./errors.ts";
import type { OllamaPullEvent, OllamaPullProgressReporter } from "./events.ts";
import { DEFAULT_MAX_LINE_LENGTH, LineDecoder } from "./ndjson.ts";
import { normalizeModelName, parseModelName, shortModelName } from "./names.ts";
import { PullLineParser } from "./parser.ts";
import {
  backoffDelay,
  DEFAULT_PULL_RETRIES,
  isTransientPullError,
  isTransientStatus,
  type RetryPolicy,
  sleep,
} from "./retry.ts";
import { sanitizeText } from "./sanitize.ts";
import { isOpenAICompatibleBaseUrl, joinUrl, normalizeBaseUrl, splitCredentials } from "./url.ts";
import { Watchdog, WatchdogTimeout } from "./watchdog.ts";
import { BatchedIterator } from "./batched_iterator.ts";
import { ByteReader } from "./byte_reader.ts";

/** A `fetch`-compatible function; inject one to route requests (e.g. to the fake server). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Bound for the health check, each non-streaming request and the start of a pull: 5 s. */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** A pull that receives no bytes for this long is abandoned (and retried): 60 s. */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;
/**
 * Bound while the server verifies a blob or writes the manifest, which sends nothing for a while
 * on large models: 10 minutes.
 */
export const DEFAULT_QUIET_TIMEOUT_MS = 600_000;
/** The largest non-streaming response body accepted (a huge `/api/tags`): 32 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES: number = 32 * 1024 * 1024;

/** Options for {@link OllamaClient}. */
export interface OllamaClientOptions {
  /** The `fetch` to use. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Extra headers on every request, e.g. `{ Authorization: "Bearer …" }` for ollama.com. */
  headers?: HeadersInit;
  /** Bound for the health check, each non-streaming request and a pull's first byte. Default 5 s. */
  timeoutMs?: number;
  /** A pull receiving no bytes for this long is abandoned. Default 60 s. */
  stallTimeoutMs?: number;
  /** Bound after `verifying sha256 digest` / `writing manifest`. Default 10 minutes. */
  quietTimeoutMs?: number;
  /** Longest line accepted in a pull stream. Default 1 MiB. */
  maxLineLength?: number;
  /** Largest non-streaming response body accepted. Default 32 MiB. */
  maxResponseBytes?: number;
  /** Aborts every request this client makes (e.g. on shutdown). */
  signal?: AbortSignal;
  /** How {@link OllamaClient.pullModel} retries. Default: 3 retries, 0.5 s base backoff. */
  retry?: RetryPolicy;
}

/** Per-call options for requests that wait. */
export interface RequestOptions {
  /** Aborts this call; it then rejects with {@link InterruptedError}. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

/** What the health check learned. */
export interface HealthInfo {
  /** The server's host root, credentials removed. */
  baseUrl: string;
  /** The server's version, or `null` for servers too old to say. */
  version: string | null;
}

/** Details of an installed model, from `GET /api/tags`. */
export interface OllamaModelDetails {
  /** E.g. `gguf`. */
  format?: string;
  /** E.g. `llama`. */
  family?: string;
  /** E.g. `["llama"]`; may be `null` on the wire. */
  families?: string[] | null;
  /** E.g. `8.0B`. */
  parameterSize?: string;
  /** E.g. `Q4_0`. */
  quantizationLevel?: string;
  /** The model it was derived from, if any. */
  parentModel?: string;
}

/** An installed model, from `GET /api/tags` (or `GET /v1/models` behind an OpenAI-style URL). */
export interface OllamaModelInfo {
  /** The name as the server lists it, in short form with tag, e.g. `llama3:latest`. */
  name: string;
  /** Size on disk in bytes, when known. */
  size?: number;
  /** The manifest digest (64 hex), when known. */
  digest?: string;
  /** RFC 3339 time of the last change, when known. */
  modifiedAt?: string;
  /** Format, family, size class and quantization, when known. */
  details?: OllamaModelDetails;
}

/** Options for {@link OllamaClient.pullModelStream}. */
export interface PullStreamOptions extends RequestOptions {
  /** Overrides the client's `stallTimeoutMs`. */
  stallTimeoutMs?: number;
  /** Overrides the client's `quietTimeoutMs`. */
  quietTimeoutMs?: number;
}

/** Options for {@link OllamaClient.pullModel}. */
export interface PullOptions extends PullStreamOptions {
  /** Receives every event (and a `retry` event before each re-issue). */
  reporter?: OllamaPullProgressReporter;
  /** Overrides the client's retry policy. */
  retry?: RetryPolicy;
}

/** The outcome of a successful {@link OllamaClient.pullModel}. */
export interface PullResult {
  /** The model, in short form. */
  model: string;
  /** How many times the pull was issued, counting the first. */
  attempts: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

const STATUSES_BEFORE_SILENCE = new Set(["verifying sha256 digest", "writing manifest"]);

/**
 * A client for one Ollama server.
 *
 * @example Health-check, then make sure a model is there
 * ```ts
 * import { CliPullProgressReporter, OllamaClient } from "@vtcode/ollama";
 *
 * const client = await OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434");
 * if (!(await client.hasModel("llama3"))) {
 *   await client.pullModel("llama3", {
 *     reporter: new CliPullProgressReporter({ sink: { write: (t) => console.error(t), isTerminal: false } }),
 *   });
 * }
 * ```
 */
export class OllamaClient {
  /** The server's host root, credentials removed (safe to print). */
  readonly baseUrl: string;
  /** Whether the address given was an OpenAI-compatible one (ending in `/v1`). */
  readonly openAICompatible: boolean;
  /** The version the last health check saw, `null` if the server did not say. */
  serverVersion: string | null = null;

  readonly #fetch: FetchLike;
  readonly #headers: Headers;
  readonly #timeoutMs: number;
  readonly #stallTimeoutMs: number;
  readonly #quietTimeoutMs: number;
  readonly #maxLineLength: number;
  readonly #maxResponseBytes: number;
  readonly #signal: AbortSignal | undefined;
  readonly #retry: RetryPolicy;

  /**
   * Creates a client without contacting the server (see {@link OllamaClient.tryFromBaseUrl}).
   *
   * @param baseUrl The server address: `http://host:port`, a path prefix, `/v1` form, or
   *   `host:port` as in `OLLAMA_HOST`. Credentials in it are sent as a Basic `Authorization`
   *   header (unless `headers` has one) and never printed.
   * @param options Fetch, headers, bounds, signal and retry policy.
   * @throws {UsageError} When the address cannot be used.
   */
  constructor(baseUrl: string, options: OllamaClientOptions = {}) {
    const normalized = normalizeBaseUrl(baseUrl);
    const { url, authorization } = splitCredentials(normalized);
    this.baseUrl = url;
    this.openAICompatible = isOpenAICompatibleBaseUrl(baseUrl.trim());
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#headers = new Headers(options.headers);
    if (authorization !== undefined && !this.#headers.has("authorization")) {
      this.#headers.set("authorization", authorization);
    }
    this.#timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.#stallTimeoutMs = positive(options.stallTimeoutMs, DEFAULT_STALL_TIMEOUT_MS);
    this.#quietTimeoutMs = positive(options.quietTimeoutMs, DEFAULT_QUIET_TIMEOUT_MS);
    this.#maxLineLength = positive(options.maxLineLength, DEFAULT_MAX_LINE_LENGTH);
    this.#maxResponseBytes = positive(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES);
    this.#signal = options.signal;
    this.#retry = options.retry ?? {};
  }

  /**
   * Creates a client and health-checks the server, so that a returned client is known to talk
   * to a running Ollama.
   *
   * @param baseUrl The server address (see the constructor).
   * @param options Client options; `timeoutMs` bounds the check (connect and answer).
   * @returns The client, with {@link OllamaClient.serverVersion} set.
   * @throws {UnreachableError} Nothing listening (fails at once, not after the timeout).
   * @throws {RequestTimeoutError} No answer within the bound.
   * @throws {NotOllamaError} Something answered, but not Ollama.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const client = await OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434", { timeoutMs: 2_000 });
   * console.log(client.serverVersion);
   * ```
   */
  static async tryFromBaseUrl(
    baseUrl: string,
    options: OllamaClientOptions = {},
  ): Promise<OllamaClient> {
    const client = new OllamaClient(baseUrl, options);
    await client.healthCheck();
    return client;
  }

  /**
   * Checks that an Ollama server answers at the address: `GET /api/version` (falling back to
   * `GET /` and its `Ollama is running` for servers too old to have it).
   *
   * @param options Signal and bound.
   * @returns The address and version.
   * @throws {UnreachableError | RequestTimeoutError | NotOllamaError | InterruptedError}
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const { version } = await new OllamaClient("http://127.0.0.1:11434").healthCheck();
   * ```
   */
  async healthCheck(options: RequestOptions = {}): Promise<HealthInfo> {
    const deadline = this.#deadline(options);
    const response = await this.#request("GET", "/api/version", deadline);
    if (response.status === 404) {
      const root = await this.#request("GET", "/", deadline);
      if (root.status === 200 && /Ollama is running/.test(root.text)) {
        this.serverVersion = null;
        return { baseUrl: this.baseUrl, version: null };
      }
      throw this.#notOllama("GET /api/version", response);
    }
    const version = this.#versionFrom(response);
    this.serverVersion = version;
    return { baseUrl: this.baseUrl, version };
  }

  /**
   * The server's version (`GET /api/version`), e.g. `0.12.3`; source builds say `0.0.0`.
   *
   * @param options Signal and bound.
   * @returns The version string.
   * @throws {UnreachableError | RequestTimeoutError | NotOllamaError | InterruptedError}
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * console.log(await new OllamaClient("http://127.0.0.1:11434").version());
   * ```
   */
  async version(options: RequestOptions = {}): Promise<string> {
    const response = await this.#request("GET", "/api/version", this.#deadline(options));
    return this.#versionFrom(response);
  }

  /**
   * The installed models (`GET /api/tags`), newest first. Behind an OpenAI-compatible address
   * whose native endpoints are missing, `GET /v1/models` is used instead (names only).
   *
   * @param options Signal and bound.
   * @returns The models.
   * @throws {UnreachableError | RequestTimeoutError | NotOllamaError | InterruptedError}
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * for (const model of await new OllamaClient("http://127.0.0.1:11434").listModels()) {
   *   console.log(model.name, model.size);
   * }
   * ```
   */
  async listModels(options: RequestOptions = {}): Promise<OllamaModelInfo[]> {
    const deadline = this.#deadline(options);
    const response = await this.#request("GET", "/api/tags", deadline);
    if (response.status === 404 && this.openAICompatible) {
      return this.#openAIModels(await this.#request("GET", "/v1/models", deadline));
    }
    const body = this.#json("GET /api/tags", response);
    const models = (body as { models?: unknown } | null)?.models;
    if (!Array.isArray(models)) {
      throw this.#wrongShape("GET /api/tags", response, `expected {"models": [...]}`);
    }
    return models.map((entry) => {
      if (typeof entry !== "object" || entry === null || typeof entry.name !== "string") {
        throw this.#wrongShape("GET /api/tags", response, "a model entry has no name");
      }
      return modelInfo(entry as Record<string, unknown>);
    });
  }

  /**
   * The installed models' names, in Ollama's short form (`llama3:latest`).
   *
   * @param options Signal and bound.
   * @returns The names, newest first.
   * @throws {UnreachableError | RequestTimeoutError | NotOllamaError | InterruptedError}
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * console.log(await new OllamaClient("http://127.0.0.1:11434").fetchModels()); // ["llama3:latest"]
   * ```
   */
  async fetchModels(options: RequestOptions = {}): Promise<string[]> {
    return (await this.listModels(options)).map((model) => model.name);
  }

  /**
   * Whether a model is installed, comparing normalized names, so `llama3`, `llama3:latest` and
   * `registry.ollama.ai/library/llama3:latest` are the same model.
   *
   * @param name The model name.
   * @param options Signal and bound.
   * @returns `true` when the server lists it.
   * @throws {InvalidModelNameError} Before any request, for a name Ollama would reject.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * await new OllamaClient("http://127.0.0.1:11434").hasModel("LLAMA3"); // true if llama3:latest is there
   * ```
   */
  async hasModel(name: string, options: RequestOptions = {}): Promise<boolean> {
    const wanted = normalizeModelName(parseModelName(name));
    const models = await this.listModels(options);
    return models.some((model) => normalizedOrUndefined(model.name) === wanted);
  }

  /**
   * Pulls a model once (no retry), yielding typed events as the server sends them. The
   * iteration ends after `success`; it throws on an `error` line (after yielding it), on a
   * stream that ends without `success`, on data that is not Ollama's, and when a bound runs out.
   * Breaking out of the loop, or aborting the signal, closes the connection.
   *
   * Bounds: `timeoutMs` until the response's first byte, then `stallTimeoutMs` without bytes,
   * then `quietTimeoutMs` once the server announces `verifying sha256 digest` or
   * `writing manifest` (it sends nothing while it hashes a large blob).
   *
   * @param name The model to pull.
   * @param options Signal and bounds.
   * @returns The events, in order.
   * @throws {InvalidModelNameError} Before any request, for a name Ollama would reject.
   * @throws {PullFailedError | UnreachableError | InterruptedError}
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const client = new OllamaClient("http://127.0.0.1:11434");
   * for await (const event of client.pullModelStream("llama3", { signal: AbortSignal.timeout(600_000) })) {
   *   if (event.type === "chunk_progress") console.log(event.digest, event.completed, event.total);
   * }
   * ```
   */
  pullModelStream(
    name: string,
    options: PullStreamOptions = {},
  ): AsyncIterableIterator<OllamaPullEvent> {
    // Events are decoded a network chunk at a time and handed out of that batch; every `next()`
    // (the consumer done with an event) counts as activity, so a slow consumer is not a stall.
    const activity: { watchdog?: Watchdog } = {};
    return new BatchedIterator(
      this.#pullBatches(name, options, activity),
      () => activity.watchdog?.touch(),
    );
  }

  /** The body of {@link OllamaClient.pullModelStream}: one batch of events per chunk read. */
  async *#pullBatches(
    name: string,
    options: PullStreamOptions,
    activity: { watchdog?: Watchdog },
  ): AsyncGenerator<OllamaPullEvent[], void, undefined> {
    const model = shortModelName(parseModelName(name));
    const operation = `pull of ${model}`;
    const startMs = positive(options.timeoutMs, this.#timeoutMs);
    const stallMs = positive(options.stallTimeoutMs, this.#stallTimeoutMs);
    const quietMs = positive(options.quietTimeoutMs, this.#quietTimeoutMs);
    const watchdog = new Watchdog("start", startMs);
    activity.watchdog = watchdog;
    const callerSignals = [options.signal, this.#signal].filter(isSignal);
    const signal = AbortSignal.any([watchdog.signal, ...callerSignals]);
    const fail = (reason: PullFailureReason, detail: string, extra: PullFailedExtra = {}) =>
      new PullFailedError(model, reason, detail, extra);

    let reader: ByteReader | undefined;
    try {
      let response: Response;
      try {
        response = await this.#send(joinUrl(this.baseUrl, "/api/pull"), {
          method: "POST",
          headers: this.#requestHeaders(true),
          body: JSON.stringify({ model: name, stream: true }),
          signal,
        });
      } catch (cause) {
        throw this.#pullFailure(cause, callerSignals, watchdog, operation, fail);
      }
      if (response.status !== 200) {
        const text = await this.#readText(response, signal).catch(() => "");
        const serverMessage = errorMessageFrom(text);
        throw fail(
          serverMessage === undefined ? "http_status" : "server_error",
          serverMessage === undefined
            ? `the server answered ${statusText(response)}${snippet(text)}`
            : `the server answered ${statusText(response)}: ${sanitizeText(serverMessage)}`,
          {
            status: response.status,
            serverMessage: serverMessage === undefined ? undefined : sanitizeText(serverMessage),
            retryable: isTransientStatus(response.status) ||
              (serverMessage !== undefined && isTransientPullError(serverMessage)),
          },
        );
      }
      if (response.body === null) {
        throw fail("ended_without_success", "the server answered with an empty body", {
          retryable: true,
        });
      }
      watchdog.setPhase("stall", stallMs);
      // A bound or an abort ends a pending read even with a fetch that does not tie the body
      // to the signal (an injected fetch, say): the reader cancels itself.
      reader = new ByteReader(response.body, signal);
      const decoder = new LineDecoder({ maxLineLength: this.#maxLineLength });
      const parser = new PullLineParser();
      const events: OllamaPullEvent[] = [];
      const onLine = (line: string, lineNumber: number) => {
        const event = parser.parse(line, lineNumber);
        if (event !== undefined) events.push(event);
      };
      let ended = false;
      while (!ended) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
          signal.throwIfAborted();
        } catch (cause) {
          throw this.#pullFailure(cause, callerSignals, watchdog, operation, fail);
        }
        watchdog.touch();
        let invalid: unknown;
        try {
          if (chunk.done) {
            ended = true;
            decoder.end(onLine);
          } else {
            decoder.push(chunk.value, onLine);
          }
        } catch (error) {
          invalid = error;
        }
        // The batch ends at an error (yielded, then thrown) or at success (nothing after it).
        let failure: PullFailedError | undefined;
        let succeeded = false;
        for (let i = 0; i < events.length; i++) {
          const event = events[i];
          if (event.type === "error") {
            failure = fail("server_error", `the server said: ${sanitizeText(event.message)}`, {
              serverMessage: sanitizeText(event.message),
              retryable: isTransientPullError(event.message),
            });
            events.length = i + 1;
          } else if (event.type === "success") {
            succeeded = true;
            events.length = i + 1;
          } else if (event.type === "status" && STATUSES_BEFORE_SILENCE.has(event.status)) {
            watchdog.setPhase("quiet", quietMs);
          }
        }
        if (events.length > 0) yield events;
        if (failure !== undefined) throw failure;
        // After success nothing more is needed; the rest of the body is released below.
        if (succeeded) return;
        events.length = 0;
        if (invalid !== undefined) {
          const detail = invalid instanceof ProtocolError
            ? invalid.message
            : `undecodable data: ${String(invalid)}`;
          throw fail("invalid_data", detail, { cause: invalid });
        }
      }
      throw fail("ended_without_success", "the stream ended before the server said success", {
        retryable: true,
      });
    } finally {
      watchdog.stop();
      // Closing our end tells the server we are gone (mid-pull, it cancels the download and
      // keeps the partial blobs for a later resume); after success it releases the body.
      await reader?.close();
    }
  }

  /**
   * Pulls a model to completion: runs {@link OllamaClient.pullModelStream}, feeding every event
   * to the reporter; re-issues the pull after a transient failure (reset, stall, 5xx, `max
   * retries exceeded`), with exponential backoff and jitter — Ollama resumes partial downloads;
   * and finally checks that the model is listed. Success means both: the server said `success`
   * and the model is installed.
   *
   * @param name The model to pull.
   * @param options Reporter, signal, bounds and retry policy.
   * @returns The model's short name and the number of attempts.
   * @throws {InvalidModelNameError} Before any request, for a name Ollama would reject.
   * @throws {PullFailedError} When every attempt failed, a failure was permanent, or the model
   *   is not listed afterwards.
   * @throws {InterruptedError} When the signal was aborted.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const client = new OllamaClient("http://127.0.0.1:11434");
   * const { attempts } = await client.pullModel("qwen3:0.6b", { retry: { retries: 5 } });
   * ```
   */
  async pullModel(name: string, options: PullOptions = {}): Promise<PullResult> {
    const model = shortModelName(parseModelName(name));
    const policy = { ...this.#retry, ...options.retry };
    const maxAttempts = 1 + Math.max(0, Math.floor(policy.retries ?? DEFAULT_PULL_RETRIES));
    const reporter = options.reporter;
    const callerSignals = [options.signal, this.#signal].filter(isSignal);
    let outcome: "success" | "error" | "aborted" = "error";
    try {
      for (let attempt = 1;; attempt++) {
        try {
          for await (const event of this.pullModelStream(name, options)) {
            await reporter?.onEvent(event, model);
          }
        } catch (error) {
          if (!(error instanceof PullFailedError) || !error.retryable || attempt >= maxAttempts) {
            throw error instanceof PullFailedError && attempt > 1
              ? error.withAttempts(attempt)
              : error;
          }
          const delayMs = backoffDelay(attempt + 1, policy);
          await reporter?.onEvent({
            type: "retry",
            attempt: attempt + 1,
            maxAttempts,
            delayMs,
            reason: error.detail,
          }, model);
          try {
            await (policy.sleep ?? sleep)(delayMs, anySignal(callerSignals));
          } catch (cause) {
            throw new InterruptedError(`pull of ${model}`, { cause });
          }
          continue;
        }
        const listed = await this.hasModel(name, { signal: options.signal });
        if (!listed) {
          throw new PullFailedError(
            model,
            "not_listed",
            "the server said success, but the model is not in its list of installed models",
            { attempts: attempt },
          );
        }
        outcome = "success";
        return { model, attempts: attempt };
      }
    } catch (error) {
      if (error instanceof InterruptedError) outcome = "aborted";
      throw error;
    } finally {
      await reporter?.finish?.(model, outcome);
    }
  }

  #deadline(options: RequestOptions): { signal: AbortSignal; callers: AbortSignal[]; ms: number } {
    const ms = positive(options.timeoutMs, this.#timeoutMs);
    const callers = [options.signal, this.#signal].filter(isSignal);
    return { signal: AbortSignal.any([AbortSignal.timeout(ms), ...callers]), callers, ms };
  }

  /**
   * `fetch` with redirects followed by hand (at most 5), so that credentials never follow a
   * redirect to another origin whatever the runtime's fetch does: the `Authorization` header is
   * dropped when the origin changes. 303 (and 301/302 after a POST) continue as a GET.
   */
  async #send(url: string, init: RequestInit & { headers: Headers }): Promise<Response> {
    let current = url;
    let request = init;
    for (let hop = 0;; hop++) {
      const response = await this.#fetch(current, { ...request, redirect: "manual" });
      const location = REDIRECT_STATUSES.has(response.status)
        ? response.headers.get("location")
        : null;
      if (location === null || hop >= MAX_REDIRECTS) return response;
      await response.body?.cancel().catch(() => {});
      const next = new URL(location, current);
      const headers = new Headers(request.headers);
      if (next.origin !== new URL(current).origin) headers.delete("authorization");
      const asGet = response.status === 303 ||
        ((response.status === 301 || response.status === 302) && request.method === "POST");
      if (asGet) headers.delete("content-type");
      request = asGet
        ? { ...request, method: "GET", body: undefined, headers }
        : { ...request, headers };
      current = next.href;
    }
  }

  #requestHeaders(json: boolean): Headers {
    const headers = new Headers(this.#headers);
    if (json) headers.set("content-type", "application/json");
    return headers;
  }

  /** A non-streaming request: the bound covers connecting, the headers and the whole body. */
  async #request(
    method: string,
    path: string,
    deadline: { signal: AbortSignal; callers: AbortSignal[]; ms: number },
  ): Promise<TextResponse> {
    const url = joinUrl(this.baseUrl, path);
    const operation = `${method} ${url}`;
    try {
      deadline.signal.throwIfAborted();
      const response = await this.#send(url, {
        method,
        headers: this.#requestHeaders(false),
        signal: deadline.signal,
      });
      const text = await this.#readText(response, deadline.signal);
      return {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        text,
        path,
      };
    } catch (cause) {
      if (cause instanceof OllamaError) throw cause;
      const interrupted = deadline.callers.find((signal) => signal.aborted);
      if (interrupted !== undefined) {
        throw new InterruptedError(operation, { cause: interrupted.reason });
      }
      if (deadline.signal.aborted) throw new RequestTimeoutError(operation, deadline.ms, { cause });
      // fetch rejects only for network failures (refused, reset, DNS); Bun's are not TypeErrors.
      throw new UnreachableError(this.baseUrl, { cause });
    }
  }

  /** Reads a body as text, refusing to hold more than the response bound. */
  async #readText(response: Response, signal: AbortSignal): Promise<string> {
    if (response.body === null) return "";
    const reader = new ByteReader(response.body, signal);
    const decoder = new TextDecoder();
    let text = "";
    let bytes = 0;
    try {
      while (true) {
        signal.throwIfAborted();
        const chunk = await reader.read();
        signal.throwIfAborted();
        if (chunk.done) return text + decoder.decode();
        bytes += chunk.value.byteLength;
        if (bytes > this.#maxResponseBytes) {
          throw new NotOllamaError(
            `${this.baseUrl} sent a response larger than ${this.#maxResponseBytes} bytes; ` +
              "it was abandoned to bound memory. Check that the address is an Ollama server.",
            { status: response.status },
          );
        }
        text += decoder.decode(chunk.value, { stream: true });
      }
    } finally {
      await reader.close();
    }
  }

  #json(operation: string, response: TextResponse): unknown {
    if (response.status !== 200) throw this.#notOllama(operation, response);
    try {
      return JSON.parse(response.text);
    } catch (cause) {
      throw new NotOllamaError(
        `${this.baseUrl} answered ${operation} with something that is not JSON` +
          `${snippet(response.text)}. Is this address an Ollama server (not a web page or proxy)?`,
        { status: response.status, cause },
      );
    }
  }

  #versionFrom(response: TextResponse): string {
    const body = this.#json("GET /api/version", response);
    const version = (body as { version?: unknown } | null)?.version;
    if (typeof version !== "string") {
      throw this.#wrongShape("GET /api/version", response, `expected {"version": "x.y.z"}`);
    }
    return sanitizeText(version, { maxLength: 64 });
  }

  #openAIModels(response: TextResponse): OllamaModelInfo[] {
    const body = this.#json("GET /v1/models", response);
    const data = (body as { data?: unknown } | null)?.data;
    if (data === null) return []; // Ollama answers `data: null` when no model is installed.
    if (!Array.isArray(data)) {
      throw this.#wrongShape("GET /v1/models", response, `expected {"data": [...]}`);
    }
    return data.map((entry) => {
      const id = (entry as { id?: unknown } | null)?.id;
      if (typeof id !== "string") {
        throw this.#wrongShape("GET /v1/models", response, "a model entry has no id");
      }
      return { name: id };
    });
  }

  #notOllama(operation: string, response: TextResponse): NotOllamaError {
    const status = statusText(response);
    const auth = response.status === 401 || response.status === 403
      ? " The server refused us: for ollama.com set OLLAMA_API_KEY; a local server bound to " +
        "loopback also answers 403 to requests that name another host."
      : " Is this address an Ollama server? Check --host, OLLAMA_HOST or `base_url`.";
    return new NotOllamaError(
      `${this.baseUrl} answered ${operation} with ${status}${snippet(response.text)}.${auth}`,
      { status: response.status },
    );
  }

  #wrongShape(operation: string, response: TextResponse, expected: string): NotOllamaError {
    return new NotOllamaError(
      `${this.baseUrl} answered ${operation} with JSON of the wrong shape (${expected})` +
        `${snippet(response.text)}. Is this address an Ollama server?`,
      { status: response.status },
    );
  }

  #pullFailure(
    cause: unknown,
    callers: AbortSignal[],
    watchdog: Watchdog,
    operation: string,
    fail: (reason: PullFailureReason, detail: string, extra?: PullFailedExtra) => PullFailedError,
  ): OllamaError {
    const interrupted = callers.find((signal) => signal.aborted);
    if (interrupted !== undefined) {
      return new InterruptedError(operation, { cause: interrupted.reason });
    }
    const timeout = watchdog.signal.reason;
    if (watchdog.signal.aborted && timeout instanceof WatchdogTimeout) {
      const seconds = `${timeout.limitMs / 1000} s`;
      const detail = timeout.phase === "start"
        ? `the server did not start answering within ${seconds}`
        : timeout.phase === "quiet"
        ? `the server sent nothing for ${seconds} while verifying or writing the model`
        : `no data arrived for ${seconds} (stalled)`;
      return fail("stalled", detail, { retryable: true, cause });
    }
    if (cause instanceof OllamaError) return cause;
    return fail("ended_without_success", `the connection broke (${describeCause(cause)})`, {
      retryable: true,
      cause,
    });
  }
}

interface TextResponse {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
  path: string;
}

type PullFailedExtra = ConstructorParameters<typeof PullFailedError>[3];

/** Timers fire at once past 2^31-1 ms on Node and Deno, so longer bounds are clamped to it. */
const MAX_TIMER_MS = 2_147_483_647;

function positive(value: number | undefined, fallback: number): number {
  const chosen = value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
  return Math.min(chosen, MAX_TIMER_MS);
}

function isSignal(signal: AbortSignal | undefined): signal is AbortSignal {
  return signal !== undefined;
}

function anySignal(signals: AbortSignal[]): AbortSignal | undefined {
  return signals.length === 0
    ? undefined
    : signals.length === 1
    ? signals[0]
    : AbortSignal.any(signals);
}

function statusText(response: { status: number; statusText: string }): string {
  const text = sanitizeText(response.statusText, { maxLength: 60 });
  return text ? `${response.status} ${text}` : `${response.status}`;
}

function snippet(text: string): string {
  const clean = sanitizeText(text, { maxLength: 120 }).trim();
  return clean ? `: ${JSON.stringify(clean)}` : "";
}

function errorMessageFrom(text: string): string | undefined {
  try {
    const error = (JSON.parse(text) as { error?: unknown } | null)?.error;
    return typeof error === "string" ? error : undefined;
  } catch {
    return undefined;
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return sanitizeText(cause.message, { maxLength: 160 }) || cause.name;
  return sanitizeText(String(cause), { maxLength: 160 });
}

function normalizedOrUndefined(name: string): string | undefined {
  try {
    return normalizeModelName(name);
  } catch {
    return undefined;
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function modelInfo(entry: Record<string, unknown>): OllamaModelInfo {
  const info: OllamaModelInfo = { name: entry.name as string };
  if (typeof entry.size === "number") info.size = entry.size;
  const digest = optionalString(entry.digest);
  if (digest !== undefined) info.digest = digest;
  const modifiedAt = optionalString(entry.modified_at);
  if (modifiedAt !== undefined) info.modifiedAt = modifiedAt;
  const details = entry.details;
  if (typeof details === "object" && details !== null) {
    const d = details as Record<string, unknown>;
    info.details = {
      format: optionalString(d.format),
      family: optionalString(d.family),
      families: Array.isArray(d.families)
        ? d.families.filter((f): f is string => typeof f === "string")
        : d.families === null
        ? null
        : undefined,
      parameterSize: optionalString(d.parameter_size),
      quantizationLevel: optionalString(d.quantization_level),
      parentModel: optionalString(d.parent_model),
    };
  }
  return info;
}
