/**
 * Required models whose tag moved in the registry since they were pulled.
 *
 * @module
 */

import { sanitizeText } from "../sanitize.ts";
import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * `outdated` found required models whose tag now points at another manifest in the registry
 * than the one installed. Its code is `outdated` (exit 4).
 *
 * @example
 * ```ts
 * import { OutdatedError } from "@vtcode/ollama";
 *
 * new OutdatedError(["llama3:latest"]).exitCode; // 4
 * ```
 */
export class OutdatedError extends OllamaError {
  /** The models whose tag moved, in short form. */
  readonly models: readonly string[];

  /**
   * Creates the error.
   *
   * @param models The models whose tag moved, in short form.
   * @param options The cause, if any.
   */
  constructor(models: readonly string[], options: OllamaErrorOptions = {}) {
    const list = models.map((m) => sanitizeText(m, { maxLength: 200 })).join(", ");
    super(
      "outdated",
      `Newer version${models.length === 1 ? "" : "s"} in the registry: ${list}. Run ` +
        "`ensure --update` to pull them.",
      options,
    );
    this.name = "OutdatedError";
    this.models = models;
  }
}
