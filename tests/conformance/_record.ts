// Records what a server sends for one request: status, content type, every body line with the
// time it arrived. Used by the recorder script (record.ts). Not a test file.
import type { RegistryRequestRecord } from "../../src/testing/mod.ts";
import {
  cap,
  compressLines,
  type TraceExchange,
  type TraceGap,
  type TraceRegistryRequest,
  type TraceRequest,
} from "./_trace.ts";

export interface RecordOptions {
  label?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** A raw body instead of the JSON of `request.body`. */
  rawBody?: string;
  /** The clock's zero (performance.now()); default: when the request is sent. */
  t0?: number;
  /** The client goes away this long after sending. */
  abortAfterMs?: number;
  /** The client goes away once a line satisfies this. */
  abortWhen?: (text: string, ms: number) => boolean;
  /** Bound for the whole exchange (then recorded as "timeout"). Default 180 s. */
  maxMs?: number;
  /** Called with each line as it arrives. */
  onLine?: (text: string, ms: number) => void;
}

/** Sends one request to `baseUrl` and records the answer. */
export async function recordExchange(
  baseUrl: string,
  request: TraceRequest,
  options: RecordOptions = {},
): Promise<TraceExchange> {
  const controller = new AbortController();
  const sent = performance.now();
  const t0 = options.t0 ?? sent;
  const at = () => Math.round(performance.now() - t0);
  let how: TraceExchange["end"]["how"] = "eof";
  let reader: ReadableStreamDefaultReader<string> | undefined;
  const abort = (why: "aborted" | "timeout") => {
    if (controller.signal.aborted) return;
    how = why;
    controller.abort();
    // Also end the read at once (the abort alone has been seen to leave a body streaming).
    reader?.cancel().catch(() => {});
  };
  const timers = [setTimeout(() => abort("timeout"), options.maxMs ?? 180_000)];
  if (options.abortAfterMs !== undefined) {
    timers.push(setTimeout(() => abort("aborted"), options.abortAfterMs));
  }
  const exchange: TraceExchange = {
    ...(options.label ? { label: options.label } : {}),
    request,
    status: null,
    content_type: null,
    headers_ms: null,
    lines: [],
    final_newline: false,
    line_count: 0,
    end: { ms: 0, how: "eof" },
  };
  const lines: { ms: number; text: string }[] = [];
  let error: string | undefined;
  try {
    const body = options.rawBody ??
      (request.body === undefined ? undefined : JSON.stringify(request.body));
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: options.headers,
      body,
      signal: controller.signal,
    });
    exchange.status = response.status;
    exchange.content_type = response.headers.get("content-type");
    exchange.headers_ms = at();
    if (response.body !== null) {
      reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let pending = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done || controller.signal.aborted) break;
        pending += value;
        const ms = at();
        let newline = pending.indexOf("\n");
        while (newline >= 0) {
          const text = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          lines.push({ ms, text });
          options.onLine?.(text, ms);
          if (options.abortWhen?.(text, ms)) abort("aborted");
          newline = pending.indexOf("\n");
        }
      }
      exchange.final_newline = pending === "" && lines.length > 0;
      if (pending !== "") lines.push({ ms: at(), text: pending });
    }
  } catch (caught) {
    if (!controller.signal.aborted) {
      how = "error";
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
    }
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
  exchange.lines = compressLines(lines);
  exchange.line_count = lines.length;
  exchange.end = { ms: at(), how, ...(error ? { error } : {}) };
  return exchange;
}

/** The fake registry's log on the trace's clock (`t0` as a Date.now() value), capped. */
export function registryLog(
  records: readonly RegistryRequestRecord[],
  t0Epoch: number,
): (TraceRegistryRequest | TraceGap)[] {
  const rows = records.map((r) => ({
    ms: r.startedAt.getTime() - t0Epoch,
    method: r.method,
    endpoint: r.endpoint,
    path: r.path,
    range: r.range ?? null,
    status: r.status,
    bytes_sent: r.bytesSent,
    outcome: r.outcome,
    ended_ms: r.endedAt ? r.endedAt.getTime() - t0Epoch : null,
  }));
  return cap(rows, () => 1, (r) => r.ms, (r) => r.ms);
}
