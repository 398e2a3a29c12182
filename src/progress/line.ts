/**
 * The words of a progress display, shared by every reporter for people: what a status, a retry,
 * a layer, the sizes and a pull's outcome read like, and the plain-log lines. Pure: snapshots in,
 * text out (no widths, no colour: `rows.ts` lays live rows out).
 *
 * Internal to the progress reporters: not exported from the package root.
 *
 * @module
 */

import {
  formatByteProgress,
  formatBytes,
  formatDuration,
  formatEta,
  formatPercent,
  formatRate,
} from "./format.ts";
import type { PullOutcome, PullProgressSnapshot, PullRetrySnapshot } from "./progress_state.ts";

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
 * Which layer a pull is at: `layer 2 of 4`, or `layer 2 of ?` while more may come; `""` before
 * any layer.
 *
 * @param snapshot The pull.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { layerText } from "./line.ts";
 *
 * layerText(new PullProgress().snapshot(0)); // ""
 * ```
 */
export function layerText(snapshot: PullProgressSnapshot): string {
  if (snapshot.layerPosition === 0) return "";
  return `layer ${snapshot.layerPosition} of ${snapshot.layersTotal ?? "?"}`;
}

/**
 * The status to show for a pull: the retry, the error, the layer it is at while downloading, or
 * the server's latest status.
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
  if (snapshot.phase === "downloading") return layerText(snapshot) || snapshot.status;
  return snapshot.status || "starting";
}

/**
 * Completed over total bytes of a pull, e.g. `586 MB/1.7 GB`, with `+` while the total may grow.
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
 * Whether a pull has byte progress to show: a layer was seen, or the manifest gave a size.
 *
 * @param snapshot The pull.
 * @returns True when sizes (and a bar) mean something.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { hasBytes } from "./line.ts";
 *
 * hasBytes(new PullProgress().snapshot(0)); // false
 * ```
 */
export function hasBytes(snapshot: PullProgressSnapshot): boolean {
  return snapshot.layerCount > 0 || snapshot.total > 0;
}

/**
 * The one line that says how a pull ended, without the mark and prefix:
 * - `pulled llama3:latest (637 MB in 5s)`: what was downloaded, and how long it took;
 * - `pulled llama3:latest (637 MB in 5s, 4.1 GB already on disk)` after a resume;
 * - `llama3:latest was already complete (4.7 GB on disk, nothing downloaded)`;
 * - `llama3:latest failed: <error> at 35% (586 MB/1.7 GB)`, `llama3:latest interrupted at …`.
 *
 * @param label The model, sanitized.
 * @param snapshot Its pull, finished.
 * @param outcome How it ended.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { outcomeText } from "./line.ts";
 *
 * const progress = new PullProgress();
 * progress.update({ type: "status", status: "pulling manifest" }, 0);
 * progress.finish("success", 3000);
 * outcomeText("m:latest", progress.snapshot(3000), "success"); // "pulled m:latest (in 3s)"
 * ```
 */
export function outcomeText(
  label: string,
  snapshot: PullProgressSnapshot,
  outcome: PullOutcome,
): string {
  if (outcome === "success") {
    const { already, detail } = successSummary(snapshot);
    return already ? `${label} was already complete (${detail})` : `pulled ${label} (${detail})`;
  }
  let what = outcome === "aborted"
    ? "interrupted"
    : snapshot.error === undefined
    ? "failed"
    : `failed: ${snapshot.error}`;
  if (hasBytes(snapshot)) what += ` at ${reachedText(snapshot)}`;
  return `${label} ${what}`;
}

/** What a successful pull brought; `already` when every layer was on disk before it. */
function successSummary(snapshot: PullProgressSnapshot): { already: boolean; detail: string } {
  if (snapshot.layerCount > 0 && snapshot.downloaded === 0) {
    return { already: true, detail: `${formatBytes(snapshot.onDisk)} on disk, nothing downloaded` };
  }
  const time = formatDuration(snapshot.elapsedMs);
  const parts = [
    snapshot.downloaded > 0 ? `${formatBytes(snapshot.downloaded)} in ${time}` : `in ${time}`,
  ];
  // A fresh layer's first line may already count a tick of bytes: mention what was on disk only
  // when it is a real share of the model (a resumed pull).
  if (snapshot.onDisk > 0 && snapshot.onDisk * 100 >= snapshot.total) {
    parts.push(`${formatBytes(snapshot.onDisk)} already on disk`);
  }
  return { already: false, detail: parts.join(", ") };
}

/** `35% (586 MB/1.7 GB)`, or `418 MB/700 MB+` while the total may grow. */
function reachedText(snapshot: PullProgressSnapshot): string {
  const sizes = sizeText(snapshot);
  return snapshot.percent === undefined ? sizes : `${formatPercent(snapshot.percent)} (${sizes})`;
}

/**
 * The plain-log text for a pull's progress: `35% (586 MB/1.7 GB, layer 1 of 5, 45 MB/s, 25s
 * left)` with an exact total, `418 MB/700 MB+ (layer 2 of ?, 45 MB/s)` while it may grow.
 *
 * @param snapshot The pull.
 * @returns The text, without the model.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { plainProgressText } from "./line.ts";
 *
 * plainProgressText(new PullProgress().snapshot(0)); // "0 B"
 * ```
 */
export function plainProgressText(snapshot: PullProgressSnapshot): string {
  const details: string[] = [];
  const layer = layerText(snapshot);
  if (layer) details.push(layer);
  if (snapshot.phase === "downloading" && snapshot.bytesPerSecond > 0) {
    details.push(formatRate(snapshot.bytesPerSecond));
    if (snapshot.etaSeconds !== undefined) details.push(`${formatEta(snapshot.etaSeconds)} left`);
  }
  if (snapshot.percent === undefined) {
    const sizes = sizeText(snapshot);
    return details.length > 0 ? `${sizes} (${details.join(", ")})` : sizes;
  }
  return `${formatPercent(snapshot.percent)} (${[sizeText(snapshot), ...details].join(", ")})`;
}

/**
 * The plain-log line that announces a layer: `pulling 6a0746a1ec1a (layer 1 of 5, 4.7 GB)`.
 *
 * @param snapshot The pull, right after the layer appeared.
 * @param status The layer's status text from the server, sanitized.
 * @param size The layer's size, when known.
 * @returns The text, without the model.
 *
 * @example
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 * import { plainLayerText } from "./line.ts";
 *
 * const progress = new PullProgress();
 * progress.update({ type: "chunk_progress", digest: "sha256:6a07", total: 10, completed: 0, status: "pulling 6a07" }, 0);
 * plainLayerText(progress.snapshot(0), "pulling 6a07", 10); // "pulling 6a07 (layer 1 of ?, 10 B)"
 * ```
 */
export function plainLayerText(
  snapshot: PullProgressSnapshot,
  status: string,
  size: number | undefined,
): string {
  const details = [layerText(snapshot), size === undefined ? "size unknown" : formatBytes(size)];
  return `${status || "pulling"} (${details.filter(Boolean).join(", ")})`;
}

/**
 * The plain-log text for the end of a pull: {@link outcomeText} without the model, e.g.
 * `pulled (4.7 GB in 1m32s)`, `pull failed at 35% (586 MB/1.7 GB)`, `pull interrupted`,
 * `already complete (4.7 GB on disk, nothing downloaded)`.
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
  if (outcome === "success") {
    const { already, detail } = successSummary(snapshot);
    return `${already ? "already complete" : "pulled"} (${detail})`;
  }
  const what = outcome === "aborted" ? "pull interrupted" : "pull failed";
  return hasBytes(snapshot) ? `${what} at ${reachedText(snapshot)}` : what;
}
