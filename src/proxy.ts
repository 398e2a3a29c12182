/**
 * Which proxy a runtime's `fetch` sends a request through, by the `HTTP_PROXY`, `HTTPS_PROXY`,
 * `ALL_PROXY` and `NO_PROXY` conventions (either case), and whether an address is loopback,
 * which Ollama's own client never proxies. Deno's and Bun's `fetch` honour these variables;
 * Node's does not. Pure functions: the caller passes the environment in.
 *
 * @module
 */

/**
 * The proxy variables, as read from the environment (either case of each name).
 *
 * @example
 * ```ts
 * import type { ProxyEnv } from "@vtcode/ollama";
 *
 * const env: ProxyEnv = { HTTPS_PROXY: "http://proxy:3128", NO_PROXY: "localhost" };
 * ```
 */
export interface ProxyEnv {
  /** Proxy for `http:` requests. */
  HTTP_PROXY?: string;
  /** Same, lower case. */
  http_proxy?: string;
  /** Proxy for `https:` requests. */
  HTTPS_PROXY?: string;
  /** Same, lower case. */
  https_proxy?: string;
  /** Proxy for any request without a scheme-specific one. */
  ALL_PROXY?: string;
  /** Same, lower case. */
  all_proxy?: string;
  /** Hosts that are never proxied: comma-separated names, `.suffix`es, IPs, CIDRs, or `*`. */
  NO_PROXY?: string;
  /** Same, lower case. */
  no_proxy?: string;
}

/**
 * The names of the proxy variables, upper and lower case.
 *
 * @example
 * ```ts
 * import { PROXY_ENV_NAMES } from "@vtcode/ollama";
 *
 * PROXY_ENV_NAMES.includes("NO_PROXY"); // true
 * ```
 */
export const PROXY_ENV_NAMES: readonly (keyof ProxyEnv)[] = Object.freeze([
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
]);

/**
 * A proxy that applies to a request.
 *
 * @example
 * ```ts
 * import type { ProxyChoice } from "@vtcode/ollama";
 *
 * const choice: ProxyChoice = { url: "http://proxy:3128", variable: "HTTP_PROXY" };
 * ```
 */
export interface ProxyChoice {
  /** The proxy's address, credentials masked. */
  url: string;
  /** The variable it came from. */
  variable: keyof ProxyEnv;
}

/**
 * Whether a URL's host is loopback: `localhost` (and `*.localhost`), `127.0.0.0/8` or `::1`.
 *
 * @param url An absolute URL.
 * @returns `true` for loopback hosts; `false` for anything else, including text that is not a URL.
 *
 * @example
 * ```ts
 * import { isLoopbackUrl } from "@vtcode/ollama";
 *
 * isLoopbackUrl("http://127.0.0.2:11434"); // true
 * isLoopbackUrl("http://[::1]:11434"); // true
 * isLoopbackUrl("http://gpu-box:11434"); // false
 * ```
 */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The proxy a runtime that honours the proxy variables would use for a request, or `undefined`
 * when none applies (no variable set, or `NO_PROXY` covers the host). `NO_PROXY` entries are
 * compared with the host (and the port when an entry has one): `*` matches everything, a name
 * matches itself and its subdomains (a leading `.` is optional), an IP matches itself, and
 * `a.b.c.d/n` matches a range.
 *
 * @param url The request's absolute URL.
 * @param env The proxy variables.
 * @returns The proxy and the variable it came from.
 *
 * @example
 * ```ts
 * import { proxyForUrl } from "@vtcode/ollama";
 *
 * proxyForUrl("http://gpu:11434", { HTTP_PROXY: "http://proxy:3128" });
 * // { url: "http://proxy:3128", variable: "HTTP_PROXY" }
 * proxyForUrl("http://gpu:11434", { HTTP_PROXY: "http://proxy:3128", NO_PROXY: "gpu" }); // undefined
 * ```
 */
export function proxyForUrl(url: string, env: ProxyEnv): ProxyChoice | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const names: (keyof ProxyEnv)[] = parsed.protocol === "https:"
    ? ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
    : ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];
  const variable = names.find((name) => (env[name] ?? "").trim() !== "");
  if (variable === undefined) return undefined;
  const noProxy = `${env.NO_PROXY ?? ""},${env.no_proxy ?? ""}`;
  if (bypassed(parsed, noProxy)) return undefined;
  return { url: maskCredentials((env[variable] as string).trim()), variable };
}

/**
 * The `NO_PROXY` value that adds the loopback hosts to an existing one, or `undefined` when it
 * already covers them (the command line sets it before its first request, so that Deno's and
 * Bun's `fetch` never send loopback traffic through a proxy).
 *
 * @param current The current `NO_PROXY` (or `no_proxy`) value.
 * @returns The new value, or `undefined` when nothing needs to change.
 *
 * @example
 * ```ts
 * import { noProxyWithLoopback } from "@vtcode/ollama";
 *
 * noProxyWithLoopback("corp.example"); // "corp.example,localhost,127.0.0.1,::1,[::1]"
 * noProxyWithLoopback("*"); // undefined
 * ```
 */
export function noProxyWithLoopback(current: string | undefined): string | undefined {
  const loopback = ["localhost", "127.0.0.1", "::1", "[::1]"];
  const entries = (current ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  if (entries.includes("*")) return undefined;
  const missing = loopback.filter((host) => !entries.includes(host));
  return missing.length === 0 ? undefined : [...entries, ...missing].join(",");
}

function bypassed(url: URL, noProxy: string): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  for (const raw of noProxy.split(",")) {
    let entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    let entryPort: string | undefined;
    const portMatch = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (portMatch !== null) {
      entry = portMatch[1];
      entryPort = portMatch[2];
    }
    entry = entry.replace(/^\[|\]$/g, "");
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.includes("/")) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    const name = entry.replace(/^\*?\./, "");
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

function inCidr(host: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const ip = ipv4(host);
  const net = ipv4(base);
  const bits = Number(bitsText);
  if (ip === undefined || net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    return false;
  }
  if (bits === 0) return true;
  const mask = (~0 << (32 - bits)) >>> 0;
  return ((ip & mask) >>> 0) === ((net & mask) >>> 0);
}

function ipv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function maskCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1***@");
}
