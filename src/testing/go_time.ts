/**
 * Times as Ollama writes them in JSON (Go's `time.Time`): RFC 3339 with up to nine fraction
 * digits, trailing zeros dropped.
 *
 * @module
 */

import { fakeDigest } from "./catalog.ts";

/**
 * RFC 3339 with nanoseconds in the local time zone, as Go writes a `time.Time`. The digits below
 * the millisecond come from `seed`, so the same seed and time give the same text.
 *
 * @param date The time.
 * @param seed Any text (e.g. the model's name).
 * @returns E.g. `2025-06-01T14:00:00.123456789+02:00`.
 */
export function rfc3339Nano(date: Date, seed: string): string {
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0
    ? "Z"
    : `${offset > 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offset) / 60))}:${
      pad(Math.abs(offset) % 60)
    }`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${fraction(date, seed)}${zone}`;
}

/**
 * RFC 3339 with nanoseconds in UTC (`created_at` of a generate answer).
 *
 * @param date The time.
 * @param seed Any text.
 * @returns E.g. `2025-06-01T12:00:00.123456789Z`.
 */
export function rfc3339NanoUtc(date: Date, seed: string): string {
  return `${date.toISOString().slice(0, 19)}${fraction(date, seed)}Z`;
}

function fraction(date: Date, seed: string): string {
  const subMillisecond = parseInt(fakeDigest(seed).slice(0, 8), 16) % 1_000_000;
  const digits = `${pad(date.getMilliseconds(), 3)}${pad(subMillisecond, 6)}`.replace(/0+$/, "");
  return digits === "" ? "" : `.${digits}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}
