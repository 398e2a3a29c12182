/**
 * A fake model registry: the API a real Ollama pulls from (manifests, blob sizes, a redirect to
 * a data URL that honours `Range`), serving made-up models, with a speed limit and faults, and a
 * log of the requests it received. A web-standard handler; serve it with `serveFakeOllama`.
 *
 * @module
 */

import { FaultList, NEWER_VERSION_TEXT } from "./faults.ts";
import type { FaultTarget, RegistryEndpoint, RegistryFault } from "./faults.ts";
import {
  buildRegistryModel,
  DEFAULT_REGISTRY_MODELS,
  REGISTRY_MEDIA_TYPES,
  registryReference,
} from "./models.ts";
import type { BuiltRegistryModel, RegistryModelSpec } from "./models.ts";
import type { RegistryRequestRecord, RegistryRequestState } from "./request_log.ts";
import { throttledBody } from "./throttle.ts";

/**
 * Options of {@link FakeRegistry}.
 *
 * @example
 * ```ts
 * import type { FakeRegistryOptions } from "@vtcode/ollama/testing";
 *
 * const options: FakeRegistryOptions = {
 *   models: [{ name: "tiny", weightsSize: 4 * 1024 * 1024 }],
 *   bytesPerSecond: 1024 * 1024,
 *   faults: [{ kind: "cut", at: 1024 * 1024, times: 1 }],
 * };
 * ```
 */
export interface FakeRegistryOptions {
  /** The models it serves. Default {@link DEFAULT_REGISTRY_MODELS}. */
  models?: readonly RegistryModelSpec[];
  /** Speed limit of every data connection (bytes per second, each on its own). Default: none. */
  bytesPerSecond?: number;
  /** Faults injected from the start (see {@link FakeRegistry.injectFault}). */
  faults?: readonly RegistryFault[];
  /**
   * The host name of the data URLs the blob redirect points at (same port and scheme). Ollama
   * follows a redirect to the SAME host name itself and then needs a `Location` it no longer
   * has, so it must differ from the one the client used. Default: `localhost` when the request
   * came to an IP address, else `127.0.0.1`.
   */
  dataHost?: string;
  /**
   * The status of the blob redirect. Default 307, as the real registry answers (Ollama accepts
   * only 307, or a 200 that carries `Location`).
   */
  redirectStatus?: number;
  /**
   * How much time one chunk of a speed-limited body stands for, in ms: a chunk is at most this
   * long's worth of bytes (and at most 16 KiB). Default 50. A test that runs the registry faster
   * than real time (speeds multiplied) divides this alike, so that bytes arrive as finely spaced
   * as they would have.
   */
  chunkMs?: number;
}

/**
 * A fake registry a real Ollama (or the fake one) can pull from, on loopback, with no internet.
 * Serve {@link FakeRegistry.handler} with `serveFakeOllama`, then pull
 * `<host:port>/library/<model>` with `"insecure": true` (plain http).
 *
 * Endpoints:
 * - `GET /v2/` -> 200 `{}`;
 * - `GET|HEAD /v2/<ns>/<model>/manifests/<tag or digest>` -> the manifest's exact bytes,
 *   `Docker-Content-Digest` = sha256 of them; unknown -> 404 `MANIFEST_UNKNOWN`;
 * - `HEAD /v2/<ns>/<model>/blobs/<digest>` -> 200, `Content-Length` = the blob's size;
 * - `GET /v2/<ns>/<model>/blobs/<digest>` -> 307 with `Location` to the data URL
 *   (`http://<dataHost>:<port>/_data/<ns>/<model>/<digest>`);
 * - `GET|HEAD` of the data URL -> the bytes; `Range: bytes=a-b` -> 206 with exactly those.
 *
 * @example Serve it, pull from it with a real Ollama, see what it was asked
 * ```ts ignore
 * import { FakeRegistry, registryModelName, serveFakeOllama } from "@vtcode/ollama/testing";
 *
 * const registry = new FakeRegistry({ bytesPerSecond: 2 * 1024 * 1024 });
 * const served = await serveFakeOllama(registry.handler);
 * const model = registryModelName(served.url, "tiny"); // "127.0.0.1:<port>/library/tiny:latest"
 * await fetch("http://127.0.0.1:11434/api/pull", {
 *   method: "POST",
 *   body: JSON.stringify({ model, insecure: true, stream: false }),
 * });
 * console.log(registry.requests().map((r) => `${r.method} ${r.path} ${r.status}`));
 * await served.close();
 * ```
 *
 * @example Without a socket
 * ```ts
 * import { FakeRegistry } from "@vtcode/ollama/testing";
 *
 * const registry = new FakeRegistry();
 * const response = await registry.handler(
 *   new Request("http://127.0.0.1:5000/v2/library/tiny/manifests/latest"),
 * );
 * response.headers.get("docker-content-digest"); // "sha256:..."
 * ```
 */
export class FakeRegistry {
  /**
   * The web-standard handler: give it to `serveFakeOllama`, or call it directly.
   *
   * @example
   * ```ts
   * import { FakeRegistry, serveFakeOllama } from "@vtcode/ollama/testing";
   *
   * const registry = new FakeRegistry();
   * const served = await serveFakeOllama(registry.handler);
   * await served.close();
   * ```
   */
  readonly handler: (request: Request) => Promise<Response>;

  readonly #tags = new Map<string, BuiltRegistryModel>();
  readonly #manifests = new Map<string, BuiltRegistryModel>();
  readonly #blobs = new Map<string, Uint8Array<ArrayBuffer>>();
  readonly #faults = new FaultList();
  readonly #records: RegistryRequestState[] = [];
  readonly #closing = new AbortController();
  readonly #dataHost: string | undefined;
  readonly #redirectStatus: number;
  readonly #chunkMs: number;
  #bytesPerSecond: number | undefined;
  #ready: Promise<void>;

  /**
   * Creates the registry; its models are made up in the background ({@link FakeRegistry.ready}).
   *
   * @param options Models, speed limit, faults, data host, redirect status.
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * const registry = new FakeRegistry({ models: [{ name: "tiny", weightsSize: 65536 }] });
   * ```
   */
  constructor(options: FakeRegistryOptions = {}) {
    this.#bytesPerSecond = options.bytesPerSecond;
    this.#dataHost = options.dataHost;
    this.#redirectStatus = options.redirectStatus ?? 307;
    this.#chunkMs = options.chunkMs ?? 50;
    for (const fault of options.faults ?? []) this.#faults.add(fault);
    const specs = options.models ?? DEFAULT_REGISTRY_MODELS;
    this.#ready = Promise.all(specs.map((spec) => buildRegistryModel(spec))).then((models) => {
      for (const model of models) this.#store(model);
    });
    this.handler = (request) => this.#handle(request);
  }

  /**
   * Resolves once the models given to the constructor are made (the handler waits for it too).
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * await new FakeRegistry().ready;
   * ```
   */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * Adds a model, or replaces the one its name's tag points at (the tag "moves": a new manifest
   * digest). The blobs of the manifest it replaces stay available, as in a real registry.
   *
   * @param spec The model to make up.
   * @returns The model as served.
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * const registry = new FakeRegistry({ models: [] });
   * const model = await registry.publish({ name: "me/m:8b", weightsSize: 4096 });
   * model.repository; // "me/m"
   * ```
   */
  async publish(spec: RegistryModelSpec): Promise<BuiltRegistryModel> {
    await this.#ready;
    const model = await buildRegistryModel(spec);
    this.#store(model);
    return model;
  }

  /**
   * Moves a tag to a new manifest: the same model made up with a new seed (new weights, so a new
   * digest for the weights, the config and the manifest).
   *
   * @param name The model, e.g. `tiny` or `tiny:latest`.
   * @param seed The new seed. Default: the old one with `+` appended.
   * @returns The manifest digests before and after.
   * @throws {TypeError} When the registry does not serve that model.
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * const registry = new FakeRegistry();
   * const { before, after } = await registry.moveTag("tiny");
   * before !== after; // true
   * ```
   */
  async moveTag(name: string, seed?: string): Promise<{ before: string; after: string }> {
    const current = await this.model(name);
    if (current === undefined) throw new TypeError(`the fake registry has no model ${name}`);
    const oldSeed = current.spec.seed ?? `${current.repository}:${current.tag}`;
    const moved = await this.publish({ ...current.spec, seed: seed ?? `${oldSeed}+` });
    return { before: current.digest, after: moved.digest };
  }

  /**
   * The model a name's tag points at now.
   *
   * @param name E.g. `tiny`, `tiny:latest`, `library/tiny`.
   * @returns The model, or `undefined` when there is none.
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * const model = await new FakeRegistry().model("tiny");
   * model?.layers.length; // 4 (weights, template, params, license)
   * ```
   */
  async model(name: string): Promise<BuiltRegistryModel | undefined> {
    await this.#ready;
    const { repository, tag } = registryReference(name);
    return this.#tags.get(`${repository}:${tag}`);
  }

  /**
   * Removes a tag (its manifest then answers 404; blobs stay).
   *
   * @param name The model.
   * @returns Whether there was such a tag.
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * const registry = new FakeRegistry();
   * await registry.ready;
   * registry.remove("tiny"); // true
   * ```
   */
  remove(name: string): boolean {
    const { repository, tag } = registryReference(name);
    return this.#tags.delete(`${repository}:${tag}`);
  }

  /**
   * Injects a fault; faults apply in the order injected, the first that matches wins.
   *
   * @param fault The fault.
   * @throws {TypeError} When `times` is not a whole number >= 1.
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * const registry = new FakeRegistry();
   * registry.injectFault({ kind: "status", endpoint: "manifest", status: 503, times: 1 });
   * ```
   */
  injectFault(fault: RegistryFault): void {
    this.#faults.add(fault);
  }

  /**
   * Removes every injected fault that is not used up yet.
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * const registry = new FakeRegistry({ faults: [{ kind: "newer_version" }] });
   * registry.clearFaults();
   * ```
   */
  clearFaults(): void {
    this.#faults.clear();
  }

  /**
   * Sets the speed limit of data connections opened from now on.
   *
   * @param bytesPerSecond Bytes per second, each connection on its own; `undefined`: no limit.
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * const registry = new FakeRegistry();
   * registry.setSpeed(512 * 1024);
   * ```
   */
  setSpeed(bytesPerSecond: number | undefined): void {
    this.#bytesPerSecond = bytesPerSecond;
  }

  /**
   * The requests received so far, oldest first (snapshots), optionally of one endpoint.
   *
   * @param endpoint Only these (`"manifest"`, `"blob"`, `"data"`, `"other"`).
   * @returns The records.
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * const registry = new FakeRegistry();
   * registry.requests("data").filter((r) => r.clientGone).length; // 0
   * ```
   */
  requests(endpoint?: RegistryEndpoint): RegistryRequestRecord[] {
    return this.#records
      .filter((record) => endpoint === undefined || record.endpoint === endpoint)
      .map((record) => ({ ...record }));
  }

  /**
   * Forgets the recorded requests.
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * new FakeRegistry().clearRequests();
   * ```
   */
  clearRequests(): void {
    this.#records.length = 0;
  }

  /**
   * Ends every stall and body still being sent (their connections break off). Serving's
   * `close()` does this too. Idempotent.
   *
   * @example
   * ```ts
   * import { FakeRegistry } from "@vtcode/ollama/testing";
   *
   * new FakeRegistry().close();
   * ```
   */
  close(): void {
    this.#closing.abort();
  }

  #store(model: BuiltRegistryModel): void {
    this.#tags.set(`${model.repository}:${model.tag}`, model);
    this.#manifests.set(model.digest, model);
    for (const [digest, bytes] of model.blobs) this.#blobs.set(digest, bytes);
  }

  async #handle(request: Request): Promise<Response> {
    await this.#ready;
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const record: RegistryRequestState = {
      method,
      path: url.pathname,
      host: url.host,
      endpoint: "other",
      repository: undefined,
      reference: undefined,
      range: request.headers.get("range") ?? undefined,
      userAgent: request.headers.get("user-agent") ?? undefined,
      status: 0,
      bytesSent: 0,
      outcome: "completed",
      clientGone: false,
      fault: undefined,
      startedAt: new Date(),
      endedAt: undefined,
    };
    this.#records.push(record);
    const response = this.#route(request, url, method, record);
    record.status = response.status;
    if (record.outcome !== "pending") record.endedAt = new Date();
    return response;
  }

  #route(request: Request, url: URL, method: string, record: RegistryRequestState): Response {
    const path = url.pathname.split("/").map(decodeURIComponent);
    if (method !== "GET" && method !== "HEAD") {
      return ociError(405, "UNSUPPORTED", "the fake registry only serves GET and HEAD");
    }
    if (url.pathname === "/v2" || url.pathname === "/v2/") return json(200, "{}");
    // ["", "v2", ns, model, "manifests"|"blobs", ref] or ["", "_data", ns, model, digest]
    if (path.length === 6 && path[1] === "v2" && path[4] === "manifests") {
      return this.#manifest(request, method, path, record);
    }
    if (path.length === 6 && path[1] === "v2" && path[4] === "blobs") {
      return this.#blob(url, method, path, record);
    }
    if (path.length === 5 && path[1] === "_data") {
      return this.#data(request, method, path, record);
    }
    return ociError(404, "NAME_UNKNOWN", `no route ${url.pathname}`);
  }

  #manifest(
    _request: Request,
    method: string,
    path: readonly string[],
    record: RegistryRequestState,
  ): Response {
    const repository = `${path[2]}/${path[3]}`.toLowerCase();
    const reference = path[5];
    Object.assign(record, { endpoint: "manifest", repository, reference });
    const fault = this.#take(record, { endpoint: "manifest", method, repository, tag: reference });
    if (fault?.kind === "status") return faultResponse(fault.status, fault.body);
    if (fault?.kind === "newer_version") {
      return new Response(NEWER_VERSION_TEXT, {
        status: 412,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    const model = reference.startsWith("sha256:")
      ? this.#manifests.get(reference.toLowerCase())
      : this.#tags.get(`${repository}:${reference.toLowerCase()}`);
    if (model === undefined || model.repository !== repository) {
      return ociError(404, "MANIFEST_UNKNOWN", `manifest unknown: ${repository}:${reference}`);
    }
    record.bytesSent = method === "HEAD" ? 0 : model.manifest.length;
    return new Response(method === "HEAD" ? null : model.manifest, {
      status: 200,
      headers: {
        "content-type": REGISTRY_MEDIA_TYPES.manifest,
        "content-length": String(model.manifest.length),
        "docker-content-digest": model.digest,
      },
    });
  }

  #blob(url: URL, method: string, path: readonly string[], record: RegistryRequestState): Response {
    const repository = `${path[2]}/${path[3]}`.toLowerCase();
    const digest = path[5].toLowerCase();
    Object.assign(record, { endpoint: "blob", repository, reference: digest });
    const fault = this.#take(record, { endpoint: "blob", method, repository, digest }, (f) =>
      // no_location is about the GET only; a HEAD still gets its size.
      f.kind !== "no_location" || method === "GET");
    if (fault?.kind === "status") return faultResponse(fault.status, fault.body);
    const bytes = this.#blobs.get(digest);
    if (bytes === undefined) return ociError(404, "BLOB_UNKNOWN", `blob unknown: ${digest}`);
    const headers = {
      "content-type": "application/octet-stream",
      "content-length": String(bytes.length),
      "docker-content-digest": digest,
    };
    if (method === "HEAD") return new Response(null, { status: 200, headers });
    if (fault?.kind === "no_location") {
      return this.#body(bytes, 0, bytes.length, 200, headers, record);
    }
    const host = this.#dataHost ??
      (/^[\d.]+$|^\[/.test(url.hostname) ? "localhost" : "127.0.0.1");
    const location = `${url.protocol}//${host}${url.port ? `:${url.port}` : ""}/_data/${path[2]}/${
      path[3]
    }/${digest}`;
    return new Response(null, { status: this.#redirectStatus, headers: { location } });
  }

  #data(
    request: Request,
    method: string,
    path: readonly string[],
    record: RegistryRequestState,
  ): Response {
    const repository = `${path[2]}/${path[3]}`.toLowerCase();
    const digest = path[4].toLowerCase();
    Object.assign(record, { endpoint: "data", repository, reference: digest });
    const bytes = this.#blobs.get(digest);
    if (bytes === undefined) return ociError(404, "BLOB_UNKNOWN", `blob unknown: ${digest}`);
    const range = parseRange(request.headers.get("range"), bytes.length);
    if (range === "unsatisfiable") {
      return new Response(null, {
        status: 416,
        headers: { "content-range": `bytes */${bytes.length}` },
      });
    }
    const [start, end] = range ?? [0, bytes.length];
    const target: FaultTarget = { endpoint: "data", method, repository, digest };
    // A stall or cut applies only to a request whose range reaches its offset.
    const fault = this.#take(
      record,
      target,
      (f) =>
        (f.kind !== "stall" && f.kind !== "cut") ||
        (f.at < end && (f.kind === "stall" || f.at >= start)),
    );
    if (fault?.kind === "status") return faultResponse(fault.status, fault.body);
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "content-length": String(end - start),
      "accept-ranges": "bytes",
    };
    if (range !== undefined) headers["content-range"] = `bytes ${start}-${end - 1}/${bytes.length}`;
    const status = range === undefined ? 200 : 206;
    if (method === "HEAD") return new Response(null, { status, headers });
    return this.#body(bytes, start, end, status, headers, record, fault);
  }

  /** A streamed body of `bytes[start, end)` under the speed limit and the fault, logged. */
  #body(
    bytes: Uint8Array,
    start: number,
    end: number,
    status: number,
    headers: Record<string, string>,
    record: RegistryRequestState,
    fault?: RegistryFault,
  ): Response {
    record.outcome = "pending";
    const rate = this.#bytesPerSecond;
    const body = throttledBody(bytes.subarray(start, end), {
      bytesPerSecond: rate,
      chunkSize: rate === undefined
        ? undefined
        : Math.max(1, Math.min(16 * 1024, Math.floor(rate * this.#chunkMs / 1000))),
      stallAt: fault?.kind === "stall" ? Math.max(0, fault.at - start) : undefined,
      stallMs: fault?.kind === "stall" ? fault.ms : undefined,
      cutAt: fault?.kind === "cut" ? fault.at - start : undefined,
      signal: this.#closing.signal,
      onProgress: (sent) => {
        record.bytesSent = sent;
      },
      onEnd: (outcome, sent) => {
        record.bytesSent = sent;
        record.outcome = outcome;
        record.clientGone = outcome === "client_gone";
        record.endedAt = new Date();
      },
    });
    return new Response(body, { status, headers });
  }

  #take(
    record: RegistryRequestState,
    target: FaultTarget,
    accepts?: (fault: RegistryFault) => boolean,
  ): RegistryFault | undefined {
    const fault = this.#faults.take(target, accepts);
    record.fault = fault?.kind;
    return fault;
  }
}

/**
 * The name a real Ollama pulls a fake registry's model by: `<host:port>/<namespace>/<model>:<tag>`
 * (send it with `"insecure": true`, the registry speaks plain http).
 *
 * @param registryUrl The served registry's base URL, e.g. `http://127.0.0.1:5000`.
 * @param name The model, e.g. `tiny` or `me/m:8b`.
 * @returns E.g. `127.0.0.1:5000/library/tiny:latest`.
 *
 * @example
 * ```ts
 * import { registryModelName } from "@vtcode/ollama/testing";
 *
 * registryModelName("http://127.0.0.1:5000", "tiny"); // "127.0.0.1:5000/library/tiny:latest"
 * ```
 */
export function registryModelName(registryUrl: string, name: string): string {
  const { repository, tag } = registryReference(name);
  return `${new URL(registryUrl).host}/${repository}:${tag}`;
}

/** `[start, end)` of a single `bytes=` range; `undefined` without one (or for several). */
function parseRange(
  header: string | null,
  size: number,
): [number, number] | "unsatisfiable" | undefined {
  if (header === null) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return [Math.max(0, size - suffix), size];
  }
  const start = Number(match[1]);
  const last = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || last < start) return "unsatisfiable";
  return [start, last + 1];
}

function json(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

function ociError(status: number, code: string, message: string): Response {
  return json(status, JSON.stringify({ errors: [{ code, message, detail: null }] }));
}

function faultResponse(status: number, body: string | undefined): Response {
  if (body !== undefined) {
    return new Response(body, {
      status,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  return ociError(status, "UNAVAILABLE", `the fake registry answers ${status} (an injected fault)`);
}
