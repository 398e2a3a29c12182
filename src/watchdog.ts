/**
 * An inactivity bound for streams: aborts a signal when nothing happened for a while.
 *
 * Resetting a timer on every chunk would cost a timer per chunk at 16k chunks a second, and even
 * reading the clock per event showed up as a tenth of a pull's decoding time. So
 * {@link Watchdog.touch} only bumps a counter, and a single timer samples it every sixteenth of
 * the bound: a sample that sees new activity restarts the count from then. The bound therefore
 * fires no earlier than its length after the last activity, and at most a sixteenth later. At
 * most one timer exists at a time, and {@link Watchdog.stop} clears it, so nothing outlives the
 * stream.
 *
 * @module
 */

/** Why a {@link Watchdog} fired: which bound ran out, and how long it was. */
export class WatchdogTimeout extends Error {
  /** The label of the phase whose bound ran out (e.g. `"start"`, `"stall"`, `"quiet"`). */
  readonly phase: string;
  /** The bound, in milliseconds. */
  readonly limitMs: number;

  /**
   * Creates the timeout reason.
   *
   * @param phase The phase whose bound ran out.
   * @param limitMs The bound, in milliseconds.
   */
  constructor(phase: string, limitMs: number) {
    super(`no activity for ${limitMs} ms (${phase})`);
    this.name = "WatchdogTimeout";
    this.phase = phase;
    this.limitMs = limitMs;
  }
}

/**
 * Aborts {@link Watchdog.signal} with a {@link WatchdogTimeout} once no {@link Watchdog.touch}
 * happened for the current phase's bound. The bound can change with the phase (a pull waits
 * longer while the server verifies a blob, which sends nothing).
 *
 * @example
 * ```ts
 * import { Watchdog } from "@vtcode/ollama";
 *
 * const watchdog = new Watchdog("start", 5_000);
 * try {
 *   const response = await fetch("http://127.0.0.1:11434/api/pull", { method: "POST", signal: watchdog.signal });
 *   watchdog.setPhase("stall", 60_000); // then call watchdog.touch() for each chunk
 * } finally {
 *   watchdog.stop();
 * }
 * ```
 */
export class Watchdog {
  readonly #controller = new AbortController();
  #phase: string;
  #limitMs: number;
  #last: number;
  #touches = 0;
  #seenTouches = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the pending timer fires (`performance.now()` time). */
  #dueAt = 0;
  #stopped = false;
  #held = false;
  #heldSince = 0;
  /** Time held since `#last`, which is not idle time. */
  #credit = 0;

  /**
   * Starts watching at once.
   *
   * @param phase A label for the first phase.
   * @param limitMs Its bound, in milliseconds (> 0).
   */
  constructor(phase: string, limitMs: number) {
    this.#phase = phase;
    this.#limitMs = limitMs;
    this.#last = performance.now();
    this.#seenTouches = this.#touches;
    this.#arm(limitMs);
  }

  /** Aborted, with a {@link WatchdogTimeout} as its reason, when a bound runs out. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The current phase's label. */
  get phase(): string {
    return this.#phase;
  }

  /** Records activity: the bound starts again from now (as seen by the next sample). */
  touch(): void {
    this.#touches++;
  }

  /**
   * Suspends the bound while the time is someone else's (a pull's events are with the caller):
   * the time until {@link Watchdog.release} does not count as idle. Two clock reads per hold,
   * so hold once per batch of events, not per event.
   */
  hold(): void {
    if (this.#held || this.#stopped) return;
    this.#held = true;
    this.#heldSince = performance.now();
  }

  /** Ends a {@link Watchdog.hold}: the bound counts again, less the time held. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#credit += performance.now() - this.#heldSince;
  }

  /**
   * Switches to another phase with its own bound, counted from now.
   *
   * @param phase The new phase's label.
   * @param limitMs Its bound, in milliseconds (> 0).
   */
  setPhase(phase: string, limitMs: number): void {
    if (this.#stopped) return;
    this.#phase = phase;
    const shorter = limitMs < this.#limitMs;
    this.#limitMs = limitMs;
    const now = performance.now();
    this.#restart(now);
    // A longer bound is picked up when the pending timer fires; a shorter one needs a new timer,
    // unless the pending one fires soon enough anyway (a stream that goes quiet and back again
    // line after line would otherwise set a timer per line).
    if (shorter && this.#dueAt > now + sampleMs(limitMs, limitMs)) {
      clearTimeout(this.#timer);
      this.#arm(limitMs);
    }
  }

  /** Stops watching and clears the timer. Idempotent. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Counts from `now`: no idle time yet, and a hold in progress counts from `now` too. */
  #restart(now: number): void {
    this.#seenTouches = this.#touches;
    this.#last = now;
    this.#credit = 0;
    if (this.#held) this.#heldSince = now;
  }

  /** Arms the one timer: at the end of the bound, or sooner to sample the activity counter. */
  #arm(ms: number): void {
    const delay = sampleMs(ms, this.#limitMs);
    this.#dueAt = performance.now() + delay;
    this.#timer = setTimeout(() => this.#check(), delay);
  }

  #check(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const now = performance.now();
    if (this.#touches !== this.#seenTouches) {
      // Activity since the last sample: count from now, which is at or after it happened.
      this.#restart(now);
    }
    const idle = now - this.#last - this.#credit - (this.#held ? now - this.#heldSince : 0);
    if (idle >= this.#limitMs) {
      this.#stopped = true;
      this.#controller.abort(new WatchdogTimeout(this.#phase, this.#limitMs));
    } else {
      this.#arm(this.#limitMs - idle);
    }
  }
}

/** The wait before the next look: the time left, or a sixteenth of the bound when sooner. */
function sampleMs(leftMs: number, limitMs: number): number {
  return Math.max(1, Math.ceil(Math.min(leftMs, limitMs / 16)));
}
