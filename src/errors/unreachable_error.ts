/**
 * Nothing answered at the server address.
 *
 * @module
 */

import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * Details for an {@link UnreachableError}.
 *
 * @example
 * ```ts
 * import type { UnreachableErrorOptions } from "@vtcode/ollama";
 *
 * const options: UnreachableErrorOptions = { detail: "connection refused" };
 * ```
 */
export interface UnreachableErrorOptions extends OllamaErrorOptions {
  /** What the network said, in a few words (`connection refused`, `host name not found`). */
  detail?: string;
}

/**
 * Nothing answered at the server address: the connection was refused, or the host name is not
 * known. Only then does the message start with `No running Ollama server detected at`; a
 * server that answered in a way we could not use is a {@link ConnectionError} or a
 * `NotOllamaError` instead.
 *
 * @example
 * ```ts
 * import { UnreachableError } from "@vtcode/ollama";
 *
 * new UnreachableError("http://127.0.0.1:11434").message.startsWith(
 *   "No running Ollama server detected at http://127.0.0.1:11434",
 * ); // true
 * ```
 */
export class UnreachableError extends OllamaError {
  /** The address that was tried, with any password redacted. */
  readonly baseUrl: string;

  /**
   * Creates the error.
   *
   * @param baseUrl The address that was tried, already redacted.
   * @param options What the network said, and the runtime's error as the cause.
   */
  constructor(baseUrl: string, options: UnreachableErrorOptions = {}) {
    const detail = options.detail ?? "";
    super(
      "unreachable",
      `No running Ollama server detected at ${baseUrl}${detail ? ` (${detail})` : ""}. ` +
        "Start it with `ollama serve` (install it from https://ollama.com/download), " +
        "or point elsewhere with --host, the OLLAMA_HOST environment variable or " +
        "`base_url` in the [ollama] config table.",
      options,
    );
    this.name = "UnreachableError";
    this.baseUrl = baseUrl;
  }
}
