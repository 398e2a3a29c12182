/**
 * The waits of one response of the fake server: timers it can cancel, a signal for the work it
 * started (registry requests, downloads), and why it stopped: the client went away, or the fake
 * was closed.
 *
 * @module
 */

/** Why a response stopped before its end. */
export type StopReason = "client_gone" | "closed";

/** Waits of one response: timers it can cancel, and why it stopped. */
export class Waiter {
  stopped: StopReason | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  readonly #onStop: (waiter: Waiter) => void;
  readonly #abort = new AbortController();

  constructor(onStop: (waiter: Waiter) => void, stopped?: StopReason) {
    this.#onStop = onStop;
    this.stopped = stopped;
    if (stopped !== undefined) this.#abort.abort();
  }

  /** Aborts when the response stops (the client left, or the fake closed). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Resolves after `ms`, or at once when stopped. */
  sleep(ms: number): Promise<void> {
    if (this.stopped !== undefined || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#wake = undefined;
        resolve();
      }, ms);
    });
  }

  /** Resolves only when stopped. */
  forever(): Promise<void> {
    if (this.stopped !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Stops on the signal's abort; returns the function that stops watching. */
  watch(signal: AbortSignal): () => void {
    if (signal.aborted) {
      this.stop("client_gone");
      return () => {};
    }
    const onAbort = () => this.stop("client_gone");
    signal.addEventListener("abort", onAbort, { once: true });
    return () => signal.removeEventListener("abort", onAbort);
  }

  /** Stops for `reason` (the first reason stays), ending every wait. */
  stop(reason: StopReason): void {
    if (this.stopped === undefined) this.stopped = reason;
    this.#abort.abort();
    this.dispose();
  }

  /** Ends the current wait and forgets the waiter. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    this.#onStop(this);
  }
}
