/**
 * Retry policy for pulls: which failures are worth another attempt, how long to wait between
 * attempts (exponential backoff with jitter), and an abortable sleep.
 *
 * @module
 */

/** How pulls are retried. */
export interface RetryPolicy {
  /** Re-issues after the first attempt (so `retries + 1` attempts at most). Default 3. */
  retries?: number;
  /** The first delay, in milliseconds, before jitter. Default 500. */
  baseDelayMs?: number;
  /** The longest delay, in milliseconds. Default 30 000. */
  maxDelayMs?: number;
  /** A number in [0, 1); replace for deterministic tests. Default `Math.random`. */
  random?: () => number;
  /** Waits, honouring the signal; replace so tests do not wait. Default {@link sleep}. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Default number of re-issues of a failed pull (the contract's `pull_retries`). */
export const DEFAULT_PULL_RETRIES = 3;

/**
 * The delay before attempt `attempt` (2 for the first retry): `base * 2^(attempt-2)`, capped,
 * times a jitter factor in [0.5, 1.5) so that many clients do not retry in step.
 *
 * @param attempt The attempt about to start, 2 or more.
 * @param policy Base, cap and random source.
 * @returns Milliseconds to wait.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "@vtcode/ollama";
 *
 * backoffDelay(2, { baseDelayMs: 500, random: () => 0.5 }); // 500
 * backoffDelay(4, { baseDelayMs: 500, random: () => 0.5 }); // 2000
 * ```
 */
export function backoffDelay(attempt: number, policy: RetryPolicy = {}): number {
  const base = policy.baseDelayMs ?? 500;
  const cap = policy.maxDelayMs ?? 30_000;
  const random = policy.random ?? Math.random;
  const exponential = Math.min(cap, base * 2 ** Math.max(0, attempt - 2));
  return Math.round(Math.min(cap, exponential * (0.5 + random())));
}

/**
 * Server error texts that a new attempt can get past: Ollama's own downloader giving up on a
 * flaky connection, a digest mismatch (the blob is fetched again), gateway errors.
 */
const TRANSIENT_SERVER_ERROR =
  /max retries exceeded|unexpected EOF|connection reset|broken pipe|i\/o timeout|timed? ?out|temporar|digest mismatch|too many requests|service unavailable|bad gateway|gateway timeout/i;

/**
 * Whether a pull that failed with this server error text is worth re-issuing. Permanent
 * failures (`file does not exist`, `unauthorized`, `invalid model name`) are not.
 *
 * @param message The server's error text.
 * @returns `true` for transient errors.
 *
 * @example
 * ```ts
 * import { isTransientPullError } from "@vtcode/ollama";
 *
 * isTransientPullError("max retries exceeded: unexpected EOF"); // true
 * isTransientPullError("pull model manifest: file does not exist"); // false
 * ```
 */
export function isTransientPullError(message: string): boolean {
  return TRANSIENT_SERVER_ERROR.test(message);
}

/**
 * Whether an HTTP status from `POST /api/pull` is worth a retry: 408, 429 and 5xx.
 *
 * @param status The HTTP status.
 * @returns `true` when another attempt may succeed.
 *
 * @example
 * ```ts
 * import { isTransientStatus } from "@vtcode/ollama";
 *
 * isTransientStatus(502); // true
 * isTransientStatus(400); // false
 * ```
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Waits `ms` milliseconds, or rejects with the signal's reason as soon as it is aborted. The
 * timer is cleared either way.
 *
 * @param ms How long to wait.
 * @param signal Cuts the wait short.
 *
 * @example
 * ```ts
 * import { sleep } from "@vtcode/ollama";
 *
 * await sleep(10, AbortSignal.timeout(1_000));
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
