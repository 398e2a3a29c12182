/**
 * The one path every request to a server takes. It holds the rules no request may break:
 *
 * - redirects are followed by hand, at most 5, and only to `http:` and `https:` (a `file:` or
 *   `data:` location is refused, never fetched); `Authorization` never crosses to another origin;
 * - every wait is bounded and abortable, and a caller's abort is told apart from a bound running
 *   out (also for a caller's own `AbortSignal.timeout()`);
 * - a non-streaming answer is read whole but never past a size bound, and a 502/503/504 (a busy
 *   server, or a gateway in front of it) is asked again until the bound, then reported as such;
 * - a failure is named for what it is (see `diagnoseFetchFailure`), with the proxy in the way
 *   when one applies.
 *
 * Web standards only: `fetch`, streams, `AbortSignal`.
 *
 * @module
 */

import { ByteReader } from "./byte_reader.ts";
import { InterruptedError } from "./errors/interrupted_error.ts";
import { NotOllamaError } from "./errors/not_ollama_error.ts";
import { OllamaError } from "./errors/ollama_error.ts";
import { ServerBusyError } from "./errors/server_busy_error.ts";
import { RequestTimeoutError } from "./errors/timeout_error.ts";
import { type ProxyChoice, type ProxyEnv, proxyForUrl } from "./proxy.ts";
import { sleep } from "./retry.ts";
import { sanitizeText } from "./sanitize.ts";
import { joinUrl, splitCredentials } from "./url.ts";

/**
 * A `fetch`-compatible function; inject one to route requests (e.g. to the fake server).
 *
 * @example
 * ```ts
 * import type { FetchLike } from "@vtcode/ollama";
 *
 * const logged: FetchLike = (input, init) => {
 *   console.error(init?.method ?? "GET", String(input));
 *   return fetch(input, init);
 * };
 * ```
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of a {@link Transport}. */
export interface TransportOptions {
  /** The `fetch` to use. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Headers sent with every request (an `Authorization` stays on the server's origin). */
  headers?: HeadersInit;
  /** Aborts every request (e.g. on shutdown). */
  signal?: AbortSignal;
  /** Largest non-streaming body accepted, in bytes. */
  maxResponseBytes: number;
  /** The proxy variables the runtime's `fetch` honours, to explain failures. */
  proxyEnv?: ProxyEnv;
}

/** The bound of one request: the combined signal, the caller's own signals, and its length. */
export interface Bound {
  /** Aborts when the bound runs out or a caller aborts. */
  signal: AbortSignal;
  /** The caller's signals (the client's and the call's). */
  callers: AbortSignal[];
  /** The bound, in milliseconds. */
  ms: number;
}

/** A non-streaming answer, read whole. */
export interface TextResponse {
  /** HTTP status. */
  status: number;
  /** HTTP status text. */
  statusText: string;
  /** Response headers. */
  headers: Headers;
  /** The body, decoded as UTF-8. */
  text: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const BUSY_STATUSES = new Set([502, 503, 504]);
/** Redirects followed at most, as the contract says. */
export const MAX_REDIRECTS = 5;

/** Timers fire at once past 2^31-1 ms on Node and Deno, so longer bounds are clamped to it. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A positive finite number of milliseconds, or the fallback; clamped to what a timer can wait.
 *
 * @param value The value given, if any.
 * @param fallback The default.
 * @returns The bound to use.
 */
export function boundMs(value: number | undefined, fallback: number): number {
  const chosen = value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
  return Math.min(chosen, MAX_TIMER_MS);
}

/** The requests of one server, under the rules in this module's description. */
export class Transport {
  /** The server's base URL without credentials (safe to print). */
  readonly baseUrl: string;
  readonly #fetch: FetchLike;
  readonly #headers: Headers;
  readonly #signal: AbortSignal | undefined;
  readonly #maxResponseBytes: number;
  readonly #proxyEnv: ProxyEnv | undefined;

  /**
   * Creates the transport.
   *
   * @param baseUrl A normalized base URL; credentials in it become a Basic `Authorization`
   *   header (unless `headers` has one) and are removed from every URL.
   * @param options Fetch, headers, signal, size bound and proxy variables.
   */
  constructor(baseUrl: string, options: TransportOptions) {
    const { url, authorization } = splitCredentials(baseUrl);
    this.baseUrl = url;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#headers = new Headers(options.headers);
    if (authorization !== undefined && !this.#headers.has("authorization")) {
      this.#headers.set("authorization", authorization);
    }
    this.#signal = options.signal;
    this.#maxResponseBytes = options.maxResponseBytes;
    this.#proxyEnv = options.proxyEnv;
  }

  /** The client-wide signal, if any. */
  get signal(): AbortSignal | undefined {
    return this.#signal;
  }

  /**
   * The bound of one call: its own signal and the client's, plus a timeout.
   *
   * @param options The call's signal and bound.
   * @param defaultMs The bound when the call gives none.
   * @returns The bound.
   */
  bound(options: { signal?: AbortSignal; timeoutMs?: number }, defaultMs: number): Bound {
    const ms = boundMs(options.timeoutMs, defaultMs);
    const callers = [options.signal, this.#signal].filter((s): s is AbortSignal => s !== undefined);
    const timeout = AbortSignal.timeout(ms);
    const signal = callers.length === 0 ? timeout : AbortSignal.any([timeout, ...callers]);
    return { signal, callers, ms };
  }

  /**
   * The proxy the runtime would use for a URL of this server, when one applies.
   *
   * @param url The URL.
   * @returns The proxy, or `undefined`.
   */
  proxyFor(url: string = this.baseUrl): ProxyChoice | undefined {
    return this.#proxyEnv === undefined ? undefined : proxyForUrl(url, this.#proxyEnv);
  }

  /**
   * Sends a request and returns the response whose body is still to be read: the only place
   * `fetch` is called. Redirects are followed by hand under the rules above.
   *
   * @param method The HTTP method.
   * @param path The API path, e.g. `/api/pull`.
   * @param init The JSON body, if any, extra headers, and the signal.
   * @returns The response (never a redirect, unless there were too many).
   * @throws {NotOllamaError} For a redirect that may not be followed.
   */
  async open(
    method: string,
    path: string,
    init: { body?: unknown; headers?: HeadersInit; signal: AbortSignal },
  ): Promise<Response> {
    const headers = new Headers(this.#headers);
    new Headers(init.headers).forEach((value, name) => headers.set(name, value));
    let body: string | undefined;
    if (init.body !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(init.body);
    }
    let current = joinUrl(this.baseUrl, path);
    let request: RequestInit = { method, headers, body, signal: init.signal, redirect: "manual" };
    for (let hop = 0;; hop++) {
      const response = await this.#fetch(current, request);
      if (!REDIRECT_STATUSES.has(response.status)) return response;
      const location = response.headers.get("location");
      if (location === null) return response;
      await response.body?.cancel().catch(() => {});
      const operation = `${method} ${path}`;
      if (hop >= MAX_REDIRECTS) {
        throw new NotOllamaError(
          `${this.baseUrl} redirected ${operation} more than ${MAX_REDIRECTS} times; a redirect ` +
            "loop is not an Ollama server. Check the address.",
          { status: response.status },
        );
      }
      let next: URL;
      try {
        next = new URL(location, current);
      } catch (cause) {
        throw new NotOllamaError(
          `${this.baseUrl} answered ${operation} with a malformed redirect` +
            `${snippet(location)}. Check the address.`,
          { status: response.status, cause },
        );
      }
      if (next.protocol !== "http:" && next.protocol !== "https:") {
        throw new NotOllamaError(
          `${this.baseUrl} answered ${operation} with a redirect to a ` +
            `${sanitizeText(next.protocol, { maxLength: 20 })} URL, which is never followed ` +
            "(only http: and https:). Check the address: this is not an Ollama server.",
          { status: response.status },
        );
      }
      const nextHeaders = new Headers(request.headers);
      if (next.origin !== new URL(current).origin) nextHeaders.delete("authorization");
      const asGet = response.status === 303 ||
        ((response.status === 301 || response.status === 302) && request.method === "POST");
      if (asGet) nextHeaders.delete("content-type");
      request = asGet
        ? { ...request, method: "GET", body: undefined, headers: nextHeaders }
        : { ...request, headers: nextHeaders };
      current = next.href;
    }
  }

  /**
   * A non-streaming request, read whole: the bound covers connecting, the headers and the whole
   * body. A 502, 503 or 504 is asked again (with a growing pause) until the bound runs out, then
   * reported as a busy server.
   *
   * @param method The HTTP method.
   * @param path The API path.
   * @param bound The call's bound.
   * @param body A JSON body, if any.
   * @param options `busyRetry: false` for an endpoint whose 503 is an answer of its own (a
   *   real Ollama's `POST /api/me` says `account unavailable` with it); extra `headers`.
   * @returns The answer.
   * @throws {OllamaError} What went wrong, named (see {@link Transport.failure}).
   */
  async request(
    method: string,
    path: string,
    bound: Bound,
    body?: unknown,
    options: { busyRetry?: boolean; headers?: HeadersInit } = {},
  ): Promise<TextResponse> {
    const operation = `${method} ${path}`;
    let attempts = 0;
    let inBody = false;
    try {
      for (;;) {
        bound.signal.throwIfAborted();
        attempts++;
        inBody = false;
        const response = await this.open(method, path, {
          body,
          headers: options.headers,
          signal: bound.signal,
        });
        inBody = true;
        if (options.busyRetry !== false && BUSY_STATUSES.has(response.status)) {
          await response.body?.cancel().catch(() => {});
          try {
            await sleep(Math.min(1_000, 100 * 2 ** (attempts - 1)), bound.signal);
          } catch {
            if (bound.callers.some((signal) => signal.aborted)) bound.signal.throwIfAborted();
            throw new ServerBusyError(this.baseUrl, operation, response.status, { attempts });
          }
          continue;
        }
        const text = await this.readText(response, bound.signal);
        return {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
          text,
        };
      }
    } catch (cause) {
      throw await this.failure(cause, bound, `${method} ${joinUrl(this.baseUrl, path)}`, inBody);
    }
  }

  /**
   * What a failed request means: the caller's abort (`InterruptedError`, or a timeout when the
   * caller's signal was an `AbortSignal.timeout()`), the bound running out
   * (`RequestTimeoutError`), an error this package already raised, or a network failure named by
   * `diagnoseFetchFailure`.
   *
   * @param cause What was thrown.
   * @param bound The call's bound.
   * @param operation The request, for messages.
   * @param inBody Whether the body was being read.
   * @param url The URL requested (default: the operation's, `METHOD URL`).
   * @returns The error to throw.
   */
  async failure(
    cause: unknown,
    bound: Bound,
    operation: string,
    inBody = false,
    url: string = operation.slice(operation.indexOf(" ") + 1),
  ): Promise<OllamaError> {
    if (cause instanceof OllamaError) return cause;
    const interrupted = bound.callers.find((signal) => signal.aborted);
    if (interrupted !== undefined) return callerAbort(interrupted, operation);
    if (bound.signal.aborted) return new RequestTimeoutError(operation, bound.ms, { cause });
    // Loaded by a failure only: a check that succeeds never needs the diagnosis or its errors.
    const { diagnoseFetchFailure } = await import("./diagnose.ts");
    return diagnoseFetchFailure(cause, {
      baseUrl: this.baseUrl,
      url,
      proxy: this.proxyFor(url),
      inBody,
    });
  }

  /**
   * Reads a body as text, refusing to hold more than the response bound.
   *
   * @param response The response.
   * @param signal Cancels the read.
   * @returns The text.
   * @throws {NotOllamaError} When the body is larger than the bound.
   */
  async readText(response: Response, signal: AbortSignal): Promise<string> {
    if (response.body === null) return "";
    if (declaredFits(response.headers, this.#maxResponseBytes)) {
      // The runtime reads a body of known, bounded length whole, without a stream reader in
      // JavaScript: the first use of one costs a start-up about a millisecond (Deno). Ollama
      // declares the length of every answer under 2 KB (Go's net/http), `/api/version` always.
      return await untilAborted(response.text(), signal);
    }
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
}

/**
 * Whether a response declares a length (`Content-Length`, with no `Content-Encoding` that would
 * make the body larger once decoded) no larger than `max` bytes.
 */
function declaredFits(headers: Headers, max: number): boolean {
  const length = headers.get("content-length");
  if (length === null || !/^\d{1,15}$/.test(length) || Number(length) > max) return false;
  const encoding = headers.get("content-encoding");
  return encoding === null || encoding.trim().toLowerCase() === "identity";
}

/**
 * A promise, or the signal's reason as soon as it aborts (a body read whole by the runtime is
 * tied to the request's signal under a real `fetch`, but not always under an injected one).
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * The error for a caller's abort: a timeout when the caller's signal fired because its own time
 * limit ran out (`AbortSignal.timeout()`), an interruption otherwise.
 *
 * @param signal The caller's aborted signal.
 * @param operation What was cut short.
 * @returns The error.
 */
export function callerAbort(signal: AbortSignal, operation: string): OllamaError {
  const reason: unknown = signal.reason;
  if (reason instanceof OllamaError && reason.code !== "interrupted") return reason;
  if ((reason as { name?: unknown } | null)?.name === "TimeoutError") {
    return new RequestTimeoutError(operation, undefined, { cause: reason });
  }
  return new InterruptedError(operation, { cause: reason });
}

/**
 * A short, sanitized, quoted excerpt of server text for messages (`: "…"`), or nothing.
 *
 * @param text The text.
 * @returns The excerpt with its leading `: `, or `""`.
 */
export function snippet(text: string): string {
  const clean = sanitizeText(text, { maxLength: 120 }).trim();
  return clean ? `: ${JSON.stringify(clean)}` : "";
}

/**
 * `status statusText`, sanitized.
 *
 * @param response The status and its text.
 * @returns E.g. `502 Bad Gateway`.
 */
export function statusText(response: { status: number; statusText: string }): string {
  const text = sanitizeText(response.statusText, { maxLength: 60 });
  return text ? `${response.status} ${text}` : `${response.status}`;
}

/**
 * The `error` field of a JSON error body, when there is one.
 *
 * @param text The body.
 * @returns The server's error text, unsanitized, or `undefined`.
 */
export function errorMessageFrom(text: string): string | undefined {
  try {
    const error = (JSON.parse(text) as { error?: unknown } | null)?.error;
    return typeof error === "string" ? error : undefined;
  } catch {
    return undefined;
  }
}
