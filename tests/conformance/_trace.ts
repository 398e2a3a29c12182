// The format of the recorded real-Ollama traces (tests/fixtures/real/*.json), and the pure helpers
// that write and read it. Not a test file.
//
// A trace is what a real Ollama server sent to a client in one scenario:
//
// {
//   "format": "vtcode-ollama-trace/1",
//   "scenario": "pull-stall-8s",
//   "description": "what was done",
//   "ollama_version": "0.33.0",
//   "recorded_at": "2026-11-30T06:40:00.000Z",
//   "setup": { ... },                       // registry models, speed limit, faults (free-form)
//   "exchanges": [{
//     "label": "pull",                      // optional, to tell exchanges of one scenario apart
//     "request": { "method": "POST", "path": "/api/pull", "body": { ... } },
//     "status": 200,                        // null when no response came (connection failed)
//     "content_type": "application/x-ndjson",
//     "headers_ms": 2,                      // ms from sending the request to the response headers
//     "lines": [                            // the body split at "\n", in order
//       { "ms": 3, "text": "{\"status\":\"pulling manifest\"}" },
//       // a run of IDENTICAL consecutive lines is one entry: first line at `ms`, `repeat` lines in
//       // all (>= 2), the last at `last_ms`, on average `every_ms` apart
//       { "ms": 480, "text": "{...}", "repeat": 133, "every_ms": 60, "last_ms": 8400 },
//       // where a long exchange was capped, one entry stands for the lines left out
//       { "skipped": 120, "from_ms": 2000, "to_ms": 9200 }
//     ],
//     "final_newline": true,               // whether the body's last byte was "\n"
//     "line_count": 540,                   // lines in the body, before collapsing and capping
//     "end": { "ms": 9300, "how": "eof" }  // or "aborted" (the client left), "timeout", "error"
//   }],
//   "registry_requests": [                  // what the fake registry saw, same clock, capped
//     { "ms": 5, "method": "GET", "endpoint": "manifest", "path": "/v2/...", "range": null,
//       "status": 200, "bytes_sent": 850, "outcome": "completed" }
//   ],
//   "observations": ["facts read off the run, in words"]
// }
//
// `ms` values are from the start of the scenario's first request unless said otherwise. The
// registry's `host:port` is written `{registry}` and the data host `{data}` (ports change every
// run); line `text` is otherwise exact.

/** The format tag of every trace file. */
export const TRACE_FORMAT = "vtcode-ollama-trace/1";

/** One line (or a run of identical lines). */
export interface TraceLine {
  ms: number;
  text: string;
  repeat?: number;
  every_ms?: number;
  last_ms?: number;
}

/** Lines left out by the cap. */
export interface TraceGap {
  skipped: number;
  from_ms: number;
  to_ms: number;
}

export type TraceEntry = TraceLine | TraceGap;

export interface TraceRequest {
  method: string;
  path: string;
  body?: unknown;
}

export interface TraceExchange {
  label?: string;
  request: TraceRequest;
  status: number | null;
  content_type: string | null;
  headers_ms: number | null;
  lines: TraceEntry[];
  final_newline: boolean;
  line_count: number;
  end: { ms: number; how: "eof" | "aborted" | "timeout" | "error"; error?: string };
}

export interface TraceRegistryRequest {
  ms: number;
  method: string;
  endpoint: string;
  path: string;
  range: string | null;
  status: number;
  bytes_sent: number;
  outcome: string;
  ended_ms: number | null;
}

export interface Trace {
  format: typeof TRACE_FORMAT;
  scenario: string;
  description: string;
  ollama_version: string;
  recorded_at: string;
  setup: Record<string, unknown>;
  exchanges: TraceExchange[];
  registry_requests?: (TraceRegistryRequest | TraceGap)[];
  observations?: string[];
}

/** Entries kept at the head and the tail of a capped list. */
export const CAP_HEAD = 50;
export const CAP_TAIL = 10;

export function isGap(entry: TraceEntry | TraceRegistryRequest | TraceGap): entry is TraceGap {
  return "skipped" in entry;
}

/** Collapses runs of identical consecutive lines, then caps the list (head + gap + tail). */
export function compressLines(lines: readonly { ms: number; text: string }[]): TraceEntry[] {
  const runs: TraceLine[] = [];
  for (const line of lines) {
    const last = runs.at(-1);
    if (last !== undefined && last.text === line.text) {
      last.repeat = (last.repeat ?? 1) + 1;
      last.last_ms = line.ms;
      last.every_ms = Math.round((line.ms - last.ms) / (last.repeat - 1));
    } else {
      runs.push({ ms: line.ms, text: line.text });
    }
  }
  return cap(runs, (run) => run.repeat ?? 1, (run) => run.ms, (run) => run.last_ms ?? run.ms);
}

/** Caps a list: the first CAP_HEAD and last CAP_TAIL entries, one gap for the rest. */
export function cap<T>(
  entries: readonly T[],
  weight: (entry: T) => number,
  start: (entry: T) => number,
  end: (entry: T) => number,
): (T | TraceGap)[] {
  if (entries.length <= CAP_HEAD + CAP_TAIL + 1) return [...entries];
  const middle = entries.slice(CAP_HEAD, entries.length - CAP_TAIL);
  const gap: TraceGap = {
    skipped: middle.reduce((sum, entry) => sum + weight(entry), 0),
    from_ms: start(middle[0]),
    to_ms: end(middle[middle.length - 1]),
  };
  return [...entries.slice(0, CAP_HEAD), gap, ...entries.slice(entries.length - CAP_TAIL)];
}

/**
 * The lines of an exchange as sent, for a replay: runs expanded at their cadence; a capped gap is
 * left out AND its time taken out of the timeline (the lines after it come that much earlier), so
 * a replay shows a jump in progress where lines were dropped, never a silence that was not there.
 */
export function expandLines(entries: readonly TraceEntry[]): { ms: number; text: string }[] {
  const out: { ms: number; text: string }[] = [];
  let shift = 0;
  for (const entry of entries) {
    if (isGap(entry)) {
      shift += entry.to_ms - entry.from_ms;
      continue;
    }
    const repeat = entry.repeat ?? 1;
    const last = entry.last_ms ?? entry.ms;
    for (let i = 0; i < repeat; i++) {
      const ms = repeat === 1
        ? entry.ms
        : entry.ms + Math.round(((last - entry.ms) * i) / (repeat - 1));
      out.push({ ms: ms - shift, text: entry.text });
    }
  }
  return out;
}

/** Replaces every `from` with `to` in a JSON-able value's strings. */
export function substitute<T>(value: T, pairs: readonly [string, string][]): T {
  let text = JSON.stringify(value);
  for (const [from, to] of pairs) {
    if (from !== "") text = text.split(from).join(to);
  }
  return JSON.parse(text) as T;
}
