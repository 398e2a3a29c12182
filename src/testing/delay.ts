/**
 * A wait that an abort ends early, for the fake's background work (downloads, retries).
 *
 * @module
 */

/**
 * Waits `ms`, or until `signal` aborts.
 *
 * @param ms How long; `Infinity` waits for the abort only.
 * @param signal Ends the wait early.
 * @returns `true` when the time passed, `false` when the signal ended it.
 */
export function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (elapsed: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(elapsed);
    };
    const onAbort = () => done(false);
    const timer = Number.isFinite(ms) ? setTimeout(() => done(true), Math.max(0, ms)) : undefined;
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
