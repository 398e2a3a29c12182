/**
 * A drop-in `fetch` over a web-standard handler, with no socket: it honours `init.signal` as
 * the real one does (an abort rejects a pending call with the signal's reason, or errors the
 * body being read) and lets the handler see the client go away (the body is cancelled).
 *
 * @module
 */

/**
 * A `fetch` that routes every request to `handler`.
 *
 * @param handler The server's handler.
 * @returns The fetch.
 */
export function fetchThrough(
  handler: (request: Request) => Promise<Response>,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const request = new Request(input, init);
    const signal = request.signal;
    if (signal.aborted) throw abortReason(signal);
    const pending = handler(request);
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortReason(signal));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    aborted.catch(() => {});
    let response: Response;
    try {
      response = await Promise.race([pending, aborted]);
    } catch (error) {
      signal.removeEventListener("abort", onAbort);
      pending.then((late) => late.body?.cancel().catch(() => {}), () => {});
      throw error;
    }
    signal.removeEventListener("abort", onAbort);
    if (response.body === null) return response;
    return new Response(abortableBody(response.body, signal), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** The body as the client reads it: an abort of `signal` errors it and cancels the source. */
function abortableBody(
  source: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const onBodyAbort = () => {
    const reason = abortReason(signal);
    reader.cancel(reason).catch(() => {});
    try {
      controller?.error(reason);
    } catch {
      // already closed or errored
    }
  };
  const cleanup = () => signal.removeEventListener("abort", onBodyAbort);
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    async pull(c) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          cleanup();
          c.close();
        } else {
          c.enqueue(value);
        }
      } catch (error) {
        cleanup();
        try {
          c.error(signal.aborted ? abortReason(signal) : error);
        } catch {
          // already errored by the abort
        }
      }
    },
    cancel(reason) {
      cleanup();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  signal.addEventListener("abort", onBodyAbort, { once: true });
  return body;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}
