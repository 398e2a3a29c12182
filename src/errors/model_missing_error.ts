/**
 * Required models that are not installed and were not pulled.
 *
 * @module
 */

import { sanitizeText } from "../sanitize.ts";
import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * Details for a {@link ModelMissingError}.
 *
 * @example
 * ```ts
 * import type { ModelMissingErrorOptions } from "@vtcode/ollama";
 *
 * const options: ModelMissingErrorOptions = { advice: "Run without --no-pull to pull it." };
 * ```
 */
export interface ModelMissingErrorOptions extends OllamaErrorOptions {
  /** What to do, fitted to the situation (the caller knows the command and the config). */
  advice?: string;
}

/**
 * Required models are not installed and were not pulled (auto-pull off, `check`, `--no-pull`).
 *
 * @example
 * ```ts
 * import { ModelMissingError } from "@vtcode/ollama";
 *
 * new ModelMissingError(["llama3:latest"], "auto_pull is off").models; // ["llama3:latest"]
 * ```
 */
export class ModelMissingError extends OllamaError {
  /** The missing models, in short form. */
  readonly models: readonly string[];
  /** Why they were not pulled. */
  readonly why: string;

  /**
   * Creates the error.
   *
   * @param models The missing models, in short form.
   * @param why Why they were not pulled, e.g. "auto_pull is off".
   * @param options Advice fitted to the situation, and the cause.
   */
  constructor(models: readonly string[], why: string, options: ModelMissingErrorOptions = {}) {
    const shown = models.map((m) => sanitizeText(m, { maxLength: 200 }));
    const list = shown.join(", ");
    const advice = options.advice ??
      `Pull ${shown.length === 1 ? "it" : "them"} with ${
        shown.map((m) => `\`ollama pull ${m}\``).join(", ")
      }.`;
    super(
      "model_missing",
      `Required model${models.length === 1 ? "" : "s"} not installed: ${list} (${why}). ${advice}`,
      options,
    );
    this.name = "ModelMissingError";
    this.models = models;
    this.why = why;
  }
}
