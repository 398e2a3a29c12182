/**
 * {@link FakeOllama}: an in-memory Ollama server as a web-standard `(Request) => Response`
 * handler, with a drop-in `fetch` that needs no socket. It holds installed models, a catalog of
 * pullable ones with a download speed, keeps partial downloads so pulls resume, injects faults
 * and records every request. Serve it on a port with {@link serveFakeOllama}.
 *
 * @module
 */

import {
  catalogEntrySize,
  DEFAULT_CATALOG,
  type FakeCatalogEntry,
  fakeDigest,
  type ResolvedLayer,
  resolveLayers,
} from "./catalog.ts";
import {
  CONTROL_CHARS,
  ERROR_AFTER_MESSAGE,
  type FakeFault,
  type FakeFaultKind,
  type FakeFaultSelect,
  faultApplies,
  faultGroup,
  MULTIBYTE_SUFFIX,
  NOT_JSON_LINE,
  proxyErrorPage,
} from "./faults.ts";
import { type FakeModelName, modelKey, parseModelName } from "./model_name.ts";
import {
  encodePullLine,
  goJson,
  iteratePullScript,
  type PullBlobState,
  type PullLineValue,
  type PullLineWait,
} from "./pull_script.ts";

/**
 * A model installed in the fake server, with what `/api/tags` shows for it. Only `name` is
 * required; a name from the catalog takes its layers and details from there.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * const fake = new FakeOllama({
 *   models: ["llama3", { name: "user/custom:v1", size: 1234, family: "qwen3" }],
 * });
 * ```
 */
export interface FakeModelInit {
  /** The model's name; any alias (`llama3`, `library/llama3:latest`) is stored in short form. */
  name: string;
  /** `size` in `/api/tags`. Default: the catalog entry's size, else a size derived from the name. */
  size?: number;
  /** `digest` in `/api/tags`, 64 hex. Default: derived from the layers' digests. */
  digest?: string;
  /**
   * `modified_at`: a `Date` (shown as RFC 3339 with nanoseconds in the local time zone, as Ollama
   * does) or a string sent verbatim. Default: models given to the constructor get fixed times,
   * the first newest, so `/api/tags` lists them in the order given; later ones get the present.
   */
  modifiedAt?: Date | string;
  /** `details.family`. Default: the catalog's, else `"llama"`. */
  family?: string;
  /** `details.families`. Default: the catalog's, else `[family]`. */
  families?: readonly string[] | null;
  /** `details.parameter_size`. Default: the catalog's, else `"1B"`. */
  parameterSize?: string;
  /** `details.quantization_level`. Default: the catalog's, else `"Q4_0"`. */
  quantization?: string;
  /** `details.format`. Default `"gguf"`. */
  format?: string;
  /** `details.parent_model`. Default `""`. */
  parentModel?: string;
}

/** How long a `reset_after` cut waits for the lines before it to leave the server. */
const RESET_FLUSH_MS = 25;

/**
 * Options of {@link FakeOllama}.
 *
 * @example
 * ```ts
 * import { FakeOllama, type FakeOllamaOptions, smallCatalog } from "@vtcode/ollama/testing";
 *
 * const options: FakeOllamaOptions = {
 *   models: ["llama3"],
 *   catalog: smallCatalog({ "tiny:latest": [4096, 300] }),
 *   tickMs: 0,
 * };
 * const fake = new FakeOllama(options);
 * ```
 */
export interface FakeOllamaOptions {
  /** What `/api/version` answers. Default `"0.12.3"`. */
  version?: string;
  /**
   * Models installed at start, listed by `/api/tags` in this order. A name found in neither
   * `catalog` nor {@link DEFAULT_CATALOG} gets one layer of a size derived from the name.
   */
  models?: readonly (string | FakeModelInit)[];
  /** Pullable models. Default {@link DEFAULT_CATALOG}. Installed models need not be in it. */
  catalog?: readonly FakeCatalogEntry[];
  /** Download speed of each pull, in bytes per second. Default 100 MB/s. */
  bytesPerSecond?: number;
  /**
   * Time between progress lines, in ms. Default 60, as Ollama. `0` is fast mode: no timers at
   * all, lines as fast as the client reads them, each layer in about four big steps.
   */
  tickMs?: number;
  /** Silence between `verifying sha256 digest` and `writing manifest`, in ms. Default `tickMs`. */
  verifyMs?: number;
  /** Send `removing unused layers` before `success`. Default `false`. */
  removeUnusedLayers?: boolean;
  /**
   * Answer 403 (empty body) to a `Host` header that is not local, as an Ollama bound to loopback
   * does. Local: `localhost`, `*.localhost`, `*.local`, `*.internal`, loopback, private and
   * unspecified addresses. Default `false`.
   */
  rejectNonLocalHost?: boolean;
}

/**
 * What happened to a recorded request:
 * - `"pending"`: the response (or its body) is not finished yet;
 * - `"completed"`: the server sent all it meant to send (including a fault that ends, cuts or
 *   errors the response);
 * - `"client_gone"`: the client disconnected or cancelled before the body was finished;
 * - `"closed"`: {@link FakeOllama.close} ended it (a hang or a stall still waiting).
 *
 * @example
 * ```ts
 * import type { FakeRequestOutcome } from "@vtcode/ollama/testing";
 *
 * const outcome: FakeRequestOutcome = "client_gone";
 * ```
 */
export type FakeRequestOutcome = "pending" | "completed" | "client_gone" | "closed";

/**
 * A request the fake received. `outcome` and `status` change while the response goes out.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * const fake = new FakeOllama({ tickMs: 0 });
 * await (await fake.fetch("http://ollama.test/api/version")).text();
 * const [record] = fake.requests;
 * record.method; // "GET"
 * record.path; // "/api/version"
 * record.outcome; // "completed"
 * ```
 */
export interface FakeRequestRecord {
  /** The method, uppercase. */
  readonly method: string;
  /** The URL path, e.g. `/api/pull`. */
  readonly path: string;
  /** The query parameters (the last value of a repeated one). */
  readonly query: Readonly<Record<string, string>>;
  /** The headers, names lowercased, nothing redacted. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body: parsed when it is JSON, else the text, `undefined` when empty. */
  readonly body: unknown;
  /** When the request arrived. */
  readonly startedAt: Date;
  /** What happened to it. */
  readonly outcome: FakeRequestOutcome;
  /** The status answered, once headers went out. */
  readonly status: number | undefined;
  /** The kinds of the faults applied to it. */
  readonly faults: readonly FakeFaultKind[];
}

interface RequestRecordState {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  startedAt: Date;
  outcome: FakeRequestOutcome;
  status: number | undefined;
  faults: FakeFaultKind[];
}

interface InstalledModel {
  name: FakeModelName;
  layers: ResolvedLayer[];
  size: number;
  digest: string;
  modifiedAt: string;
  order: number;
  sequence: number;
  details: {
    parent_model: string;
    format: string;
    family: string;
    families: string[] | null;
    parameter_size: string;
    quantization_level: string;
  };
  capabilities: string[];
}

interface CatalogItem {
  entry: FakeCatalogEntry;
  layers: ResolvedLayer[];
}

interface FaultSlot {
  fault: FakeFault;
  model: string | undefined;
  path: string | undefined;
  remaining: number | undefined;
}

/** The faults applied to one request, at most one per group. */
interface AppliedFaults {
  response?: FakeFault;
  terminator?: FakeFault;
  chunking?: FakeFault;
  notJson?: { afterLines: number; line: string };
  huge?: { afterLines: number; bytes: number };
  backwards: boolean;
  noTotal: boolean;
  controlChars: boolean;
  v1Null: boolean;
  notListed: boolean;
}

type StopReason = "client_gone" | "closed";

/** Waits of one response: timers it can cancel, and why it stopped. */
class Waiter {
  stopped: StopReason | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  readonly #onStop: (waiter: Waiter) => void;

  constructor(onStop: (waiter: Waiter) => void, stopped?: StopReason) {
    this.#onStop = onStop;
    this.stopped = stopped;
  }

  sleep(ms: number): Promise<void> {
    if (this.stopped !== undefined || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#wake = undefined;
        resolve();
      }, ms);
    });
  }

  forever(): Promise<void> {
    if (this.stopped !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Stops on the signal's abort; returns the function that stops watching. */
  watch(signal: AbortSignal): () => void {
    if (signal.aborted) {
      this.stop("client_gone");
      return () => {};
    }
    const onAbort = () => this.stop("client_gone");
    signal.addEventListener("abort", onAbort, { once: true });
    return () => signal.removeEventListener("abort", onAbort);
  }

  stop(reason: StopReason): void {
    if (this.stopped === undefined) this.stopped = reason;
    this.dispose();
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    this.#onStop(this);
  }
}

/** One step of a pull response. */
type PullOp =
  | { op: "line"; value: PullLineValue; wait: PullLineWait; blobs: readonly PullBlobState[] }
  | { op: "raw"; text: string }
  | { op: "stall" }
  | { op: "reset" };

/** What a response body produces: bytes, or an instruction to stall or cut the connection. */
type BodyItem = Uint8Array | "stall" | "reset";

const JSON_TYPE = "application/json; charset=utf-8";
const NDJSON_TYPE = "application/x-ndjson";
const TEXT_TYPE = "text/plain; charset=utf-8";
const ENCODER = new TextEncoder();
const HUGE_SLICE = 64 * 1024;
const KEY_PHASES = new Set([
  "verifying sha256 digest",
  "writing manifest",
  "removing unused layers",
  "success",
]);
/** Fixed install times of the constructor's models: 2025-06-01T12:00:00Z, one minute apart. */
const BASE_TIME = Date.UTC(2025, 5, 1, 12, 0, 0);
const ROUTES: Readonly<Record<string, readonly string[]>> = {
  "/": ["GET", "HEAD"],
  "/api/version": ["GET", "HEAD"],
  "/api/tags": ["GET", "HEAD"],
  "/api/ps": ["GET"],
  "/v1/models": ["GET"],
  "/api/show": ["POST"],
  "/api/delete": ["DELETE"],
  "/api/pull": ["POST"],
};

/**
 * An in-memory Ollama server for tests, demos and CI: a web-standard handler, and a drop-in
 * `fetch` that routes to it with no socket.
 *
 * Endpoints: `GET`/`HEAD /`, `/api/version`, `/api/tags`; `GET /api/ps`, `/v1/models`;
 * `POST /api/show`, `/api/pull`; `DELETE /api/delete`. Others: 404 `404 page not found`; a wrong
 * method: 405. Shapes, content types and error texts are Ollama's.
 *
 * Pulls stream the lines of {@link pullScript}, paced by `tickMs` and `bytesPerSecond`, and add
 * the model only once `success` is sent. A pull cut short keeps its partial layers, so the next
 * one resumes. Faults ({@link FakeFault}) change what requests get.
 *
 * @example Through the injected fetch (no socket)
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * const fake = new FakeOllama({ models: ["llama3"], tickMs: 0 });
 * const response = await fake.fetch("http://127.0.0.1:11434/api/tags");
 * const { models } = await response.json();
 * models[0].name; // "llama3:latest"
 * fake.close();
 * ```
 *
 * @example On a real port
 * ```ts
 * import { FakeOllama, serveFakeOllama } from "@vtcode/ollama/testing";
 *
 * const fake = new FakeOllama({ tickMs: 0 });
 * fake.injectFault({ kind: "stall_after", lines: 2 }, { model: "qwen3:0.6b", times: 1 });
 * const server = await serveFakeOllama(fake);
 * // ... point the code under test at server.url ...
 * await server.close();
 * ```
 */
export class FakeOllama {
  /** What `/api/version` answers. */
  readonly version: string;

  /**
   * A drop-in `fetch` (bound) that routes to {@link FakeOllama.handler} with no socket. It
   * honours `init.signal` like the real one: an abort rejects the pending call with the
   * signal's reason, or errors the body being read, and the server sees the client go away.
   *
   * @example
   * ```ts
   * import { FakeOllama } from "@vtcode/ollama/testing";
   *
   * const fake = new FakeOllama();
   * const response = await fake.fetch("http://127.0.0.1:11434/api/version");
   * await response.json(); // { version: "0.12.3" }
   * ```
   */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

  /**
   * The web-standard handler (bound): give it to `Deno.serve`, `Bun.serve` or any framework, or
   * use {@link serveFakeOllama}. It reads `request.signal` only while it makes a client wait for
   * headers (a hang, a pull with `stream: false`); a body being streamed learns that the client
   * went away from the body stream's cancellation. (Given to `Deno.serve` directly, reading the
   * signal makes Deno print a one-time notice about its legacy abort behaviour;
   * {@link serveFakeOllama} avoids it.)
   *
   * @example
   * ```ts
   * import { FakeOllama } from "@vtcode/ollama/testing";
   *
   * const fake = new FakeOllama();
   * const response = await fake.handler(new Request("http://ollama.test/"));
   * await response.text(); // "Ollama is running"
   * ```
   */
  readonly handler: (request: Request) => Promise<Response>;

  readonly #catalog = new Map<string, CatalogItem>();
  readonly #installed = new Map<string, InstalledModel>();
  readonly #blobs = new Map<string, number>();
  readonly #records: RequestRecordState[] = [];
  #faults: FaultSlot[] = [];
  readonly #live = new Set<Waiter>();
  readonly #bytesPerSecond: number;
  readonly #tickMs: number;
  readonly #verifyMs: number;
  readonly #removeUnusedLayers: boolean;
  readonly #rejectNonLocalHost: boolean;
  #closed = false;
  #sequence = 0;

  /**
   * Creates a fake server with the given models installed.
   *
   * @param options Version, models, catalog, pace and behaviour.
   * @throws {TypeError} When a model or catalog name is invalid, or a number out of range.
   */
  constructor(options: FakeOllamaOptions = {}) {
    this.version = options.version ?? "0.12.3";
    this.#bytesPerSecond = positive(options.bytesPerSecond ?? 100_000_000, "bytesPerSecond");
    this.#tickMs = nonNegative(options.tickMs ?? 60, "tickMs");
    this.#verifyMs = nonNegative(options.verifyMs ?? this.#tickMs, "verifyMs");
    this.#removeUnusedLayers = options.removeUnusedLayers ?? false;
    this.#rejectNonLocalHost = options.rejectNonLocalHost ?? false;
    for (const entry of options.catalog ?? DEFAULT_CATALOG) {
      const name = parseModelName(entry.name);
      if (name === undefined) throw new TypeError(`invalid catalog model name: ${entry.name}`);
      this.#catalog.set(name.key, { entry, layers: resolveLayers(entry) });
    }
    const models = options.models ?? [];
    models.forEach((model, index) => {
      const init = typeof model === "string" ? { name: model } : model;
      this.#install(init, init.modifiedAt ?? new Date(BASE_TIME - index * 60_000), -index);
    });
    this.fetch = this.#fetch.bind(this);
    this.handler = this.#handle.bind(this);
  }

  /**
   * Every request received so far, oldest first. Records are live: `outcome` and `status`
   * change while responses go out.
   *
   * @example
   * ```ts
   * import { FakeOllama } from "@vtcode/ollama/testing";
   *
   * const fake = new FakeOllama();
   * await (await fake.fetch("http://ollama.test/api/tags")).text();
   * fake.requests.map((r) => `${r.method} ${r.path}`); // ["GET /api/tags"]
   * ```
   */
  get requests(): readonly FakeRequestRecord[] {
    return this.#records;
  }

  /**
   * The `POST /api/pull` requests received so far, oldest first (a subset of
   * {@link FakeOllama.requests}): what a test asserts to prove a pull was, or was not, sent.
   *
   * @returns The records, live as in {@link FakeOllama.requests}.
   *
   * @example
   * ```ts
   * import { FakeOllama } from "@vtcode/ollama/testing";
   *
   * const fake = new FakeOllama({ models: ["llama3"] });
   * // ... run the startup code against fake.fetch ...
   * fake.pullRequests().map((r) => (r.body as { model: string }).model); // [] when nothing was pulled
   * ```
   */
  pullRequests(): FakeRequestRecord[] {
    return this.#records.filter((record) =>
      record.method === "POST" && record.path === "/api/pull"
    );
  }

  /** Whether {@link FakeOllama.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Injects a fault. Faults apply in the order injected, at most one of each group per request
   * (one that replaces the response, one that ends a pull early, one that re-chunks the body;
   * every other kind is its own group); a fault that does not apply to a request is not spent.
   *
   * @param fault The fault.
   * @param select Which requests: a model, a path, and how many times (default: every one).
   * @throws {RangeError} When `times` is not a whole number >= 1.
   *
   * @example The first pull stalls, the second one succeeds
   * ```ts
   * import { FakeOllama } from "@vtcode/ollama/testing";
   *
   * const fake = new FakeOllama({ tickMs: 0 });
   * fake.injectFault({ kind: "stall_after", lines: 3 }, { model: "llama3", times: 1 });
   * ```
   */
  injectFault(fault: FakeFault, select: FakeFaultSelect = {}): void {
    if (select.times !== undefined && (!Number.isSafeInteger(select.times) || select.times < 1)) {
      throw new RangeError("times must be a whole number >= 1");
    }
    this.#faults.push({
      fault,
      model: select.model === undefined ? undefined : modelKey(select.model),
      path: select.path,
      remaining: select.times,
    });
  }

  /**
   * Removes every injected fault (requests already under way keep theirs).
   *
   * @example
   * ```ts
   * import { FakeOllama } from "@vtcode/ollama/testing";
   *
   * const fake = new FakeOllama();
   * fake.injectFault({ kind: "hang" });
   * fake.clearFaults();
   * ```
   */
  clearFaults(): void {
    this.#faults = [];
  }

  /**
   * The installed models' short names, newest first (the order of `/api/tags`).
   *
   * @returns Names such as `llama3:latest`.
   *
   * @example
   * ```ts
   * import { FakeOllama } from "@vtcode/ollama/testing";
   *
   * new FakeOllama({ models: ["llama3", "qwen3:0.6b"] }).installedModels();
   * // ["llama3:latest", "qwen3:0.6b"]
   * ```
   */
  installedModels(): string[] {
    return this.#listed().map((model) => model.name.short);
  }

  /**
   * Installs a model now (replacing one of the same name), with its layers on disk.
   *
   * @param model A name or a full description.
   * @throws {TypeError} When the name is invalid.
   *
   * @example
   * ```ts
   * import { FakeOllama } from "@vtcode/ollama/testing";
   *
   * const fake = new FakeOllama();
   * fake.addModel("tinyllama");
   * fake.installedModels(); // ["tinyllama:latest"]
   * ```
   */
  addModel(model: string | FakeModelInit): void {
    const init = typeof model === "string" ? { name: model } : model;
    this.#install(init, init.modifiedAt ?? new Date(), ++this.#sequence);
  }

  /**
   * Removes an installed model and its layers that no other model uses (partial downloads stay).
   *
   * @param name Any alias of the model.
   * @returns Whether it was installed.
   *
   * @example
   * ```ts
   * import { FakeOllama } from "@vtcode/ollama/testing";
   *
   * const fake = new FakeOllama({ models: ["llama3"] });
   * fake.removeModel("LLAMA3:latest"); // true
   * ```
   */
  removeModel(name: string): boolean {
    const key = modelKey(name);
    const model = this.#installed.get(key);
    if (model === undefined) return false;
    this.#installed.delete(key);
    const used = new Set<string>();
    for (const other of this.#installed.values()) {
      for (const layer of other.layers) used.add(layer.digest);
    }
    for (const layer of model.layers) {
      if (!used.has(layer.digest)) this.#blobs.delete(layer.digest);
    }
    return true;
  }

  /**
   * Bytes on the fake's disk per blob digest: the layers of installed models, and what
   * interrupted pulls left behind (which the next pull resumes from).
   *
   * @returns A copy of the map from `sha256:…` digest to bytes.
   *
   * @example
   * ```ts
   * import { FakeOllama } from "@vtcode/ollama/testing";
   *
   * const fake = new FakeOllama({ models: ["llama3"] });
   * fake.blobs().get("sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa"); // 4661211424
   * ```
   */
  blobs(): Map<string, number> {
    return new Map(this.#blobs);
  }

  /**
   * Ends every pending hang and stall (their connections are cut, their records say `"closed"`)
   * and cancels every timer, so a server can shut down and nothing leaks. Idempotent. The fake
   * still answers afterwards, but never waits: pulls run in fast mode, hangs and stalls end at
   * once.
   *
   * @example
   * ```ts
   * import { FakeOllama } from "@vtcode/ollama/testing";
   *
   * const fake = new FakeOllama();
   * fake.injectFault({ kind: "hang" });
   * const pending = fake.fetch("http://ollama.test/api/version").catch((error) => error);
   * fake.close();
   * await pending; // a TypeError, as for a connection closed without a response
   * ```
   */
  close(): void {
    this.#closed = true;
    for (const waiter of [...this.#live]) waiter.stop("closed");
  }

  // ---------------------------------------------------------------------------------------------
  // Installed models

  #install(init: FakeModelInit, modifiedAt: Date | string, order: number): void {
    const name = parseModelName(init.name);
    if (name === undefined) throw new TypeError(`invalid model name: ${init.name}`);
    const item = this.#catalog.get(name.key) ?? defaultCatalogItem(name.key);
    const entry: FakeCatalogEntry = item?.entry ?? {
      name: name.short,
      layers: [{ size: init.size ?? 100_000_000 + parseInt(fakeDigest(name.key).slice(0, 7), 16) }],
    };
    const layers = item?.layers ?? resolveLayers(entry);
    this.#installLayers(name, entry, layers, modifiedAt, order, init);
  }

  #installLayers(
    name: FakeModelName,
    entry: FakeCatalogEntry,
    layers: ResolvedLayer[],
    modifiedAt: Date | string,
    order: number,
    init: Partial<FakeModelInit> = {},
  ): void {
    for (const layer of layers) this.#blobs.set(layer.digest, layer.size);
    const family = init.family ?? entry.family ?? "llama";
    const families = init.families !== undefined
      ? init.families
      : entry.families !== undefined
      ? entry.families
      : [family];
    this.#installed.set(name.key, {
      name,
      layers,
      size: init.size ?? catalogEntrySize(entry),
      digest: (init.digest ?? fakeDigest(layers.map((layer) => layer.digest).join(","))).replace(
        /^sha256:/,
        "",
      ),
      modifiedAt: typeof modifiedAt === "string" ? modifiedAt : rfc3339Nano(modifiedAt, name.key),
      order: typeof modifiedAt === "string" ? Date.parse(modifiedAt) || 0 : modifiedAt.getTime(),
      sequence: order,
      details: {
        parent_model: init.parentModel ?? "",
        format: init.format ?? entry.format ?? "gguf",
        family,
        families: families === null ? null : [...families],
        parameter_size: init.parameterSize ?? entry.parameterSize ?? "1B",
        quantization_level: init.quantization ?? entry.quantization ?? "Q4_0",
      },
      capabilities: [
        ...(entry.capabilities ?? (/bert/i.test(family) ? ["embedding"] : ["completion"])),
      ],
    });
  }

  #listed(): InstalledModel[] {
    return [...this.#installed.values()].sort((a, b) =>
      b.order - a.order || b.sequence - a.sequence
    );
  }

  // ---------------------------------------------------------------------------------------------
  // fetch

  async #fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const signal = request.signal;
    if (signal.aborted) throw abortReason(signal);
    const pending = this.#handle(request);
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortReason(signal));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    aborted.catch(() => {});
    let response: Response;
    try {
      response = await Promise.race([pending, aborted]);
    } catch (error) {
      signal.removeEventListener("abort", onAbort);
      pending.then((late) => late.body?.cancel().catch(() => {}), () => {});
      throw error;
    }
    signal.removeEventListener("abort", onAbort);
    if (response.body === null) return response;

    const reader = response.body.getReader();
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const onBodyAbort = () => {
      const reason = abortReason(signal);
      reader.cancel(reason).catch(() => {});
      try {
        controller?.error(reason);
      } catch {
        // already closed or errored
      }
    };
    const cleanup = () => signal.removeEventListener("abort", onBodyAbort);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      async pull(c) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            cleanup();
            c.close();
          } else {
            c.enqueue(value);
          }
        } catch (error) {
          cleanup();
          try {
            c.error(signal.aborted ? abortReason(signal) : error);
          } catch {
            // already errored by the abort
          }
        }
      },
      cancel(reason) {
        cleanup();
        return reader.cancel(reason);
      },
    }, { highWaterMark: 0 });
    signal.addEventListener("abort", onBodyAbort, { once: true });
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // The handler

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const path = url.pathname;
    const text = method === "GET" || method === "HEAD" ? "" : await request.text().catch(() => "");
    const record: RequestRecordState = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(request.headers),
      body: parseBody(text),
      startedAt: new Date(),
      outcome: "pending",
      status: undefined,
      faults: [],
    };
    this.#records.push(record);
    const waiter = new Waiter((w) => this.#live.delete(w), this.#closed ? "closed" : undefined);
    if (!this.#closed) this.#live.add(waiter);
    const named = typeof record.body === "object" && record.body !== null
      ? modelField(record.body as Record<string, unknown>)
      : undefined;
    const faults = this.#takeFaults(method, path, named);
    record.faults = faults.kinds;
    try {
      return await this.#route(request, record, waiter, faults.applied, text, url);
    } catch (error) {
      finish(record, waiter, record.outcome === "pending" ? "completed" : record.outcome);
      throw error;
    }
  }

  #takeFaults(
    method: string,
    path: string,
    model: string | undefined,
  ): { applied: AppliedFaults; kinds: FakeFaultKind[] } {
    const applied: AppliedFaults = {
      backwards: false,
      noTotal: false,
      controlChars: false,
      v1Null: false,
      notListed: false,
    };
    const kinds: FakeFaultKind[] = [];
    const taken = new Set<string>();
    const modelKeyOfRequest = model === undefined ? undefined : modelKey(model);
    // A fault replacing the whole response makes the pull-stream faults moot: look for it first.
    const candidates = this.#faults.filter((slot) =>
      faultApplies(slot.fault, method, path) &&
      (slot.path === undefined || slot.path === path) &&
      (slot.model === undefined || slot.model === modelKeyOfRequest)
    );
    const replaced = candidates.some((slot) => faultGroup(slot.fault.kind) === "response");
    for (const slot of candidates) {
      const group = faultGroup(slot.fault.kind);
      if (taken.has(group)) continue;
      if (replaced && !["response", "chunking", "control_chars"].includes(group)) continue;
      taken.add(group);
      kinds.push(slot.fault.kind);
      if (slot.remaining !== undefined) slot.remaining--;
      const fault = slot.fault;
      switch (fault.kind) {
        case "not_json_line":
          applied.notJson = { afterLines: fault.afterLines, line: fault.line ?? NOT_JSON_LINE };
          break;
        case "huge_line":
          applied.huge = { afterLines: fault.afterLines, bytes: fault.bytes };
          break;
        case "backwards":
          applied.backwards = true;
          break;
        case "no_total":
          applied.noTotal = true;
          break;
        case "control_chars":
          applied.controlChars = true;
          break;
        case "v1_models_null":
          applied.v1Null = true;
          break;
        case "success_not_listed":
          applied.notListed = true;
          break;
        default:
          if (group === "response") applied.response = fault;
          else if (group === "terminator") applied.terminator = fault;
          else applied.chunking = fault;
      }
    }
    this.#faults = this.#faults.filter((slot) =>
      slot.remaining === undefined || slot.remaining > 0
    );
    return { applied, kinds };
  }

  async #route(
    request: Request,
    record: RequestRecordState,
    waiter: Waiter,
    faults: AppliedFaults,
    text: string,
    url: URL,
  ): Promise<Response> {
    const { method, path } = record;
    const send = (status: number, type: string | undefined, body: string | null) =>
      this.#respond(record, waiter, faults, status, type, method === "HEAD" ? null : body);
    const errorText = (message: string) =>
      faults.controlChars ? `${message}${CONTROL_CHARS}` : message;
    const sendError = (status: number, message: string, type = JSON_TYPE) =>
      send(status, type, goJson({ error: errorText(message) }));

    const fault = faults.response;
    if (fault !== undefined) {
      switch (fault.kind) {
        case "hang": {
          const unwatch = waiter.watch(request.signal);
          await waiter.forever();
          unwatch();
          return this.#abandoned(record, waiter);
        }
        case "http_error":
          // Ollama's streamResponse sets a bare `application/json` on an error before any line.
          return sendError(
            fault.status,
            fault.message,
            path === "/api/pull" ? "application/json" : JSON_TYPE,
          );
        case "html":
          return send(fault.status ?? 502, "text/html", proxyErrorPage(fault.status ?? 502));
        case "plain_text":
          return send(fault.status ?? 200, TEXT_TYPE, fault.body ?? "OK");
        case "headers_then_silence": {
          const type = path === "/api/pull" ? NDJSON_TYPE : path === "/" ? TEXT_TYPE : JSON_TYPE;
          return this.#streamed(record, waiter, faults, 200, type, silence());
        }
        case "wrong_shape":
          return this.#wrongShape(record, waiter, faults, path);
      }
    }

    if (this.#rejectNonLocalHost && !isLocalHost(request.headers.get("host") ?? url.host)) {
      return send(403, undefined, null);
    }
    const methods = ROUTES[path];
    if (methods === undefined) return send(404, "text/plain", "404 page not found");
    if (!methods.includes(method)) return send(405, "text/plain", "405 method not allowed");

    switch (path) {
      case "/":
        return send(200, TEXT_TYPE, "Ollama is running");
      case "/api/version":
        return send(200, JSON_TYPE, goJson({ version: this.version }));
      case "/api/tags":
        return send(200, JSON_TYPE, goJson({ models: this.#listed().map(tagsEntry) }));
      case "/api/ps":
        return send(200, JSON_TYPE, goJson({ models: [] }));
      case "/v1/models": {
        const data = this.#listed().map((model) => ({
          id: model.name.short,
          object: "model",
          created: Math.floor(model.order / 1000),
          owned_by: model.name.namespace,
        }));
        const body = { object: "list", data: data.length === 0 || faults.v1Null ? null : data };
        return send(200, "application/json", `${goJson(body)}\n`);
      }
    }

    // The POST and DELETE routes read a JSON body, as Go's ShouldBindJSON does.
    const parsed = bindJson(text);
    if ("error" in parsed) return sendError(400, parsed.error);
    const requested = modelField(parsed.value);

    if (path === "/api/show") {
      if (requested === "") return sendError(400, "model is required");
      const name = parseModelName(requested);
      if (name === undefined) return sendError(400, "invalid model name");
      const model = this.#installed.get(name.key);
      if (model === undefined) return sendError(404, `model '${name.short}' not found`);
      return send(200, JSON_TYPE, goJson(showBody(model)));
    }
    if (path === "/api/delete") {
      const name = parseModelName(requested);
      if (name === undefined) return sendError(400, `name ${JSON.stringify(requested)} is invalid`);
      if (!this.#installed.has(name.key)) return sendError(404, `model '${requested}' not found`);
      this.removeModel(requested);
      return send(200, undefined, null);
    }
    const name = parseModelName(requested);
    if (name === undefined) return sendError(400, "invalid model name");
    return await this.#pull(request, record, waiter, faults, name, parsed.value.stream !== false);
  }

  // ---------------------------------------------------------------------------------------------
  // Pull

  async #pull(
    request: Request,
    record: RequestRecordState,
    waiter: Waiter,
    faults: AppliedFaults,
    name: FakeModelName,
    stream: boolean,
  ): Promise<Response> {
    const item = this.#catalog.get(name.key);
    const program = this.#pullProgram(item, faults);
    if (stream) {
      const bytes = this.#pullBytes(
        program,
        waiter,
        (op) => this.#applyLine(op, item, name, faults),
      );
      return this.#streamed(record, waiter, faults, 200, NDJSON_TYPE, bytes);
    }

    // stream: false — run the whole pull, then answer once, as Ollama's waitForStream does. The
    // client's signal is watched only once there is something to wait for.
    let unwatch: (() => void) | undefined;
    const watch = () => {
      unwatch ??= waiter.watch(request.signal);
    };
    let latest: PullLineValue = {};
    try {
      for (const op of program) {
        if (op.op === "raw") continue;
        if (op.op === "stall") {
          watch();
          await waiter.forever();
          return this.#abandoned(record, waiter);
        }
        if (op.op === "reset") {
          finish(record, waiter, "completed");
          throw new TypeError("fake Ollama: connection reset (reset_after fault)");
        }
        const ms = this.#waitMs(op.wait);
        if (ms > 0) watch();
        await waiter.sleep(ms);
        if (waiter.stopped !== undefined) return this.#abandoned(record, waiter);
        this.#applyLine(op, item, name, faults);
        if (op.value.error !== undefined) {
          return this.#respond(
            record,
            waiter,
            faults,
            500,
            JSON_TYPE,
            goJson({ error: op.value.error }),
          );
        }
        latest = op.value;
      }
    } finally {
      unwatch?.();
    }
    const body = goJson({ status: latest.status ?? "" });
    return this.#respond(record, waiter, faults, 200, JSON_TYPE, body);
  }

  /** The steps of a pull: the script, decorated and cut by the faults. */
  *#pullProgram(
    item: CatalogItem | undefined,
    faults: AppliedFaults,
  ): Generator<PullOp, void, undefined> {
    const decorate = (value: PullLineValue): PullLineValue => {
      const out = { ...value };
      if (out.status !== undefined && !KEY_PHASES.has(out.status)) {
        if (faults.chunking?.kind === "split_chunks") out.status += MULTIBYTE_SUFFIX;
        if (faults.controlChars) out.status += CONTROL_CHARS;
      }
      if (out.error !== undefined && faults.controlChars) out.error += CONTROL_CHARS;
      return out;
    };
    const base: Iterable<
      { value: PullLineValue; wait: PullLineWait; blobs: readonly PullBlobState[] }
    > = item === undefined
      ? [
        { value: { status: "pulling manifest" }, wait: "none", blobs: [] },
        { value: { error: "pull model manifest: file does not exist" }, wait: "tick", blobs: [] },
      ]
      : iteratePullScript(item.entry, {
        alreadyHave: this.#blobs,
        stepBytes: this.#stepBytes(item.layers),
        removeUnusedLayers: this.#removeUnusedLayers,
        backwards: faults.backwards,
        omitTotal: faults.noTotal,
      });

    let sent = 0;
    let notJsonDone = false;
    let hugeDone = false;
    const interjections = function* (): Generator<PullOp, boolean, undefined> {
      if (faults.notJson && !notJsonDone && faults.notJson.afterLines === sent) {
        notJsonDone = true;
        yield { op: "raw", text: `${faults.notJson.line}\n` };
      }
      if (faults.huge && !hugeDone && faults.huge.afterLines === sent) {
        hugeDone = true;
        yield { op: "raw", text: `${hugeLine(faults.huge.bytes)}\n` };
      }
      const end = faults.terminator;
      if (end !== undefined && "lines" in end && end.lines === sent) {
        switch (end.kind) {
          case "stall_after":
            yield { op: "stall" };
            break;
          case "reset_after":
            yield { op: "reset" };
            break;
          case "error_after":
            yield {
              op: "line",
              value: decorate({ error: end.message ?? ERROR_AFTER_MESSAGE }),
              wait: "none",
              blobs: [],
            };
            break;
        }
        return true;
      }
      return false;
    };

    for (const line of base) {
      if (yield* interjections()) return;
      yield { op: "line", value: decorate(line.value), wait: line.wait, blobs: line.blobs };
      sent++;
      if (line.value.error !== undefined) return;
    }
    yield* interjections();
  }

  async *#pullBytes(
    program: Generator<PullOp, void, undefined>,
    waiter: Waiter,
    sent: (op: { value: PullLineValue; blobs: readonly PullBlobState[] }) => void,
  ): AsyncGenerator<BodyItem, void, undefined> {
    for (const op of program) {
      switch (op.op) {
        case "stall":
        case "reset":
          yield op.op;
          return;
        case "raw": {
          const bytes = ENCODER.encode(op.text);
          for (let at = 0; at < bytes.length; at += HUGE_SLICE) {
            yield bytes.subarray(at, at + HUGE_SLICE);
          }
          break;
        }
        case "line":
          await waiter.sleep(this.#waitMs(op.wait));
          if (waiter.stopped !== undefined) return;
          sent(op);
          yield ENCODER.encode(encodePullLine(op.value));
      }
    }
  }

  /** Bookkeeping once a line is sent: blob sizes, and the model installed on `success`. */
  #applyLine(
    op: { value: PullLineValue; blobs: readonly PullBlobState[] },
    item: CatalogItem | undefined,
    name: FakeModelName,
    faults: AppliedFaults,
  ): void {
    for (const blob of op.blobs) this.#blobs.set(blob.digest, blob.bytes);
    if (op.value.status === "success" && item !== undefined && !faults.notListed) {
      // Stored under the catalog's spelling of the name (matching ignores case anyway).
      const stored = parseModelName(item.entry.name) ?? name;
      this.#installLayers(stored, item.entry, item.layers, new Date(), ++this.#sequence);
    }
  }

  #stepBytes(layers: readonly ResolvedLayer[]): number {
    if (this.#tickMs > 0 && !this.#closed) {
      return Math.max(1, Math.round(this.#bytesPerSecond * this.#tickMs / 1000));
    }
    const largest = layers.reduce((max, layer) => Math.max(max, layer.size), 0);
    return Math.max(1, Math.ceil(largest / 4));
  }

  #waitMs(wait: PullLineWait): number {
    if (this.#closed) return 0;
    return wait === "tick" ? this.#tickMs : wait === "verify" ? this.#verifyMs : 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Responses

  /** A response whose body is known now (re-chunked through a stream when a fault says so). */
  #respond(
    record: RequestRecordState,
    waiter: Waiter,
    faults: AppliedFaults,
    status: number,
    type: string | undefined,
    body: string | null,
  ): Response {
    const headers = type === undefined ? undefined : { "content-type": type };
    if (body === null || body === "" || faults.chunking === undefined) {
      record.status = status;
      finish(record, waiter, "completed");
      return new Response(body === null || body === "" ? null : body, { status, headers });
    }
    const bytes = ENCODER.encode(body);
    return this.#streamed(
      record,
      waiter,
      faults,
      status,
      type,
      (async function* () {
        yield bytes;
      })(),
    );
  }

  /** A response whose body is produced over time; tracks the client and the fake's close(). */
  #streamed(
    record: RequestRecordState,
    waiter: Waiter,
    faults: AppliedFaults,
    status: number,
    type: string | undefined,
    produce: AsyncGenerator<BodyItem, void, undefined>,
  ): Response {
    record.status = status;
    const split = chunker(faults.chunking);
    const queue: Uint8Array[] = [];
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const queued = queue.shift();
        if (queued !== undefined) {
          controller.enqueue(queued);
          return;
        }
        for (;;) {
          if (waiter.stopped === "client_gone") return;
          if (waiter.stopped === "closed") return closeCut(controller);
          const next = await produce.next();
          if (waiter.stopped === "client_gone") return;
          if (waiter.stopped === "closed") return closeCut(controller);
          if (next.done) {
            finish(record, waiter, "completed");
            controller.close();
            return;
          }
          const item = next.value;
          if (item === "stall") {
            await waiter.forever();
            continue;
          }
          if (item === "reset") {
            // The fault means "N lines, then the cut": give the HTTP server time to put the
            // lines it already took on the wire, since erroring the body can drop unsent data
            // (Bun.serve under load did: 6 of 25 runs delivered no line at all).
            await waiter.sleep(RESET_FLUSH_MS);
            if (waiter.stopped === "client_gone") return;
            if (waiter.stopped === "closed") return closeCut(controller);
            finish(record, waiter, "completed");
            controller.error(new TypeError("fake Ollama: connection reset (reset_after fault)"));
            return;
          }
          if (item.length === 0) continue;
          const [first, ...rest] = split(item);
          queue.push(...rest);
          controller.enqueue(first);
          return;
        }
      },
      cancel() {
        // Cancelled after close() began (a server cutting its connections): that is close()'s doing.
        const reason = waiter.stopped === "closed" ? "closed" : "client_gone";
        waiter.stop(reason);
        finish(record, waiter, reason);
        produce.return().catch(() => {});
      },
    }, { highWaterMark: 0 });

    function closeCut(controller: ReadableStreamDefaultController<Uint8Array>): void {
      finish(record, waiter, "closed");
      produce.return().catch(() => {});
      controller.error(new TypeError("fake Ollama: connection closed by close()"));
    }

    return new Response(body, {
      status,
      headers: type === undefined ? undefined : { "content-type": type },
    });
  }

  /** After a wait before headers ended: the client left, or close() cut the connection. */
  #abandoned(record: RequestRecordState, waiter: Waiter): Response {
    if (waiter.stopped === "closed") {
      finish(record, waiter, "closed");
      throw new TypeError("fake Ollama: connection closed without a response by close()");
    }
    finish(record, waiter, "client_gone");
    return new Response(null, { status: 499 });
  }

  #wrongShape(
    record: RequestRecordState,
    waiter: Waiter,
    faults: AppliedFaults,
    path: string,
  ): Response {
    if (path === "/api/pull") {
      const lines = '["pulling manifest"]\n{"status":7}\n' +
        '{"status":"pulling 0123456789ab","digest":42,"total":"big","completed":-1}\n' +
        '{"status":"success"}\n';
      return this.#streamed(
        record,
        waiter,
        faults,
        200,
        NDJSON_TYPE,
        (async function* () {
          yield ENCODER.encode(lines);
        })(),
      );
    }
    const bodies: Record<string, unknown> = {
      "/api/version": { version: 3 },
      "/api/tags": { models: { "llama3:latest": {} } },
      "/api/ps": { models: "none" },
      "/v1/models": { object: "list", data: { id: "llama3:latest" } },
      "/api/show": { details: [], model_info: "none" },
    };
    return this.#respond(record, waiter, faults, 200, JSON_TYPE, goJson(bodies[path] ?? null));
  }
}

// -----------------------------------------------------------------------------------------------
// Helpers

let defaultItems: Map<string, CatalogItem> | undefined;

/** An installed model missing from a custom catalog still takes its details from the default. */
function defaultCatalogItem(key: string): CatalogItem | undefined {
  defaultItems ??= new Map(
    DEFAULT_CATALOG.map((entry) => [modelKey(entry.name), { entry, layers: resolveLayers(entry) }]),
  );
  return defaultItems.get(key);
}

function finish(record: RequestRecordState, waiter: Waiter, outcome: FakeRequestOutcome): void {
  if (record.outcome === "pending") record.outcome = outcome;
  waiter.dispose();
}

async function* silence(): AsyncGenerator<BodyItem, void, undefined> {
  yield "stall";
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new TypeError(`${name} must be a number > 0`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new TypeError(`${name} must be a number >= 0`);
  return value;
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function modelField(body: Record<string, unknown>): string {
  const model = typeof body.model === "string" ? body.model : "";
  const name = typeof body.name === "string" ? body.name : "";
  return model !== "" ? model : name;
}

/** Go's `ShouldBindJSON`: an empty body is `missing request body`, bad JSON a decoder error. */
function bindJson(text: string): { value: Record<string, unknown> } | { error: string } {
  if (text.trim() === "") return { error: "missing request body" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const bad = text.trim()[0];
    return { error: `invalid character '${bad}' looking for beginning of value` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    return { error: `json: cannot unmarshal ${kind} into Go value of type api.Request` };
  }
  return { value: value as Record<string, unknown> };
}

function tagsEntry(model: InstalledModel) {
  return {
    name: model.name.short,
    model: model.name.short,
    modified_at: model.modifiedAt,
    size: model.size,
    digest: model.digest,
    details: model.details,
  };
}

function showBody(model: InstalledModel) {
  const weights = model.layers[0]?.digest.slice(7) ?? model.digest;
  return {
    modelfile: `# Modelfile generated by "ollama show"\n` +
      `# To build a new Modelfile based on this, replace FROM with:\n` +
      `# FROM ${model.name.short}\n\n` +
      `FROM /root/.ollama/models/blobs/sha256-${weights}\n` +
      `TEMPLATE "{{ .Prompt }}"\n`,
    template: "{{ .Prompt }}",
    details: model.details,
    model_info: {
      "general.architecture": model.details.family,
      "general.parameter_count": parameterCount(model.details.parameter_size),
    },
    capabilities: model.capabilities,
    modified_at: model.modifiedAt,
  };
}

function parameterCount(size: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMBT])$/i.exec(size);
  if (match === null) return 0;
  const scale: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 };
  return Math.round(Number(match[1]) * scale[match[2].toUpperCase()]);
}

/** RFC 3339 with nanoseconds in the local time zone, as Go writes a `time.Time`. */
function rfc3339Nano(date: Date, seed: string): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const subMillisecond = parseInt(fakeDigest(seed).slice(0, 8), 16) % 1_000_000;
  const fraction = `${pad(date.getMilliseconds(), 3)}${pad(subMillisecond, 6)}`.replace(/0+$/, "");
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0
    ? "Z"
    : `${offset > 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offset) / 60))}:${
      pad(Math.abs(offset) % 60)
    }`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${fraction === "" ? "" : `.${fraction}`}${zone}`;
}

function hugeLine(bytes: number): string {
  const frame = '{"status":""}';
  return `{"status":"${"x".repeat(Math.max(0, bytes - frame.length))}"}`;
}

/** Whether a `Host` header names this machine, by Ollama's rules for a loopback-bound server. */
function isLocalHost(hostHeader: string): boolean {
  let host = hostHeader.trim().toLowerCase();
  if (host.startsWith("[")) {
    host = host.slice(1, host.indexOf("]") === -1 ? undefined : host.indexOf("]"));
  } else if (host.split(":").length === 2) {
    host = host.split(":")[0];
  }
  if (host === "" || host === "localhost") return true;
  if (/\.(localhost|local|internal)$/.test(host)) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4 !== null) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168);
  }
  if (host.includes(":")) {
    return host === "::1" || host === "::" || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  }
  return false;
}

/** The re-chunking of a body by the `split_chunks` and `trickle` faults. */
function chunker(fault: FakeFault | undefined): (bytes: Uint8Array) => Uint8Array[] {
  if (fault?.kind === "trickle") {
    return (bytes) => Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  }
  if (fault?.kind !== "split_chunks") return (bytes) => [bytes];
  const random = seeded(fault.seed ?? 1);
  return (bytes) => {
    const cuts = new Set<number>();
    // One cut inside the first multi-byte character, so a decoder must carry bytes over.
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] >= 0xc0) {
        cuts.add(i + 1);
        break;
      }
    }
    for (
      let at = 1 + Math.floor(random() * 16);
      at < bytes.length;
      at += 1 + Math.floor(random() * 16)
    ) {
      cuts.add(at);
    }
    const sorted = [...cuts].filter((at) => at > 0 && at < bytes.length).sort((a, b) => a - b);
    const pieces: Uint8Array[] = [];
    let start = 0;
    for (const at of sorted) {
      pieces.push(bytes.subarray(start, at));
      start = at;
    }
    pieces.push(bytes.subarray(start));
    return pieces;
  };
}

/** A small seeded generator of numbers in [0, 1): xorshift32 over a scrambled seed. */
function seeded(seed: number): () => number {
  let state = Math.imul((seed | 0) ^ 0x2545f491, 0x9e3779b1) || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}
