/**
 * A wait the caller cut short.
 *
 * @module
 */

import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * The signals the command line handles, each with its exit status (128 + signal number).
 *
 * @example
 * ```ts
 * import type { InterruptSignal } from "@vtcode/ollama";
 *
 * const signal: InterruptSignal = "SIGTERM"; // exit 143
 * ```
 */
export type InterruptSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

const SIGNAL_EXIT: Record<InterruptSignal, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Details for an {@link InterruptedError}.
 *
 * @example
 * ```ts
 * import type { InterruptedErrorOptions } from "@vtcode/ollama";
 *
 * const options: InterruptedErrorOptions = { signal: "SIGHUP" };
 * ```
 */
export interface InterruptedErrorOptions extends OllamaErrorOptions {
  /** The process signal behind the interruption, when there was one. */
  signal?: InterruptSignal;
}

/**
 * The caller aborted the wait (its `AbortSignal` fired, or a signal reached the command line).
 * The request was cancelled, not left running. The exit status is 130, or 143 / 129 when the
 * interruption came from SIGTERM / SIGHUP. An abort whose reason is itself an
 * `InterruptedError` keeps that reason's signal.
 *
 * @example
 * ```ts
 * import { InterruptedError } from "@vtcode/ollama";
 *
 * new InterruptedError("pull of llama3:latest").exitCode; // 130
 * new InterruptedError("pull of llama3:latest", { signal: "SIGTERM" }).exitCode; // 143
 * ```
 */
export class InterruptedError extends OllamaError {
  /** The process signal behind the interruption, when there was one. */
  readonly signal: InterruptSignal | undefined;

  /**
   * Creates the error.
   *
   * @param operation What was interrupted.
   * @param options The signal, and the cause (the abort reason).
   */
  constructor(operation: string, options: InterruptedErrorOptions = {}) {
    const signal = options.signal ??
      (options.cause instanceof InterruptedError ? options.cause.signal : undefined);
    super(
      "interrupted",
      `${operation.charAt(0).toUpperCase()}${operation.slice(1)} was cancelled` +
        `${signal === undefined ? "" : ` (${signal})`}.`,
      options,
    );
    this.name = "InterruptedError";
    this.signal = signal;
  }

  /** 130, or 143 for SIGTERM and 129 for SIGHUP. */
  override get exitCode(): number {
    return this.signal === undefined ? 130 : SIGNAL_EXIT[this.signal];
  }
}
