/**
 * Data an Ollama server never sends, in a stream or a body.
 *
 * @module
 */

import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/** Why a {@link ProtocolError} was raised. */
export type ProtocolErrorReason = "invalid_json" | "line_too_long" | "invalid_shape";

/** Details for a {@link ProtocolError}. */
export interface ProtocolErrorOptions extends OllamaErrorOptions {
  /** 1-based line number in a JSON-lines stream, when the error is in one. */
  lineNumber?: number;
}

/**
 * The server sent data an Ollama server never sends: a line that is not JSON, a line longer than
 * the bound, or JSON of the wrong shape. Never skipped in silence.
 *
 * @example
 * ```ts
 * import { ProtocolError } from "@vtcode/ollama";
 *
 * const error = new ProtocolError("invalid_json", "line 3 is not JSON: <html>", { lineNumber: 3 });
 * error.code; // "not_ollama"
 * ```
 */
export class ProtocolError extends OllamaError {
  /** Which rule the data broke. */
  readonly reason: ProtocolErrorReason;
  /** 1-based line number in a JSON-lines stream, when the error is in one. */
  readonly lineNumber?: number;

  /**
   * Creates the error.
   *
   * @param reason Which rule the data broke.
   * @param message What was received (sanitized by the caller).
   * @param options Line number and cause.
   */
  constructor(reason: ProtocolErrorReason, message: string, options: ProtocolErrorOptions = {}) {
    super("not_ollama", message, options);
    this.name = "ProtocolError";
    this.reason = reason;
    this.lineNumber = options.lineNumber;
  }
}
