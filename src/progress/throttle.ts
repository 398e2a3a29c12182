/**
 * Rate limits shared by the reporters, on a clock that is passed in: a time-slot throttle (at
 * most one redraw or progress line per interval) and a line budget (bursts allowed, a few lines
 * a second on average).
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

/**
 * A budget of lines: up to `burst` at once, refilled at `perSecond`, on a clock that is passed
 * in. Lets the few lines of a normal pull through as they come, and holds a flood (a server that
 * invents a new status or layer on every line) to a few lines a second.
 *
 * @example
 * ```ts
 * import { LineBudget } from "./throttle.ts";
 *
 * const budget = new LineBudget(2, 1);
 * budget.tryTake(0); // true
 * budget.tryTake(0); // true
 * budget.tryTake(0); // false
 * budget.waitMs(0); // 1000
 * budget.tryTake(1000); // true
 * ```
 */
export class LineBudget {
  readonly #burst: number;
  readonly #perMs: number;
  #tokens: number;
  #at = -Infinity;

  /**
   * Creates a full budget.
   *
   * @param burst The most lines at once (at least 1).
   * @param perSecond Lines a second it refills at (more than 0).
   */
  constructor(burst: number, perSecond: number) {
    this.#burst = Number.isFinite(burst) && burst >= 1 ? Math.floor(burst) : 1;
    this.#perMs = Number.isFinite(perSecond) && perSecond > 0 ? perSecond / 1000 : 1 / 1000;
    this.#tokens = this.#burst;
  }

  /**
   * Spends one line if the budget has one at `nowMs`.
   *
   * @param nowMs The current time.
   * @returns Whether the caller may write the line.
   */
  tryTake(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /**
   * How long until one line is available.
   *
   * @param nowMs The current time.
   * @returns Milliseconds, 0 when available now.
   */
  waitMs(nowMs: number): number {
    this.#refill(nowMs);
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#perMs);
  }

  #refill(nowMs: number): void {
    if (this.#at === -Infinity || nowMs < this.#at) {
      this.#at = nowMs;
      return;
    }
    this.#tokens = Math.min(this.#burst, this.#tokens + (nowMs - this.#at) * this.#perMs);
    this.#at = nowMs;
  }
}
