/**
 * Pure text formatting for progress displays: byte counts in decimal units as `ollama pull`
 * prints them, rates, durations and ETAs, percentages, and text bars. (Widths of text in
 * terminal columns: `text_width.ts`.)
 *
 * @module
 */

const UNITS: readonly [number, string][] = [
  [1e12, "TB"],
  [1e9, "GB"],
  [1e6, "MB"],
  [1e3, "KB"],
];

/**
 * A byte count in decimal units, the way `ollama pull` prints it: whole bytes below 1 KB; one
 * decimal below 10 units unless it is whole; whole units (truncated) from 10 up.
 *
 * @param bytes A byte count; negative, fractional or non-finite input is treated sensibly
 *   (clamped to 0, floored).
 * @returns E.g. `254 B`, `12 KB`, `586 MB`, `1.7 GB`.
 *
 * @example
 * ```ts
 * import { formatBytes } from "@vtcode/ollama";
 *
 * formatBytes(254); // "254 B"
 * formatBytes(12_403); // "12 KB"
 * formatBytes(586_000_000); // "586 MB"
 * formatBytes(1_700_000_000); // "1.7 GB"
 * ```
 */
export function formatBytes(bytes: number): string {
  const value = Number.isFinite(bytes) && bytes > 0 ? Math.floor(bytes) : 0;
  for (const [size, unit] of UNITS) {
    if (value < size) continue;
    const scaled = value / size;
    if (scaled >= 10) return `${Math.floor(scaled)} ${unit}`;
    const tenths = Math.round(scaled * 10) / 10;
    if (tenths >= 10) return `10 ${unit}`;
    return Number.isInteger(tenths) ? `${tenths} ${unit}` : `${tenths.toFixed(1)} ${unit}`;
  }
  return `${value} B`;
}

/**
 * Options for {@link formatByteProgress}.
 *
 * @example
 * ```ts
 * import type { ByteProgressOptions } from "@vtcode/ollama";
 *
 * const options: ByteProgressOptions = { totalIsLowerBound: true };
 * ```
 */
export interface ByteProgressOptions {
  /** The total is only a lower bound (more layers may come): shown with a `+`, as `1.7 GB+`. */
  totalIsLowerBound?: boolean;
}

/**
 * Completed bytes over total bytes, e.g. `586 MB/1.7 GB`; a total that may still grow ends with
 * `+` (`418 MB/700 MB+`). Without a total (0 or `undefined`) only the completed bytes are shown.
 *
 * @param completed Bytes done.
 * @param total Bytes in all, when known.
 * @param options Whether the total is a lower bound.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatByteProgress } from "@vtcode/ollama";
 *
 * formatByteProgress(586_000_000, 1_700_000_000); // "586 MB/1.7 GB"
 * formatByteProgress(418_000_000, 700_000_000, { totalIsLowerBound: true }); // "418 MB/700 MB+"
 * formatByteProgress(12_000, undefined); // "12 KB"
 * ```
 */
export function formatByteProgress(
  completed: number,
  total: number | undefined,
  options: ByteProgressOptions = {},
): string {
  const done = formatBytes(completed);
  if (total === undefined || !(total > 0)) return done;
  return `${done}/${formatBytes(total)}${options.totalIsLowerBound ? "+" : ""}`;
}

/**
 * A transfer rate, e.g. `45 MB/s`.
 *
 * @param bytesPerSecond The rate; non-finite or negative counts as 0.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatRate } from "@vtcode/ollama";
 *
 * formatRate(45_200_000); // "45 MB/s"
 * formatRate(0); // "0 B/s"
 * ```
 */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/**
 * Options for {@link formatDuration}.
 *
 * @example
 * ```ts
 * import type { DurationOptions } from "@vtcode/ollama";
 *
 * const options: DurationOptions = { fractional: true };
 * ```
 */
export interface DurationOptions {
  /** Below 10 seconds, keep one decimal (`1.2s`) instead of whole seconds. Default `false`. */
  fractional?: boolean;
}

/**
 * A duration the way Go prints it, shortened: `8s`, `1m20s`, `2h3m` (hours drop the seconds).
 *
 * @param ms Milliseconds; negative or non-finite counts as 0.
 * @param options Whether short durations keep a decimal.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatDuration } from "@vtcode/ollama";
 *
 * formatDuration(8_000); // "8s"
 * formatDuration(80_000); // "1m20s"
 * formatDuration(7_380_000); // "2h3m"
 * formatDuration(1_200, { fractional: true }); // "1.2s"
 * ```
 */
export function formatDuration(ms: number, options: DurationOptions = {}): string {
  const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (options.fractional && value < 9_950) {
    const tenths = Math.round(value / 100) / 10;
    return Number.isInteger(tenths) ? `${tenths}s` : `${tenths.toFixed(1)}s`;
  }
  const seconds = Math.round(value / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}

/**
 * Time left, for people: whole seconds rounded up, never below `1s` (a download still running
 * never reads `0s left`), in the form of {@link formatDuration}.
 *
 * @param seconds Seconds left; non-finite or negative counts as 0 (still shown as `1s`).
 * @returns E.g. `1s`, `25s`, `1m20s`.
 *
 * @example
 * ```ts
 * import { formatEta } from "@vtcode/ollama";
 *
 * formatEta(0.2); // "1s"
 * formatEta(79.1); // "1m20s"
 * ```
 */
export function formatEta(seconds: number): string {
  const value = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 0;
  return formatDuration(Math.max(1, value) * 1000);
}

/**
 * A percentage as whole percent, rounded down (so `100%` means done), clamped to 0..100.
 *
 * @param percent A number, NaN counts as 0.
 * @returns E.g. `35%`.
 *
 * @example
 * ```ts
 * import { formatPercent } from "@vtcode/ollama";
 *
 * formatPercent(35.9); // "35%"
 * formatPercent(99.99); // "99%"
 * formatPercent(Number.NaN); // "0%"
 * ```
 */
export function formatPercent(percent: number): string {
  return `${Math.floor(clamp(percent, 0, 100))}%`;
}

/**
 * Options for {@link renderBar}.
 *
 * @example
 * ```ts
 * import type { BarOptions } from "@vtcode/ollama";
 *
 * const options: BarOptions = { ascii: true };
 * ```
 */
export interface BarOptions {
  /** `=` and spaces instead of Unicode blocks. Default `false`. */
  ascii?: boolean;
  /**
   * The character of the cells not filled yet (Unicode bars). Default a space; displays use a
   * shade (`░`) so that the bar's extent shows without end caps that a partial block could be
   * mistaken for.
   */
  track?: string;
}

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/**
 * The inside of a progress bar: exactly `width` characters, filled to `fraction`. Unicode bars
 * use full blocks, one partial (eighth) block and the track character; ASCII bars use `=` and
 * spaces.
 *
 * @param fraction How full, 0..1 (clamped; NaN is 0).
 * @param width Characters (floored; at least 0).
 * @param options ASCII instead of Unicode.
 * @returns The bar text.
 *
 * @example
 * ```ts
 * import { renderBar } from "@vtcode/ollama";
 *
 * renderBar(0.5, 10); // "█████     "
 * renderBar(0.5, 10, { ascii: true }); // "=====     "
 * renderBar(0.55, 10, { track: "░" }); // "█████▌░░░░"
 * ```
 */
export function renderBar(fraction: number, width: number, options: BarOptions = {}): string {
  const cells = Math.max(0, Math.floor(Number.isFinite(width) ? width : 0));
  const filled = clamp(fraction, 0, 1) * cells;
  if (options.ascii) {
    const full = Math.floor(filled);
    return "=".repeat(full) + " ".repeat(cells - full);
  }
  const eighths = Math.floor(filled * 8);
  const full = Math.floor(eighths / 8);
  const partial = full < cells ? EIGHTHS[eighths % 8] : "";
  const track = options.track ?? " ";
  return "█".repeat(full) + partial + track.repeat(cells - full - (partial ? 1 : 0));
}

function clamp(value: number, low: number, high: number): number {
  if (Number.isNaN(value)) return low;
  return Math.min(high, Math.max(low, value));
}
