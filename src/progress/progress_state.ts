/**
 * The arithmetic of a pull's progress, kept apart from any rendering: per-layer state, totals
 * over all layers, a sliding-window transfer rate, the ETA and the current phase.
 *
 * It is fed the events of one model's pull with the time they arrived, and answers with an
 * immutable {@link PullProgressSnapshot}. It never reads a clock: time is always passed in.
 * Every update and every snapshot costs O(1) (amortized), however many layers the pull has:
 * totals are kept as running sums, and a snapshot carries counts, not the layers (ask
 * {@link PullProgress.layers} for those, bounded).
 *
 * What it tolerates, because real servers do it (`shared/ollama-protocol.md`):
 * - layers announced one at a time: until the registry's manifest is known (a `manifest`
 *   event) or the server has moved past the layers (`verifying sha256 digest`, `success`), more
 *   layers may come, so the total is a lower bound: flagged, and no percentage or ETA is given;
 * - `total` omitted (zero) on a layer's lines: the layer counts as unknown-size (its manifest
 *   size, when known, stands in);
 * - `completed` going backwards: each layer counts the highest value seen, so bars never shrink;
 * - a layer already on disk announced by one line with `completed == total`, and a resumed
 *   layer whose first line is already high: neither counts as downloaded;
 * - a layer's last line below its total: once the server moves on to verifying (or says
 *   `success`), every layer is complete;
 * - a `retry` event: layers are kept, so a resumed pull does not fall back to 0%.
 *
 * The percentage, once given, never goes down within one pull (see
 * {@link PullProgressSnapshot.percent}).
 *
 * All text in a snapshot (status, digests, error and retry reasons) has passed through
 * {@link sanitizeText}.
 *
 * @module
 */

import type { OllamaPullEvent } from "../events.ts";
import { sanitizeText } from "../sanitize.ts";
import { LayerTotals, type PullLayerSnapshot } from "./layer_totals.ts";

export type { PullLayerSnapshot } from "./layer_totals.ts";
import { TransferRate } from "./transfer_rate.ts";

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
 * An immutable picture of a pull at one moment: what renderers draw. Its size does not depend
 * on the number of layers.
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
   */
  readonly statusChanges: number;
  /** How many `status` events (phases, not layers) not seen before in the attempt came so far. */
  readonly phaseChanges: number;
  /** Bytes done over all layers (each at its highest seen). */
  readonly completed: number;
  /**
   * Bytes in the model as far as known: the sizes of the layers seen (for a layer of unknown
   * size, the bytes seen of it) plus those of the manifest's layers not seen yet. Exact only
   * when `totalIsLowerBound` is false.
   */
  readonly total: number;
  /**
   * Whether more bytes may come than `total` says: no manifest is known and the server has not
   * moved past the layers (more layers may be announced), or a layer's size is unknown, or a
   * layer appeared that the manifest did not list.
   */
  readonly totalIsLowerBound: boolean;
  /**
   * 0..100 while the total is exact, `undefined` while it is a lower bound (a percentage of a
   * total that may still grow would fall back when the next layer is announced). Once given it
   * never goes down within the pull; 100 once the pull succeeded.
   */
  readonly percent: number | undefined;
  /** Layers seen so far. */
  readonly layerCount: number;
  /** Layers complete so far. */
  readonly layersDone: number;
  /** How many layers the model has, when known (manifest, or the server moved past them). */
  readonly layersTotal: number | undefined;
  /** The position (1-based) of the layer that moved last; 0 before any layer. */
  readonly layerPosition: number;
  /** Bytes that were already on disk when their layer was first seen (resumed or present). */
  readonly onDisk: number;
  /** Bytes this pull brought: `completed` minus `onDisk`. */
  readonly downloaded: number;
  /** Bytes that arrived in this pull (not counting what was on disk before), for the rate. */
  readonly transferred: number;
  /** Transfer rate over the sliding window, bytes per second; 0 without enough samples. */
  readonly bytesPerSecond: number;
  /**
   * Seconds left at the current rate, while downloading with an exact total and bytes still to
   * come; else `undefined`.
   */
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

// A server inventing a new status on every line must not grow memory without bound.
const MAX_REMEMBERED_STATUSES = 512;

/**
 * The progress of one model's pull: feed it every event with the time it arrived, read a
 * {@link PullProgressSnapshot} whenever a display wants one.
 *
 * @example Exact totals from the manifest, before the server names a layer
 * ```ts
 * import { PullProgress } from "@vtcode/ollama";
 *
 * const progress = new PullProgress();
 * const weights = "sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa";
 * const config = "sha256:3f8eb4da87fa7a3c9da615036b0dc418d31fef2a30b115ff33562588b32c691d";
 * progress.update({ type: "manifest", layers: [{ digest: weights, size: 4661211424 }, { digest: config, size: 485 }] }, 0);
 * progress.update(
 *   { type: "chunk_progress", digest: weights, total: 4661211424, completed: 1000, status: "pulling 6a0746a1ec1a" },
 *   60,
 * );
 * const snapshot = progress.snapshot(60);
 * snapshot.total; // 4661211909
 * snapshot.totalIsLowerBound; // false
 * snapshot.layerPosition; // 1
 * snapshot.layersTotal; // 2
 * ```
 */
export class PullProgress {
  readonly #layers = new LayerTotals();
  readonly #rate: TransferRate;
  readonly #seenStatuses = new Set<string>();
  #percentFloor = 0;
  #phase: PullPhase = "starting";
  #status = "";
  /** The last raw status seen, and its sanitized form (sanitized once per change). */
  #rawStatus = "";
  #cleanStatus = "";
  #statusChanges = 0;
  #phaseChanges = 0;
  #transferred = 0;
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
    this.#rate = new TransferRate(
      Number.isFinite(window) && window > 0 ? window : DEFAULT_RATE_WINDOW_MS,
    );
  }

  /** The current phase (cheap). */
  get phase(): PullPhase {
    return this.#phase;
  }

  /** See {@link PullProgressSnapshot.statusChanges} (cheap). */
  get statusChanges(): number {
    return this.#statusChanges;
  }

  /** See {@link PullProgressSnapshot.phaseChanges} (cheap). */
  get phaseChanges(): number {
    return this.#phaseChanges;
  }

  /** See {@link PullProgressSnapshot.status} (cheap). */
  get status(): string {
    return this.#status;
  }

  /** See {@link PullProgressSnapshot.layerCount} (cheap). */
  get layerCount(): number {
    return this.#layers.count;
  }

  /** See {@link PullProgressSnapshot.completed} (cheap). */
  get completed(): number {
    return this.#layers.completed;
  }

  /** See {@link PullProgressSnapshot.total} (cheap). */
  get total(): number {
    return this.#layers.total;
  }

  /** See {@link PullProgressSnapshot.revision} (cheap). */
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
        if (this.#announce(event.status)) this.#phaseChanges++;
        this.#phase = this.#attemptHasLayers ? "finishing" : "starting";
        if (this.#attemptHasLayers) this.#layers.settle();
        break;
      case "chunk_progress":
        this.#announce(event.status);
        this.#transferred += this.#layers.chunk(event.digest, event.total, event.completed);
        this.#rate.record(nowMs, this.#transferred);
        this.#phase = "downloading";
        this.#attemptHasLayers = true;
        this.#error = undefined;
        break;
      case "manifest":
        this.#layers.setManifest(event.layers);
        break;
      case "success":
        this.#phase = "success";
        this.#layers.settle();
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
        this.#phaseChanges++;
        this.#status = "";
        break;
    }
    this.#raiseFloor();
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
    if (outcome === "success") this.#layers.settle();
    this.#raiseFloor();
  }

  /**
   * The state at `nowMs` (the rate and ETA depend on the time). O(1).
   *
   * @param nowMs The current time, on the clock given to {@link PullProgress.update}.
   * @returns An immutable snapshot.
   */
  snapshot(nowMs: number): PullProgressSnapshot {
    const layers = this.#layers;
    const completed = layers.completed;
    const total = layers.total;
    const lowerBound = layers.lowerBound;
    const bytesPerSecond = this.#phase === "success" ? 0 : this.#rate.bytesPerSecond(nowMs);
    const remaining = total - completed;
    const etaSeconds = bytesPerSecond > 0 && remaining > 0 && !lowerBound &&
        this.#phase === "downloading"
      ? remaining / bytesPerSecond
      : undefined;
    const onDisk = layers.onDisk;
    const end = this.#endedAt ?? nowMs;
    return {
      phase: this.#phase,
      status: this.#status,
      statusChanges: this.#statusChanges,
      phaseChanges: this.#phaseChanges,
      completed,
      total,
      totalIsLowerBound: lowerBound,
      percent: lowerBound ? undefined : this.#percentFloor,
      layerCount: layers.count,
      layersDone: layers.done,
      layersTotal: layers.layersTotal,
      layerPosition: layers.position,
      onDisk,
      downloaded: Math.max(0, completed - onDisk),
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

  /**
   * The layers seen, in the order they first appeared: the last `max` of them (all by default,
   * which costs O(layers); a display asks for the few it has room for).
   *
   * @param max The most layers to return, the most recent ones.
   * @returns The layers.
   */
  layers(max = Infinity): PullLayerSnapshot[] {
    return this.#layers.layers(max);
  }

  #raiseFloor(): void {
    const layers = this.#layers;
    if (layers.lowerBound) return;
    const total = layers.total;
    const percent = this.#phase === "success" || (total === 0 && layers.over)
      ? 100
      : total > 0
      ? Math.min(100, (layers.completed / total) * 100)
      : 0;
    if (percent > this.#percentFloor) this.#percentFloor = percent;
  }

  /** Returns whether the status is one not seen before in this attempt. */
  #announce(rawStatus: string): boolean {
    // Every progress line of a layer repeats its status: clean it once per change.
    if (rawStatus !== this.#rawStatus) {
      this.#rawStatus = rawStatus;
      this.#cleanStatus = sanitizeText(rawStatus);
    }
    const status = this.#cleanStatus;
    if (status === "") return false;
    this.#status = status;
    if (this.#seenStatuses.has(status)) return false;
    if (this.#seenStatuses.size >= MAX_REMEMBERED_STATUSES) this.#seenStatuses.clear();
    this.#seenStatuses.add(status);
    this.#statusChanges++;
    return true;
  }
}
