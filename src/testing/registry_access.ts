/**
 * How the fake server reaches a registry, and what it says when it cannot, in the words of
 * Ollama's Go HTTP client: a handler given in `registries` (no socket), the global `fetch` for a
 * registry served on loopback, a `registryFetch` of the user's, or `no such host` (the fake never
 * goes to the internet on its own). A registry answering plain http to an https request gives
 * `http: server gave HTTP response to HTTPS client`, as Go reports it.
 *
 * @module
 */

import type { FakeRegistryHandler, FakeSettings } from "./fake_options.ts";
import { DEFAULT_HOST } from "./model_name.ts";

/**
 * A failure as Ollama words it (the text after `pull model manifest: `, or the whole error
 * line of a blob). Thrown by registry requests and downloads.
 */
export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegistryError";
  }
}

/** Sends one request to a registry; throws {@link RegistryError} when no answer comes. */
export type RegistryRequest = (
  method: "GET" | "HEAD",
  url: URL,
  init: { headers?: Record<string, string>; signal: AbortSignal },
) => Promise<Response>;

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** Whether a URL host name is this machine. */
function isLoopback(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** `host:port` with loopback names folded into one, for matching `registries`. */
function matchKey(host: string): string {
  const url = new URL(`http://${host}`);
  return `${isLoopback(url.hostname) ? "loopback" : url.hostname.toLowerCase()}:${url.port}`;
}

/**
 * The registry access of a fake: which hosts it serves itself, and how it sends requests.
 */
export class RegistryAccess {
  readonly #handlers = new Map<string, FakeRegistryHandler>();
  readonly #fetch: ((request: Request) => Promise<Response>) | undefined;

  constructor(settings: Pick<FakeSettings, "registries" | "registryFetch">) {
    for (const [host, handler] of settings.registries) this.#handlers.set(matchKey(host), handler);
    this.#fetch = settings.registryFetch;
  }

  /** Whether a host (as in a model name) is one of `registries`. */
  serves(host: string): boolean {
    try {
      return this.#handlers.has(matchKey(host));
    } catch {
      return false;
    }
  }

  /** Sends a request (no redirect is followed); throws {@link RegistryError} with Go's text. */
  readonly request: RegistryRequest = async (method, url, init) => {
    const op = `${method[0]}${method.slice(1).toLowerCase()} ${JSON.stringify(url.href)}`;
    const handler = this.#handlers.get(matchKey(url.host));
    const request = () =>
      new Request(url, { method, headers: init.headers, signal: init.signal, redirect: "manual" });
    if (handler !== undefined) {
      // The handlers speak plain http, as a FakeRegistry does.
      if (url.protocol === "https:") {
        throw new RegistryError(`${op}: http: server gave HTTP response to HTTPS client`);
      }
      const response = await handler(request());
      if (method !== "HEAD" || response.body === null) return response;
      // An HTTP server sends no body with a HEAD answer.
      await response.body.cancel();
      return new Response(null, { status: response.status, headers: response.headers });
    }
    if (this.#fetch !== undefined) {
      try {
        return await this.#fetch(request());
      } catch (error) {
        throw new RegistryError(`${op}: ${init.signal.aborted ? "context canceled" : text(error)}`);
      }
    }
    if (!isLoopback(url.hostname) || url.hostname === DEFAULT_HOST) {
      throw new RegistryError(`${op}: dial tcp: lookup ${url.hostname}: no such host`);
    }
    try {
      return await fetch(request());
    } catch (error) {
      if (init.signal.aborted) throw new RegistryError(`${op}: context canceled`);
      throw new RegistryError(`${op}: ${await loopbackFailure(url, error)}`);
    }
  };
}

/** Why a request to a loopback registry got no answer, as Go would say it. */
async function loopbackFailure(url: URL, error: unknown): Promise<string> {
  if (url.protocol === "https:") {
    const plain = new URL(url);
    plain.protocol = "http:";
    const answered = await fetch(plain, { method: "HEAD", signal: AbortSignal.timeout(2000) })
      .then(async (response) => (await response.body?.cancel(), true), () => false);
    if (answered) return "http: server gave HTTP response to HTTPS client";
  }
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return /refused|ECONNREFUSED|connect/i.test(text(error))
    ? `dial tcp ${url.hostname}:${port}: connect: connection refused`
    : text(error);
}

/** An error's message, with its cause's (Deno says only `fetch failed`, the cause says why). */
function text(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
