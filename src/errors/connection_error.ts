/**
 * Something answered at the address, but the exchange broke before we had a usable answer.
 *
 * @module
 */

import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * Why a {@link ConnectionError} was raised:
 * - `tls_mismatch`: `https://` against a plain-HTTP server, or `http://` against a TLS one;
 * - `tls`: the TLS handshake failed otherwise (certificate not trusted, wrong host name);
 * - `proxy`: the proxy the runtime used could not be reached, or refused to connect us;
 * - `reset`: the connection closed or was reset before the answer was complete;
 * - `bad_body`: the answer could not be decoded (a truncated or corrupt compressed body);
 * - `network`: another network failure, kept as the cause.
 *
 * @example
 * ```ts
 * import type { ConnectionFailure } from "@vtcode/ollama";
 *
 * const reason: ConnectionFailure = "tls_mismatch";
 * ```
 */
export type ConnectionFailure = "tls_mismatch" | "tls" | "proxy" | "reset" | "bad_body" | "network";

/**
 * Details for a {@link ConnectionError}.
 *
 * @example
 * ```ts
 * import type { ConnectionErrorOptions } from "@vtcode/ollama";
 *
 * const options: ConnectionErrorOptions = { proxy: "http://proxy:3128 (from HTTP_PROXY)" };
 * ```
 */
export interface ConnectionErrorOptions extends OllamaErrorOptions {
  /** The proxy the request went through, as `url (from VARIABLE)`, when one applied. */
  proxy?: string;
}

const ADVICE: Record<ConnectionFailure, string> = {
  tls_mismatch:
    "The two ends disagree on TLS: use http:// for a plain server (a local Ollama speaks plain " +
    "HTTP) or https:// for one behind TLS.",
  tls: "The TLS handshake failed: check the certificate and the host name, or the address.",
  proxy: "Check the proxy variables (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY).",
  reset: "Something closed the connection; check the server's log, or a proxy or firewall " +
    "between us, and try again.",
  bad_body: "The answer was cut short or corrupt; a proxy in between may be at fault. Try again.",
  network: "Check the address and the network, and try again.",
};

/**
 * Something answered at the address, but the exchange broke before there was a usable answer:
 * a TLS mismatch, a proxy in the way, a connection reset or a body that could not be decoded.
 * Its code is `unreachable` (exit 3), but the message says what happened instead of "no
 * server": the underlying error is kept as the cause.
 *
 * @example
 * ```ts
 * import { ConnectionError } from "@vtcode/ollama";
 *
 * const error = new ConnectionError("https://127.0.0.1:11434", "tls_mismatch", "the TLS handshake got a plain-HTTP answer");
 * error.reason; // "tls_mismatch"
 * ```
 */
export class ConnectionError extends OllamaError {
  /** The address that was tried, with any password redacted. */
  readonly baseUrl: string;
  /** What broke. */
  readonly reason: ConnectionFailure;
  /** The proxy the request went through, when one applied. */
  readonly proxy?: string;

  /**
   * Creates the error.
   *
   * @param baseUrl The address that was tried, already redacted.
   * @param reason What broke.
   * @param detail What happened, in a few words (sanitized by the caller).
   * @param options The proxy, if any, and the cause.
   */
  constructor(
    baseUrl: string,
    reason: ConnectionFailure,
    detail: string,
    options: ConnectionErrorOptions = {},
  ) {
    const via = options.proxy === undefined ? "" : ` through the proxy ${options.proxy}`;
    super(
      "unreachable",
      `Talking to ${baseUrl}${via} failed: ${detail}. ${ADVICE[reason]}`,
      options,
    );
    this.name = "ConnectionError";
    this.baseUrl = baseUrl;
    this.reason = reason;
    this.proxy = options.proxy;
  }
}
