// Replays recorded real-Ollama traces through an injected `fetch`: each request gets the next
// recorded answer for its method and path, its lines sent at their recorded times divided by a
// speed-up. Not a test file.
import { readdirSync, readFileSync } from "node:fs";
import { expandLines, substitute, type Trace, type TraceExchange } from "./_trace.ts";

/** Where the replays say the registry is (the traces write `{registry}`). */
export const REPLAY_REGISTRY = "127.0.0.1:5000";

const FIXTURES = new URL("../fixtures/real/", import.meta.url);

/** Every recorded trace, by scenario name, with the placeholders filled in. */
export function loadTraces(): Map<string, Trace> {
  const traces = new Map<string, Trace>();
  for (const file of readdirSync(FIXTURES).filter((name) => name.endsWith(".json")).sort()) {
    const trace = JSON.parse(readFileSync(new URL(file, FIXTURES), "utf8")) as Trace;
    traces.set(
      trace.scenario,
      substitute(trace, [["{registry}", REPLAY_REGISTRY], ["{data}", "localhost:5000"]]),
    );
  }
  return traces;
}

/** One exchange of a trace by its label. */
export function exchange(trace: Trace, label: string): TraceExchange {
  const found = trace.exchanges.find((e) => e.label === label);
  if (found === undefined) throw new Error(`${trace.scenario} has no exchange ${label}`);
  return found;
}

export interface ReplayCall {
  method: string;
  path: string;
  body: unknown;
}

export interface Replay {
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** The requests the client made, in order. */
  calls: ReplayCall[];
}

/**
 * A fetch answering from recorded exchanges. Exchanges are taken in order per `METHOD path`; the
 * last one of each stays for further requests (a client may ask twice). A request nothing was
 * recorded for gets 404 `404 page not found`, as Ollama answers unknown routes.
 */
export function replayFetch(exchanges: readonly TraceExchange[], speedup = 20): Replay {
  const queues = new Map<string, TraceExchange[]>();
  for (const e of exchanges) {
    const key = `${e.request.method} ${e.request.path}`;
    queues.set(key, [...(queues.get(key) ?? []), e]);
  }
  const calls: ReplayCall[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    let body: unknown = text;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    calls.push({ method: request.method, path: url.pathname, body });
    const queue = queues.get(`${request.method} ${url.pathname}`);
    const recorded = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
    if (recorded === undefined) {
      return new Response("404 page not found", {
        status: 404,
        headers: { "content-type": "text/plain" },
      });
    }
    if (recorded.status === null) throw new TypeError("connection failed (as recorded)");
    return respond(recorded, speedup, init.signal ?? request.signal);
  };
  return { fetch, calls };
}

function respond(recorded: TraceExchange, speedup: number, signal: AbortSignal | null): Response {
  const lines = expandLines(recorded.lines);
  const start = recorded.headers_ms ?? 0;
  const began = Date.now();
  const encoder = new TextEncoder();
  const headers: Record<string, string> = {};
  if (recorded.content_type !== null) headers["content-type"] = recorded.content_type;
  if (recorded.request.method === "HEAD" || lines.length === 0) {
    return new Response(null, { status: recorded.status!, headers });
  }
  let index = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        try {
          controller.error(signal.reason ?? new DOMException("aborted", "AbortError"));
        } catch {
          // already closed
        }
      }, { once: true });
    },
    async pull(controller) {
      if (signal?.aborted) return;
      if (index >= lines.length) {
        if (recorded.end.how === "error") controller.error(new TypeError("connection reset"));
        else if (recorded.end.how === "eof") controller.close();
        // "aborted"/"timeout": the recording client left; the server was still sending. Stay
        // open, silent, until this client leaves too.
        return;
      }
      const line = lines[index];
      const due = began + Math.max(0, line.ms - start) / speedup;
      const wait = due - Date.now();
      if (wait > 0) await new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)));
      if (signal?.aborted) return;
      const last = index === lines.length - 1;
      const newline = !last || recorded.final_newline || recorded.end.how !== "eof";
      controller.enqueue(encoder.encode(newline ? `${line.text}\n` : line.text));
      index++;
    },
    cancel() {
      clearTimeout(timer);
    },
  }, { highWaterMark: 0 });
  return new Response(body, { status: recorded.status!, headers });
}
