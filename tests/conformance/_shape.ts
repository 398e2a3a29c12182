// What must be the same between a recorded real-Ollama exchange and the fake's answer to the same
// request: statuses and content types, the sequence of pull statuses, which fields each kind of
// line carries or omits, the cadence class, exact error texts, the shape of JSON bodies; and
// what the registry was asked, in order. Pure functions over trace data. Not a test file.
import {
  expandLines,
  isGap,
  type TraceExchange,
  type TraceGap,
  type TraceRegistryRequest,
} from "./_trace.ts";

/**
 * Below this span (ms) the lines of an exchange came "at once": less than Ollama's 60 ms tick
 * (a server that waited for a tick before an error took 62 ms).
 */
export const IMMEDIATE_MS = 50;
/** A run of at least this many identical progress lines is a stall shown by repeats. */
const REPEAT_RUN = 5;

/** The comparable shape of one exchange. */
export interface ExchangeShape {
  label: string | undefined;
  status: number | null;
  contentType: string | null;
  end: string;
  /** A pull stream: its statuses, fields, cadence and errors. */
  pull?: PullShape;
  /** Other bodies: each line's JSON skeleton, or its text. */
  body?: unknown[];
}

/** The comparable shape of a streamed pull. */
export interface PullShape {
  /** Line labels in order, runs of one label collapsed: `pulling manifest`, `layer <total>`... */
  statuses: string[];
  /** Per label, the distinct sets of keys its lines carry. */
  fields: Record<string, string[]>;
  /** Cadence classes: `immediate`, `ticks`, `repeats`, `restart`, and `short-end`. */
  cadence: string[];
}

interface Line {
  ms: number;
  text: string;
}

/** Replaces what differs between machines and runs in a text (resolver, timestamps). */
export function normalizeText(text: string): string {
  return text
    .replace(/ on \d+\.\d+\.\d+\.\d+:\d+: no such host/g, ": no such host")
    .replace(/\?ts=\d+/g, "?ts=<ts>");
}

/** The shape of an exchange; `tickMs` is the server's progress tick (60 for the real one). */
export function exchangeShape(exchange: TraceExchange, tickMs: number): ExchangeShape {
  const lines = expandLines(exchange.lines);
  const shape: ExchangeShape = {
    label: exchange.label,
    status: exchange.status,
    contentType: exchange.content_type,
    end: exchange.end.how,
  };
  if (exchange.content_type === "application/x-ndjson") shape.pull = pullShape(lines, tickMs);
  else shape.body = lines.map((line) => bodySkeleton(line.text));
  return shape;
}

function pullShape(lines: readonly Line[], tickMs: number): PullShape {
  const values = lines.map((line) => JSON.parse(line.text) as Record<string, unknown>);
  const labels = values.map(label);
  const statuses = labels.filter((value, i) => i === 0 || value !== labels[i - 1]);
  const fields: Record<string, string[]> = {};
  values.forEach((value, i) => {
    const keys = Object.keys(value).join(",");
    fields[labels[i]] = [...new Set([...(fields[labels[i]] ?? []), keys])].sort();
  });
  return { statuses, fields, cadence: cadence(lines, values, tickMs) };
}

function label(value: Record<string, unknown>): string {
  if (typeof value.error === "string") return `error: ${normalizeText(value.error)}`;
  if (typeof value.digest === "string") return `layer ${value.total ?? "?"}`;
  return String(value.status);
}

/** The cadence classes of a pull's lines. */
function cadence(
  lines: readonly Line[],
  values: readonly Record<string, unknown>[],
  tickMs: number,
): string[] {
  const out = new Set<string>();
  // Progress of a download: layer lines that are not "already on disk" (completed == total).
  const moving = lines.filter((_, i) =>
    typeof values[i].digest === "string" && values[i].completed !== values[i].total
  );
  if (moving.length >= 3) {
    const gaps = moving.slice(1).map((line, i) => line.ms - moving[i].ms).sort((a, b) => a - b);
    const median = gaps[gaps.length >> 1];
    if (median >= tickMs / 2 && median <= tickMs * 4) out.add("ticks");
  }
  let run = 1;
  for (let i = 1; i < lines.length; i++) {
    run = lines[i].text === lines[i - 1].text && typeof values[i].digest === "string" ? run + 1 : 1;
    if (run >= REPEAT_RUN) out.add("repeats");
  }
  const last = new Map<string, number>();
  const final = new Map<string, Record<string, unknown>>();
  values.forEach((value) => {
    if (typeof value.digest !== "string") return;
    const completed = typeof value.completed === "number" ? value.completed : 0;
    if (completed < (last.get(value.digest) ?? 0)) out.add("restart");
    last.set(value.digest, completed);
    final.set(value.digest, value);
  });
  for (const value of final.values()) {
    if (typeof value.completed === "number" && value.completed < Number(value.total)) {
      out.add("short-end");
    }
  }
  const span = lines.length === 0 ? 0 : lines[lines.length - 1].ms - lines[0].ms;
  if (!out.has("ticks") && !out.has("repeats") && span < IMMEDIATE_MS) out.add("immediate");
  return [...out].sort();
}

const EXACT_KEYS = new Set([
  "error",
  "status",
  "done",
  "done_reason",
  "response",
  "capabilities",
  "cloud",
  "object",
  "format",
  "family",
  "families",
  "parameter_size",
  "quantization_level",
  "context_length",
  "embedding_length",
  "remote_model",
  "remote_host",
  "parent_model",
  "signin_url",
]);

/**
 * A JSON body reduced to what must match: keys in order, exact values of the keys that say
 * something (errors, statuses, capabilities, details), the type of everything else. Lists of
 * models are keyed by name (`models`, `data`), since the two servers hold different models.
 */
export function bodySkeleton(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { text: normalizeText(text) };
  }
  return skeleton(value, undefined);
}

function skeleton(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && EXACT_KEYS.has(key)) {
    return typeof value === "string" ? normalizeText(value) : value;
  }
  if (Array.isArray(value)) {
    if (key === "models" || key === "data") {
      return Object.fromEntries(
        value.map((item) => [
          String((item as Record<string, unknown>).name ?? (item as Record<string, unknown>).id),
          skeleton(item, undefined),
        ]),
      );
    }
    return value.map((item) => skeleton(item, undefined));
  }
  if (value !== null && typeof value === "object") {
    return {
      keys: Object.keys(value).join(","),
      ...Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, skeleton(v, k)]),
      ),
    };
  }
  return value === null ? null : typeof value;
}

/**
 * What the registry was asked, in order, runs of the same request collapsed: method, endpoint,
 * status, and for data requests whether the range started past 0 and how the request ended.
 */
export function registryShape(rows: readonly (TraceRegistryRequest | TraceGap)[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    if (isGap(row)) continue;
    let text = `${row.method} ${row.endpoint} ${row.status}`;
    if (row.endpoint === "data") {
      const start = Number(/^bytes=(\d+)-/.exec(row.range ?? "")?.[1] ?? 0);
      text += ` ${start > 0 ? "resume" : "from 0"} ${row.outcome}`;
    }
    if (out[out.length - 1] !== text) out.push(text);
  }
  return out;
}
