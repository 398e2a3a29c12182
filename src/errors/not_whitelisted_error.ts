/**
 * A model the pull whitelist does not allow.
 *
 * @module
 */

import { sanitizeText } from "../sanitize.ts";
import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * A model may not be pulled because a whitelist is configured and no pattern allows it.
 *
 * @example
 * ```ts
 * import { NotWhitelistedError } from "@vtcode/ollama";
 *
 * new NotWhitelistedError("mistral:latest", ["qwen3:*"]).code; // "not_whitelisted"
 * ```
 */
export class NotWhitelistedError extends OllamaError {
  /** The refused model, in short form. */
  readonly model: string;
  /** The configured patterns. */
  readonly whitelist: readonly string[];

  /**
   * Creates the error.
   *
   * @param model The refused model, in short form.
   * @param whitelist The configured patterns.
   * @param options The cause, if any.
   */
  constructor(model: string, whitelist: readonly string[], options: OllamaErrorOptions = {}) {
    const shown = sanitizeText(model, { maxLength: 200 });
    const patterns = whitelist.length === 0
      ? "(empty: nothing may be pulled)"
      : whitelist.map((p) => `"${sanitizeText(p, { maxLength: 200 })}"`).join(", ");
    super(
      "not_whitelisted",
      `Model ${shown} is not in the pull whitelist ${patterns}, so it was not pulled. ` +
        'Add it (or a pattern such as "name:*") to `whitelist` in [ollama], or pull it yourself.',
      options,
    );
    this.name = "NotWhitelistedError";
    this.model = shown;
    this.whitelist = whitelist;
  }
}
