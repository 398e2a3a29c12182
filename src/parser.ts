/**
 * Turning one decoded line of Ollama's pull stream into typed events. Pure: no I/O, no state.
 *
 * @module
 */

import { ProtocolError } from "./errors.ts";
import type { OllamaPullEvent } from "./events.ts";
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
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw shapeError(`expected a JSON object, got ${describe(value)}`);
  }
  const line = value as Record<string, unknown>;
  const error = line.error;
  if (error !== undefined && error !== null) {
    return [{ type: "error", message: typeof error === "string" ? error : JSON.stringify(error) }];
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
    return [{
      type: "chunk_progress",
      digest,
      total: total === 0 ? undefined : total,
      completed: byteCount(line.completed, "completed"),
      status: status ?? "",
    }];
  }
  if (status === "success") return [{ type: "success" }];
  if (status !== undefined) return [{ type: "status", status }];
  return [];
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
