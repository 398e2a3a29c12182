/**
 * A model registry's manifests: what a tag points at now (the manifest digest, the sha256 of its
 * bytes, which is the digest `/api/tags` shows for the installed copy) and the blobs it is made
 * of, with their sizes. This is what `plan` (bytes to download), `outdated` (did the tag move?)
 * and exact pull progress are built on. Requests go through the same transport as the client's
 * (redirect rules, bounds, named failures); answers are cached per client, so a run asks once per
 * model. A registry that cannot be asked is a result, not an exception: callers turn it into a
 * warning. Web standards only (`fetch`, `crypto.subtle`).
 *
 * @module
 */

import { OllamaError } from "./errors/ollama_error.ts";
import type { OllamaManifestLayer } from "./events.ts";
import {
  DEFAULT_REGISTRY_HOST,
  type ModelName,
  normalizeModelName,
  parseModelName,
} from "./names.ts";
import { sanitizeText } from "./sanitize.ts";
import { boundMs, type FetchLike, statusText, Transport } from "./transport.ts";

/**
 * A tag's manifest, as the registry serves it now.
 *
 * @example
 * ```ts
 * import type { RegistryManifest } from "@vtcode/ollama";
 *
 * const gb = (m: RegistryManifest) => (m.totalBytes / 1e9).toFixed(1);
 * ```
 */
export interface RegistryManifest {
  /** The manifest digest: 64 hex, no `sha256:` (as `/api/tags` shows an installed model's). */
  digest: string;
  /** Every blob (the layers in order, then the config), with its size. */
  layers: OllamaManifestLayer[];
  /** The sum of the blobs' sizes. */
  totalBytes: number;
}

/**
 * The outcome of asking a registry for a manifest: the manifest, or why it could not be had.
 *
 * @example
 * ```ts
 * import type { ManifestLookup } from "@vtcode/ollama";
 *
 * const digestOf = (lookup: ManifestLookup) => lookup.ok ? lookup.manifest.digest : null;
 * ```
 */
export type ManifestLookup =
  | { ok: true; manifest: RegistryManifest }
  | {
    ok: false;
    /** Why, in a few words (sanitized). */
    reason: string;
    /** The registry said there is no such model or tag (404). */
    notFound: boolean;
  };

/**
 * Options for {@link RegistryClient}.
 *
 * @example
 * ```ts
 * import { RegistryClient, type RegistryClientOptions } from "@vtcode/ollama";
 *
 * const options: RegistryClientOptions = { timeoutMs: 3_000, insecure: true };
 * new RegistryClient(options);
 * ```
 */
export interface RegistryClientOptions {
  /** The `fetch` to use. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Bound for each manifest request. Default 10 s. */
  timeoutMs?: number;
  /** Aborts every request. */
  signal?: AbortSignal;
  /**
   * Ask plain-HTTP registries (`insecure`): names whose host is not the default registry are
   * then asked over `http://`. A name's own `http://` scheme does the same for that name.
   */
  insecure?: boolean;
}

const MANIFEST_ACCEPT = "application/vnd.docker.distribution.manifest.v2+json";
const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * Reads tags' manifests from their registries (`registry.ollama.ai` for plain names, the name's
 * host otherwise). Each model is asked once per client.
 *
 * @example What a tag points at now
 * ```ts
 * import { RegistryClient } from "@vtcode/ollama";
 *
 * const lookup = await new RegistryClient().manifest("llama3");
 * if (lookup.ok) console.log(lookup.manifest.digest, lookup.manifest.totalBytes);
 * else console.error(`cannot ask the registry: ${lookup.reason}`);
 * ```
 */
export class RegistryClient {
  readonly #fetch: FetchLike | undefined;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #insecure: boolean;
  readonly #cache = new Map<string, Promise<ManifestLookup>>();

  /**
   * Creates the client; nothing is asked until {@link RegistryClient.manifest}.
   *
   * @param options Fetch, bound, signal and `insecure`.
   */
  constructor(options: RegistryClientOptions = {}) {
    this.#fetch = options.fetch;
    this.#timeoutMs = boundMs(options.timeoutMs, 10_000);
    this.#signal = options.signal;
    this.#insecure = options.insecure === true;
  }

  /**
   * The manifest a model's tag points at now.
   *
   * @param name The model (`llama3`, `user/m:tag`, `host:5000/ns/m:tag`, `http://host/ns/m`).
   * @param options A signal for this call.
   * @returns The manifest, or why it could not be had; never throws for the registry's answers.
   * @throws {InvalidModelNameError} For an invalid name.
   * @throws {InterruptedError} When a signal aborted the request.
   */
  manifest(name: string, options: { signal?: AbortSignal } = {}): Promise<ManifestLookup> {
    const parsed = parseModelName(name);
    const key = normalizeModelName(parsed);
    let pending = this.#cache.get(key);
    if (pending === undefined) {
      pending = this.#ask(parsed, options.signal);
      this.#cache.set(key, pending);
      // A failed ask (an interruption) is not remembered.
      pending.catch(() => this.#cache.delete(key));
    }
    return pending;
  }

  /**
   * The registry's base URL for a name: `https://<host>`, or `http://` for a name with an
   * `http://` scheme, or with `insecure` for a host other than the default registry.
   *
   * @param name A parsed name.
   * @returns The base URL.
   */
  registryUrl(name: ModelName): string {
    const plain = name.scheme === "http" ||
      (name.scheme === undefined && this.#insecure &&
        name.host.toLowerCase() !== DEFAULT_REGISTRY_HOST);
    return `${plain ? "http" : "https"}://${name.host}`;
  }

  async #ask(name: ModelName, signal: AbortSignal | undefined): Promise<ManifestLookup> {
    const base = this.registryUrl(name);
    const transport = new Transport(base, {
      fetch: this.#fetch,
      signal: this.#signal,
      maxResponseBytes: MAX_MANIFEST_BYTES,
    });
    const path = `/v2/${name.namespace}/${name.model}/manifests/${name.tag}`;
    const bound = transport.bound({ signal }, this.#timeoutMs);
    let response;
    try {
      response = await transport.request("GET", path, bound, undefined, {
        headers: { accept: MANIFEST_ACCEPT },
      });
    } catch (error) {
      if (error instanceof OllamaError && error.code === "interrupted") throw error;
      const message = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        reason: `${base} could not be asked (${short(message)})`,
        notFound: false,
      };
    }
    if (response.status === 404) {
      return { ok: false, reason: `${base} has no such model or tag`, notFound: true };
    }
    if (response.status === 401 || response.status === 403) {
      return {
        ok: false,
        reason: `${base} wants credentials for this model (${statusText(response)})`,
        notFound: false,
      };
    }
    if (response.status !== 200) {
      return { ok: false, reason: `${base} answered ${statusText(response)}`, notFound: false };
    }
    const manifest = await manifestFrom(response.text);
    return manifest === undefined
      ? { ok: false, reason: `${base} sent a manifest of an unknown shape`, notFound: false }
      : { ok: true, manifest };
  }
}

/** Parses a manifest body and digests its bytes; `undefined` when it is not a manifest. */
async function manifestFrom(text: string): Promise<RegistryManifest | undefined> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null) return undefined;
  const { layers, config } = body as { layers?: unknown; config?: unknown };
  if (!Array.isArray(layers)) return undefined;
  const blobs: OllamaManifestLayer[] = [];
  for (const entry of [...layers, ...(config === undefined ? [] : [config])]) {
    const blob = blobFrom(entry);
    if (blob === undefined) return undefined;
    blobs.push(blob);
  }
  const bytes = new TextEncoder().encode(text);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const digest = Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
  return { digest, layers: blobs, totalBytes: blobs.reduce((sum, b) => sum + b.size, 0) };
}

function blobFrom(entry: unknown): OllamaManifestLayer | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const { digest, size } = entry as { digest?: unknown; size?: unknown };
  if (typeof digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) return undefined;
  return { digest, size };
}

function short(text: string): string {
  return sanitizeText(text, { maxLength: 200 });
}
