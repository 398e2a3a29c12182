/**
 * The Ollama client: what a server offers, one method each. Health and version, the installed
 * models (`/api/tags`, with cloud stubs told apart from local weights), a model's details
 * (`/api/show`), the loaded models (`/api/ps`), blobs (`HEAD /api/blobs`), whether the server
 * can use the cloud (`/api/me`, `/api/status`), loading a model into memory, and pulls (in
 * `./pull.ts`). Every request goes through `./transport.ts`. Web standards only, so it runs
 * unchanged on Deno, Bun and Node 20.3+.
 *
 * @module
 */

import { NotOllamaError } from "./errors/not_ollama_error.ts";
import { UsageError } from "./errors/usage_error.ts";
import type { OllamaPullEvent } from "./events.ts";
import { isCloudModel, normalizeModelName, parseModelName, shortModelName } from "./names.ts";
import { BatchedIterator } from "./batched_iterator.ts";
import { LazyIterator } from "./lazy_iterator.ts";
import type { PullContext, PullOptions, PullResult, PullStreamOptions } from "./pull.ts";
import { checkRetryPolicy } from "./retry.ts";
import { sanitizeText } from "./sanitize.ts";
import {
  boundMs,
  errorMessageFrom,
  type FetchLike,
  snippet,
  statusText,
  type TextResponse,
  Transport,
} from "./transport.ts";
import { isOpenAICompatibleBaseUrl, normalizeBaseUrl } from "./url.ts";
import {
  type CloudStatus,
  cloudStatusFrom,
  describeEntry,
  listedName,
  modelInfoFrom,
  type OllamaModelInfo,
  type RunningModel,
  runningModelFrom,
} from "./model_info.ts";

export type { CloudStatus, FetchLike, OllamaModelInfo, RunningModel };
import {
  DEFAULT_LOAD_TIMEOUT_MS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_QUIET_TIMEOUT_MS,
  DEFAULT_STALL_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  type HealthInfo,
  type ListOptions,
  type LoadOptions,
  type LoadResult,
  type OllamaClientOptions,
  type RequestOptions,
} from "./client_options.ts";
export type { OllamaModelDetails } from "./model_info.ts";

/**
 * A client for one Ollama server.
 *
 * @example Health-check, then make sure a model is there
 * ```ts
 * import { CliPullProgressReporter, OllamaClient } from "@vtcode/ollama";
 *
 * const client = await OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434");
 * if (!(await client.hasModel("llama3"))) {
 *   await client.pullModel("llama3", {
 *     reporter: new CliPullProgressReporter({ sink: { write: (t) => console.error(t), isTerminal: false } }),
 *   });
 * }
 * ```
 */
export class OllamaClient {
  /** The server's host root, credentials removed (safe to print). */
  readonly baseUrl: string;
  /** Whether the address given was an OpenAI-compatible one (ending in `/v1`). */
  readonly openAICompatible: boolean;
  /** The version the last health check saw, `null` if the server did not say. */
  serverVersion: string | null = null;

  readonly #transport: Transport;
  readonly #timeoutMs: number;
  readonly #pull: PullContext;

  /**
   * Creates a client without contacting the server (see {@link OllamaClient.tryFromBaseUrl}).
   *
   * @param baseUrl The server address: `http://host:port`, a path prefix, `/v1` form, or
   *   `host:port` as in `OLLAMA_HOST`. Credentials in it are sent as a Basic `Authorization`
   *   header (unless `headers` has one) and never printed.
   * @param options Fetch, headers, bounds, signal, retry policy, `insecure`.
   * @throws {UsageError} When the address cannot be used, or the retry policy is out of range.
   */
  constructor(baseUrl: string, options: OllamaClientOptions = {}) {
    if (typeof baseUrl !== "string") {
      throw new UsageError(`OllamaClient: the address must be a string, got ${typeof baseUrl}`);
    }
    this.#transport = new Transport(normalizeBaseUrl(baseUrl), {
      fetch: options.fetch,
      headers: options.headers,
      signal: options.signal,
      maxResponseBytes: boundMs(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES),
      proxyEnv: options.proxyEnv,
    });
    this.baseUrl = this.#transport.baseUrl;
    this.openAICompatible = isOpenAICompatibleBaseUrl(baseUrl.trim());
    this.#timeoutMs = boundMs(options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.#pull = {
      transport: this.#transport,
      timeoutMs: this.#timeoutMs,
      stallTimeoutMs: boundMs(options.stallTimeoutMs, DEFAULT_STALL_TIMEOUT_MS),
      quietTimeoutMs: boundMs(options.quietTimeoutMs, DEFAULT_QUIET_TIMEOUT_MS),
      maxLineLength: options.maxLineLength,
      retry: checkRetryPolicy(options.retry) ?? {},
      insecure: options.insecure === true,
      hasModel: (name, opts) => this.hasModel(name, opts),
      fetchModels: (opts) => this.fetchModels(opts),
    };
  }

  /**
   * Creates a client and health-checks the server, so that a returned client is known to talk
   * to a running Ollama.
   *
   * @param baseUrl The server address (see the constructor).
   * @param options Client options; `timeoutMs` bounds the check (connect and answer).
   * @returns The client, with {@link OllamaClient.serverVersion} set.
   * @throws {UnreachableError} Nothing listening (fails at once, not after the timeout).
   * @throws {RequestTimeoutError} No answer within the bound.
   * @throws {NotOllamaError} Something answered, but not Ollama.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const client = await OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434", { timeoutMs: 2_000 });
   * console.log(client.serverVersion);
   * ```
   */
  static async tryFromBaseUrl(
    baseUrl: string,
    options: OllamaClientOptions = {},
  ): Promise<OllamaClient> {
    const client = new OllamaClient(baseUrl, options);
    await client.healthCheck();
    return client;
  }

  /**
   * Checks that an Ollama server answers at the address: `GET /api/version` (falling back to
   * `GET /` and its `Ollama is running` for servers too old to have it; a 404 with some other
   * page at `/` is not Ollama).
   *
   * @param options Signal and bound.
   * @returns The address and version.
   * @throws {UnreachableError | ConnectionError | ServerBusyError | RequestTimeoutError | NotOllamaError | InterruptedError | PermissionDeniedError}
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const { version } = await new OllamaClient("http://127.0.0.1:11434").healthCheck();
   * ```
   */
  async healthCheck(options: RequestOptions = {}): Promise<HealthInfo> {
    const bound = this.#transport.bound(options, this.#timeoutMs);
    const response = await this.#transport.request("GET", "/api/version", bound);
    if (response.status === 404) {
      const root = await this.#transport.request("GET", "/", bound);
      if (root.status === 200 && /^\s*Ollama is running\s*$/.test(root.text)) {
        this.serverVersion = null;
        return { baseUrl: this.baseUrl, version: null };
      }
      throw this.#notOllama("GET /api/version", response);
    }
    const version = this.#versionFrom(response);
    this.serverVersion = version;
    return { baseUrl: this.baseUrl, version };
  }

  /**
   * The server's version (`GET /api/version`), e.g. `0.12.3`; source builds say `0.0.0`.
   *
   * @param options Signal and bound.
   * @returns The version string.
   * @throws {UnreachableError | RequestTimeoutError | NotOllamaError | InterruptedError}
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * console.log(await new OllamaClient("http://127.0.0.1:11434").version());
   * ```
   */
  async version(options: RequestOptions = {}): Promise<string> {
    const bound = this.#transport.bound(options, this.#timeoutMs);
    return this.#versionFrom(await this.#transport.request("GET", "/api/version", bound));
  }

  /**
   * The installed models (`GET /api/tags`), newest first, with cloud stubs marked. Behind an
   * OpenAI-compatible address whose native endpoints are missing, `GET /v1/models` is used
   * instead (names only). An entry without a usable name is skipped (and reported to
   * `onWarning`), never the whole list.
   *
   * @param options Signal, bound, and a listener for skipped entries.
   * @returns The models.
   * @throws {UnreachableError | RequestTimeoutError | NotOllamaError | InterruptedError}
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * for (const model of await new OllamaClient("http://127.0.0.1:11434").listModels()) {
   *   console.log(model.name, model.cloud ? "cloud" : model.size);
   * }
   * ```
   */
  async listModels(options: ListOptions = {}): Promise<OllamaModelInfo[]> {
    const models = await this.#tags(options);
    if (!models.raw) return models.infos;
    const infos: OllamaModelInfo[] = [];
    models.entries.forEach((entry: unknown, index) => {
      const info = modelInfoFrom(entry);
      if (info !== undefined) infos.push(info);
      else {options.onWarning?.(
          `skipped entry ${index + 1} of GET /api/tags: ${describeEntry(entry)}`,
        );}
    });
    return infos;
  }

  /**
   * The installed models' names, in Ollama's short form (`llama3:latest`).
   *
   * @param options Signal and bound.
   * @returns The names, newest first.
   * @throws {UnreachableError | RequestTimeoutError | NotOllamaError | InterruptedError}
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * console.log(await new OllamaClient("http://127.0.0.1:11434").fetchModels()); // ["llama3:latest"]
   * ```
   */
  async fetchModels(options: ListOptions = {}): Promise<string[]> {
    return (await this.listModels(options)).map((model) => model.name);
  }

  /**
   * The installed model a name refers to, compared by normalized name (so `llama3`,
   * `LLAMA3:latest` and `library/llama3` all find `llama3:latest`).
   *
   * @param name The model.
   * @param options Signal and bound.
   * @returns The model as listed, or `undefined` when it is not installed.
   * @throws {InvalidModelNameError} Before any request, for an invalid name.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const info = await new OllamaClient("http://127.0.0.1:11434").findModel("llama3");
   * console.log(info?.digest);
   * ```
   */
  async findModel(
    name: string,
    options: RequestOptions = {},
  ): Promise<OllamaModelInfo | undefined> {
    const parsed = parseModelName(name);
    const wanted = normalizeModelName(parsed);
    // A listed name can only be the same model if its model part is spelled in it: that cheap
    // test spares parsing the others, and only the match is made a model (a server with 50,000
    // models: bench/list_scale.ts).
    const part = parsed.model.toLowerCase();
    const same = (listed: string | undefined) =>
      listed !== undefined && listed.toLowerCase().includes(part) && keyOf(listed) === wanted;
    const models = await this.#tags(options);
    if (!models.raw) return models.infos.find((model) => same(model.name));
    const entry = models.entries.find((candidate) => same(listedName(candidate)));
    return entry === undefined ? undefined : modelInfoFrom(entry);
  }

  /**
   * Whether a model is installed (see {@link OllamaClient.findModel}).
   *
   * @param name The model.
   * @param options Signal and bound.
   * @returns `true` when the server lists it.
   * @throws {InvalidModelNameError} Before any request, for an invalid name.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * await new OllamaClient("http://127.0.0.1:11434").hasModel("LLAMA3"); // true if llama3:latest is installed
   * ```
   */
  async hasModel(name: string, options: RequestOptions = {}): Promise<boolean> {
    return (await this.findModel(name, options)) !== undefined;
  }

  /**
   * A model's capabilities (`POST /api/show`), e.g. `["completion", "tools"]` or
   * `["embedding"]`.
   *
   * @param name The model.
   * @param options Signal and bound.
   * @returns The capabilities (empty when the server does not say), or `undefined` when the
   *   model is not installed.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const caps = await new OllamaClient("http://127.0.0.1:11434").capabilities("nomic-embed-text");
   * ```
   */
  async capabilities(name: string, options: RequestOptions = {}): Promise<string[] | undefined> {
    const model = shortModelName(parseModelName(name));
    const bound = this.#transport.bound(options, this.#timeoutMs);
    const response = await this.#transport.request("POST", "/api/show", bound, { model });
    if (response.status === 404) return undefined;
    const body = this.#json("POST /api/show", response) as { capabilities?: unknown } | null;
    return Array.isArray(body?.capabilities)
      ? body.capabilities.filter((c): c is string => typeof c === "string")
      : [];
  }

  /**
   * The models loaded in memory (`GET /api/ps`), with how much of each sits on the GPU.
   *
   * @param options Signal and bound.
   * @returns The loaded models.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * for (const m of await new OllamaClient("http://127.0.0.1:11434").runningModels()) {
   *   console.log(m.name, m.sizeVram === m.size ? "100% GPU" : "partly on CPU");
   * }
   * ```
   */
  async runningModels(options: RequestOptions = {}): Promise<RunningModel[]> {
    const bound = this.#transport.bound(options, this.#timeoutMs);
    const response = await this.#transport.request("GET", "/api/ps", bound);
    const body = this.#json("GET /api/ps", response);
    const models = (body as { models?: unknown } | null)?.models;
    if (models === null || models === undefined) return [];
    if (!Array.isArray(models)) {
      throw this.#wrongShape("GET /api/ps", response, `expected {"models": [...]}`);
    }
    return models.flatMap((entry) => {
      const running = runningModelFrom(entry);
      return running === undefined ? [] : [running];
    });
  }

  /**
   * Whether the server has a blob (`HEAD /api/blobs/<digest>`): what a pull would not download
   * again.
   *
   * @param digest `sha256:<64 hex>`.
   * @param options Signal and bound.
   * @returns `true` when the server has it.
   * @throws {UsageError} For a digest that is not `sha256:<64 hex>`.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * await new OllamaClient("http://127.0.0.1:11434").hasBlob(`sha256:${"0".repeat(64)}`); // false
   * ```
   */
  async hasBlob(digest: string, options: RequestOptions = {}): Promise<boolean> {
    if (typeof digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
      throw new UsageError(
        `hasBlob: expected a digest "sha256:<64 hex>", got ${
          JSON.stringify(String(digest).slice(0, 80))
        }`,
      );
    }
    const bound = this.#transport.bound(options, this.#timeoutMs);
    const response = await this.#transport.request("HEAD", `/api/blobs/${digest}`, bound);
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw this.#notOllama(`HEAD /api/blobs/${digest.slice(0, 19)}…`, response);
  }

  /**
   * Whether the server can use cloud models: signed in to ollama.com (`POST /api/me` answers
   * 200; 401 is signed out; anything else, such as a real server's 503 `account unavailable`
   * when it cannot reach ollama.com, is unknown) and cloud not switched off (`GET /api/status`).
   * A server too old to know either answers with `null`s.
   *
   * @param options Signal and bound.
   * @returns The status.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const status = await new OllamaClient("http://127.0.0.1:11434").cloudStatus();
   * if (status.signedIn === false) console.error(`sign in: ${status.signinUrl}`);
   * ```
   */
  async cloudStatus(options: RequestOptions = {}): Promise<CloudStatus> {
    const bound = this.#transport.bound(options, this.#timeoutMs);
    const [me, status] = await Promise.all([
      this.#transport.request("POST", "/api/me", bound, {}, { busyRetry: false }),
      this.#transport.request("GET", "/api/status", bound),
    ]);
    return cloudStatusFrom(me, status);
  }

  /**
   * Loads a model into memory so that the first real request is fast: `POST /api/generate`
   * without a prompt, or `POST /api/embed` without input for an embedding model (tried when the
   * server says the model does not support generate). Cloud models are not loaded here.
   *
   * @param name The model.
   * @param options `keepAlive`, embedding, signal, bound (default 5 minutes).
   * @returns How long it took, and which endpoint loaded it.
   * @throws {WarmFailedError} When the server could not load it (e.g. not enough memory).
   * @throws {UsageError} For a cloud model.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const { loadMs } = await new OllamaClient("http://127.0.0.1:11434").loadModel("llama3", { keepAlive: "30m" });
   * ```
   */
  async loadModel(name: string, options: LoadOptions = {}): Promise<LoadResult> {
    const parsed = parseModelName(name);
    const model = shortModelName(parsed);
    if (isCloudModel(parsed)) {
      throw new UsageError(
        `${model} is a cloud model: it runs on ollama.com and is not loaded here`,
      );
    }
    const bound = this.#transport.bound(options, DEFAULT_LOAD_TIMEOUT_MS);
    const body: Record<string, unknown> = { model };
    if (options.keepAlive !== undefined) body.keep_alive = options.keepAlive;
    const started = performance.now();
    const tryLoad = async (endpoint: LoadResult["endpoint"]) => {
      const response = await this.#transport.request("POST", endpoint, bound, body);
      return { endpoint, response };
    };
    let { endpoint, response } = await tryLoad(
      options.embedding === true ? "/api/embed" : "/api/generate",
    );
    const refusal = errorMessageFrom(response.text) ?? "";
    if (
      options.embedding === undefined && response.status === 400 &&
      /does not support (generate|completion)/i.test(refusal)
    ) {
      ({ endpoint, response } = await tryLoad("/api/embed"));
    }
    if (response.status !== 200) {
      const message = errorMessageFrom(response.text);
      if (message === undefined) throw this.#notOllama(`POST ${endpoint}`, response);
      const { WarmFailedError } = await import("./errors/warm_failed_error.ts");
      throw new WarmFailedError(model, `${statusText(response)}: ${message}`);
    }
    return { model, loadMs: Math.round(performance.now() - started), endpoint };
  }

  /**
   * Pulls a model as a stream of typed events: one attempt, no retries (see
   * {@link OllamaClient.pullModel} for those). The stream ends after `success`; an in-stream
   * `error` is yielded, then thrown as a `PullFailedError`. A pull in which no layer's download
   * grows for `stallTimeoutMs` fails as `stalled`, whether the server is silent or keeps
   * repeating the same progress line (as a real Ollama does while its download is stuck).
   * Breaking out of the loop, or calling `return()`, aborts the request at once.
   *
   * @param name The model (an `http://` scheme in it allows a plain-HTTP registry).
   * @param options Signal, bounds and `insecure`.
   * @returns The events.
   * @throws {InvalidModelNameError} At once, before any request.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const client = new OllamaClient("http://127.0.0.1:11434");
   * for await (const event of client.pullModelStream("llama3", { signal: AbortSignal.timeout(3_600_000) })) {
   *   if (event.type === "chunk_progress") console.log(event.digest, event.completed, event.total);
   * }
   * ```
   */
  pullModelStream(
    name: string,
    options: PullStreamOptions = {},
  ): AsyncIterableIterator<OllamaPullEvent> {
    const parsed = parseModelName(name); // An invalid name throws here, before any request.
    const closer = new AbortController();
    // The pull machinery (decoder, parser, watchdog) is loaded by the first pull, not by every
    // program that only checks (see BENCHMARKS.md, "Time to ready"): the batches are made on
    // the first `next()`, and the events are served from them with no extra step per event.
    const batches = new LazyIterator(async () =>
      (await import("./pull.ts")).pullBatches(this.#pull, parsed, options, closer.signal)
    );
    return new BatchedIterator(batches, { onReturn: () => closer.abort() });
  }

  /**
   * Pulls a model to completion: runs {@link OllamaClient.pullModelStream}, feeding every event
   * to the reporter; re-issues the pull after a transient failure (reset, stall, 5xx, `max
   * retries exceeded`, `context deadline exceeded`), with exponential backoff and jitter
   * (Ollama resumes partial downloads); and finally checks that the model is listed. Success
   * means both: the server said `success` and the model is installed.
   *
   * @param name The model to pull.
   * @param options Reporter, signal, bounds, retry policy, `insecure`, known layers.
   * @returns The model's short name and the number of attempts.
   * @throws {InvalidModelNameError} Before any request, for a name Ollama would reject.
   * @throws {PullFailedError} When every attempt failed, a failure was permanent (with advice:
   *   an unknown name with close installed names, a newer server needed, `insecure`), or the
   *   model is not listed afterwards.
   * @throws {InterruptedError} When the signal was aborted.
   *
   * @example
   * ```ts
   * import { OllamaClient } from "@vtcode/ollama";
   *
   * const client = new OllamaClient("http://127.0.0.1:11434");
   * const { attempts } = await client.pullModel("qwen3:0.6b", { retry: { retries: 5 } });
   * ```
   */
  async pullModel(name: string, options: PullOptions = {}): Promise<PullResult> {
    const { pullToCompletion } = await import("./pull.ts");
    return await pullToCompletion(this.#pull, name, options);
  }

  /**
   * `GET /api/tags`, its entries as the server sent them; behind an OpenAI-compatible address
   * without it, `GET /v1/models` as models.
   */
  async #tags(
    options: RequestOptions,
  ): Promise<{ raw: true; entries: unknown[] } | { raw: false; infos: OllamaModelInfo[] }> {
    const bound = this.#transport.bound(options, this.#timeoutMs);
    const response = await this.#transport.request("GET", "/api/tags", bound);
    if (response.status === 404 && this.openAICompatible) {
      const infos = this.#openAIModels(await this.#transport.request("GET", "/v1/models", bound));
      return { raw: false, infos };
    }
    const body = this.#json("GET /api/tags", response);
    const models = (body as { models?: unknown } | null)?.models;
    if (models === null) return { raw: true, entries: [] };
    if (!Array.isArray(models)) {
      throw this.#wrongShape("GET /api/tags", response, `expected {"models": [...]}`);
    }
    return { raw: true, entries: models };
  }

  #json(operation: string, response: TextResponse): unknown {
    if (response.status !== 200) throw this.#notOllama(operation, response);
    try {
      return JSON.parse(response.text);
    } catch (cause) {
      throw new NotOllamaError(
        `${this.baseUrl} answered ${operation} with something that is not JSON` +
          `${snippet(response.text)}. Is this address an Ollama server (not a web page or proxy)?` +
          this.#proxyNote(),
        { status: response.status, cause },
      );
    }
  }

  #versionFrom(response: TextResponse): string {
    const body = this.#json("GET /api/version", response);
    const version = (body as { version?: unknown } | null)?.version;
    if (typeof version !== "string") {
      throw this.#wrongShape("GET /api/version", response, `expected {"version": "x.y.z"}`);
    }
    return sanitizeText(version, { maxLength: 64 });
  }

  #openAIModels(response: TextResponse): OllamaModelInfo[] {
    const body = this.#json("GET /v1/models", response);
    const data = (body as { data?: unknown } | null)?.data;
    if (data === null) return []; // Ollama answers `data: null` when no model is installed.
    if (!Array.isArray(data)) {
      throw this.#wrongShape("GET /v1/models", response, `expected {"data": [...]}`);
    }
    return data.flatMap((entry) => {
      const id = (entry as { id?: unknown } | null)?.id;
      return typeof id === "string" ? [{ name: id, cloud: isCloudModel(id) }] : [];
    });
  }

  /** Says which proxy answered, when one was in the way. */
  #proxyNote(): string {
    const proxy = this.#transport.proxyFor();
    return proxy === undefined
      ? ""
      : ` The request went through the proxy ${proxy.url} (from ${proxy.variable}); its own ` +
        "error page may be what answered: check NO_PROXY.";
  }

  #notOllama(operation: string, response: TextResponse): NotOllamaError {
    const status = statusText(response);
    const proxy = this.#proxyNote();
    const auth = proxy !== ""
      ? proxy
      : response.status === 401 || response.status === 403
      ? /ollama\.com/.test(this.baseUrl)
        ? " ollama.com refused us: set OLLAMA_API_KEY to a valid key."
        : " The server refused us: a server bound to loopback answers 403 to requests that " +
          "name another host; a proxy or gateway in front of it may want credentials."
      : " Is this address an Ollama server? Check --host, OLLAMA_HOST or `base_url`.";
    return new NotOllamaError(
      `${this.baseUrl} answered ${operation} with ${status}${snippet(response.text)}.${auth}`,
      { status: response.status },
    );
  }

  #wrongShape(operation: string, response: TextResponse, expected: string): NotOllamaError {
    return new NotOllamaError(
      `${this.baseUrl} answered ${operation} with JSON of the wrong shape (${expected})` +
        `${snippet(response.text)}. Is this address an Ollama server?`,
      { status: response.status },
    );
  }
}

function keyOf(name: string): string | undefined {
  try {
    return normalizeModelName(name);
  } catch {
    return undefined;
  }
}
