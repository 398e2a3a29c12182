/**
 * Retry policy for pulls: which failures are worth another attempt, how long to wait between
 * attempts (exponential backoff with jitter), and an abortable sleep.
 *
 * @module
 */

import { UsageError } from "./errors/usage_error.ts";

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
 * flaky connection, a digest mismatch (the blob is fetched again), a registry's 5xx, Ollama's
 * 30 s bound on getting a blob's download address (`context deadline exceeded`), a pull that
 * joined a download being cancelled (`context canceled`), gateway errors.
 */
const TRANSIENT_SERVER_ERROR =
  /max retries exceeded|unexpected EOF|connection reset|broken pipe|i\/o timeout|timed? ?out|temporar|digest mismatch|too many requests|service unavailable|bad gateway|gateway timeout|context deadline exceeded|context canceled|pull model manifest: 5\d\d|^5\d\d: /i;

/**
 * Server error texts no new attempt can cure: the model does not exist, it needs a newer
 * server or a runtime the server lacks, the registry is plain HTTP and `insecure` is off, the
 * name is refused, access is denied.
 */
const PERMANENT_SERVER_ERROR =
  /file does not exist|not found|requires a newer version|\b412\b|MLX|insecure protocol|HTTP response to HTTPS client|invalid model name|use either :local or :cloud|unauthorized|access denied|forbidden|\b40[13]\b/i;

/**
 * What a pull's failure calls for: `transient` (re-issue it), `permanent` (stop, the message
 * says why), or `not_found` (stop: no model of that name exists).
 *
 * @example
 * ```ts
 * import type { PullErrorClass } from "@vtcode/ollama";
 *
 * const kind: PullErrorClass = "transient";
 * ```
 */
export type PullErrorClass = "transient" | "permanent" | "not_found";

/**
 * Classifies a pull failure by the server's error text and, when it came with one, the HTTP
 * status. A known text decides; an unknown text is transient with a 5xx (or 408/429) status
 * and permanent otherwise. `file does not exist` means the model is unknown.
 *
 * @param message The server's error text (empty when it sent none).
 * @param status The HTTP status, when the failure came before the stream.
 * @returns The class.
 *
 * @example
 * ```ts
 * import { classifyPullError } from "@vtcode/ollama";
 *
 * classifyPullError("pull model manifest: 503: upstream busy"); // "transient"
 * classifyPullError("insecure protocol http", 500); // "permanent"
 * classifyPullError("pull model manifest: file does not exist"); // "not_found"
 * classifyPullError("", 500); // "transient"
 * ```
 */
export function classifyPullError(message: string, status?: number): PullErrorClass {
  if (/file does not exist/i.test(message)) return "not_found";
  if (TRANSIENT_SERVER_ERROR.test(message)) return "transient";
  if (PERMANENT_SERVER_ERROR.test(message)) return "permanent";
  if (status !== undefined) return isTransientStatus(status) ? "transient" : "permanent";
  // An unknown error inside the stream: the server got far enough to send progress.
  return message === "" ? "transient" : "permanent";
}

/**
 * Whether a pull that failed with this server error text is worth re-issuing (see
 * {@link classifyPullError}).
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
  return classifyPullError(message) === "transient";
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
 * Checks a retry policy given by a caller: `retries` must be a whole number from 0 to 100, the
 * delays finite and not negative. (`NaN` retries used to mean "retry for ever".)
 *
 * @param policy The policy.
 * @returns The same policy.
 * @throws {UsageError} When a field is out of range; the message names it.
 *
 * @example
 * ```ts
 * import { checkRetryPolicy } from "@vtcode/ollama";
 *
 * checkRetryPolicy({ retries: 2 }); // ok
 * // checkRetryPolicy({ retries: NaN }) throws UsageError
 * ```
 */
export function checkRetryPolicy<T extends RetryPolicy | undefined>(policy: T): T {
  if (policy === undefined) return policy;
  if (typeof policy !== "object" || policy === null) {
    throw new UsageError(`retry: expected an object, got ${describe(policy)}`);
  }
  const { retries, baseDelayMs, maxDelayMs } = policy;
  if (
    retries !== undefined &&
    (typeof retries !== "number" || !Number.isInteger(retries) || retries < 0 || retries > 100)
  ) {
    throw new UsageError(
      `retry.retries must be a whole number from 0 to 100, got ${describe(retries)}`,
    );
  }
  for (const [name, value] of [["baseDelayMs", baseDelayMs], ["maxDelayMs", maxDelayMs]] as const) {
    if (
      value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    ) {
      throw new UsageError(
        `retry.${name} must be a finite number of milliseconds >= 0, got ${describe(value)}`,
      );
    }
  }
  return policy;
}

function describe(value: unknown): string {
  return typeof value === "number"
    ? String(value)
    : typeof value === "string"
    ? JSON.stringify(value.slice(0, 40))
    : typeof value;
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
