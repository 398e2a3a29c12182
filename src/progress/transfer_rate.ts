/**
 * A transfer rate over a sliding window of time, on a clock that is passed in: samples of a
 * growing byte count, merged when closer than 100 ms (memory stays bounded at any event rate),
 * forgotten once they fall out of the window.
 *
 * Internal to the progress math: not exported from the package root.
 *
 * @module
 */

// Samples closer together than this are merged, bounding memory at any event rate.
const SAMPLE_SPACING_MS = 100;
// Below this much history the rate is not yet meaningful and reads as 0.
const MIN_RATE_SPAN_MS = 500;

interface Sample {
  at: number;
  bytes: number;
}

/**
 * Bytes per second over the last `windowMs` milliseconds.
 *
 * @example
 * ```ts
 * import { TransferRate } from "./transfer_rate.ts";
 *
 * const rate = new TransferRate(10_000);
 * rate.record(0, 0);
 * rate.record(1000, 5_000_000);
 * rate.bytesPerSecond(1000); // 5000000
 * ```
 */
export class TransferRate {
  readonly #windowMs: number;
  #samples: Sample[] = [];
  #bytes = 0;

  /**
   * Creates a rate with no history.
   *
   * @param windowMs The window, in milliseconds.
   */
  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /**
   * Records the byte count at a moment. O(1) amortized.
   *
   * @param nowMs The time.
   * @param bytes The bytes transferred so far (never decreasing).
   */
  record(nowMs: number, bytes: number): void {
    this.#bytes = bytes;
    const samples = this.#samples;
    const previous = samples[samples.length - 2];
    if (previous !== undefined && nowMs - previous.at < SAMPLE_SPACING_MS) {
      // Bursts (many lines in one instant) move the newest sample forward instead of adding one.
      const newest = samples[samples.length - 1];
      newest.at = nowMs;
      newest.bytes = bytes;
    } else {
      samples.push({ at: nowMs, bytes });
    }
    // Keep one sample at or before the window's start: it is the value the window begins with.
    const start = nowMs - this.#windowMs;
    let drop = 0;
    while (drop + 1 < samples.length && samples[drop + 1].at <= start) drop++;
    if (drop > 0) samples.splice(0, drop);
  }

  /**
   * The rate at a moment: bytes over the part of the window that has history.
   *
   * @param nowMs The time.
   * @returns Bytes per second; 0 with less than half a second of history.
   */
  bytesPerSecond(nowMs: number): number {
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
    return Math.max(0, ((this.#bytes - base.bytes) / span) * 1000);
  }
}
