/**
 * One model pull: the request (with `insecure` for a plain-HTTP registry), the stream of typed
 * events, a stall watchdog that looks at progress rather than bytes (a real Ollama repeats the
 * same line every 60 ms while its download is stuck), retries with backoff (Ollama resumes the
 * partial download), and the check that the model is then listed. The client's
 * `pullModelStream` and `pullModel` are this module.
 *
 * @module
 */

import { BatchedIterator } from "./batched_iterator.ts";
import { ByteReader } from "./byte_reader.ts";
import { InterruptedError } from "./errors/interrupted_error.ts";
import { OllamaError } from "./errors/ollama_error.ts";
import { PermissionDeniedError } from "./errors/permission_error.ts";
import { ProtocolError } from "./errors/protocol_error.ts";
import {
  PullFailedError,
  type PullFailedErrorOptions,
  type PullFailureReason,
} from "./errors/pull_failed_error.ts";
import type { OllamaManifestLayer, OllamaPullEvent, OllamaPullProgressReporter } from "./events.ts";
import { DEFAULT_REGISTRY_HOST, type ModelName, parseModelName, shortModelName } from "./names.ts";
import { DEFAULT_MAX_LINE_LENGTH, LineDecoder } from "./ndjson.ts";
import { PullLineParser } from "./parser.ts";
import { PullActivity } from "./pull_activity.ts";
import {
  backoffDelay,
  checkRetryPolicy,
  classifyPullError,
  DEFAULT_PULL_RETRIES,
  type RetryPolicy,
  sleep,
} from "./retry.ts";
import { sanitizeText } from "./sanitize.ts";
import { closestMatch } from "./suggest.ts";
import {
  boundMs,
  callerAbort,
  errorMessageFrom,
  snippet,
  statusText,
  type Transport,
} from "./transport.ts";
import { joinUrl } from "./url.ts";
import { Watchdog, WatchdogTimeout } from "./watchdog.ts";

/**
 * Options for {@link OllamaClient.pullModelStream}.
 *
 * @example
 * ```ts
 * import type { PullStreamOptions } from "@vtcode/ollama";
 *
 * const options: PullStreamOptions = { signal: AbortSignal.timeout(3_600_000), stallTimeoutMs: 30_000 };
 * ```
 */
export interface PullStreamOptions {
  /** Aborts the pull; it then rejects with `InterruptedError` (or a timeout for `AbortSignal.timeout`). */
  signal?: AbortSignal;
  /** Bound for the server to start answering. Default: the client's `timeoutMs`. */
  timeoutMs?: number;
  /** No layer's download growing for this long is a stall. Default: the client's. */
  stallTimeoutMs?: number;
  /** Silence bound while the server verifies or writes. Default: the client's. */
  quietTimeoutMs?: number;
  /**
   * Allow a plain-HTTP registry (sends Ollama's `insecure`). Default: the client's `insecure`.
   * A name with an `http://` scheme implies it; one with `https://` never sends it.
   */
  insecure?: boolean;
}

/**
 * Options for {@link OllamaClient.pullModel}.
 *
 * @example
 * ```ts
 * import type { PullOptions } from "@vtcode/ollama";
 *
 * const options: PullOptions = { retry: { retries: 5 } };
 * ```
 */
export interface PullOptions extends PullStreamOptions {
  /** Receives every event (and a `retry` event before each re-issue). */
  reporter?: OllamaPullProgressReporter;
  /** Overrides the client's retry policy. */
  retry?: RetryPolicy;
  /**
   * The model's blobs, when known ahead (from its registry manifest): the reporter gets a
   * `manifest` event first, so a display knows every layer and the exact total.
   */
  layers?: readonly OllamaManifestLayer[];
}

/**
 * The outcome of a successful {@link OllamaClient.pullModel}.
 *
 * @example
 * ```ts
 * import type { PullResult } from "@vtcode/ollama";
 *
 * const result: PullResult = { model: "llama3:latest", attempts: 1 };
 * ```
 */
export interface PullResult {
  /** The model, in short form. */
  model: string;
  /** How many times the pull was issued, counting the first. */
  attempts: number;
}

/** What a pull needs of its client. */
export interface PullContext {
  /** The server's requests. */
  transport: Transport;
  /** Default bound for the server to start answering, in ms. */
  timeoutMs: number;
  /** Default stall bound, in ms. */
  stallTimeoutMs: number;
  /** Default silence bound while verifying or writing, in ms. */
  quietTimeoutMs: number;
  /** Longest line accepted, as the client was given it (default: the decoder's). */
  maxLineLength: number | undefined;
  /** The client's retry policy. */
  retry: RetryPolicy;
  /** The client's default for `insecure`. */
  insecure: boolean;
  /** Whether the server lists the model (the check after `success`). */
  hasModel(name: string, options: { signal?: AbortSignal }): Promise<boolean>;
  /** The installed models' short names (for "did you mean"). */
  fetchModels(options: { signal?: AbortSignal }): Promise<string[]>;
}

/** The statuses after which a real server goes quiet for a while (hashing, writing). */
const STATUSES_BEFORE_SILENCE = new Set(["verifying sha256 digest", "writing manifest"]);

/**
 * What a pull's events tell its watchdog: progress touches it, a status before silence gives
 * it the long bound, lines after that the stall bound again. The per-event part of a pull's
 * loop, kept in a small method of its own: inside the large async generator, the same loop ran
 * about five times slower (V8: 12 ms of 34 for 129 000 events, bench/pull_stream.ts).
 */
class ProgressWatch {
  /** Lines arrived since the last progress (the server repeating itself). */
  repeating = false;
  readonly #activity = new PullActivity();
  readonly #watchdog: Watchdog;
  readonly #stallMs: number;
  readonly #quietMs: number;
  #quiet = false;

  constructor(watchdog: Watchdog, stallMs: number, quietMs: number) {
    this.#watchdog = watchdog;
    this.#stallMs = stallMs;
    this.#quietMs = quietMs;
  }

  /**
   * Observes a batch of events, in order.
   *
   * @returns The index of the first `error` or `success` (the batch ends there), or -1.
   */
  observe(events: readonly OllamaPullEvent[]): number {
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (this.#quiet) {
        // Lines again after verifying or writing: the long bound was only for silence.
        this.#watchdog.setPhase("stall", this.#stallMs);
        this.#quiet = false;
      }
      if (this.#activity.observe(event)) {
        this.#watchdog.touch();
        this.repeating = false;
      } else {
        this.repeating = true;
      }
      if (event.type === "error" || event.type === "success") return i;
      if (event.type === "status" && STATUSES_BEFORE_SILENCE.has(event.status)) {
        this.#watchdog.setPhase("quiet", this.#quietMs);
        this.#quiet = true;
      }
    }
    return -1;
  }
}

/**
 * The body of `POST /api/pull` for a model: the name as the server should pull it (source
 * suffixes rewritten, scheme kept so the server reaches the same registry) and `insecure` when
 * the registry is plain HTTP (an `http://` name, or the option). The option never applies to the
 * default registry: a real Ollama would then fetch `http://registry.ollama.ai`, in the clear.
 *
 * @param name A parsed model name.
 * @param insecure Whether plain-HTTP registries are allowed for names without a scheme.
 * @returns The request body.
 */
export function pullRequestBody(
  name: ModelName,
  insecure: boolean,
): { model: string; stream: true; insecure?: true } {
  const short = shortModelName(name);
  if (name.scheme === "http") {
    return {
      model: `http://${name.host}/${name.namespace}/${name.model}:${name.tag}`,
      stream: true,
      insecure: true,
    };
  }
  const plainAllowed = insecure && name.scheme !== "https" &&
    name.host.toLowerCase() !== DEFAULT_REGISTRY_HOST;
  return plainAllowed
    ? { model: short, stream: true, insecure: true }
    : { model: short, stream: true };
}

/**
 * One attempt at a pull, as a stream of events: see {@link OllamaClient.pullModelStream}.
 *
 * @param context The client's side.
 * @param name The model.
 * @param options Signal, bounds, `insecure`.
 * @returns The events; closing it early aborts the request at once.
 */
export function pullStream(
  context: PullContext,
  name: string,
  options: PullStreamOptions = {},
): AsyncIterableIterator<OllamaPullEvent> {
  const parsed = parseModelName(name);
  const closer = new AbortController();
  return new BatchedIterator(pullBatches(context, parsed, options, closer.signal), {
    onReturn: () => closer.abort(),
  });
}

/**
 * The body of {@link pullStream}: one batch of events per chunk read. The client serves its
 * events through a `BatchedIterator` of its own, so that this module loads with the first pull.
 *
 * @param context The client's side.
 * @param name The model, parsed.
 * @param options Signal, bounds, `insecure`.
 * @param closed Aborted when the consumer stops early.
 * @returns The batches.
 */
export async function* pullBatches(
  context: PullContext,
  name: ModelName,
  options: PullStreamOptions,
  closed: AbortSignal,
): AsyncGenerator<OllamaPullEvent[], void, undefined> {
  const model = shortModelName(name);
  const operation = `pull of ${model}`;
  const startMs = boundMs(options.timeoutMs, context.timeoutMs);
  const stallMs = boundMs(options.stallTimeoutMs, context.stallTimeoutMs);
  const quietMs = boundMs(options.quietTimeoutMs, context.quietTimeoutMs);
  const watchdog = new Watchdog("start", startMs);
  const callers = [options.signal, context.transport.signal].filter(isSignal);
  const signal = AbortSignal.any([watchdog.signal, closed, ...callers]);
  const fail = (reason: PullFailureReason, detail: string, extra: PullFailedErrorOptions = {}) =>
    new PullFailedError(model, reason, detail, extra);
  const progress = new ProgressWatch(watchdog, stallMs, quietMs);

  const failure = async (cause: unknown): Promise<OllamaError | "closed"> => {
    if (closed.aborted) return "closed";
    const interrupted = callers.find((s) => s.aborted);
    if (interrupted !== undefined) return callerAbort(interrupted, operation);
    const timeout = watchdog.signal.reason;
    if (watchdog.signal.aborted && timeout instanceof WatchdogTimeout) {
      const seconds = `${timeout.limitMs / 1000} s`;
      const detail = timeout.phase === "start"
        ? `the server did not start answering within ${seconds}`
        : timeout.phase === "quiet"
        ? `the server sent nothing for ${seconds} while verifying or writing the model`
        : progress.repeating
        ? `no layer's download grew for ${seconds} (stalled; the server kept repeating the ` +
          "same progress, so its own download is stuck)"
        : `nothing arrived for ${seconds} (stalled)`;
      return fail("stalled", detail, { retryable: true, cause });
    }
    if (cause instanceof OllamaError) return cause;
    const diagnosed = await context.transport.failure(
      cause,
      { signal, callers, ms: startMs },
      operation,
      false,
      joinUrl(context.transport.baseUrl, "/api/pull"),
    );
    if (diagnosed instanceof PermissionDeniedError) return diagnosed;
    return fail("ended_without_success", `the connection broke (${describeCause(cause)})`, {
      retryable: true,
      cause: diagnosed,
    });
  };

  let reader: ByteReader | undefined;
  try {
    let response: Response;
    try {
      response = await context.transport.open("POST", "/api/pull", {
        body: pullRequestBody(name, options.insecure ?? context.insecure),
        signal,
      });
    } catch (cause) {
      const error = await failure(cause);
      if (error === "closed") return;
      throw error;
    }
    if (response.status !== 200) {
      const text = await context.transport.readText(response, signal).catch(() => "");
      const serverMessage = errorMessageFrom(text);
      const shown = serverMessage === undefined ? undefined : sanitizeText(serverMessage);
      const kind = classifyPullError(serverMessage ?? "", response.status);
      throw fail(
        kind === "not_found" ? "not_found" : shown === undefined ? "http_status" : "server_error",
        shown === undefined
          ? `the server answered ${statusText(response)}${snippet(text)}`
          : `the server answered ${statusText(response)}: ${shown}`,
        { status: response.status, serverMessage: shown, retryable: kind === "transient" },
      );
    }
    if (response.body === null) {
      throw fail("ended_without_success", "the server answered with an empty body", {
        retryable: true,
      });
    }
    watchdog.setPhase("stall", stallMs);
    // A bound or an abort ends a pending read even with a fetch that does not tie the body to
    // the signal (an injected fetch, say): the reader cancels itself.
    reader = new ByteReader(response.body, signal);
    const decoder = new LineDecoder({
      maxLineLength: boundMs(context.maxLineLength, DEFAULT_MAX_LINE_LENGTH),
    });
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
        const error = await failure(cause);
        if (error === "closed") return;
        throw error;
      }
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
      let failed: PullFailedError | undefined;
      let succeeded = false;
      const end = progress.observe(events);
      if (end >= 0) {
        events.length = end + 1;
        const event = events[end];
        if (event.type === "error") {
          const message = sanitizeText(event.message);
          const kind = classifyPullError(event.message);
          failed = fail(
            kind === "not_found" ? "not_found" : "server_error",
            `the server said: ${message}`,
            {
              serverMessage: message,
              retryable: kind === "transient",
            },
          );
        } else {
          succeeded = true;
        }
      }
      if (events.length > 0) {
        // The caller's time with the events is not the server's silence.
        watchdog.hold();
        yield events;
        watchdog.release();
      }
      if (failed !== undefined) throw failed;
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
 * A pull to completion, with retries and the final listing check: see
 * {@link OllamaClient.pullModel}.
 *
 * @param context The client's side.
 * @param name The model.
 * @param options Reporter, signal, bounds, retry policy, known layers.
 * @returns The model's short name and the number of attempts.
 */
export async function pullToCompletion(
  context: PullContext,
  name: string,
  options: PullOptions = {},
): Promise<PullResult> {
  const model = shortModelName(parseModelName(name));
  const policy = { ...context.retry, ...checkRetryPolicy(options.retry) };
  const maxAttempts = 1 + (policy.retries ?? DEFAULT_PULL_RETRIES);
  const reporter = options.reporter;
  const callers = [options.signal, context.transport.signal].filter(isSignal);
  let outcome: "success" | "error" | "aborted" = "error";
  try {
    if (options.layers !== undefined && options.layers.length > 0) {
      await reporter?.onEvent({ type: "manifest", layers: [...options.layers] }, model);
    }
    for (let attempt = 1;; attempt++) {
      try {
        for await (const event of pullStream(context, name, options)) {
          await reporter?.onEvent(event, model);
        }
      } catch (error) {
        if (!(error instanceof PullFailedError) || !error.retryable || attempt >= maxAttempts) {
          if (error instanceof PullFailedError && error.reason === "not_found") {
            throw error.with({ attempts: attempt, suggestions: await suggestions(context, name) });
          }
          throw error instanceof PullFailedError && attempt > 1
            ? error.with({ attempts: attempt })
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
          await (policy.sleep ?? sleep)(delayMs, anySignal(callers));
        } catch (cause) {
          const aborted = callers.find((s) => s.aborted);
          throw aborted === undefined
            ? new InterruptedError(`pull of ${model}`, { cause })
            : callerAbort(aborted, `pull of ${model}`);
        }
        continue;
      }
      let listed: boolean;
      try {
        listed = await context.hasModel(name, { signal: options.signal });
      } catch (error) {
        if (error instanceof OllamaError && error.code === "interrupted") throw error;
        throw new PullFailedError(
          model,
          "not_listed",
          `the server said success, but listing its models then failed (${
            error instanceof Error ? sanitizeText(error.message, { maxLength: 200 }) : "unknown"
          })`,
          { attempts: attempt, cause: error },
        );
      }
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
    if (error instanceof OllamaError && error.code === "interrupted") outcome = "aborted";
    throw error;
  } finally {
    await reporter?.finish?.(model, outcome);
  }
}

/** Installed models whose names are close to `name`, for "did you mean". Never throws. */
async function suggestions(context: PullContext, name: string): Promise<string[]> {
  let installed: string[];
  try {
    installed = await context.fetchModels({ signal: AbortSignal.timeout(context.timeoutMs) });
  } catch {
    return [];
  }
  const wanted = parseModelName(name);
  const found = new Set<string>();
  const close = closestMatch(shortModelName(wanted), installed);
  if (close !== undefined) found.add(close);
  for (const candidate of installed) {
    try {
      const parsed = parseModelName(candidate);
      if (parsed.model.toLowerCase() === wanted.model.toLowerCase()) found.add(candidate);
    } catch {
      // A name the server lists but we cannot parse is no suggestion.
    }
  }
  return [...found].slice(0, 3);
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

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return sanitizeText(cause.message, { maxLength: 160 }) || cause.name;
  return sanitizeText(String(cause), { maxLength: 160 });
}
