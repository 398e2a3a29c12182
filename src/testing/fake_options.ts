/**
 * What a {@link FakeOllama} can be told at construction: its models, pace, registries, cloud
 * account and model runner; and those options with every default filled in.
 *
 * @module
 */

import { DEFAULT_CATALOG, type FakeCatalogEntry } from "./catalog.ts";

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
  /** `details.format`. Default: the catalog's, else `"gguf"`. */
  format?: string;
  /** `details.parent_model`. Default `""`. */
  parentModel?: string;
  /** `capabilities`. Default: the catalog's, else `["completion"]` (`["embedding"]` for BERT). */
  capabilities?: readonly string[];
  /** `details.context_length` (omitted when 0). Default: the catalog's, else 0. */
  contextLength?: number;
  /** `details.embedding_length` (omitted when 0). Default: the catalog's, else 0. */
  embeddingLength?: number;
  /** A cloud stub: `remote_model` and `remote_host` (`https://ollama.com:443` when omitted). */
  remote?: { model: string; host?: string };
}

/**
 * A web-standard handler that answers a registry's requests (a {@link FakeRegistry}'s `handler`).
 *
 * @example
 * ```ts
 * import { FakeRegistry, type FakeRegistryHandler } from "@vtcode/ollama/testing";
 *
 * const handler: FakeRegistryHandler = new FakeRegistry().handler;
 * ```
 */
export type FakeRegistryHandler = (request: Request) => Response | Promise<Response>;

/**
 * What `POST /api/me` answers:
 * - `"unavailable"`: 503 `{"error":"account unavailable"}` (ollama.com cannot be reached; what a
 *   server on a closed network says);
 * - `"signed_out"`: 401 `{"error":"unauthorized","signin_url":"https://ollama.com/connect?..."}`;
 * - a user: 200 with that user (signed in); cloud models then answer as if ollama.com were there.
 *
 * @example
 * ```ts
 * import type { FakeCloudAccount } from "@vtcode/ollama/testing";
 *
 * const signedIn: FakeCloudAccount = { name: "ada", email: "ada@example.com", plan: "free" };
 * ```
 */
export type FakeCloudAccount = "unavailable" | "signed_out" | FakeCloudUser;

/**
 * A signed-in ollama.com user, as `POST /api/me` shows it.
 *
 * @example
 * ```ts
 * import type { FakeCloudUser } from "@vtcode/ollama/testing";
 *
 * const user: FakeCloudUser = { name: "ada" };
 * ```
 */
export interface FakeCloudUser {
  /** The user name (never empty: an empty name counts as signed out). */
  name: string;
  /** The e-mail address. Default `<name>@example.com`. */
  email?: string;
  /** The plan. Default `free`. */
  plan?: string;
}

/**
 * The cloud side of the fake: the account `/api/me` reports and what `/api/status` says.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * const fake = new FakeOllama({ cloud: { account: "signed_out" } });
 * const noCloud = new FakeOllama({ cloud: { disabled: true, source: "env" } });
 * ```
 */
export interface FakeCloudOptions {
  /** What `POST /api/me` answers. Default `"unavailable"` (a closed network). */
  account?: FakeCloudAccount;
  /** `cloud.disabled` of `/api/status` (`OLLAMA_NO_CLOUD`). Default `false`. */
  disabled?: boolean;
  /** `cloud.source` of `/api/status`: `none`, `env`, `config` or `both`. Default: `none`, or `env` when disabled. */
  source?: string;
  /** The `signin_url` of a 401. Default `https://ollama.com/connect?name=fake-ollama&key=...`. */
  signinUrl?: string;
}

/**
 * How the fake's model runner behaves when `/api/generate` or `/api/embed` loads a model.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * const noRunner = new FakeOllama({ runner: { error: "llama-server binary not found" } });
 * const small = new FakeOllama({ runner: { memory: 2 * 1024 ** 3, vramShare: 0.5 } });
 * ```
 */
export interface FakeRunnerOptions {
  /** Every load fails: 500 with this text (e.g. the `llama-server binary not found` of a build without runner). */
  error?: string;
  /**
   * Bytes of memory available for models. A model bigger than this fails to load: 500 `model
   * requires more system memory (X) than is available (Y)`; other loaded models are unloaded to
   * make room for one that fits. Default: unlimited.
   */
  memory?: number;
  /** The share of a loaded model in GPU memory, 0 to 1 (`size_vram` = share x `size`). Default 1. */
  vramShare?: number;
  /** How long a load takes, in ms. Default 0. */
  loadMs?: number;
}

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
  /** What `/api/version` answers. Default `"0.33.0"`. */
  version?: string;
  /**
   * Models installed at start, listed by `/api/tags` in this order. A name found in neither
   * `catalog` nor {@link DEFAULT_CATALOG} gets one layer of a size derived from the name.
   */
  models?: readonly (string | FakeModelInit)[];
  /** Pullable models. Default {@link DEFAULT_CATALOG}. Installed models need not be in it. */
  catalog?: readonly FakeCatalogEntry[];
  /** Download speed of each catalog pull, in bytes per second. Default 100 MB/s. */
  bytesPerSecond?: number;
  /**
   * Time between progress lines, in ms. Default 60 x `timeScale`, as Ollama. `0` is fast mode: no
   * timers at all for catalog pulls (lines as fast as the client reads them, each layer in about
   * four big steps); a registry pull then sends a line whenever its download moved.
   */
  tickMs?: number;
  /** Silence between `verifying sha256 digest` and `writing manifest` of a catalog pull, in ms. Default `tickMs`. */
  verifyMs?: number;
  /** Send `removing unused layers` before `success` of a catalog pull. Default `false`. */
  removeUnusedLayers?: boolean;
  /**
   * Answer 403 (empty body) to a `Host` header that is not local, as an Ollama bound to loopback
   * does. Local: `localhost`, `*.localhost`, `*.local`, `*.internal`, loopback, private and
   * unspecified addresses. Default `false`.
   */
  rejectNonLocalHost?: boolean;
  /**
   * Multiplies every duration of Ollama's own download machinery: the 60 ms tick (unless `tickMs`
   * is given), the 30 s after which a stalled part restarts, the 1 s watchdog, the 1-32 s waits
   * between a part's retries, the 30 s bound on getting a blob's redirect. `0.01` runs a 63 s
   * "max retries exceeded" in 0.63 s. Default 1.
   */
  timeScale?: number;
  /**
   * Registries reachable without a socket: a host as it appears in model names
   * (`127.0.0.1:5000`) to the handler that answers it (a {@link FakeRegistry}'s `handler`). A
   * loopback host also matches its other loopback names with the same port (`localhost:5000`),
   * so the registry's redirects to its data host arrive too. Naming `registry.ollama.ai` here
   * replaces the catalog for names without a host. These registries speak plain http: pull with
   * `insecure`.
   */
  registries?: Readonly<Record<string, FakeRegistryHandler>>;
  /**
   * How registries not in `registries` are reached. Default: the global `fetch` for loopback
   * hosts (a {@link FakeRegistry} served on `127.0.0.1`), and `no such host` for every other one,
   * so the fake never goes to the internet on its own.
   */
  registryFetch?: (request: Request) => Promise<Response>;
  /** The cloud account and policy (`/api/me`, `/api/status`, cloud models). */
  cloud?: FakeCloudOptions;
  /** The model runner (`/api/generate` and `/api/embed` loads, `/api/ps`). */
  runner?: FakeRunnerOptions;
}

/** The options with every default filled in, as the fake's parts use them. */
export interface FakeSettings {
  version: string;
  bytesPerSecond: number;
  tickMs: number;
  verifyMs: number;
  removeUnusedLayers: boolean;
  rejectNonLocalHost: boolean;
  timeScale: number;
  registries: ReadonlyMap<string, FakeRegistryHandler>;
  registryFetch: ((request: Request) => Promise<Response>) | undefined;
  catalog: readonly FakeCatalogEntry[];
  cloud: Required<Omit<FakeCloudOptions, "account">> & { account: FakeCloudAccount };
  runner: { error: string | undefined; memory: number; vramShare: number; loadMs: number };
}

/**
 * The version `/api/version` answers by default: the Ollama whose recorded behaviour the fake is
 * held to (tests/fixtures/real).
 *
 * @example
 * ```ts
 * import { DEFAULT_FAKE_VERSION, FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().version === DEFAULT_FAKE_VERSION; // true ("0.33.0")
 * ```
 */
export const DEFAULT_FAKE_VERSION = "0.33.0";

/**
 * Fills in the defaults and checks the numbers.
 *
 * @param options The constructor's options.
 * @returns The settings.
 * @throws {TypeError} When a number is out of range.
 */
export function resolveSettings(options: FakeOllamaOptions): FakeSettings {
  const timeScale = positive(options.timeScale ?? 1, "timeScale");
  const tickMs = nonNegative(options.tickMs ?? 60 * timeScale, "tickMs");
  const disabled = options.cloud?.disabled ?? false;
  const runner = options.runner ?? {};
  const vramShare = runner.vramShare ?? 1;
  if (!(vramShare >= 0 && vramShare <= 1)) {
    throw new TypeError("runner.vramShare must be a number from 0 to 1");
  }
  return {
    version: options.version ?? DEFAULT_FAKE_VERSION,
    bytesPerSecond: positive(options.bytesPerSecond ?? 100_000_000, "bytesPerSecond"),
    tickMs,
    verifyMs: nonNegative(options.verifyMs ?? tickMs, "verifyMs"),
    removeUnusedLayers: options.removeUnusedLayers ?? false,
    rejectNonLocalHost: options.rejectNonLocalHost ?? false,
    timeScale,
    registries: new Map(Object.entries(options.registries ?? {})),
    registryFetch: options.registryFetch,
    catalog: options.catalog ?? DEFAULT_CATALOG,
    cloud: {
      account: options.cloud?.account ?? "unavailable",
      disabled,
      source: options.cloud?.source ?? (disabled ? "env" : "none"),
      signinUrl: options.cloud?.signinUrl ??
        "https://ollama.com/connect?name=fake-ollama&key=c3NoLWVkMjU1MTkgZmFrZQ",
    },
    runner: {
      error: runner.error,
      memory: runner.memory === undefined ? Infinity : nonNegative(runner.memory, "runner.memory"),
      vramShare,
      loadMs: nonNegative(runner.loadMs ?? 0, "runner.loadMs"),
    },
  };
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new TypeError(`${name} must be a number > 0`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new TypeError(`${name} must be a number >= 0`);
  return value;
}
