/**
 * Every error this package throws: one exported class per outcome, each with a stable `code`.
 *
 * The codes are the ones the command line prints in its `--json` result and that decide its exit
 * status (see {@link exitCodeFor}). Catch {@link OllamaError} to handle them all, or a subclass
 * for one outcome; compare `error.code` when the class may come from a second copy of the
 * package. Messages say what happened, what was tried and what to do; text from the server in
 * them has passed through {@link sanitizeText}, and URLs in them are redacted.
 *
 * @module
 */

import { sanitizeText } from "./sanitize.ts";

/** The stable error codes, as printed in the command line's `--json` `error.code`. */
export type OllamaErrorCode =
  | "usage"
  | "config"
  | "invalid_model_name"
  | "unreachable"
  | "timeout"
  | "not_ollama"
  | "model_missing"
  | "not_whitelisted"
  | "pull_failed"
  | "interrupted"
  | "internal";

const EXIT_CODES: Record<OllamaErrorCode, number> = {
  usage: 2,
  config: 2,
  invalid_model_name: 2,
  unreachable: 3,
  timeout: 3,
  not_ollama: 3,
  model_missing: 4,
  not_whitelisted: 4,
  pull_failed: 5,
  interrupted: 130,
  internal: 1,
};

/**
 * The command line's exit status for an error code (the contract's table: 2 usage/config,
 * 3 server, 4 model missing, 5 pull failed, 130 interrupted, 1 internal).
 *
 * @example
 * ```ts
 * import { exitCodeFor } from "@vtcode/ollama";
 *
 * exitCodeFor("not_whitelisted"); // 4
 * ```
 */
export function exitCodeFor(code: OllamaErrorCode): number {
  return EXIT_CODES[code];
}

/** Options common to every {@link OllamaError}. */
export interface OllamaErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
}

/**
 * The base class of every error this package throws.
 *
 * @example Tell outcomes apart by code
 * ```ts
 * import { OllamaClient, OllamaError } from "@vtcode/ollama";
 *
 * try {
 *   await OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434");
 * } catch (error) {
 *   if (error instanceof OllamaError && error.code === "unreachable") {
 *     console.error(error.message);
 *   }
 * }
 * ```
 */
export class OllamaError extends Error {
  /** A stable code for this outcome; see {@link OllamaErrorCode}. */
  readonly code: OllamaErrorCode;

  /**
   * Creates the error.
   *
   * @param code The outcome's stable code.
   * @param message What happened, what was tried and what to do.
   * @param options The cause, if any.
   */
  constructor(code: OllamaErrorCode, message: string, options: OllamaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OllamaError";
    this.code = code;
  }

  /** The command line's exit status for this error. */
  get exitCode(): number {
    return exitCodeFor(this.code);
  }
}

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

/** Where in a configuration file a {@link ConfigError} points. */
export interface ConfigErrorOptions extends OllamaErrorOptions {
  /** The file (or other source) the configuration came from. */
  source?: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
  /** The `[ollama]` key at fault, when there is one. */
  key?: string;
}

/**
 * The configuration cannot be used: malformed TOML, an unknown key, a wrong type or range, or a
 * `--config` path that does not exist.
 *
 * @example
 * ```ts
 * import { ConfigError } from "@vtcode/ollama";
 *
 * const error = new ConfigError("vtcode.toml:3: unknown key `autopull` in [ollama]; did you mean `auto_pull`?", {
 *   source: "vtcode.toml",
 *   line: 3,
 *   key: "autopull",
 * });
 * error.code; // "config"
 * ```
 */
export class ConfigError extends OllamaError {
  /** The file (or other source) the configuration came from. */
  readonly source?: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly column?: number;
  /** The `[ollama]` key at fault, when there is one. */
  readonly key?: string;

  /**
   * Creates the error.
   *
   * @param message What is wrong, where, and how to fix it.
   * @param options Location and cause.
   */
  constructor(message: string, options: ConfigErrorOptions = {}) {
    super("config", message, options);
    this.name = "ConfigError";
    this.source = options.source;
    this.line = options.line;
    this.column = options.column;
    this.key = options.key;
  }
}

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

/**
 * Nothing answered at the server address: connection refused, unknown host, reset.
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
   * @param options The cause (the runtime's network error), if any.
   */
  constructor(baseUrl: string, options: OllamaErrorOptions = {}) {
    const detail = networkErrorDetail(options.cause);
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

/**
 * A bounded wait ran out: the health check, a request, the start of a pull, or a pull that
 * stopped receiving bytes.
 *
 * @example
 * ```ts
 * import { RequestTimeoutError } from "@vtcode/ollama";
 *
 * const error = new RequestTimeoutError("GET http://127.0.0.1:11434/api/version", 5000);
 * error.code; // "timeout"
 * ```
 */
export class RequestTimeoutError extends OllamaError {
  /** What was being waited for, e.g. `GET http://127.0.0.1:11434/api/tags`. */
  readonly operation: string;
  /** The bound that ran out, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * Creates the error.
   *
   * @param operation What was being waited for (URL redacted).
   * @param timeoutMs The bound, in milliseconds.
   * @param options The cause, if any.
   */
  constructor(operation: string, timeoutMs: number, options: OllamaErrorOptions = {}) {
    super(
      "timeout",
      `${operation} got no answer within ${formatSeconds(timeoutMs)}. The server may be ` +
        "overloaded or something between us may be dropping packets; raise the bound with " +
        "--timeout or `timeout_secs`, or check the address with --host.",
      options,
    );
    this.name = "RequestTimeoutError";
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

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

/** Why a {@link ProtocolError} was raised. */
export type ProtocolErrorReason = "invalid_json" | "line_too_long" | "invalid_shape";

/** Details for a {@link ProtocolError}. */
export interface ProtocolErrorOptions extends OllamaErrorOptions {
  /** 1-based line number in a JSON-lines stream, when the error is in one. */
  lineNumber?: number;
}

/**
 * The server sent data an Ollama server never sends: a line that is not JSON, a line longer than
 * the bound, or JSON of the wrong shape. Never skipped in silence.
 *
 * @example
 * ```ts
 * import { ProtocolError } from "@vtcode/ollama";
 *
 * const error = new ProtocolError("invalid_json", "line 3 is not JSON: <html>", { lineNumber: 3 });
 * error.code; // "not_ollama"
 * ```
 */
export class ProtocolError extends OllamaError {
  /** Which rule the data broke. */
  readonly reason: ProtocolErrorReason;
  /** 1-based line number in a JSON-lines stream, when the error is in one. */
  readonly lineNumber?: number;

  /**
   * Creates the error.
   *
   * @param reason Which rule the data broke.
   * @param message What was received (sanitized by the caller).
   * @param options Line number and cause.
   */
  constructor(reason: ProtocolErrorReason, message: string, options: ProtocolErrorOptions = {}) {
    super("not_ollama", message, options);
    this.name = "ProtocolError";
    this.reason = reason;
    this.lineNumber = options.lineNumber;
  }
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

  /**
   * Creates the error.
   *
   * @param models The missing models, in short form.
   * @param why Why they were not pulled, e.g. "auto_pull is off".
   * @param options The cause, if any.
   */
  constructor(models: readonly string[], why: string, options: OllamaErrorOptions = {}) {
    const list = models.map((m) => sanitizeText(m, { maxLength: 200 })).join(", ");
    super(
      "model_missing",
      `Required model${models.length === 1 ? "" : "s"} not installed: ${list} (${why}). ` +
        `Pull ${models.length === 1 ? "it" : "them"} with \`ollama pull <name>\`, or allow ` +
        "pulling (auto_pull = true, no --no-pull).",
      options,
    );
    this.name = "ModelMissingError";
    this.models = models;
  }
}

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

/**
 * Why a pull failed:
 * - `server_error`: the server answered an `{"error": ...}` (before or after progress);
 * - `http_status`: a non-200 status with no usable error message (a proxy's 502, say);
 * - `ended_without_success`: the stream ended, or the connection closed, before `success`;
 * - `stalled`: no bytes arrived for the stall bound;
 * - `invalid_data`: a line that is not JSON, too long, or of the wrong shape;
 * - `not_listed`: the server said `success`, but the model is not in its list afterwards.
 */
export type PullFailureReason =
  | "server_error"
  | "http_status"
  | "ended_without_success"
  | "stalled"
  | "invalid_data"
  | "not_listed";

/** Details for a {@link PullFailedError}. */
export interface PullFailedErrorOptions extends OllamaErrorOptions {
  /** The HTTP status, when the failure came with one. */
  status?: number;
  /** The server's own error text, sanitized. */
  serverMessage?: string;
  /** Whether re-issuing the pull may help (a reset, a stall, a 5xx, `max retries exceeded`). */
  retryable?: boolean;
  /** How many times the pull was issued, counting the first. */
  attempts?: number;
}

/**
 * A model pull did not end in a model that is installed.
 *
 * @example
 * ```ts
 * import { PullFailedError } from "@vtcode/ollama";
 *
 * const error = new PullFailedError("nope:latest", "server_error", "the server said: pull model manifest: file does not exist", {
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

  /**
   * Creates the error.
   *
   * @param model The model, in short form.
   * @param reason Why it failed.
   * @param detail What happened, in a few words (sanitized by the caller).
   * @param options Status, server message, retryability, attempts and cause.
   */
  constructor(
    model: string,
    reason: PullFailureReason,
    detail: string,
    options: PullFailedErrorOptions = {},
  ) {
    const attempts = options.attempts ?? 1;
    const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
    super(
      "pull_failed",
      `Pulling ${sanitizeText(model, { maxLength: 200 })} failed${tries}: ${detail}. ` +
        pullAdvice(reason),
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
  }

  /**
   * The same failure, counted over `attempts` attempts (used when retries ran out).
   *
   * @param attempts How many times the pull was issued.
   * @returns A new error with the message saying so.
   */
  withAttempts(attempts: number): PullFailedError {
    return new PullFailedError(this.model, this.reason, this.detail, {
      status: this.status,
      serverMessage: this.serverMessage,
      retryable: this.retryable,
      attempts,
      cause: this.cause,
    });
  }
}

/**
 * The caller aborted the wait (its `AbortSignal` fired, or Ctrl-C in the command line). The
 * request was cancelled, not left running.
 *
 * @example
 * ```ts
 * import { InterruptedError } from "@vtcode/ollama";
 *
 * new InterruptedError("pull of llama3:latest").exitCode; // 130
 * ```
 */
export class InterruptedError extends OllamaError {
  /**
   * Creates the error.
   *
   * @param operation What was interrupted.
   * @param options The cause (the signal's reason), if any.
   */
  constructor(operation: string, options: OllamaErrorOptions = {}) {
    super("interrupted", `Interrupted: ${operation} was cancelled.`, options);
    this.name = "InterruptedError";
  }
}

function pullAdvice(reason: PullFailureReason): string {
  switch (reason) {
    case "server_error":
    case "http_status":
      return "Check the name on https://ollama.com/library and the server's log; " +
        "a partial download is kept and resumes on the next pull.";
    case "ended_without_success":
    case "stalled":
      return "The connection or the registry may be unstable; run the pull again " +
        "(it resumes) or raise pull_retries / stall_timeout_secs.";
    case "invalid_data":
      return "Something other than Ollama answered (a proxy?); check the address.";
    case "not_listed":
      return "The server may be pointing at another models directory; check OLLAMA_MODELS " +
        "and the server's log.";
  }
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

function networkErrorDetail(cause: unknown): string {
  if (!(cause instanceof Error)) return "";
  // Runtimes wrap the socket error: Deno and Node put it in `cause` (ECONNREFUSED), Bun gives a
  // `code` on the error itself (ConnectionRefused).
  const inner = (cause as { cause?: unknown }).cause;
  const code = (inner as { code?: unknown } | undefined)?.code ??
    (cause as { code?: unknown }).code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  if (typeof code === "string" && /^[A-Z][A-Za-z]+$/.test(code)) {
    return code.replace(/(?<=[a-z])(?=[A-Z])/g, " ").toLowerCase();
  }
  if (/refused/i.test(cause.message)) return "connection refused";
  return "";
}
