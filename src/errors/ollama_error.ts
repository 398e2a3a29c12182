/**
 * The base of every error this package throws, the stable error codes, and the exit status the
 * command line gives each one.
 *
 * @module
 */

/**
 * The stable error codes, as the command line prints them in its `--json` `error.code`.
 *
 * @example
 * ```ts
 * import type { OllamaErrorCode } from "@vtcode/ollama";
 *
 * const code: OllamaErrorCode = "pull_failed";
 * ```
 */
export type OllamaErrorCode =
  | "usage"
  | "config"
  | "invalid_model_name"
  | "unreachable"
  | "timeout"
  | "not_ollama"
  | "model_missing"
  | "not_whitelisted"
  | "cloud_unavailable"
  | "outdated"
  | "pull_failed"
  | "lock_mismatch"
  | "warm_failed"
  | "interrupted"
  | "internal";

const EXIT_CODES: Record<OllamaErrorCode, number> = {
  usage: 2,
  config: 2,
  invalid_model_name: 2,
  unreachable: 3,
  timeout: 3,
  not_ollama: 3,
  model_missing: 4,
  not_whitelisted: 4,
  cloud_unavailable: 4,
  outdated: 4,
  pull_failed: 5,
  lock_mismatch: 6,
  warm_failed: 7,
  interrupted: 130,
  internal: 1,
};

/**
 * The command line's exit status for an error code: 2 usage/config, 3 server, 4 model missing
 * (also outdated, cloud unavailable), 5 pull failed, 6 lock mismatch, 7 warm-up failed,
 * 130 interrupted, 1 internal.
 *
 * @param code The error code.
 * @returns The exit status.
 *
 * @example
 * ```ts
 * import { exitCodeFor } from "@vtcode/ollama";
 *
 * exitCodeFor("not_whitelisted"); // 4
 * exitCodeFor("lock_mismatch"); // 6
 * ```
 */
export function exitCodeFor(code: OllamaErrorCode): number {
  return EXIT_CODES[code] ?? 1;
}

/**
 * Options common to every {@link OllamaError}.
 *
 * @example
 * ```ts
 * import { OllamaError, type OllamaErrorOptions } from "@vtcode/ollama";
 *
 * const options: OllamaErrorOptions = { cause: new Error("socket hang up") };
 * new OllamaError("internal", "something broke", options);
 * ```
 */
export interface OllamaErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
}

/**
 * The base class of every error this package throws. Catch it to handle them all, or a
 * subclass for one outcome; compare `error.code` when the class may come from a second copy
 * of the package. Messages say what happened, what was tried and what to do; text from the
 * server in them has passed through `sanitizeText`, and URLs in them are redacted.
 *
 * @example Tell outcomes apart by code
 * ```ts
 * import { OllamaClient, OllamaError } from "@vtcode/ollama";
 *
 * try {
 *   await OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434");
 * } catch (error) {
 *   if (error instanceof OllamaError && error.code === "unreachable") {
 *     console.error(error.message);
 *   }
 * }
 * ```
 */
export class OllamaError extends Error {
  /** A stable code for this outcome; see {@link OllamaErrorCode}. */
  readonly code: OllamaErrorCode;

  /**
   * Creates the error.
   *
   * @param code The outcome's stable code.
   * @param message What happened, what was tried and what to do.
   * @param options The cause, if any.
   */
  constructor(code: OllamaErrorCode, message: string, options: OllamaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OllamaError";
    this.code = code;
  }

  /** The command line's exit status for this error. */
  get exitCode(): number {
    return exitCodeFor(this.code);
  }
}
