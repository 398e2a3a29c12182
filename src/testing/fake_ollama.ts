/**
 * {@link FakeOllama}: an in-memory Ollama server as a web-standard `(Request) => Response`
 * handler, with a drop-in `fetch` that needs no socket. It holds installed models, a catalog of
 * pullable ones with a download speed, pulls host-qualified models from registries (a
 * {@link FakeRegistry}) as Ollama does, keeps partial downloads so pulls resume, loads models,
 * answers the cloud routes, injects faults and records every request. Serve it on a port with
 * {@link serveFakeOllama}.
 *
 * @module
 */

import { DownloadManager } from "./blob_download.ts";
import { fetchThrough } from "./fetch_adapter.ts";
import type { FakeModelInit, FakeOllamaOptions, FakeSettings } from "./fake_options.ts";
import { resolveSettings } from "./fake_options.ts";
import { FaultBook } from "./fault_plan.ts";
import type { FakeFault, FakeFaultSelect } from "./faults.ts";
import { modelKey } from "./model_name.ts";
import { ModelStore } from "./model_store.ts";
import { RegistryAccess } from "./registry_access.ts";
import type { FakeRequestRecord, RequestRecordState } from "./request_record.ts";
import { type FakeParts, handleRequest } from "./routes.ts";
import { Runner } from "./runner.ts";
import type { Waiter } from "./waiter.ts";

export type { FakeModelInit, FakeOllamaOptions } from "./fake_options.ts";
export type { FakeRequestOutcome, FakeRequestRecord } from "./request_record.ts";

/**
 * An in-memory Ollama server for tests, demos and CI: a web-standard handler, and a drop-in
 * `fetch` that routes to it with no socket.
 *
 * Endpoints: `GET`/`HEAD /`, `/api/version`, `/api/tags`; `GET /api/status`, `/api/ps`,
 * `/v1/models`; `POST /api/show`, `/api/pull`, `/api/generate`, `/api/embed`, `/api/me`;
 * `HEAD`/`POST /api/blobs/<digest>`; `DELETE /api/delete`. Others: 404 `404 page not found`; a
 * wrong method: 405. Shapes, content types and error texts are Ollama's (0.33).
 *
 * Names are read by the fake's own reading of Ollama's rules (whitespace, `http(s)://`,
 * `:local`, `:cloud`). A catalog model pulls as {@link pullScript} says, paced by `tickMs` and
 * `bytesPerSecond`; a host-qualified one is pulled from its registry (`registries`, or a
 * registry served on loopback) the way Ollama does it, one blob at a time, with a progress line
 * every tick. A model is listed once its pull reaches `success`. A pull cut short keeps its partial
 * layers, so the next one resumes. Faults ({@link FakeFault}) change what requests get.
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
 * @example Pulling from a fake registry, with no socket
 * ```ts
 * import { FakeOllama, FakeRegistry } from "@vtcode/ollama/testing";
 *
 * const registry = new FakeRegistry();
 * const fake = new FakeOllama({ registries: { "127.0.0.1:5000": registry.handler } });
 * const response = await fake.fetch("http://127.0.0.1:11434/api/pull", {
 *   method: "POST",
 *   body: JSON.stringify({ model: "127.0.0.1:5000/library/tiny", insecure: true, stream: false }),
 * });
 * await response.json(); // { status: "success" }
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
   * await response.json(); // { version: "0.33.0" }
   * ```
   */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

  /**
   * The web-standard handler (bound): give it to `Deno.serve`, `Bun.serve` or any framework, or
   * use {@link serveFakeOllama}. It reads `request.signal` only while it makes a client wait for
   * headers (a hang, a pull with `stream: false`, a load); a body being streamed learns that the
   * client went away from the body stream's cancellation. (Given to `Deno.serve` directly,
   * reading the signal makes Deno print a one-time notice about its legacy abort behaviour;
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

  readonly #settings: FakeSettings;
  readonly #parts: FakeParts;
  #closed = false;

  /**
   * Creates a fake server with the given models installed.
   *
   * @param options Version, models, catalog, pace, registries, cloud and runner.
   * @throws {TypeError} When a model or catalog name is invalid, or a number out of range.
   */
  constructor(options: FakeOllamaOptions = {}) {
    this.#settings = resolveSettings(options);
    this.version = this.#settings.version;
    const store = new ModelStore(this.#settings.catalog, options.models ?? []);
    const access = new RegistryAccess(this.#settings);
    this.#parts = {
      settings: this.#settings,
      store,
      access,
      downloads: new DownloadManager({
        store,
        request: access.request,
        scale: this.#settings.timeScale,
        headers: { "user-agent": `ollama/${this.version} (vtcode fake)` },
      }),
      faults: new FaultBook(),
      runner: new Runner(this.#settings.runner),
      records: [],
      live: new Set<Waiter>(),
      closed: () => this.#closed,
    };
    this.handler = (request) => handleRequest(this.#parts, request);
    this.fetch = fetchThrough(this.handler);
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
    return this.#parts.records;
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
    return this.#parts.records.filter((record: RequestRecordState) =>
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
    this.#parts.faults.inject(fault, select);
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
    this.#parts.faults.clear();
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
    return this.#parts.store.list().map((model) => model.name.short);
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
    this.#parts.store.install(init, init.modifiedAt ?? new Date());
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
    return this.#parts.store.remove(modelKey(name));
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
    return this.#parts.store.bytes();
  }

  /**
   * Ends every pending hang and stall (their connections are cut, their records say `"closed"`),
   * stops every registry download and cancels every timer, so a server can shut down and nothing
   * leaks. Idempotent. The fake still answers afterwards, but never waits: pulls run in fast
   * mode, hangs and stalls end at once.
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
    for (const waiter of [...this.#parts.live]) waiter.stop("closed");
    this.#parts.downloads.cancelAll();
  }
}
