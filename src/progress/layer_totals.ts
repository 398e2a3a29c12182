/**
 * The byte arithmetic over a pull's layers: which layers were seen, their sizes (from the server,
 * else from the manifest), the bytes done, what was already on disk, and whether the total is
 * exact. Every line costs O(1): sums are kept per group of layers, a layer's share taken back
 * and added again when it changes, and "the server moved past the layers" (every layer seen so
 * far is complete) moves a whole group at once instead of visiting each layer.
 *
 * Internal to the progress math (`progress_state.ts`): not exported from the package root.
 *
 * @module
 */

import type { OllamaManifestLayer } from "../events.ts";
import { sanitizeText } from "../sanitize.ts";

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

/**
 * The layers of one pull and their sums.
 *
 * @example
 * ```ts
 * import { LayerTotals } from "./layer_totals.ts";
 *
 * const totals = new LayerTotals();
 * totals.setManifest([{ digest: "sha256:a", size: 100 }, { digest: "sha256:b", size: 50 }]);
 * totals.chunk("sha256:a", 100, 40);
 * totals.total; // 150
 * totals.lowerBound; // false
 * totals.position; // 1
 * ```
 */
export class LayerTotals {
  readonly #layers = new Map<string, LayerState>();
  readonly #order: LayerState[] = [];
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
  #current: LayerState | undefined;

  /** Bytes done over all layers (each at its highest seen, complete once settled). */
  get completed(): number {
    const live = this.#live;
    return this.#settled.known + this.#settled.unknown + this.#skipped + live.knownDone +
      live.unknown;
  }

  /** Bytes in all layers as far as known. */
  get total(): number {
    return this.#settled.known + this.#settled.unknown + this.#live.known + this.#live.unknown +
      this.#unseen + this.#skipped;
  }

  /** Whether more bytes may come than `total` says. */
  get lowerBound(): boolean {
    if (this.#layersOver) return false;
    if (this.#live.count > this.#live.knownCount) return true;
    return this.#manifest === undefined || this.#surprises > 0;
  }

  /** Whether the server moved past the layers (and no layer came since). */
  get over(): boolean {
    return this.#layersOver;
  }

  /** How many layers the model has, when known. */
  get layersTotal(): number | undefined {
    if (this.#manifest !== undefined && this.#surprises === 0) return this.#manifestCount;
    if (this.#layersOver) return this.#order.length + this.#unseenCount + this.#skippedCount;
    return undefined;
  }

  /** Layers seen. */
  get count(): number {
    return this.#order.length;
  }

  /** Layers complete. */
  get done(): number {
    return this.#settled.count + this.#live.doneCount + this.#skippedCount;
  }

  /** The place of the layer that moved last (1-based), 0 before any. */
  get position(): number {
    return this.#current?.position ?? 0;
  }

  /** Bytes that were on disk when their layer was first seen. */
  get onDisk(): number {
    return this.#settled.base + this.#live.base;
  }

  /**
   * The last `max` layers seen, in the order they appeared.
   *
   * @param max The most layers to return.
   * @returns Their views.
   */
  layers(max: number): PullLayerSnapshot[] {
    const count = Math.max(0, Math.min(this.#order.length, Math.floor(max)));
    return this.#order.slice(this.#order.length - count).map((layer) => this.#view(layer));
  }

  /** The server moved past the layers: every layer seen so far is complete. */
  settle(): void {
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

  /**
   * Takes the registry's list of layers: the exact total, and each layer's place. O(layers),
   * once per attempt.
   *
   * @param layers The manifest's layers, in order.
   */
  setManifest(layers: readonly OllamaManifestLayer[]): void {
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
    if (this.#layersOver) this.settle();
  }

  /**
   * Applies a layer's progress line. O(1).
   *
   * @param rawDigest The digest as sent.
   * @param total Its size as sent (`undefined` when omitted).
   * @param completed Its bytes on disk as sent.
   * @returns The bytes that arrived since the layer's previous line (0 for a first sighting).
   */
  chunk(rawDigest: string, total: number | undefined, completed: number): number {
    const size = total !== undefined && Number.isFinite(total) && total > 0 ? total : undefined;
    const done = Number.isFinite(completed) && completed > 0 ? completed : 0;
    const key = rawDigest || "(unnamed)";
    this.#layersOver = false;
    let arrived = 0;
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
        arrived = Math.max(0, Math.min(done, ceiling) - Math.min(layer.highest, ceiling));
        layer.highest = done;
      }
      if (size !== undefined) layer.reported = size;
      this.#recount(layer);
    }
    this.#current = layer;
    return arrived;
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

  #view(layer: LayerState): PullLayerSnapshot {
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
