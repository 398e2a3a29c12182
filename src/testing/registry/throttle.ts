/**
 * A response body that sends some bytes the way a troubled network would: at a limited speed,
 * falling silent at some offset (for a while or for good), or breaking off after some bytes.
 *
 * @module
 */

/**
 * How a {@link throttledBody} ended:
 * - `"completed"`: every byte was sent;
 * - `"client_gone"`: the reader cancelled (the client went away) before the end;
 * - `"cut"`: the body broke off at `cutAt` (the server cuts the connection);
 * - `"closed"`: the `signal` aborted (the registry closed) before the end; the body errors.
 *
 * @example
 * ```ts
 * import type { ThrottleOutcome } from "@vtcode/ollama/testing";
 *
 * const outcome: ThrottleOutcome = "client_gone";
 * ```
 */
export type ThrottleOutcome = "completed" | "client_gone" | "cut" | "closed";

/**
 * Options of {@link throttledBody}. Offsets count from the first byte of this body.
 *
 * @example
 * ```ts
 * import type { ThrottleOptions } from "@vtcode/ollama/testing";
 *
 * const options: ThrottleOptions = { bytesPerSecond: 256 * 1024, stallAt: 1024, stallMs: 8000 };
 * ```
 */
export interface ThrottleOptions {
  /** Speed limit of this body, bytes per second. Default: none. */
  bytesPerSecond?: number;
  /** Falls silent once this many bytes are sent. Default: never. */
  stallAt?: number;
  /** How long the silence lasts, in ms. Default: until the reader cancels (forever). */
  stallMs?: number;
  /** Breaks off (errors the stream) once this many bytes are sent. Default: never. */
  cutAt?: number;
  /** Largest chunk handed out at once. Default 16 KiB (smaller under a low speed limit). */
  chunkSize?: number;
  /** Ends the body with an error (outcome `"closed"`) when it aborts, e.g. ending a stall. */
  signal?: AbortSignal;
  /** Called with the running total after every chunk. */
  onProgress?: (sent: number) => void;
  /** Called once, when the body ends, with how it ended and the bytes sent. */
  onEnd?: (outcome: ThrottleOutcome, sent: number) => void;
}

/**
 * A stream of `bytes` shaped by `options`. It produces only when read (no read-ahead), so the
 * speed limit holds at the socket; every wait ends when the reader cancels.
 *
 * @param bytes What to send.
 * @param options Speed limit, stall, cut, and callbacks.
 * @returns The body.
 *
 * @example Two KiB at 8 KiB/s (about a quarter of a second)
 * ```ts
 * import { throttledBody } from "@vtcode/ollama/testing";
 *
 * const body = throttledBody(new Uint8Array(2048), { bytesPerSecond: 8192 });
 * const bytes = new Uint8Array(await new Response(body).arrayBuffer());
 * bytes.length; // 2048
 * ```
 */
export function throttledBody(
  bytes: Uint8Array,
  options: ThrottleOptions = {},
): ReadableStream<Uint8Array> {
  const rate = options.bytesPerSecond;
  const limited = rate !== undefined && Number.isFinite(rate) && rate > 0;
  const chunkSize = Math.max(
    1,
    Math.min(options.chunkSize ?? 16 * 1024, limited ? Math.floor(rate / 20) : Infinity),
  );
  const gone = new AbortController();
  const stop = options.signal === undefined
    ? gone.signal
    : AbortSignal.any([gone.signal, options.signal]);
  let sent = 0;
  let stalled = false;
  let ended = false;
  let clock = 0; // when the speed limit's count started (moved on by a stall)
  const end = (outcome: ThrottleOutcome) => {
    if (ended) return;
    ended = true;
    options.onEnd?.(outcome, sent);
  };

  /** Whether the wait just finished was ended by a cancel or by `signal` (erroring the body). */
  const closed = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (gone.signal.aborted) return true;
    if (!options.signal?.aborted) return false;
    end("closed");
    controller.error(new TypeError("the fake registry closed"));
    return true;
  };

  return new ReadableStream<Uint8Array>({
    start() {
      clock = Date.now();
    },
    async pull(controller) {
      if (closed(controller)) return;
      if (options.stallAt !== undefined && !stalled && sent >= options.stallAt) {
        stalled = true;
        const began = Date.now();
        await pause(options.stallMs, stop);
        clock += Date.now() - began;
        if (closed(controller)) return;
      }
      if (options.cutAt !== undefined && sent >= options.cutAt) {
        end("cut");
        controller.error(new TypeError("the fake registry cut the connection"));
        return;
      }
      if (sent >= bytes.length) {
        end("completed");
        controller.close();
        return;
      }
      let size = Math.min(chunkSize, bytes.length - sent);
      for (const at of [options.stallAt, options.cutAt]) {
        if (at !== undefined && at > sent) size = Math.min(size, at - sent);
      }
      if (limited) {
        // A wait under a millisecond is not worth a timer (one costs a millisecond or more):
        // the next chunk's wait makes up for it, so the speed holds at high limits too.
        const wait = clock + ((sent + size) / rate) * 1000 - Date.now();
        if (wait >= MIN_WAIT_MS) {
          await pause(wait, stop);
          if (closed(controller)) return;
        }
      }
      controller.enqueue(bytes.slice(sent, sent + size));
      sent += size;
      options.onProgress?.(sent);
    },
    cancel() {
      gone.abort();
      end(sent >= bytes.length ? "completed" : "client_gone");
    },
  }, { highWaterMark: 0 });
}

/** The shortest wait the speed limit sleeps for, in ms. */
const MIN_WAIT_MS = 1;

/** Waits `ms` (forever when undefined), or until `signal` aborts. */
function pause(ms: number | undefined, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = ms === undefined ? undefined : setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
