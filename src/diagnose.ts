/**
 * What a failed `fetch` means. Deno, Bun and Node each word network failures their own way
 * (a refused connection is `ECONNREFUSED` in a `cause`, a Rust error text, or a Bun code), so
 * this reads the whole error chain and names the cause: nothing listening, no such host, a TLS
 * mismatch, a reset, an undecodable body, an answer that is not HTTP, or a runtime permission
 * denial. Pure: no I/O.
 *
 * @module
 */

import { ConnectionError } from "./errors/connection_error.ts";
import { NotOllamaError } from "./errors/not_ollama_error.ts";
import type { OllamaError } from "./errors/ollama_error.ts";
import { PermissionDeniedError } from "./errors/permission_error.ts";
import { UnreachableError } from "./errors/unreachable_error.ts";
import type { ProxyChoice } from "./proxy.ts";
import { sanitizeText } from "./sanitize.ts";

/** Where a request stood when it failed. */
export interface FailureContext {
  /** The server's base URL, redacted (for messages). */
  baseUrl: string;
  /** The URL that was requested. */
  url: string;
  /** The proxy the runtime would have used, when one applies. */
  proxy?: ProxyChoice;
  /** `true` when the headers had arrived and the body was being read. */
  inBody?: boolean;
}

/** The texts and codes of an error and its causes, lowercased, for matching. */
function chain(error: unknown): { text: string; codes: string[]; names: string[] } {
  const texts: string[] = [];
  const codes: string[] = [];
  const names: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error || typeof current === "object") {
      const record = current as { message?: unknown; code?: unknown; name?: unknown };
      if (typeof record.message === "string") texts.push(record.message);
      if (typeof record.code === "string") codes.push(record.code);
      if (typeof record.name === "string") names.push(record.name);
      current = (current as { cause?: unknown }).cause;
    } else {
      texts.push(String(current));
      break;
    }
  }
  return { text: texts.join(" | ").toLowerCase(), codes, names };
}

/**
 * Turns a runtime's network error into the error this package reports, with the runtime's error
 * as the cause.
 *
 * @param cause What `fetch` (or reading the body) threw.
 * @param context The request and the proxy in use.
 * @returns The matching error: `PermissionDeniedError` (Deno's `NotCapable`), `UnreachableError`
 *   (refused, unknown host: nothing answered), `ConnectionError` (TLS mismatch, proxy, reset,
 *   bad body, other), or `NotOllamaError` (an answer that is not HTTP: TLS or SSH on the port).
 */
export function diagnoseFetchFailure(cause: unknown, context: FailureContext): OllamaError {
  const { text, codes, names } = chain(cause);
  const { baseUrl, proxy } = context;
  const via = proxy === undefined ? undefined : `${proxy.url} (from ${proxy.variable})`;
  const has = (...wanted: string[]) => codes.some((code) => wanted.includes(code));

  if (names.includes("NotCapable") || names.includes("PermissionDenied")) {
    return new PermissionDeniedError("net", hostPort(context.url), { cause });
  }
  const https = context.url.startsWith("https:");
  if (
    has("ERR_SSL_WRONG_VERSION_NUMBER") || /wrong version number|invalidcontenttype/.test(text) ||
    (https && (has("EPROTO") || /tls handshake failed/.test(text)))
  ) {
    return new ConnectionError(
      baseUrl,
      "tls_mismatch",
      "the address says https://, but the server answered in plain HTTP",
      { proxy: via, cause },
    );
  }
  if (
    has("HPE_INVALID_CONSTANT", "Malformed_HTTP_Response") ||
    /invalid http version|does not match the http\/1\.1 protocol|malformed_http_response/.test(text)
  ) {
    return new NotOllamaError(
      `${baseUrl} answered with something that is not HTTP: a TLS port (try https://), an SSH ` +
        "server or another protocol listens there, not Ollama. Check the address and the port.",
      { cause },
    );
  }
  if (
    /\bcertificate|self[- ]signed|unknown ca|\bssl\b|\btls\b/.test(text) ||
    codes.some((code) => /CERT|SSL|TLS/.test(code))
  ) {
    return new ConnectionError(baseUrl, "tls", `TLS failed (${short(text)})`, {
      proxy: via,
      cause,
    });
  }
  if (has("ECONNREFUSED", "ConnectionRefused") || /connection refused|econnrefused/.test(text)) {
    if (via !== undefined) {
      return new ConnectionError(
        baseUrl,
        "proxy",
        "the proxy refused the connection (is it running?)",
        { proxy: via, cause },
      );
    }
    return new UnreachableError(baseUrl, { detail: "connection refused", cause });
  }
  if (
    has("ENOTFOUND", "EAI_AGAIN", "EAI_NONAME") ||
    /dns error|failed to lookup|getaddrinfo|name or service not known|name resolution/.test(text)
  ) {
    if (via !== undefined) {
      return new ConnectionError(baseUrl, "proxy", "the proxy's host name is not known", {
        proxy: via,
        cause,
      });
    }
    return new UnreachableError(baseUrl, { detail: "host name not found", cause });
  }
  if (
    has("Z_DATA_ERROR", "Z_BUF_ERROR", "ZlibError") ||
    /gzip|deflate|decompress|zlib|brotli|incorrect header check/.test(text)
  ) {
    return new ConnectionError(baseUrl, "bad_body", "the answer's compressed body is corrupt", {
      proxy: via,
      cause,
    });
  }
  if (
    has("ECONNRESET", "UND_ERR_SOCKET", "EPIPE", "ConnectionClosed") ||
    /connection reset|closed before message completed|other side closed|socket connection was closed|error reading a body|terminated|broken pipe|unexpected eof/
      .test(text)
  ) {
    return new ConnectionError(
      baseUrl,
      "reset",
      context.inBody
        ? "the connection closed before the answer was complete"
        : "the connection was closed before any answer",
      { proxy: via, cause },
    );
  }
  return new ConnectionError(baseUrl, "network", short(text) || "the request failed", {
    proxy: via,
    cause,
  });
}

function hostPort(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
    return `${parsed.hostname}:${port}`;
  } catch {
    return "the server";
  }
}

function short(text: string): string {
  return sanitizeText(text, { maxLength: 160 });
}
