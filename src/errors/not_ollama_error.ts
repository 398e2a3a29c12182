/**
 * Something answered, but not as an Ollama server does.
 *
 * @module
 */

import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/** Details for a {@link NotOllamaError}. */
export interface NotOllamaErrorOptions extends OllamaErrorOptions {
  /** The HTTP status received, when the server answered. */
  status?: number;
}

/**
 * Something answered, but not as an Ollama server does (an HTML page, a 404 for `/api/version`,
 * a proxy error, JSON of the wrong shape).
 *
 * @example
 * ```ts
 * import { NotOllamaError } from "@vtcode/ollama";
 *
 * const error = new NotOllamaError("http://127.0.0.1:8080 answered GET /api/version with 404.", { status: 404 });
 * error.code; // "not_ollama"
 * ```
 */
export class NotOllamaError extends OllamaError {
  /** The HTTP status received, when the server answered. */
  readonly status?: number;

  /**
   * Creates the error.
   *
   * @param message What was received and what to do.
   * @param options Status and cause.
   */
  constructor(message: string, options: NotOllamaErrorOptions = {}) {
    super("not_ollama", message, options);
    this.name = "NotOllamaError";
    this.status = options.status;
  }
}
