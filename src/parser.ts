/**
 * Turning one decoded line of Ollama's pull stream into typed events. Pure: no I/O, no state.
 *
 * @module
 */

import { ProtocolError } from "./errors/protocol_error.ts";
import type { OllamaPullEvent } from "./events.ts";
import { parseJsonLine } from "./ndjson.ts";
import { sanitizeText } from "./sanitize.ts";

/**
 * Converts one JSON value from `POST /api/pull` into events. One line gives at most one event:
 * - `{"error": …}` → `error` (whatever else the line holds);
 * - `{"status": "success"}` → `success` (once; not also a `status`);
 * - a line with a `digest` → `chunk_progress`, where an omitted `total` is `undefined` (unknown)
 *   and an omitted `completed` is 0, as Ollama leaves out zero fields;
 * - any other `status` → `status`.
 *
 * An object with none of these fields gives no event (room for fields a newer server may add).
 * Anything else is not what Ollama sends and raises a {@link ProtocolError} rather than being
 * dropped.
 *
 * @param value A parsed line.
 * @returns The events, in order (zero or one today; an array so a line may carry more later).
 * @throws {ProtocolError} `invalid_shape` for a non-object, or fields of the wrong type.
 *
 * @example
 * ```ts
 * import { pullEventsFromValue } from "@vtcode/ollama";
 *
 * pullEventsFromValue({ status: "pulling 6a0746a1ec1a", digest: "sha256:6a07…", total: 4661211424 });
 * // [{ type: "chunk_progress", digest: "sha256:6a07…", total: 4661211424, completed: 0, status: "pulling 6a0746a1ec1a" }]
 * pullEventsFromValue({ status: "success" }); // [{ type: "success" }]
 * ```
 */
export function pullEventsFromValue(value: unknown): OllamaPullEvent[] {
  const event = pullEventFromValue(value);
  return event === undefined ? [] : [event];
}

/**
 * Converts one line of `POST /api/pull` (its text, without the newline) into events: the same
 * result as `JSON.parse` followed by {@link pullEventsFromValue}, faster for the lines Ollama
 * sends by the hundred thousand. A line in the exact form Go's encoder writes (fields in
 * Ollama's order, plain strings, whole numbers) is read without building an intermediate object;
 * anything else takes the general path, so an odd line is never misread, only read slower.
 *
 * @param line One line of the stream, without its newline.
 * @param lineNumber Its 1-based number, for error messages. Default 1.
 * @returns The events, in order (zero or one today).
 * @throws {ProtocolError} `invalid_json` (naming the line) or `invalid_shape`.
 *
 * @example
 * ```ts
 * import { pullEventsFromLine } from "@vtcode/ollama";
 *
 * pullEventsFromLine('{"status":"pulling 6a07","digest":"sha256:6a07","total":10,"completed":4}');
 * // [{ type: "chunk_progress", digest: "sha256:6a07", total: 10, completed: 4, status: "pulling 6a07" }]
 * pullEventsFromLine('{"status":"success"}'); // [{ type: "success" }]
 * ```
 */
export function pullEventsFromLine(line: string, lineNumber = 1): OllamaPullEvent[] {
  const event = new PullLineParser().parse(line, lineNumber);
  return event === undefined ? [] : [event];
}

/**
 * A line in exactly the form Go's `encoding/json` writes Ollama's progress struct: `status`, then
 * optional `digest`, `total`, `completed` (zero fields omitted), strings without escapes or
 * control characters, whole numbers of at most 15 digits. For such a line the captured fields
 * are exactly what `JSON.parse` would give; any other line (escapes, other fields, another
 * order, spaces, an `error`) does not match and goes through `JSON.parse`.
 */
const GO_PROGRESS_LINE =
  // Control characters on purpose: JSON forbids them raw in strings, so such a line must fail.
  // deno-lint-ignore no-control-regex
  /^\{"status":"([^"\\\x00-\x1f]*)"(?:,"digest":"([^"\\\x00-\x1f]*)")?(?:,"total":(0|[1-9]\d{0,14}))?(?:,"completed":(0|[1-9]\d{0,14}))?\}$/;

/** The end of a progress line after `"completed":`, as {@link GO_PROGRESS_LINE} accepts it. */
const COMPLETED_TAIL = /(?:0|[1-9]\d{0,14})\}$/y;

/**
 * Reads the lines of one pull stream into events, the fast way: a line in the exact form Go's
 * encoder writes is read by one regular expression, with no intermediate object; and a line
 * that repeats the last one up to its `completed` value (most of them) has only that value read. Any other line
 * goes through `JSON.parse` and {@link pullEventFromValue}, so the result is always the same as
 * theirs. One parser per stream.
 *
 * @example
 * ```ts
 * import { PullLineParser } from "@vtcode/ollama";
 *
 * const parser = new PullLineParser();
 * parser.parse('{"status":"pulling manifest"}', 1); // { type: "status", status: "pulling manifest" }
 * parser.parse('{"status":"pulling 6a07","digest":"sha256:6a07","total":9,"completed":3}', 2);
 * // { type: "chunk_progress", digest: "sha256:6a07", total: 9, completed: 3, status: "pulling 6a07" }
 * ```
 */
export class PullLineParser {
  /**
   * The last progress line up to its `"completed":` value. Successive lines of one layer differ
   * only after it, so a line that starts with it needs only its tail checked.
   */
  #prefix = "";
  #status = "";
  #digest = "";
  #total: number | undefined;

  /**
   * Converts one line into its event (or `undefined` for a line that carries none).
   *
   * @param line One line of the stream, without its newline.
   * @param lineNumber Its 1-based number, for error messages.
   * @returns The event, or `undefined`.
   * @throws {ProtocolError} `invalid_json` (naming the line) or `invalid_shape`.
   */
  parse(line: string, lineNumber: number): OllamaPullEvent | undefined {
    const prefix = this.#prefix;
    // `slice` and `===` rather than `startsWith`: on the sliced strings a decoder hands out,
    // V8 runs the former about ten times faster (measured in bench/decode_bench.ts's setting).
    if (prefix.length > 0 && line.slice(0, prefix.length) === prefix) {
      COMPLETED_TAIL.lastIndex = prefix.length;
      if (COMPLETED_TAIL.test(line)) {
        // The same layer as the last line, which the full pattern accepted; only bytes moved.
        return {
          type: "chunk_progress",
          digest: this.#digest,
          total: this.#total,
          completed: Number(line.slice(prefix.length, -1)),
          status: this.#status,
        };
      }
    }
    const match = GO_PROGRESS_LINE.exec(line);
    if (match === null) return pullEventFromValue(parseJsonLine(line, lineNumber));
    const status = match[1];
    const digest = match[2];
    if (digest === undefined || digest === "") {
      // An empty digest is no digest, as the general path reads it.
      return status === "success" ? { type: "success" } : { type: "status", status };
    }
    const totalBytes = match[3] === undefined ? 0 : Number(match[3]);
    const total = totalBytes === 0 ? undefined : totalBytes;
    const completed = match[4];
    if (completed !== undefined) {
      this.#prefix = line.slice(0, line.length - 1 - completed.length);
      this.#status = status;
      this.#digest = digest;
      this.#total = total;
    }
    return {
      type: "chunk_progress",
      digest,
      total,
      completed: completed === undefined ? 0 : Number(completed),
      status,
    };
  }
}

/**
 * The single event of one parsed line, or `undefined` (see {@link pullEventsFromValue}).
 *
 * @param value A parsed line.
 * @returns The event, or `undefined`.
 * @throws {ProtocolError} `invalid_shape`.
 *
 * @example
 * ```ts
 * import { pullEventFromValue } from "@vtcode/ollama";
 *
 * pullEventFromValue({ status: "success" }); // { type: "success" }
 * pullEventFromValue({ total: 5 }); // undefined (nothing Ollama-specific to report)
 * ```
 */
export function pullEventFromValue(value: unknown): OllamaPullEvent | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw shapeError(`expected a JSON object, got ${describe(value)}`);
  }
  const line = value as Record<string, unknown>;
  const error = line.error;
  if (error !== undefined && error !== null) {
    return { type: "error", message: typeof error === "string" ? error : JSON.stringify(error) };
  }
  const status = line.status;
  if (status !== undefined && typeof status !== "string") {
    throw shapeError(`"status" must be a string, got ${describe(status)}`);
  }
  const digest = line.digest;
  if (digest !== undefined && digest !== "") {
    if (typeof digest !== "string") {
      throw shapeError(`"digest" must be a string, got ${describe(digest)}`);
    }
    const total = byteCount(line.total, "total");
    return {
      type: "chunk_progress",
      digest,
      total: total === 0 ? undefined : total,
      completed: byteCount(line.completed, "completed"),
      status: status ?? "",
    };
  }
  if (status === "success") return { type: "success" };
  if (status !== undefined) return { type: "status", status };
  return undefined;
}

function byteCount(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw shapeError(`"${field}" must be a byte count, got ${describe(value)}`);
  }
  return value;
}

function shapeError(detail: string): ProtocolError {
  return new ProtocolError("invalid_shape", `unexpected pull stream line: ${detail}`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(sanitizeText(value, { maxLength: 60 }));
  if (typeof value === "object") return "an object";
  return String(value);
}
