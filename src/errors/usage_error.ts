/**
 * A command-line usage error, or a library argument that can never work.
 *
 * @module
 */

import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * A command-line usage error, or an argument to the library that can never work (a malformed URL).
 *
 * @example
 * ```ts
 * import { UsageError } from "@vtcode/ollama";
 *
 * const error = new UsageError("unknown option --hots; did you mean --host?");
 * error.code; // "usage"
 * ```
 */
export class UsageError extends OllamaError {
  /**
   * Creates the error.
   *
   * @param message What is wrong and how to fix it.
   * @param options The cause, if any.
   */
  constructor(message: string, options: OllamaErrorOptions = {}) {
    super("usage", message, options);
    this.name = "UsageError";
  }
}
