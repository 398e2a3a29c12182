/**
 * A required model the server could not load into memory.
 *
 * @module
 */

import { sanitizeText } from "../sanitize.ts";
import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * Warm-up could not load a required model (not enough memory, no runner, a broken model). Its
 * code is `warm_failed` (exit 7); the message keeps the server's reason.
 *
 * @example
 * ```ts
 * import { WarmFailedError } from "@vtcode/ollama";
 *
 * new WarmFailedError("llama3:latest", "model requires more system memory (9 GiB) than is available (4 GiB)").exitCode; // 7
 * ```
 */
export class WarmFailedError extends OllamaError {
  /** The model, in short form. */
  readonly model: string;
  /** The server's reason, sanitized. */
  readonly serverMessage: string;

  /**
   * Creates the error.
   *
   * @param model The model, in short form.
   * @param serverMessage Why the server could not load it (sanitized here).
   * @param options The cause, if any.
   */
  constructor(model: string, serverMessage: string, options: OllamaErrorOptions = {}) {
    const reason = sanitizeText(serverMessage, { maxLength: 500 });
    const memory = /memory/i.test(reason)
      ? " Free memory on the server (unload other models, `ollama ps`), or pick a smaller model."
      : " Check the server's log.";
    super(
      "warm_failed",
      `Loading ${sanitizeText(model, { maxLength: 200 })} failed: ${reason}.${memory}`,
      options,
    );
    this.name = "WarmFailedError";
    this.model = model;
    this.serverMessage = reason;
  }
}
