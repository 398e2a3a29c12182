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

import type { OllamaManifestLayer, OllamaPullEvent } from "../events.ts";
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
  /** The layer's size, when known (from the server, else from the manifest). */
  readonly total: number | undefined;
  /** Bytes done for display: the highest `completed` seen, at most `total`. */
  readonly completed: number;
  /** 0..100 when the size is known, else `undefined`. */
  readonly percent: number | undefined;
  /** Whether the layer is complete. */
  readonly done: boolean;
  /** Its place in the model: its index in the manifest plus one, else the order it appeared in. */
  readonly position: number;
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

// Samples closer together than this are merged, bounding memory at any event rate.
const SAMPLE_SPACING_MS = 100;
// Below this much history the rate is not yet meaningful and reads as 0.
const MIN_RATE_SPAN_MS = 500;
// A server inventing a new status on every line must not grow memory without bound.
const MAX_REMEMBERED_STATUSES = 512;

interface LayerState {
  /** The digest as the server sent it (the key of the maps). */
  readonly key: string;
  readonly digest: string;
  readonly shortDigest: string;
  /** Its size as the server said it, else `undefined`. */
  reported: number | undefined;
  /** The highest `completed` seen. */
  highest: number;
  /** `completed` at first sighting: already on disk. */
  readonly first: number;
  position: number;
  /** The settle generation it belongs to: settled once the pull's generation is higher. */
  readonly generation: number;
  /** What it adds to its group's sums now (to be taken back when it changes). */
  added: Contribution;
}

/** A layer's share of the sums, as counted while its group is unsettled. */
interface Contribution {
  /** Its size when known (else 0). */
  known: number;
  /** min(highest, size) when the size is known (else 0). */
  knownDone: number;
  /** highest when the size is unknown (else 0). */
  unknown: number;
  /** min(first, size). */
  base: number;
  /** 1 when its size is known. */
  knownCount: number;
  /** 1 when its size is known and it is complete. */
  doneCount: number;
}

/** Running sums over a group of layers. */
class Sums {
  known = 0;
  knownDone = 0;
  unknown = 0;
  base = 0;
  count = 0;
  knownCount = 0;
  doneCount = 0;

  add(c: Contribution, sign: 1 | -1): void {
    this.known += sign * c.known;
    this.knownDone += sign * c.knownDone;
    this.unknown += sign * c.unknown;
    this.base += sign * c.base;
    this.knownCount += sign * c.knownCount;
    this.doneCount += sign * c.doneCount;
  }

  merge(other: Sums): void {
    this.known += other.known;
    this.knownDone += other.knownDone;
    this.unknown += other.unknown;
    this.base += other.base;
    this.count += other.count;
    this.knownCount += other.knownCount;
    this.doneCount += other.doneCount;
  }
}

interface ManifestEntry {
  readonly size: number;
  readonly position: number;
  seen: boolean;
}

interface Sample {
  at: number;
  transferred: number;
}

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
  readonly #windowMs: number;
  readonly #layers = new Map<string, LayerState>();
  readonly #order: LayerState[] = [];
  readonly #seenStatuses = new Set<string>();
  /** Layers of earlier settle generations (complete), and of the current one. */
  readonly #settled = new Sums();
  #live = new Sums();
  #generation = 0;
  #manifest: Map<string, ManifestEntry> | undefined;
  #manifestCount = 0;
  /** Sizes of manifest layers not seen yet, and of those the server finished without a line. */
  #unseen = 0;
  #unseenCount = 0;
  #skipped = 0;
  #skippedCount = 0;
  /** Layers seen that the manifest does not list. */
  #surprises = 0;
  #layersOver = false;
  #percentFloor = 0;
  #current: LayerState | undefined;
  #samples: Sample[] = [];
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
    this.#windowMs = Number.isFinite(window) && window > 0 ? window : DEFAULT_RATE_WINDOW_MS;
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
    return this.#order.length;
  }

  /** See {@link PullProgressSnapshot.completed} (cheap). */
  get completed(): number {
    return this.#completed();
  }

  /** See {@link PullProgressSnapshot.total} (cheap). */
  get total(): number {
    return this.#total();
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
        if (this.#attemptHasLayers) this.#settle();
        break;
      case "chunk_progress":
        this.#announce(event.status);
        this.#chunk(event.digest, event.total, event.completed, nowMs);
        this.#phase = "downloading";
        this.#attemptHasLayers = true;
        this.#layersOver = false;
        this.#error = undefined;
        break;
      case "manifest":
        this.#setManifest(event.layers);
        break;
      case "success":
        this.#phase = "success";
        this.#settle();
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
    if (outcome === "success") this.#settle();
    this.#raiseFloor();
  }

  /**
   * The state at `nowMs` (the rate and ETA depend on the time). O(1).
   *
   * @param nowMs The current time, on the clock given to {@link PullProgress.update}.
   * @returns An immutable snapshot.
   */
  snapshot(nowMs: number): PullProgressSnapshot {
    const completed = this.#completed();
    const total = this.#total();
    const lowerBound = this.#lowerBound();
    const bytesPerSecond = this.#phase === "success" ? 0 : this.#rate(nowMs);
    const remaining = total - completed;
    const etaSeconds = bytesPerSecond > 0 && remaining > 0 && !lowerBound &&
        this.#phase === "downloading"
      ? remaining / bytesPerSecond
      : undefined;
    const onDisk = this.#settled.base + this.#live.base;
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
      layerCount: this.#order.length,
      layersDone: this.#settled.count + this.#live.doneCount + this.#skippedCount,
      layersTotal: this.#layersTotal(),
      layerPosition: this.#current?.position ?? 0,
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
    const count = Math.max(0, Math.min(this.#order.length, Math.floor(max)));
    return this.#order.slice(this.#order.length - count).map((layer) => this.#layerView(layer));
  }

  #completed(): number {
    const live = this.#live;
    return this.#settled.known + this.#settled.unknown + this.#skipped + live.knownDone +
      live.unknown;
  }

  #total(): number {
    return this.#settled.known + this.#settled.unknown + this.#live.known + this.#live.unknown +
      this.#unseen + this.#skipped;
  }

  #lowerBound(): boolean {
    if (this.#layersOver || this.#phase === "success") return false;
    if (this.#live.count > this.#live.knownCount) return true;
    return this.#manifest === undefined || this.#surprises > 0;
  }

  #layersTotal(): number | undefined {
    if (this.#manifest !== undefined && this.#surprises === 0) return this.#manifestCount;
    if (this.#layersOver || this.#phase === "success") {
      return this.#order.length + this.#unseenCount + this.#skippedCount;
    }
    return undefined;
  }

  #raiseFloor(): void {
    if (this.#lowerBound()) return;
    const total = this.#total();
    const percent = this.#phase === "success" || (total === 0 && this.#layersOver)
      ? 100
      : total > 0
      ? Math.min(100, (this.#completed() / total) * 100)
      : 0;
    if (percent > this.#percentFloor) this.#percentFloor = percent;
  }

  /** The server moved past the layers: every layer seen so far is complete. */
  #settle(): void {
    this.#layersOver = true;
    this.#settled.merge(this.#live);
    this.#live = new Sums();
    this.#generation++;
    // Manifest layers the server never named (a blob done within one tick) are complete too.
    this.#skipped += this.#unseen;
    this.#skippedCount += this.#unseenCount;
    this.#unseen = 0;
    this.#unseenCount = 0;
  }

  #setManifest(layers: readonly OllamaManifestLayer[]): void {
    const manifest = new Map<string, ManifestEntry>();
    for (const layer of layers) {
      if (manifest.has(layer.digest)) continue;
      const size = Number.isFinite(layer.size) && layer.size > 0 ? layer.size : 0;
      manifest.set(layer.digest, { size, position: manifest.size + 1, seen: false });
    }
    this.#manifest = manifest;
    this.#manifestCount = manifest.size;
    // Once per attempt: recount what is seen against the new list (O(layers), not per event).
    this.#unseen = 0;
    this.#unseenCount = 0;
    this.#skipped = 0;
    this.#skippedCount = 0;
    this.#surprises = 0;
    for (const [key, layer] of this.#layers) {
      const entry = manifest.get(key);
      if (entry === undefined) {
        this.#surprises++;
        continue;
      }
      entry.seen = true;
      layer.position = entry.position;
    }
    for (const layer of this.#order) this.#recount(layer);
    for (const entry of manifest.values()) {
      if (entry.seen) continue;
      this.#unseen += entry.size;
      this.#unseenCount++;
    }
    if (this.#layersOver) this.#settle();
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

  #chunk(rawDigest: string, total: number | undefined, completed: number, nowMs: number): void {
    const size = total !== undefined && Number.isFinite(total) && total > 0 ? total : undefined;
    const done = Number.isFinite(completed) && completed > 0 ? completed : 0;
    const key = rawDigest || "(unnamed)";
    let layer = this.#layers.get(key);
    if (layer === undefined) {
      // A layer's first sighting is not transfer: it may be on disk already, or resumed.
      const digest = sanitizeText(key, { maxLength: 80 });
      layer = {
        key,
        digest,
        shortDigest: shortDigestOf(digest),
        reported: size,
        highest: done,
        first: done,
        position: this.#order.length + 1,
        generation: this.#generation,
        added: NOTHING,
      };
      this.#layers.set(key, layer);
      this.#order.push(layer);
      this.#live.count++;
      this.#meetManifest(key, layer);
      this.#recount(layer);
    } else {
      const ceiling = size ?? this.#sizeOf(layer) ?? Infinity;
      if (done > layer.highest) {
        this.#transferred += Math.max(
          0,
          Math.min(done, ceiling) - Math.min(layer.highest, ceiling),
        );
        layer.highest = done;
      }
      if (size !== undefined) layer.reported = size;
      this.#recount(layer);
    }
    this.#current = layer;
    this.#sample(nowMs);
  }

  /** A layer seen for the first time: take it off the manifest's unseen list. */
  #meetManifest(key: string, layer: LayerState): void {
    const entry = this.#manifest?.get(key);
    if (this.#manifest === undefined) return;
    if (entry === undefined) {
      this.#surprises++;
      return;
    }
    layer.position = entry.position;
    if (entry.seen) return;
    entry.seen = true;
    // After a settle, the unseen ones were moved to `skipped`; it was named after all.
    if (this.#unseenCount > 0) {
      this.#unseen -= entry.size;
      this.#unseenCount--;
    } else if (this.#skippedCount > 0) {
      this.#skipped -= entry.size;
      this.#skippedCount--;
    }
  }

  #sizeOf(layer: LayerState): number | undefined {
    if (layer.reported !== undefined) return layer.reported;
    const size = this.#manifest?.get(layer.key)?.size;
    return size !== undefined && size > 0 ? size : undefined;
  }

  /** Takes back what the layer added to its group's sums and adds its current share. */
  #recount(layer: LayerState): void {
    const sums = layer.generation < this.#generation ? this.#settled : this.#live;
    sums.add(layer.added, -1);
    const size = this.#sizeOf(layer);
    layer.added = size === undefined
      ? {
        known: 0,
        knownDone: 0,
        unknown: layer.highest,
        base: layer.first,
        knownCount: 0,
        doneCount: 0,
      }
      : {
        known: size,
        knownDone: Math.min(layer.highest, size),
        unknown: 0,
        base: Math.min(layer.first, size),
        knownCount: 1,
        doneCount: layer.highest >= size ? 1 : 0,
      };
    sums.add(layer.added, 1);
  }

  #layerView(layer: LayerState): PullLayerSnapshot {
    const total = this.#sizeOf(layer);
    const settled = layer.generation < this.#generation;
    let completed = total === undefined ? layer.highest : Math.min(layer.highest, total);
    if (settled && total !== undefined) completed = total;
    return {
      digest: layer.digest,
      shortDigest: layer.shortDigest,
      total,
      completed,
      percent: total === undefined ? undefined : (completed / total) * 100,
      done: settled || (total !== undefined && completed >= total),
      position: layer.position,
    };
  }

  #sample(nowMs: number): void {
    const samples = this.#samples;
    const previous = samples[samples.length - 2];
    if (previous !== undefined && nowMs - previous.at < SAMPLE_SPACING_MS) {
      // Bursts (many lines in one instant) move the newest sample forward instead of adding one.
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

const NOTHING: Contribution = {
  known: 0,
  knownDone: 0,
  unknown: 0,
  base: 0,
  knownCount: 0,
  doneCount: 0,
};

function shortDigestOf(digest: string): string {
  const hex = digest.startsWith("sha256:") ? digest.slice("sha256:".length) : digest;
  return hex.slice(0, 12);
}
