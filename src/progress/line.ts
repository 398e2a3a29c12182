/**
 * Line composition shared by the reporters: the texts that describe a pull (status, sizes,
 * summary), the live line of a model, a layer's line, the final line, and the plain-log lines.
 * Live lines are laid out to a width by dropping the least useful parts first; colour is added
 * only after the layout, as SGR codes around parts, and only when asked for.
 *
 * Internal to the progress reporters: not exported from the package root.
 *
 * @module
 */

import {
  fitToWidth,
  formatByteProgress,
  formatBytes,
  formatDuration,
  formatPercent,
  formatRate,
  renderBar,
  textWidth,
} from "./format.ts";
import type {
  PullLayerSnapshot,
  PullOutcome,
  PullProgressSnapshot,
  PullRetrySnapshot,
} from "./progress_state.ts";

/**
 * The room and style a live line is composed for.
 *
 * @example
 * ```ts
 * import type { LineLayout } from "./line.ts";
 *
 * const layout: LineLayout = { width: 79, color: false, nowMs: 0 };
 * ```
 */
export interface LineLayout {
  /** The most columns the line may take. */
  readonly width: number;
  /** Whether to add SGR colour codes. */
  readonly color: boolean;
  /** The current time (animates the spinner). */
  readonly nowMs: number;
}

/** SGR parameters used for the parts of a line. */
const STYLE = {
  spinner: "36",
  model: "1",
  bar: "36",
  dim: "2",
  ok: "32",
  warn: "33",
  bad: "31",
} as const;

/**
 * One part of a live line.
 * - `rank`: parts with a rank are dropped, lowest first, when the line does not fit;
 * - `shrinkTo`: the part may be cut (with `…`) down to this width before anything is dropped;
 * - `bar`: the part is a progress bar that takes the room left, between `min` and `max` cells.
 *
 * @example
 * ```ts
 * import type { Segment } from "./line.ts";
 *
 * const eta: Segment = { text: "25s", rank: 1, sgr: "2" };
 * ```
 */
export interface Segment {
  /** The text (ignored for a bar). */
  readonly text: string;
  /** SGR parameters to wrap the part in when colour is on, e.g. `"32"`. */
  readonly sgr?: string;
  /** Drop order; parts without a rank are kept. */
  readonly rank?: number;
  /** The narrowest the part may be cut to before other parts are dropped. */
  readonly shrinkTo?: number;
  /** A bar: how full, and its cell bounds (the brackets come on top). */
  readonly bar?: { readonly fraction: number; readonly min: number; readonly max: number };
}

function segmentWidth(segment: Segment): number {
  return segment.bar ? segment.bar.min + 2 : textWidth(segment.text);
}

function lineWidth(segments: readonly Segment[]): number {
  let width = Math.max(0, segments.length - 1);
  for (const segment of segments) width += segmentWidth(segment);
  return width;
}

/** Cuts the first part that can still shrink (above `floor`); false when none can. */
function shrinkOne(parts: Segment[], width: number, floor: (part: Segment) => number): boolean {
  const over = lineWidth(parts) - width;
  const index = parts.findIndex((part) =>
    part.shrinkTo !== undefined && !part.bar && textWidth(part.text) > floor(part)
  );
  if (index < 0) return false;
  const part = parts[index];
  const target = Math.max(floor(part), textWidth(part.text) - over);
  parts[index] = { ...part, text: fitToWidth(part.text, target) };
  return true;
}

/** Drops the part with the lowest rank; false when no part has one. */
function dropOne(parts: Segment[]): boolean {
  let index = -1;
  parts.forEach((part, i) => {
    if (part.rank !== undefined && (index < 0 || part.rank < (parts[index].rank ?? 0))) index = i;
  });
  if (index < 0) return false;
  parts.splice(index, 1);
  return true;
}

/**
 * Lays parts out on one line of at most `width` columns, separated by single spaces: cuts
 * shrinkable parts to their `shrinkTo`, then drops ranked parts (lowest rank first), then cuts
 * shrinkable parts further; a bar takes the room that is left. As a last resort the plain line
 * is cut with `…` (without colour). Colour codes never count towards the width.
 *
 * @param segments The parts, in display order.
 * @param width The most columns.
 * @param color Whether to wrap parts in their SGR codes.
 * @returns The line, never wider than `width` columns (escape codes aside).
 *
 * @example
 * ```ts
 * import { layoutLine } from "./line.ts";
 *
 * layoutLine([{ text: "llama3:latest" }, { text: "45 MB/s", rank: 1 }], 16, false); // "llama3:latest"
 * ```
 */
export function layoutLine(segments: readonly Segment[], width: number, color: boolean): string {
  const parts = [...segments];
  while (lineWidth(parts) > width) {
    if (shrinkOne(parts, width, (part) => part.shrinkTo ?? 0)) continue;
    if (dropOne(parts)) continue;
    if (shrinkOne(parts, width, () => 2)) continue;
    break;
  }
  const bar = parts.find((part) => part.bar);
  const room = width - lineWidth(parts.filter((part) => part !== bar)) - (parts.length > 1 ? 1 : 0);
  const texts = parts.map((part) => {
    if (!part.bar) return part.text;
    const cells = Math.max(part.bar.min, Math.min(part.bar.max, room - 2));
    return `▕${renderBar(part.bar.fraction, cells)}▏`;
  });
  const plain = texts.join(" ");
  if (textWidth(plain) > width) return fitToWidth(plain, width);
  if (!color) return plain;
  return texts.map((text, i) => {
    const sgr = parts[i].sgr;
    return sgr ? `\x1b[${sgr}m${text}\x1b[0m` : text;
  }).join(" ");
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * The spinner character for a moment: it advances every 100 ms.
 *
 * @param nowMs The current time.
 * @returns One braille character.
 *
 * @example
 * ```ts
 * import { spinnerFrame } from "./line.ts";
 *
 * spinnerFrame(0); // "⠋"
 * ```
 */
export function spinnerFrame(nowMs: number): string {
  const step = Number.isFinite(nowMs) ? Math.floor(Math.abs(nowMs) / 100) : 0;
  return SPINNER[step % SPINNER.length];
}

/**
 * What a retry looks like in words: `retrying (2/4) in 1.2s: stalled`.
 *
 * @param retry The retry.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { retryText } from "./line.ts";
 *
 * retryText({ attempt: 2, maxAttempts: 4, delayMs: 1200, reason: "stalled" });
 * // "retrying (2/4) in 1.2s: stalled"
 * ```
 */
export function retryText(retry: PullRetrySnapshot): string {
  const delay = formatDuration(retry.delayMs, { fractional: true });
  const head = `retrying (${retry.attempt}/${retry.maxAttempts}) in ${delay}`;
  return retry.reason ? `${head}: ${retry.reason}` : head;
}

/**
 * The status to show for a pull: the retry, the error, or the server's latest status.
 *
 * @param snapshot The pull.
 * @returns The text (already sanitized).
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { statusText } from "./line.ts";
 *
 * const progress = new PullProgress();
 * progress.update({ type: "status", status: "pulling manifest" }, 0);
 * statusText(progress.snapshot(0)); // "pulling manifest"
 * ```
 */
export function statusText(snapshot: PullProgressSnapshot): string {
  if (snapshot.retry) return retryText(snapshot.retry);
  if (snapshot.error !== undefined) return `error: ${snapshot.error}`;
  return snapshot.status || "starting";
}

/**
 * Completed over total bytes of a pull, e.g. `586 MB/1.7 GB` (`≥` when a size is unknown).
 *
 * @param snapshot The pull.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { sizeText } from "./line.ts";
 *
 * sizeText(new PullProgress().snapshot(0)); // "0 B"
 * ```
 */
export function sizeText(snapshot: PullProgressSnapshot): string {
  return formatByteProgress(snapshot.completed, snapshot.total, {
    totalIsLowerBound: snapshot.totalIsLowerBound,
  });
}

/**
 * The summary of a finished pull: `(4.7 GB in 1m32s)`; empty before any event.
 *
 * @param snapshot The pull.
 * @returns The text, with parentheses, or `""`.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { summaryText } from "./line.ts";
 *
 * const progress = new PullProgress();
 * progress.update({ type: "status", status: "pulling manifest" }, 0);
 * progress.finish("success", 3000);
 * summaryText(progress.snapshot(3000)); // "(in 3s)"
 * ```
 */
export function summaryText(snapshot: PullProgressSnapshot): string {
  if (snapshot.revision === 0) return "";
  const size = Math.max(snapshot.total, snapshot.completed);
  const time = `in ${formatDuration(snapshot.elapsedMs)}`;
  return size > 0 ? `(${formatBytes(size)} ${time})` : `(${time})`;
}

function progressSegments(snapshot: PullProgressSnapshot, fraction: number): Segment[] {
  if (snapshot.layers.length === 0) return [];
  return [
    { text: "", bar: { fraction, min: 6, max: 30 }, sgr: STYLE.bar, rank: 3 },
    { text: formatPercent(snapshot.percent).padStart(4), rank: 5 },
    { text: sizeText(snapshot), rank: 4 },
  ];
}

/**
 * A model's live line: spinner, model, status, aggregate bar, percent, sizes, rate and ETA.
 *
 * @param label The model, sanitized.
 * @param snapshot Its pull.
 * @param layout Width, colour, time.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { liveLine } from "./line.ts";
 *
 * const progress = new PullProgress();
 * progress.update({ type: "status", status: "pulling manifest" }, 0);
 * liveLine("llama3:latest", progress.snapshot(0), { width: 79, color: false, nowMs: 0 });
 * // "⠋ llama3:latest pulling manifest"
 * ```
 */
export function liveLine(
  label: string,
  snapshot: PullProgressSnapshot,
  layout: LineLayout,
): string {
  const status = statusText(snapshot);
  const segments: Segment[] = [
    { text: spinnerFrame(layout.nowMs), sgr: STYLE.spinner },
    { text: label, sgr: STYLE.model },
    {
      text: status,
      shrinkTo: 16,
      sgr: snapshot.retry ? STYLE.warn : snapshot.error !== undefined ? STYLE.bad : undefined,
    },
    ...progressSegments(snapshot, snapshot.percent / 100),
  ];
  if (snapshot.phase === "downloading" && snapshot.bytesPerSecond > 0) {
    segments.push({ text: formatRate(snapshot.bytesPerSecond), rank: 2, sgr: STYLE.dim });
    if (snapshot.etaSeconds !== undefined) {
      segments.push({ text: formatDuration(snapshot.etaSeconds * 1000), rank: 1, sgr: STYLE.dim });
    }
  }
  return layoutLine(segments, layout.width, layout.color);
}

/**
 * A model's last line: `✔ pulled llama3:latest (4.7 GB in 1m32s)` on success; on error or
 * abort a `✘` marker, what happened, and the progress reached.
 *
 * @param label The model, sanitized.
 * @param snapshot Its pull, finished.
 * @param outcome How it ended.
 * @param layout Width, colour.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { finalLine } from "./line.ts";
 *
 * const progress = new PullProgress();
 * progress.update({ type: "status", status: "pulling manifest" }, 0);
 * progress.finish("aborted", 10);
 * finalLine("llama3:latest", progress.snapshot(10), "aborted", { width: 79, color: false, nowMs: 10 });
 * // "✘ llama3:latest interrupted"
 * ```
 */
export function finalLine(
  label: string,
  snapshot: PullProgressSnapshot,
  outcome: PullOutcome,
  layout: LineLayout,
): string {
  if (outcome === "success") {
    const summary = summaryText(snapshot);
    return layoutLine(
      [
        { text: "✔", sgr: STYLE.ok },
        { text: "pulled" },
        { text: label, sgr: STYLE.model },
        ...(summary ? [{ text: summary, rank: 1 }] : []),
      ],
      layout.width,
      layout.color,
    );
  }
  const what = outcome === "aborted"
    ? "interrupted"
    : snapshot.error === undefined
    ? "failed"
    : `failed: ${snapshot.error}`;
  return layoutLine(
    [
      { text: "✘", sgr: STYLE.bad },
      { text: label, sgr: STYLE.model },
      { text: what, shrinkTo: 16, sgr: STYLE.bad },
      ...progressSegments(snapshot, snapshot.percent / 100),
    ],
    layout.width,
    layout.color,
  );
}

/**
 * One layer's line, as `ollama pull` shows it: `pulling 6a0746a1ec1a ▕███   ▏  45% 2.1 GB/4.7 GB`.
 *
 * @param layer The layer.
 * @param layout Width, colour.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { layerLine } from "./line.ts";
 *
 * const layer = { digest: "sha256:6a07", shortDigest: "6a07", total: 100, completed: 50, percent: 50, done: false };
 * layerLine(layer, { width: 40, color: false, nowMs: 0 }); // "pulling 6a07 ▕████▌    ▏  50% 50 B/100 B"
 * ```
 */
export function layerLine(layer: PullLayerSnapshot, layout: LineLayout): string {
  const percent = layer.percent === undefined ? "?" : formatPercent(layer.percent);
  return layoutLine(
    [
      { text: `pulling ${layer.shortDigest}`, shrinkTo: 12 },
      {
        text: "",
        bar: { fraction: (layer.percent ?? 0) / 100, min: 6, max: 30 },
        sgr: layer.done ? STYLE.ok : STYLE.bar,
        rank: 2,
      },
      { text: percent.padStart(4), rank: 3 },
      { text: formatByteProgress(layer.completed, layer.total), rank: 1 },
    ],
    layout.width,
    layout.color,
  );
}

/**
 * The plain-log line for a pull's progress: `35% (586 MB/1.7 GB, 45 MB/s, 25s left)`.
 *
 * @param snapshot The pull.
 * @returns The text, without the model.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { plainProgressText } from "./line.ts";
 *
 * plainProgressText(new PullProgress().snapshot(0)); // "0% (0 B)"
 * ```
 */
export function plainProgressText(snapshot: PullProgressSnapshot): string {
  const details = [sizeText(snapshot)];
  if (snapshot.phase === "downloading" && snapshot.bytesPerSecond > 0) {
    details.push(formatRate(snapshot.bytesPerSecond));
    if (snapshot.etaSeconds !== undefined) {
      details.push(`${formatDuration(snapshot.etaSeconds * 1000)} left`);
    }
  }
  return `${formatPercent(snapshot.percent)} (${details.join(", ")})`;
}

/**
 * The plain-log line for the end of a pull: `pulled (4.7 GB in 1m32s)`, `pull failed at 35%
 * (586 MB/1.7 GB)`, `pull interrupted`.
 *
 * @param snapshot The pull, finished.
 * @param outcome How it ended.
 * @returns The text, without the model.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { plainFinalText } from "./line.ts";
 *
 * plainFinalText(new PullProgress().snapshot(0), "error"); // "pull failed"
 * ```
 */
export function plainFinalText(snapshot: PullProgressSnapshot, outcome: PullOutcome): string {
  if (outcome === "success") return ["pulled", summaryText(snapshot)].filter(Boolean).join(" ");
  const what = outcome === "aborted" ? "pull interrupted" : "pull failed";
  return snapshot.layers.length === 0 ? what : `${what} at ${plainProgressText(snapshot)}`;
}
