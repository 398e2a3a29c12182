/**
 * A model pull that did not end in an installed model.
 *
 * @module
 */

import { sanitizeText } from "../sanitize.ts";
import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * Why a pull failed:
 * - `not_found`: the registry has no model of that name or tag (`file does not exist`);
 * - `server_error`: the server answered an `{"error": ...}` (before or after progress);
 * - `http_status`: a non-200 status with no usable error message (a proxy's 502, say);
 * - `ended_without_success`: the stream ended, or the connection closed, before `success`;
 * - `stalled`: no layer's download grew for the stall bound (the server may still have been
 *   sending the same progress line), or the server sent nothing at all;
 * - `invalid_data`: a line that is not JSON, too long, or of the wrong shape;
 * - `not_listed`: the server said `success`, but the model is not in its list afterwards.
 *
 * @example
 * ```ts
 * import type { PullFailureReason } from "@vtcode/ollama";
 *
 * const reason: PullFailureReason = "stalled";
 * ```
 */
export type PullFailureReason =
  | "not_found"
  | "server_error"
  | "http_status"
  | "ended_without_success"
  | "stalled"
  | "invalid_data"
  | "not_listed";

/**
 * Details for a {@link PullFailedError}.
 *
 * @example
 * ```ts
 * import type { PullFailedErrorOptions } from "@vtcode/ollama";
 *
 * const options: PullFailedErrorOptions = { status: 502, retryable: true };
 * ```
 */
export interface PullFailedErrorOptions extends OllamaErrorOptions {
  /** The HTTP status, when the failure came with one. */
  status?: number;
  /** The server's own error text, sanitized. */
  serverMessage?: string;
  /** Whether re-issuing the pull may help (a reset, a stall, a 5xx, `max retries exceeded`). */
  retryable?: boolean;
  /** How many times the pull was issued, counting the first. */
  attempts?: number;
  /** For `not_found`: installed models whose names are close, in short form. */
  suggestions?: readonly string[];
}

/**
 * A model pull did not end in a model that is installed. The message says what happened and
 * what to do, fitted to the server's error where it is a known one.
 *
 * @example
 * ```ts
 * import { PullFailedError } from "@vtcode/ollama";
 *
 * const error = new PullFailedError("nope:latest", "not_found", "the registry has no such model", {
 *   serverMessage: "pull model manifest: file does not exist",
 * });
 * error.retryable; // false
 * ```
 */
export class PullFailedError extends OllamaError {
  /** The model, in short form. */
  readonly model: string;
  /** Why it failed. */
  readonly reason: PullFailureReason;
  /** The HTTP status, when the failure came with one. */
  readonly status?: number;
  /** The server's own error text, sanitized. */
  readonly serverMessage?: string;
  /** Whether re-issuing the pull may help. */
  readonly retryable: boolean;
  /** How many times the pull was issued, counting the first. */
  readonly attempts: number;
  /** What happened, in a few words, without the advice the message adds. */
  readonly detail: string;
  /** For `not_found`: installed models whose names are close. */
  readonly suggestions: readonly string[];

  /**
   * Creates the error.
   *
   * @param model The model, in short form.
   * @param reason Why it failed.
   * @param detail What happened, in a few words (sanitized by the caller).
   * @param options Status, server message, retryability, attempts, suggestions and cause.
   */
  constructor(
    model: string,
    reason: PullFailureReason,
    detail: string,
    options: PullFailedErrorOptions = {},
  ) {
    const attempts = options.attempts ?? 1;
    const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
    const shown = sanitizeText(model, { maxLength: 200 });
    const suggestions = options.suggestions ?? [];
    super(
      "pull_failed",
      `Pulling ${shown} failed${tries}: ${detail}. ` +
        pullAdvice(shown, reason, options.serverMessage ?? "", suggestions),
      options,
    );
    this.name = "PullFailedError";
    this.model = model;
    this.reason = reason;
    this.status = options.status;
    this.serverMessage = options.serverMessage;
    this.retryable = options.retryable ?? false;
    this.attempts = attempts;
    this.detail = detail;
    this.suggestions = suggestions;
  }

  /**
   * The same failure, with other attempts or suggestions (when retries ran out, or close names
   * were found).
   *
   * @param changes What to change.
   * @returns A new error with the message saying so.
   */
  with(changes: { attempts?: number; suggestions?: readonly string[] }): PullFailedError {
    return new PullFailedError(this.model, this.reason, this.detail, {
      status: this.status,
      serverMessage: this.serverMessage,
      retryable: this.retryable,
      attempts: changes.attempts ?? this.attempts,
      suggestions: changes.suggestions ?? this.suggestions,
      cause: this.cause,
    });
  }
}

/** What to do, for the failures whose cure is known. */
function pullAdvice(
  model: string,
  reason: PullFailureReason,
  serverMessage: string,
  suggestions: readonly string[],
): string {
  switch (reason) {
    case "not_found": {
      const close = suggestions.length === 0
        ? ""
        : ` Did you mean ${suggestions.map((name) => `"${name}"`).join(" or ")} (installed)?`;
      return `No model of that name and tag exists in its registry.${close} Look names up on ` +
        "https://ollama.com/search (or your registry), and check the tag.";
    }
    case "server_error":
    case "http_status":
      return serverAdvice(model, serverMessage);
    case "ended_without_success":
    case "stalled":
      return "The connection or the registry may be unstable; run the pull again (it " +
        "resumes) or raise pull_retries / stall_timeout_secs.";
    case "invalid_data":
      return "Something other than Ollama answered (a proxy?); check the address.";
    case "not_listed":
      return "The server may be pointing at another models directory; check OLLAMA_MODELS " +
        "and the server's log.";
  }
}

function serverAdvice(model: string, message: string): string {
  if (/requires a newer version of Ollama|\b412\b/i.test(message)) {
    return "This model needs a newer Ollama: upgrade the server (https://ollama.com/download).";
  }
  if (/MLX/.test(message)) {
    return "This model's format needs Ollama's MLX runtime (Apple silicon); pick a GGUF tag " +
      "of the model instead, or pull it on a machine with MLX.";
  }
  if (/insecure protocol http|HTTP response to HTTPS client/i.test(message)) {
    return `The registry of ${model} is plain HTTP: allow it with insecure = true in [ollama] ` +
      "(or an http:// scheme in the model name), or serve the registry over https.";
  }
  if (/unauthorized|access denied|\b401\b|\b403\b/i.test(message)) {
    return "The registry refused access: check that the model is public, or sign in " +
      "(`ollama signin`) / add the server's key to the registry.";
  }
  return "Check the name (https://ollama.com/search) and the server's log; a partial " +
    "download is kept and resumes on the next pull.";
}
