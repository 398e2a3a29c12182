/**
 * A bounded wait that ran out.
 *
 * @module
 */

import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * A bounded wait ran out: the health check, a request, the start of a pull, or a time limit the
 * caller set with its own `AbortSignal.timeout()`.
 *
 * @example
 * ```ts
 * import { RequestTimeoutError } from "@vtcode/ollama";
 *
 * const error = new RequestTimeoutError("GET http://127.0.0.1:11434/api/version", 5000);
 * error.code; // "timeout"
 * ```
 */
export class RequestTimeoutError extends OllamaError {
  /** What was being waited for, e.g. `GET http://127.0.0.1:11434/api/tags`. */
  readonly operation: string;
  /** The bound that ran out, in milliseconds, when known. */
  readonly timeoutMs: number | undefined;

  /**
   * Creates the error.
   *
   * @param operation What was being waited for (URL redacted).
   * @param timeoutMs The bound, in milliseconds, or `undefined` for a caller's own time limit.
   * @param options The cause, if any.
   */
  constructor(operation: string, timeoutMs: number | undefined, options: OllamaErrorOptions = {}) {
    super(
      "timeout",
      timeoutMs === undefined
        ? `${operation} was stopped by the caller's time limit before it finished. Give it ` +
          "more time, or check that the server is not overloaded."
        : `${operation} got no answer within ${formatSeconds(timeoutMs)}. The server may be ` +
          "overloaded or something between us may be dropping packets; raise the bound with " +
          "--timeout or `timeout_secs`, or check the address with --host.",
      options,
    );
    this.name = "RequestTimeoutError";
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(3))} s`;
}
