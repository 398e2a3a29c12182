/**
 * A time-slot throttle shared by the reporters (redraws, plain progress lines, NDJSON progress):
 * at most one action per interval, on a clock that is passed in.
 *
 * Internal to the progress reporters: not exported from the package root.
 *
 * @module
 */

/**
 * At most one action per `intervalMs`: {@link Throttle.tryTake} says whether a slot is free now
 * (and takes it), {@link Throttle.waitMs} how long until the next one.
 *
 * @example
 * ```ts
 * import { Throttle } from "./throttle.ts";
 *
 * const throttle = new Throttle(100);
 * throttle.tryTake(0); // true
 * throttle.tryTake(50); // false
 * throttle.waitMs(50); // 50
 * throttle.tryTake(100); // true
 * ```
 */
export class Throttle {
  readonly #intervalMs: number;
  #last = -Infinity;

  /**
   * Creates a throttle whose first slot is free.
   *
   * @param intervalMs The shortest time between two actions; non-finite or negative means 0.
   */
  constructor(intervalMs: number) {
    this.#intervalMs = Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs : 0;
  }

  /**
   * Takes the slot if it is free at `nowMs`.
   *
   * @param nowMs The current time.
   * @returns Whether the caller may act now.
   */
  tryTake(nowMs: number): boolean {
    if (this.waitMs(nowMs) > 0) return false;
    this.#last = nowMs;
    return true;
  }

  /**
   * Takes the slot whether or not it was free (an action that may not wait, e.g. a final line).
   *
   * @param nowMs The current time.
   */
  take(nowMs: number): void {
    this.#last = nowMs;
  }

  /**
   * How long until a slot is free.
   *
   * @param nowMs The current time.
   * @returns Milliseconds, 0 when free now.
   */
  waitMs(nowMs: number): number {
    // A clock that stepped backwards frees the slot rather than blocking until it catches up.
    if (nowMs < this.#last) return 0;
    return Math.max(0, this.#last + this.#intervalMs - nowMs);
  }
}
