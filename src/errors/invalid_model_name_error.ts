/**
 * A model name that breaks Ollama's naming rules.
 *
 * @module
 */

import { sanitizeText } from "../sanitize.ts";
import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * A model name that breaks Ollama's naming rules. Raised before any request is sent.
 *
 * @example
 * ```ts
 * import { InvalidModelNameError, parseModelName } from "@vtcode/ollama";
 *
 * try {
 *   parseModelName("llama3:");
 * } catch (error) {
 *   if (error instanceof InvalidModelNameError) console.error(error.message);
 * }
 * ```
 */
export class InvalidModelNameError extends OllamaError {
  /** The rejected name, sanitized. */
  readonly modelName: string;

  /**
   * Creates the error.
   *
   * @param modelName The rejected name (sanitized before it is stored or shown).
   * @param reason Which rule it breaks.
   * @param options The cause, if any.
   */
  constructor(modelName: string, reason: string, options: OllamaErrorOptions = {}) {
    const shown = sanitizeText(modelName, { maxLength: 120 });
    super(
      "invalid_model_name",
      `Invalid model name "${shown}": ${reason}. Model names look like "llama3", "llama3:8b", ` +
        `"user/model:tag" or "hf.co/org/model:Q4_K_M".`,
      options,
    );
    this.name = "InvalidModelNameError";
    this.modelName = shown;
  }
}
