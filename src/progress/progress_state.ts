/**
 * The arithmetic of a pull's progress, kept apart from any rendering: per-layer state, totals
 * over all layers, a sliding-window transfer rate, the ETA and the current phase.
 *
 * It is fed the events of one model's pull with the time they arrived, and answers with an
 * immutable {@link PullProgressSnapshot}. It never reads a clock: time is always passed in.
 *
 * What it tolerates, because real servers do it (`shared/ollama-protocol.md`):
 * - `total` omitted (zero) on a layer's lines: the layer counts as unknown-size, and the total
 *   becomes a lower bound (flagged);
 * - `completed` going backwards: each layer shows the highest value seen, so bars never shrink;
 * - a layer already on disk announced by one line with `completed == total`, and a resumed
 *   layer whose first line is already high: neither counts as transferred bytes for the rate;
 * - a layer's last line below its total: once the server moves on to verifying (or says
 *   `success`), every layer of known size is complete;
 * - a `retry` event: layers are kept, so a resumed pull does not fall back to 0%.
 *
 * All text in a snapshot (status, digests, error and retry reasons) has passed through
 * {@link sanitizeText}.
 *
 * @module
 */

import type { OllamaPullEvent } from "../events.ts";
import { sanitizeText } from "../sanitize.ts";

/**
 * Where a pull is:
 * - `starting`: before any layer (e.g. `pulling manifest`);
 * - `downloading`: layer bytes are arriving;
 * - `finishing`: after the layers (`verifying sha256 digest`, `writing manifest`, ...);
 * - `retrying`: the client is about to re-issue the pull;
 * - `success`, `error`, `aborted`: how it ended (`error` also after an in-stream error that
 *   may still be retried).
 *
 * @example
 * ```ts
 * import type { PullPhase } from "@vtcode/ollama";
 *
 * const showRate = (phase: PullPhase) => phase === "downloading";
 * ```
 */
export type PullPhase =
  | "starting"
  | "downloading"
  | "finishing"
  | "retrying"
  | "success"
  | "error"
  | "aborted";

/**
 * How a pull ended, as a reporter's `finish` is told.
 *
 * @example
 * ```ts
 * import type { PullOutcome } from "@vtcode/ollama";
 *
 * const outcome: PullOutcome = "aborted";
 * ```
 */
export type PullOutcome = "success" | "error" | "aborted";

/**
 * One layer (blob) of a pull, as a display sees it.
 *
 * @example
 * ```ts
 * import type { PullLayerSnapshot } from "@vtcode/ollama";
 *
 * const label = (layer: PullLayerSnapshot) => `${layer.shortDigest} ${layer.percent ?? "?"}%`;
 * ```
 */
export interface PullLayerSnapshot {
  /** The digest as the server sent it, sanitized, e.g. `sha256:6a07…`. */
  readonly digest: string;
  /** The first 12 characters after `sha256:`, as Ollama's status shows them. */
  readonly shortDigest: string;
  /** The layer's size, when known. */
  readonly total: number | undefined;
  /** Bytes done for display: the highest `completed` seen, at most `total`. */
  readonly completed: number;
  /** 0..100 when the size is known, else `undefined`. */
  readonly percent: number | undefined;
  /** Whether the layer is complete. */
  readonly done: boolean;
}

/**
 * The retry the client announced last, as a display sees it.
 *
 * @example
 * ```ts
 * import type { PullRetrySnapshot } from "@vtcode/ollama";
 *
 * const text = (r: PullRetrySnapshot) => `retrying (${r.attempt}/${r.maxAttempts}): ${r.reason}`;
 * ```
 */
export interface PullRetrySnapshot {
  /** The attempt about to start (2 for the first retry). */
  readonly attempt: number;
  /** The most attempts that will be made. */
  readonly maxAttempts: number;
  /** The wait before the attempt, in milliseconds. */
  readonly delayMs: number;
  /** Why the previous attempt failed, sanitized. */
  readonly reason: string;
}

/**
 * An immutable picture of a pull at one moment: what renderers draw.
 *
 * @example
 * ```ts
 * import { formatByteProgress, type PullProgressSnapshot } from "@vtcode/ollama";
 *
 * const sizes = (s: PullProgressSnapshot) =>
 *   formatByteProgress(s.completed, s.total, { totalIsLowerBound: s.totalIsLowerBound });
 * ```
 */
export interface PullProgressSnapshot {
  /** Where the pull is. */
  readonly phase: PullPhase;
  /** The server's latest status text, sanitized (`""` before any). */
  readonly status: string;
  /**
   * How many status texts were announced so far: it grows when a status not seen before in the
   * current attempt arrives (a phase, or a new layer's `pulling <digest>`), and after a retry.
   * Renderers compare it with what they last printed to print one line per status change.
   */
  readonly statusChanges: number;
  /** The layers seen so far, in the order they first appeared. */
  readonly layers: readonly PullLayerSnapshot[];
  /** Bytes done over all layers (each at its highest seen). */
  readonly completed: number;
  /**
   * Bytes in all layers seen so far: the sum of the known sizes, plus, for a layer whose size is
   * unknown, the bytes seen of it. Exact only when `totalIsLowerBound` is false.
   */
  readonly total: number;
  /** Whether some layer's size is unknown (or no layer was seen yet). */
  readonly totalIsLowerBound: boolean;
  /** 0..100; never NaN; 100 once the pull succeeded; 0 while nothing is known. */
  readonly percent: number;
  /** Bytes that arrived in this pull (not counting what was on disk before), for the rate. */
  readonly transferred: number;
  /** Transfer rate over the sliding window, bytes per second; 0 without enough samples. */
  readonly bytesPerSecond: number;
  /** Seconds left at the current rate; `undefined` when the rate is 0 or the total is a lower bound. */
  readonly etaSeconds: number | undefined;
  /** The last retry announced in the current attempt, else `undefined`. */
  readonly retry: PullRetrySnapshot | undefined;
  /** The last error the server reported, sanitized, while the phase is `error`. */
  readonly error: string | undefined;
  /** Whether the pull ended: the server said `success`, or {@link PullProgress.finish} was called. */
  readonly finished: boolean;
  /** Milliseconds since the first event (until the end, once finished); 0 before any. */
  readonly elapsedMs: number;
  /** Grows with every event; equal revisions mean equal snapshots (apart from time). */
  readonly revision: number;
}

/**
 * Options for {@link PullProgress}.
 *
 * @example A shorter, more reactive rate
 * ```ts
 * import { PullProgress, type PullProgressOptions } from "@vtcode/ollama";
 *
 * const options: PullProgressOptions = { rateWindowMs: 3000 };
 * const progress = new PullProgress(options);
 * ```
 */
export interface PullProgressOptions {
  /** The rate's sliding window, in milliseconds. Default 10 000 (as `ollama pull`). */
  rateWindowMs?: number;
}

/**
 * The default sliding window of the transfer rate, in milliseconds (as `ollama pull`).
 *
 * @example
 * ```ts
 * import { DEFAULT_RATE_WINDOW_MS } from "@vtcode/ollama";
 *
 * DEFAULT_RATE_WINDOW_MS; // 10000
 * ```
 */
export const DEFAULT_RATE_WINDOW_MS = 10_000;

// Samples closer together than this are merged, bounding memory at any event rate.
const SAMPLE_SPACING_MS = 100;
// Below this much history the rate is not yet meaningful and reads as 0.
const MIN_RATE_SPAN_MS = 500;
// A server inventing a new status on every line must not grow memory without bound.
const MAX_REMEMBERED_STATUSES = 512;

interface LayerState {
  digest: string;
  shortDigest: string;
  total: number | undefined;
  highest: number;
}

interface Sample {
  at: number;
  transferred: number;
}

/**
 * The progress of one model's pull: feed it every event with the time it arrived, read a
 * {@link PullProgressSnapshot} whenever a display wants one.
 *
 * @example Aggregate totals over layers
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 *
 * const progress = new PullProgress();
 * const digest = "sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa";
 * progress.update({ type: "status", status: "pulling manifest" }, 0);
 * progress.update(
 *   { type: "chunk_progress", digest, total: 4661211424, completed: 1000, status: "pulling 6a0746a1ec1a" },
 *   60,
 * );
 * const snapshot = progress.snapshot(60);
 * snapshot.total; // 4661211424
 * snapshot.layers[0].shortDigest; // "6a0746a1ec1a"
 * ```
 */
export class PullProgress {
  readonly #windowMs: number;
  readonly #layers = new Map<string, LayerState>();
  readonly #seenStatuses = new Set<string>();
  #samples: Sample[] = [];
  #phase: PullPhase = "starting";
  #status = "";
  /** The last raw status seen, and its sanitized form (sanitized once per change). */
  #rawStatus = "";
  #cleanStatus = "";
  #statusChanges = 0;
  #transferred = 0;
  #settled = false;
  #attemptHasLayers = false;
  #retry: PullRetrySnapshot | undefined;
  #error: string | undefined;
  #finished = false;
  #startedAt: number | undefined;
  #endedAt: number | undefined;
  #revision = 0;

  /**
   * Creates the state of a pull that has not started.
   *
   * @param options The rate window.
   */
  constructor(options: PullProgressOptions = {}) {
    const window = options.rateWindowMs ?? DEFAULT_RATE_WINDOW_MS;
    this.#windowMs = Number.isFinite(window) && window > 0 ? window : DEFAULT_RATE_WINDOW_MS;
  }

  /** The current phase (cheap; no snapshot needed). */
  get phase(): PullPhase {
    return this.#phase;
  }

  /** See {@link PullProgressSnapshot.statusChanges} (cheap; no snapshot needed). */
  get statusChanges(): number {
    return this.#statusChanges;
  }

  /** See {@link PullProgressSnapshot.status} (cheap; no snapshot needed). */
  get status(): string {
    return this.#status;
  }

  /** See {@link PullProgressSnapshot.revision} (cheap; no snapshot needed). */
  get revision(): number {
    return this.#revision;
  }

  /**
   * Applies one event.
   *
   * @param event The event, as the client delivers it.
   * @param nowMs When it arrived, in milliseconds on any monotonic clock.
   */
  update(event: OllamaPullEvent, nowMs: number): void {
    this.#revision++;
    this.#startedAt ??= nowMs;
    switch (event.type) {
      case "status":
        this.#announce(event.status);
        this.#phase = this.#attemptHasLayers ? "finishing" : "starting";
        if (this.#attemptHasLayers) this.#settled = true;
        break;
      case "chunk_progress":
        this.#announce(event.status);
        this.#chunk(event.digest, event.total, event.completed, nowMs);
        this.#phase = "downloading";
        this.#attemptHasLayers = true;
        this.#error = undefined;
        break;
      case "success":
        this.#phase = "success";
        this.#settled = true;
        this.#finished = true;
        this.#endedAt = nowMs;
        break;
      case "error":
        this.#phase = "error";
        this.#error = sanitizeText(event.message);
        break;
      case "retry":
        this.#phase = "retrying";
        this.#retry = {
          attempt: event.attempt,
          maxAttempts: event.maxAttempts,
          delayMs: event.delayMs,
          reason: sanitizeText(event.reason),
        };
        this.#error = undefined;
        this.#attemptHasLayers = false;
        this.#seenStatuses.clear();
        this.#statusChanges++;
        this.#status = "";
        break;
    }
  }

  /**
   * Records how the pull ended (the reporter's `finish`). After `success`, every layer counts as
   * complete and the percentage is 100.
   *
   * @param outcome How it ended.
   * @param nowMs When.
   */
  finish(outcome: PullOutcome, nowMs: number): void {
    this.#revision++;
    this.#startedAt ??= nowMs;
    this.#phase = outcome;
    this.#finished = true;
    this.#endedAt ??= nowMs;
    if (outcome === "success") this.#settled = true;
  }

  /**
   * The state at `nowMs` (the rate and ETA depend on the time).
   *
   * @param nowMs The current time, on the clock given to {@link PullProgress.update}.
   * @returns An immutable snapshot.
   */
  snapshot(nowMs: number): PullProgressSnapshot {
    const layers: PullLayerSnapshot[] = [];
    let completed = 0;
    let total = 0;
    let unknown = false;
    for (const layer of this.#layers.values()) {
      const view = this.#layerView(layer);
      layers.push(view);
      completed += view.completed;
      total += view.total ?? view.completed;
      if (view.total === undefined) unknown = true;
    }
    const totalIsLowerBound = unknown || layers.length === 0;
    let percent = total > 0 ? Math.min(100, Math.max(0, (completed / total) * 100)) : 0;
    if (this.#phase === "success") percent = 100;
    const bytesPerSecond = this.#phase === "success" ? 0 : this.#rate(nowMs);
    const remaining = Math.max(0, total - completed);
    const etaSeconds = bytesPerSecond > 0 && !totalIsLowerBound
      ? remaining / bytesPerSecond
      : undefined;
    const end = this.#endedAt ?? nowMs;
    return {
      phase: this.#phase,
      status: this.#status,
      statusChanges: this.#statusChanges,
      layers,
      completed,
      total,
      totalIsLowerBound,
      percent,
      transferred: this.#transferred,
      bytesPerSecond,
      etaSeconds,
      retry: this.#phase === "retrying" ? this.#retry : undefined,
      error: this.#phase === "error" ? this.#error : undefined,
      finished: this.#finished,
      elapsedMs: this.#startedAt === undefined ? 0 : Math.max(0, end - this.#startedAt),
      revision: this.#revision,
    };
  }

  #announce(rawStatus: string): void {
    // Every progress line of a layer repeats its status: clean it once (half of an event's
    // cost at 16k events/s, measured by bench/redraw.ts).
    if (rawStatus !== this.#rawStatus) {
      this.#rawStatus = rawStatus;
      this.#cleanStatus = sanitizeText(rawStatus);
    }
    const status = this.#cleanStatus;
    if (status === "") return;
    this.#status = status;
    if (this.#seenStatuses.has(status)) return;
    if (this.#seenStatuses.size >= MAX_REMEMBERED_STATUSES) this.#seenStatuses.clear();
    this.#seenStatuses.add(status);
    this.#statusChanges++;
  }

  #chunk(rawDigest: string, total: number | undefined, completed: number, nowMs: number): void {
    const size = total !== undefined && Number.isFinite(total) && total > 0 ? total : undefined;
    const done = Number.isFinite(completed) && completed > 0 ? completed : 0;
    const key = rawDigest || "(unnamed)";
    let layer = this.#layers.get(key);
    if (layer === undefined) {
      // A layer's first sighting is not transfer: it may be on disk already, or resumed.
      const digest = sanitizeText(key, { maxLength: 80 });
      layer = { digest, shortDigest: shortDigestOf(digest), total: size, highest: done };
      this.#layers.set(key, layer);
    } else {
      if (done > layer.highest) {
        const ceiling = size ?? layer.total ?? Infinity;
        this.#transferred += Math.max(
          0,
          Math.min(done, ceiling) - Math.min(layer.highest, ceiling),
        );
        layer.highest = done;
      }
      if (size !== undefined) layer.total = size;
    }
    this.#sample(nowMs);
  }

  #layerView(layer: LayerState): PullLayerSnapshot {
    const total = layer.total;
    let completed = total === undefined ? layer.highest : Math.min(layer.highest, total);
    if (this.#settled && total !== undefined) completed = total;
    return {
      digest: layer.digest,
      shortDigest: layer.shortDigest,
      total,
      completed,
      percent: total === undefined ? undefined : (completed / total) * 100,
      done: total !== undefined && completed >= total,
    };
  }

  #sample(nowMs: number): void {
    const samples = this.#samples;
    const previous = samples[samples.length - 2];
    if (previous !== undefined && nowMs - previous.at < SAMPLE_SPACING_MS) {
      // Bursts (many lines in one instant) move the newest sample forward instead of adding one
      // (in place: at 16k events/s an object per event is garbage the reporter need not make).
      const newest = samples[samples.length - 1];
      newest.at = nowMs;
      newest.transferred = this.#transferred;
    } else {
      samples.push({ at: nowMs, transferred: this.#transferred });
    }
    // Keep one sample at or before the window's start: it is the value the window begins with.
    const start = nowMs - this.#windowMs;
    let drop = 0;
    while (drop + 1 < samples.length && samples[drop + 1].at <= start) drop++;
    if (drop > 0) samples.splice(0, drop);
  }

  #rate(nowMs: number): number {
    const samples = this.#samples;
    if (samples.length === 0) return 0;
    const start = nowMs - this.#windowMs;
    let base = samples[0];
    let from = base.at;
    if (base.at <= start) {
      for (const sample of samples) {
        if (sample.at > start) break;
        base = sample;
      }
      from = start;
    }
    const span = nowMs - from;
    if (span < MIN_RATE_SPAN_MS) return 0;
    return Math.max(0, ((this.#transferred - base.transferred) / span) * 1000);
  }
}

function shortDigestOf(digest: string): string {
  const hex = digest.startsWith("sha256:") ? digest.slice("sha256:".length) : digest;
  return hex.slice(0, 12);
}
