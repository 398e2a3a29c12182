/**
 * A server older than the configured `min_version`.
 *
 * @module
 */

import { sanitizeText } from "../sanitize.ts";
import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * The server is older than the configured `min_version`. (Source builds, which report `0.0.0`,
 * always pass.) Its code is `not_ollama`: the server cannot serve as the Ollama this program
 * needs.
 *
 * @example
 * ```ts
 * import { ServerTooOldError } from "@vtcode/ollama";
 *
 * new ServerTooOldError("http://127.0.0.1:11434", "0.3.0", "0.5.0").exitCode; // 3
 * ```
 */
export class ServerTooOldError extends OllamaError {
  /** The server's version. */
  readonly version: string;
  /** The configured minimum. */
  readonly minVersion: string;

  /**
   * Creates the error.
   *
   * @param baseUrl The server's address, redacted.
   * @param version The server's version.
   * @param minVersion The configured minimum.
   * @param options The cause, if any.
   */
  constructor(
    baseUrl: string,
    version: string,
    minVersion: string,
    options: OllamaErrorOptions = {},
  ) {
    super(
      "not_ollama",
      `Ollama ${sanitizeText(version, { maxLength: 64 })} at ${baseUrl} is older than ` +
        `min_version ${minVersion}. Upgrade it (https://ollama.com/download), or lower ` +
        "`min_version` in [ollama].",
      options,
    );
    this.name = "ServerTooOldError";
    this.version = version;
    this.minVersion = minVersion;
  }
}
