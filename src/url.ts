/**
 * Server addresses: Ollama's `OLLAMA_HOST` rules, base URL normalization (including the
 * OpenAI-compatible `/v1` form), the order in which `--host`, `base_url`, `OLLAMA_BASE_URL` and
 * `OLLAMA_HOST` are consulted, and keeping credentials out of output and out of `fetch` URLs.
 *
 * Normalized base URLs always spell out the port (`http://example.com:80`), have no trailing
 * slash, and keep a path prefix (`https://example.com:443/ollama`). The unspecified listen
 * addresses `0.0.0.0` and `::` become the loopback addresses a client can connect to.
 *
 * Pure functions: no I/O, web standards only.
 *
 * @module
 */

import { UsageError } from "./errors/usage_error.ts";
import { sanitizeText } from "./sanitize.ts";

/**
 * Where a local Ollama server listens by default.
 *
 * @example
 * ```ts
 * import { DEFAULT_BASE_URL, resolveBaseUrl } from "@vtcode/ollama";
 *
 * resolveBaseUrl({}).url === DEFAULT_BASE_URL; // true
 * ```
 */
export const DEFAULT_BASE_URL = "http://127.0.0.1:11434";

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 11434;
const EXAMPLES = '"http://127.0.0.1:11434", "localhost:11434" or "https://example.com/ollama"';

/** Where a path starts: after `scheme://` and the authority (WHATWG ends it at `/ ? # \`). */
function authorityBounds(url: string): { start: number; end: number } {
  const sep = url.indexOf("://");
  const start = sep < 0 ? 0 : sep + 3;
  const match = /[/?#\\]/.exec(url.slice(start));
  return { start, end: match === null ? url.length : start + match.index };
}

/** Splits `url` into the part before its path, the path, and any `?query#fragment`. */
function splitPath(url: string): { head: string; path: string; tail: string } {
  const { end } = authorityBounds(url);
  const rest = url.slice(end);
  const cut = rest.search(/[?#]/);
  const path = cut < 0 ? rest : rest.slice(0, cut);
  return { head: url.slice(0, end), path, tail: cut < 0 ? "" : rest.slice(cut) };
}

/** Removes trailing slashes, then one `/v1`, then trailing slashes again. */
function hostRootPath(path: string): string {
  let root = path.replace(/\/+$/, "");
  if (root.endsWith("/v1")) root = root.slice(0, -3).replace(/\/+$/, "");
  return root;
}

/**
 * Whether a base URL is the OpenAI-compatible form, whose path ends with `/v1` or `/v1/`
 * (Ollama serves that API under `/v1`). Works on scheme-less addresses as well.
 *
 * @param baseUrl A base URL as configured.
 * @returns `true` when its path ends with `/v1`, ignoring trailing slashes.
 *
 * @example
 * ```ts
 * import { isOpenAICompatibleBaseUrl } from "@vtcode/ollama";
 *
 * isOpenAICompatibleBaseUrl("http://127.0.0.1:11434/v1"); // true
 * isOpenAICompatibleBaseUrl("http://127.0.0.1:11434"); // false
 * ```
 */
export function isOpenAICompatibleBaseUrl(baseUrl: string): boolean {
  return splitPath(baseUrl.trim()).path.replace(/\/+$/, "").endsWith("/v1");
}

/**
 * The server root of a base URL: removes one trailing `/v1` or `/v1/` (the OpenAI-compatible
 * form) and trailing slashes. A path before `/v1` is a path prefix and stays; credentials stay.
 * Text only: nothing else about the URL changes, and it never throws.
 *
 * @param baseUrl A base URL.
 * @returns The URL of the Ollama API root.
 *
 * @example
 * ```ts
 * import { baseUrlToHostRoot } from "@vtcode/ollama";
 *
 * baseUrlToHostRoot("http://127.0.0.1:11434/v1/"); // "http://127.0.0.1:11434"
 * baseUrlToHostRoot("http://h:1/proxy/v1"); // "http://h:1/proxy"
 * baseUrlToHostRoot("http://h/v1/v1"); // "http://h/v1"
 * ```
 */
export function baseUrlToHostRoot(baseUrl: string): string {
  const { head, path, tail } = splitPath(baseUrl);
  return `${head}${hostRootPath(path)}${tail}`;
}

/** A bad address: the message shows it redacted and sanitized, and a valid example. */
function invalidAddress(value: string, reason: string, label: string): UsageError {
  const shown = sanitizeText(redactUrl(value), { maxLength: 200 });
  return new UsageError(`Invalid ${label} "${shown}": ${reason}. Use an address like ${EXAMPLES}.`);
}

/**
 * Parses an address by the `OLLAMA_HOST` rules. `reduceV1` also applies the base URL rule
 * (drop one `/v1`). Messages never echo parts of the input, only the redacted whole.
 */
function parseAddress(input: unknown, reduceV1: boolean, label: string): string {
  if (typeof input !== "string") {
    throw new UsageError(`Invalid ${label}: expected a string, got ${typeof input}.`);
  }
  const value = input.replace(/^[\s"']+|[\s"']+$/g, "");
  const fail = (reason: string) => invalidAddress(value, reason, label);
  if (value === "") {
    if (!reduceV1) return DEFAULT_BASE_URL;
    throw fail("it is empty");
  }
  // A bare `ollama.com` means the cloud (Ollama's own rule since late 2025), over https.
  if (value === "ollama.com") return "https://ollama.com:443";
  if (/\s/.test(value)) throw fail("it contains whitespace");
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw fail("it contains a control character");

  let scheme = "http";
  let defaultPort = DEFAULT_PORT;
  let rest = value;
  const sep = value.indexOf("://");
  if (sep >= 0) {
    const given = value.slice(0, sep);
    scheme = given.toLowerCase();
    if (scheme === "http") defaultPort = 80;
    else if (scheme === "https") defaultPort = 443;
    else {
      const named = /^[a-z][a-z0-9+.-]{0,15}$/i.test(given) ? ` "${given}:"` : "";
      throw fail(`unsupported scheme${named} (use http:// or https://)`);
    }
    rest = value.slice(sep + 3);
  }
  if (/[?#]/.test(rest)) throw fail("a query string or fragment is not allowed");
  if (rest.includes("\\")) throw fail("a backslash is not allowed");

  const slash = rest.indexOf("/");
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const rawPath = slash < 0 ? "" : rest.slice(slash);
  const at = authority.lastIndexOf("@");
  const userinfo = at < 0 ? "" : authority.slice(0, at);
  const hostport = authority.slice(at + 1);

  let host: string;
  let portText: string | undefined;
  let ipv6 = false;
  if (hostport.startsWith("[")) {
    const close = hostport.indexOf("]");
    if (close < 0) throw fail("an IPv6 address is missing its closing ']'");
    host = hostport.slice(1, close);
    ipv6 = true;
    const after = hostport.slice(close + 1);
    if (after.startsWith(":")) portText = after.slice(1);
    else if (after !== "") throw fail("unexpected text after the IPv6 address's ']'");
  } else {
    const colons = hostport.split(":").length - 1;
    if (colons >= 2) {
      // A bare IPv6 address such as `::1` (no port possible without brackets).
      host = hostport;
      ipv6 = true;
    } else if (colons === 1) {
      const colon = hostport.indexOf(":");
      host = hostport.slice(0, colon);
      portText = hostport.slice(colon + 1);
    } else {
      host = hostport;
    }
  }

  let port = defaultPort;
  if (portText !== undefined) {
    const n = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(n >= 1 && n <= 65535)) throw fail("the port must be a number from 1 to 65535");
    port = n;
  }

  if (host === "") {
    // `:1234` (as OLLAMA_HOST) means this machine; after an explicit scheme it is a mistake.
    if (sep >= 0) throw fail(`the host after "${scheme}://" is empty`);
    if (ipv6) throw fail("the IPv6 address between '[' and ']' is empty");
    host = DEFAULT_HOST;
  }

  let parsed: URL;
  try {
    parsed = new URL(`${scheme}://${ipv6 ? `[${host}]` : host}/`);
  } catch {
    throw fail(ipv6 ? "not a valid IPv6 address" : "not a valid host name");
  }
  let hostname = parsed.hostname;
  if (hostname === "") throw fail("not a valid host name");
  // Unspecified listen addresses: connect to loopback instead.
  if (hostname === "0.0.0.0") hostname = DEFAULT_HOST;
  else if (hostname === "[::]") hostname = "[::1]";

  let credentials = "";
  if (userinfo !== "") {
    const colon = userinfo.indexOf(":");
    try {
      // The setters percent-encode what must be encoded and leave existing escapes alone.
      parsed.username = colon < 0 ? userinfo : userinfo.slice(0, colon);
      parsed.password = colon < 0 ? "" : userinfo.slice(colon + 1);
    } catch {
      throw fail("the user name or password cannot be used in a URL");
    }
    credentials = parsed.password === ""
      ? `${parsed.username}@`
      : `${parsed.username}:${parsed.password}@`;
    if (credentials === "@") credentials = "";
  }

  let path = "";
  if (rawPath !== "") {
    let pathname: string;
    try {
      // Encodes what must be encoded and resolves `.` and `..` segments, as fetch would.
      pathname = new URL(`http://h${rawPath}`).pathname;
    } catch {
      throw fail("the path cannot be used in a URL");
    }
    path = reduceV1 ? hostRootPath(pathname) : pathname.replace(/\/+$/, "");
  }
  return `${scheme}://${credentials}${hostname}:${port}${path}`;
}

/**
 * Normalizes a server address given as `--host`, `base_url` or `OLLAMA_BASE_URL`: the
 * `OLLAMA_HOST` rules of {@link baseUrlFromOllamaHost} (a scheme-less `host:port` gets
 * `http://` and port 11434; `http://` without a port gets 80, `https://` 443; the port is
 * always written out), plus: one trailing `/v1` is removed ({@link baseUrlToHostRoot}), and
 * there is never a trailing slash. Spaces and quotes around the value are ignored;
 * credentials are kept (see {@link splitCredentials}).
 *
 * @param input The address as given.
 * @returns The normalized base URL, e.g. `http://127.0.0.1:11434`.
 * @throws {UsageError} When it cannot be used: empty, a scheme other than http/https, no host
 *   after the scheme, a port outside 1-65535, whitespace inside. The message shows the value
 *   with any password redacted.
 *
 * @example
 * ```ts
 * import { normalizeBaseUrl } from "@vtcode/ollama";
 *
 * normalizeBaseUrl("localhost"); // "http://localhost:11434"
 * normalizeBaseUrl("http://0.0.0.0:11434/v1/"); // "http://127.0.0.1:11434"
 * normalizeBaseUrl("https://example.com/ollama/"); // "https://example.com:443/ollama"
 * ```
 */
export function normalizeBaseUrl(input: string): string {
  return parseAddress(input, true, "server address");
}

/**
 * The base URL for a value of the `OLLAMA_HOST` environment variable, by Ollama's own rules:
 * spaces and quotes around it are ignored; unset or empty means `http://127.0.0.1:11434`;
 * without `://` the scheme is `http` and the default port 11434; `http://` without a port
 * means 80 and `https://` 443; anything after the first `/` is a path prefix (kept, without a
 * trailing slash). An empty host (`:1234`) and the unspecified addresses `0.0.0.0` and `::`
 * connect to loopback. IPv6 addresses may be bare (`::1`) or in brackets (`[::1]:1337`). A
 * bare `ollama.com` means the cloud: `https://ollama.com:443`. Where Ollama silently falls
 * back to the default port for an invalid one (`:66000`, `h:abc`, `1.2.3.4:`), this refuses the
 * value with a message that names the variable and what is wrong.
 *
 * @param value The variable's value, or `undefined` when it is unset.
 * @returns The base URL, always with its port written out.
 * @throws {UsageError} When the value cannot be used (see {@link normalizeBaseUrl}).
 *
 * @example
 * ```ts
 * import { baseUrlFromOllamaHost } from "@vtcode/ollama";
 *
 * baseUrlFromOllamaHost(undefined); // "http://127.0.0.1:11434"
 * baseUrlFromOllamaHost("1.2.3.4"); // "http://1.2.3.4:11434"
 * baseUrlFromOllamaHost(":1234"); // "http://127.0.0.1:1234"
 * baseUrlFromOllamaHost("[::1]:1337"); // "http://[::1]:1337"
 * baseUrlFromOllamaHost("http://1.2.3.4"); // "http://1.2.3.4:80"
 * baseUrlFromOllamaHost("https://example.com/ollama"); // "https://example.com:443/ollama"
 * baseUrlFromOllamaHost("0.0.0.0"); // "http://127.0.0.1:11434"
 * baseUrlFromOllamaHost("ollama.com"); // "https://ollama.com:443"
 * ```
 */
export function baseUrlFromOllamaHost(value: string | undefined): string {
  return parseAddress(value ?? "", false, "OLLAMA_HOST");
}

/**
 * The places a server address can come from, in the order {@link resolveBaseUrl} consults them.
 *
 * @example
 * ```ts
 * import { type BaseUrlSources, resolveBaseUrl } from "@vtcode/ollama";
 *
 * const sources: BaseUrlSources = { baseUrl: "http://gpu-box:11434", env: { OLLAMA_HOST: "0.0.0.0" } };
 * resolveBaseUrl(sources).source; // "base_url"
 * ```
 */
export interface BaseUrlSources {
  /** The `--host` command-line option. */
  host?: string;
  /** `base_url` from the `[ollama]` config table. */
  baseUrl?: string;
  /** The environment (only these two variables are read). */
  env?: {
    /** `OLLAMA_BASE_URL`: a base URL, normalized like `base_url`. */
    OLLAMA_BASE_URL?: string;
    /** `OLLAMA_HOST`: Ollama's own variable, read by its rules. */
    OLLAMA_HOST?: string;
  };
}

/**
 * Which source {@link resolveBaseUrl} took the address from.
 *
 * @example
 * ```ts
 * import { type BaseUrlSource, resolveBaseUrl } from "@vtcode/ollama";
 *
 * const source: BaseUrlSource = resolveBaseUrl({ host: "gpu-box" }).source; // "--host"
 * ```
 */
export type BaseUrlSource = "--host" | "base_url" | "OLLAMA_BASE_URL" | "OLLAMA_HOST" | "default";

/**
 * Picks the server address: the first source that is set and not empty (after trimming) of
 * `--host`, `base_url`, `OLLAMA_BASE_URL`, `OLLAMA_HOST`, then {@link DEFAULT_BASE_URL}.
 * `OLLAMA_HOST` is read by {@link baseUrlFromOllamaHost}, the others by
 * {@link normalizeBaseUrl}. A set but invalid source is an error; it does not fall through.
 *
 * @param sources The candidate values.
 * @returns The normalized base URL and where it came from.
 * @throws {UsageError} When the chosen value is invalid; the message names the source.
 *
 * @example
 * ```ts
 * import { resolveBaseUrl } from "@vtcode/ollama";
 *
 * resolveBaseUrl({ host: "", env: { OLLAMA_HOST: "0.0.0.0:8080" } });
 * // { url: "http://127.0.0.1:8080", source: "OLLAMA_HOST" }
 * ```
 */
export function resolveBaseUrl(sources: BaseUrlSources): { url: string; source: BaseUrlSource } {
  const candidates: [BaseUrlSource, string | undefined][] = [
    ["--host", sources.host],
    ["base_url", sources.baseUrl],
    ["OLLAMA_BASE_URL", sources.env?.OLLAMA_BASE_URL],
    ["OLLAMA_HOST", sources.env?.OLLAMA_HOST],
  ];
  for (const [source, value] of candidates) {
    if (typeof value !== "string" || value.trim() === "") continue;
    const url = source === "OLLAMA_HOST"
      ? parseAddress(value, false, "OLLAMA_HOST")
      : parseAddress(value, true, `server address (from ${source})`);
    return { url, source };
  }
  return { url: DEFAULT_BASE_URL, source: "default" };
}

/**
 * Hides credentials in a URL for display: a password becomes `***`, and so does a user name
 * that stands alone (it is often a token). Never throws and changes nothing else. It works on
 * text, not on a parsed URL, so malformed input is redacted too: everything after `scheme://`
 * (or from the start, without one) up to the last `@` in the text counts as credentials, and
 * only a plain user name before a `:` is kept. That may hide more than needed in the rare URL
 * with an `@` in its path.
 *
 * @param url Any text that may be a URL with credentials.
 * @returns The same text with the credentials masked.
 *
 * @example
 * ```ts
 * import { redactUrl } from "@vtcode/ollama";
 *
 * redactUrl("http://user:pw@h:1/x"); // "http://user:***@h:1/x"
 * redactUrl("https://sk-123@example.com"); // "https://***@example.com"
 * redactUrl("http://127.0.0.1:11434"); // unchanged
 * ```
 */
export function redactUrl(url: string): string {
  if (typeof url !== "string") return "";
  const at = url.lastIndexOf("@");
  if (at < 0) return url;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url);
  if (scheme === null || scheme[0].length > at) {
    // No `scheme://` before the credentials: `user:` might be a scheme or a user name, so
    // nothing before the `@` is kept.
    return `***${url.slice(at)}`;
  }
  const start = scheme[0].length;
  const userinfo = url.slice(start, at);
  const colon = userinfo.indexOf(":");
  const user = colon < 0 ? "" : userinfo.slice(0, colon);
  // Keep the user name only when it is made of userinfo characters (RFC 3986).
  const plain = /^[A-Za-z0-9._~%!$&'()*+,;=-]*$/.test(user);
  const masked = colon >= 0 && plain ? `${user}:***` : "***";
  return `${url.slice(0, start)}${masked}${url.slice(at)}`;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Takes the credentials out of a URL, because `fetch()` refuses URLs that contain them: returns
 * the URL without its `user:password@` and the matching `Authorization` header value,
 * `Basic base64(user:password)` with both percent-decoded (UTF-8). A user name alone is sent
 * with an empty password.
 *
 * @param url A URL, normally from {@link normalizeBaseUrl}.
 * @returns The URL without credentials, and the header value or `undefined` when there were none.
 *
 * @example
 * ```ts
 * import { splitCredentials } from "@vtcode/ollama";
 *
 * splitCredentials("https://me:s%40cret@example.com:443");
 * // { url: "https://example.com:443", authorization: "Basic bWU6c0BjcmV0" }
 * ```
 */
export function splitCredentials(url: string): { url: string; authorization: string | undefined } {
  const { start, end } = authorityBounds(url);
  const at = url.lastIndexOf("@", end - 1);
  if (at < start) return { url, authorization: undefined };
  const userinfo = url.slice(start, at);
  const stripped = `${url.slice(0, start)}${url.slice(at + 1)}`;
  if (userinfo === "" || userinfo === ":") return { url: stripped, authorization: undefined };
  const colon = userinfo.indexOf(":");
  const user = decodeComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? "" : decodeComponent(userinfo.slice(colon + 1));
  return { url: stripped, authorization: `Basic ${base64Utf8(`${user}:${password}`)}` };
}

/**
 * Joins a base URL and an API path, keeping the base URL's path prefix.
 *
 * @param baseUrl A base URL, e.g. from {@link normalizeBaseUrl}; trailing slashes are ignored.
 * @param path An API path such as `/api/tags` (a missing leading `/` is added).
 * @returns The request URL.
 *
 * @example
 * ```ts
 * import { joinUrl } from "@vtcode/ollama";
 *
 * joinUrl("https://h:443/ollama", "/api/tags"); // "https://h:443/ollama/api/tags"
 * joinUrl("http://127.0.0.1:11434/", "api/version"); // "http://127.0.0.1:11434/api/version"
 * ```
 */
export function joinUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  if (path === "") return base;
  return path.startsWith("/") ? `${base}${path}` : `${base}/${path}`;
}

/**
 * Whether a base URL is Ollama's cloud (`https://ollama.com` or a subdomain): the only place an
 * `OLLAMA_API_KEY` is ever sent.
 *
 * @param url A base URL.
 * @returns `true` for ollama.com over https.
 *
 * @example
 * ```ts
 * import { isOllamaCloudUrl } from "@vtcode/ollama";
 *
 * isOllamaCloudUrl("https://ollama.com:443"); // true
 * isOllamaCloudUrl("http://ollama.com"); // false: never over plain http
 * isOllamaCloudUrl("https://ollama.com.evil.example"); // false
 * ```
 */
export function isOllamaCloudUrl(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === "https:" && (hostname === "ollama.com" || hostname.endsWith(".ollama.com"));
  } catch {
    return false;
  }
}
