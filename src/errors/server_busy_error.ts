/**
 * A server, or a gateway in front of it, that kept answering 502, 503 or 504.
 *
 * @module
 */

import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * Details for a {@link ServerBusyError}.
 *
 * @example
 * ```ts
 * import type { ServerBusyErrorOptions } from "@vtcode/ollama";
 *
 * const options: ServerBusyErrorOptions = { attempts: 4 };
 * ```
 */
export interface ServerBusyErrorOptions extends OllamaErrorOptions {
  /** How many times the request was sent. */
  attempts?: number;
}

/**
 * The server, or a gateway or load balancer in front of it, answered 502, 503 or 504 every time
 * it was asked within the bound: a server that is starting, overloaded, or behind a gateway
 * that cannot reach it. Its code is `unreachable` (exit 3).
 *
 * @example
 * ```ts
 * import { ServerBusyError } from "@vtcode/ollama";
 *
 * new ServerBusyError("http://gpu:11434", "GET /api/version", 503, { attempts: 3 }).status; // 503
 * ```
 */
export class ServerBusyError extends OllamaError {
  /** The address that was tried, with any password redacted. */
  readonly baseUrl: string;
  /** The last status received. */
  readonly status: number;

  /**
   * Creates the error.
   *
   * @param baseUrl The address, redacted.
   * @param operation The request, e.g. `GET /api/version`.
   * @param status The last status received (502, 503 or 504).
   * @param options Attempts and cause.
   */
  constructor(
    baseUrl: string,
    operation: string,
    status: number,
    options: ServerBusyErrorOptions = {},
  ) {
    const attempts = options.attempts ?? 1;
    const tries = attempts > 1 ? ` (asked ${attempts} times)` : "";
    super(
      "unreachable",
      `${baseUrl} answered ${operation} with ${status}${tries}: the server, or a gateway or ` +
        "load balancer in front of it, is busy, starting, or cannot reach Ollama. Wait and run " +
        "again, raise --timeout / `timeout_secs`, or check the gateway's upstream.",
      options,
    );
    this.name = "ServerBusyError";
    this.baseUrl = baseUrl;
    this.status = status;
  }
}
