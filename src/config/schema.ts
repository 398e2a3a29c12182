/**
 * The `[ollama]` settings: their keys, types and defaults ({@link OllamaConfig},
 * {@link DEFAULT_OLLAMA_CONFIG}, {@link OLLAMA_CONFIG_KEYS}), and their validation. Pure: no
 * file, environment or network access, and no TOML parser; `parse.ts` reads TOML text into a
 * table and hands it here.
 *
 * {@link validateOllamaConfig} checks settings given in code (camelCase fields, as
 * `ensureOllamaReady` takes them) by the same rules as the TOML keys.
 *
 * @module
 */

import { UsageError } from "../errors/usage_error.ts";
import { DEFAULT_PULL_RETRIES } from "../retry.ts";
import { sanitizeText } from "../sanitize.ts";
import { closestMatch } from "../suggest.ts";
import { describeValue, type ValueStyle } from "./describe.ts";
import {
  type Check,
  checkAddress,
  checkAddressList,
  checkBoolean,
  checkKeepAlive,
  checkModelNames,
  checkModelPatterns,
  checkSeconds,
  checkVersion,
  checkWholeNumber,
} from "./values.ts";

export { MAX_TIMEOUT_SECS } from "./values.ts";

/**
 * The settings of the `[ollama]` table, with every default filled in. Each field is a TOML key
 * in snake_case (`autoPull` is `auto_pull`).
 *
 * @example
 * ```ts
 * import { type OllamaConfig, parseOllamaConfig } from "@vtcode/ollama";
 *
 * const config: OllamaConfig = parseOllamaConfig('[ollama]\nmodels = ["llama3"]');
 * config.autoPull; // true
 * config.pullConcurrency; // 2
 * ```
 */
export interface OllamaConfig {
  /**
   * `base_url`: the server address as written (trimmed), or `undefined` when absent. It is
   * checked to be a usable address; reducing a trailing `/v1` and the rest of address resolution
   * (`--host`, `OLLAMA_BASE_URL`, `OLLAMA_HOST`, the default) happen elsewhere.
   */
  baseUrl: string | undefined;
  /**
   * `hosts`: several servers, each ensured with the same models and policy, as written
   * (trimmed), in order; or `undefined` when absent. Never empty, no server twice, and never
   * together with `baseUrl`.
   */
  hosts: string[] | undefined;
  /** `models`: the models that must exist, in file order, exact repeats removed. Default `[]`. */
  models: string[];
  /** `auto_pull`: whether missing required models are pulled. Default `true`. */
  autoPull: boolean;
  /**
   * `whitelist`: the names or `*` patterns of models that may be pulled. `undefined` (the key is
   * absent) means no restriction; `[]` means nothing may be pulled.
   */
  whitelist: string[] | undefined;
  /**
   * `timeout_secs`: bound, in seconds, for the health check, each non-streaming request, and for
   * a pull to start answering. Greater than 0. Default `5`.
   */
  timeoutSecs: number;
  /**
   * `stall_timeout_secs`: a pull in which no layer's download grew for this many seconds (the
   * server silent, or repeating the same progress line as a real Ollama does while its own
   * download is stuck) is aborted and retried. Greater than 0. Default `60`.
   */
  stallTimeoutSecs: number;
  /** `pull_retries`: re-issues of a failed or stalled pull. A whole number, 0 or more. Default `3`. */
  pullRetries: number;
  /**
   * `pull_concurrency`: pulls at once per server, from 1 to {@link MAX_PULL_CONCURRENCY}.
   * Default {@link DEFAULT_PULL_CONCURRENCY} (`2`).
   */
  pullConcurrency: number;
  /**
   * `insecure`: pulls of models on a registry other than `registry.ollama.ai` send Ollama's
   * `"insecure": true`, for a private registry served over plain HTTP (never for the default
   * registry: Ollama would then fetch it in the clear). Default `false`.
   */
  insecure: boolean;
  /** `warm`: load each required local model into memory after `ensure`. Default `false`. */
  warm: boolean;
  /**
   * `keep_alive`: how long a warmed model stays loaded, in a form Ollama's `keep_alive` accepts
   * as it is: a Go duration string (`"30m"`, `"1h30m"`; negative means forever) or a number of
   * seconds (`-1` means forever; a unit-less string such as `"-1"` arrives as a number).
   * `undefined` (the default) leaves it to the server.
   */
  keepAlive: string | number | undefined;
  /**
   * `min_version`: the oldest acceptable Ollama server version, `"x.y.z"`, or `undefined` (the
   * default) for no bound.
   */
  minVersion: string | undefined;
}

/**
 * `pull_concurrency` when it is not set: pulls at once per server.
 *
 * @example
 * ```ts
 * import { DEFAULT_PULL_CONCURRENCY } from "@vtcode/ollama";
 *
 * DEFAULT_PULL_CONCURRENCY; // 2
 * ```
 */
export const DEFAULT_PULL_CONCURRENCY = 2;

/**
 * The largest `pull_concurrency`. Ollama already downloads each layer in up to 16 parallel
 * parts, so more pulls at once only split the same bandwidth across more registry connections
 * (and make rate limits likelier) while every model arrives later.
 *
 * @example
 * ```ts
 * import { MAX_PULL_CONCURRENCY } from "@vtcode/ollama";
 *
 * MAX_PULL_CONCURRENCY; // 8
 * ```
 */
export const MAX_PULL_CONCURRENCY = 8;

/**
 * The configuration used when there is no file, no `[ollama]` table, or a key is absent. Frozen,
 * including its `models` array.
 *
 * @example
 * ```ts
 * import { DEFAULT_OLLAMA_CONFIG } from "@vtcode/ollama";
 *
 * DEFAULT_OLLAMA_CONFIG.timeoutSecs; // 5
 * DEFAULT_OLLAMA_CONFIG.whitelist; // undefined (no restriction)
 * ```
 */
export const DEFAULT_OLLAMA_CONFIG: Readonly<OllamaConfig> = Object.freeze({
  baseUrl: undefined,
  hosts: undefined,
  models: Object.freeze([]) as unknown as string[],
  autoPull: true,
  whitelist: undefined,
  timeoutSecs: 5,
  stallTimeoutSecs: 60,
  pullRetries: DEFAULT_PULL_RETRIES,
  pullConcurrency: DEFAULT_PULL_CONCURRENCY,
  insecure: false,
  warm: false,
  keepAlive: undefined,
  minVersion: undefined,
});

/** One key: its TOML name, its field, and the check that turns a value into the field's. */
interface Field {
  key: string;
  field: keyof OllamaConfig;
  check: (value: unknown, check: Check) => unknown;
}

function field<K extends keyof OllamaConfig>(
  key: string,
  name: K,
  check: (value: unknown, check: Check) => NonNullable<OllamaConfig[K]>,
): Field {
  return { key, field: name, check };
}

/** Every key, in the order `--help` and the example file list them. */
const FIELDS: readonly Field[] = [
  field("base_url", "baseUrl", checkAddress),
  field("models", "models", checkModelNames),
  field("auto_pull", "autoPull", checkBoolean),
  field("whitelist", "whitelist", checkModelPatterns),
  field("timeout_secs", "timeoutSecs", checkSeconds),
  field("stall_timeout_secs", "stallTimeoutSecs", checkSeconds),
  field(
    "pull_retries",
    "pullRetries",
    (value, check) => checkWholeNumber(value, check, { min: 0 }),
  ),
  field("min_version", "minVersion", checkVersion),
  field("hosts", "hosts", checkAddressList),
  field("insecure", "insecure", checkBoolean),
  field(
    "pull_concurrency",
    "pullConcurrency",
    (value, check) => checkWholeNumber(value, check, { min: 1, max: MAX_PULL_CONCURRENCY }),
  ),
  field("warm", "warm", checkBoolean),
  field("keep_alive", "keepAlive", checkKeepAlive),
];

/**
 * The keys the `[ollama]` table accepts, as written in TOML (snake_case). Any other key is a
 * `ConfigError`.
 *
 * @example
 * ```ts
 * import { OLLAMA_CONFIG_KEYS } from "@vtcode/ollama";
 *
 * OLLAMA_CONFIG_KEYS.includes("auto_pull"); // true
 * OLLAMA_CONFIG_KEYS.includes("keep_alive"); // true
 * ```
 */
export const OLLAMA_CONFIG_KEYS: readonly string[] = Object.freeze(FIELDS.map((f) => f.key));

/** The camelCase field names, for settings given in code. */
const FIELD_NAMES: readonly string[] = FIELDS.map((f) => f.field);

/** Aliases people reach for, beyond what spelling distance finds (snake_case, lower case). */
const KEY_ALIASES: Record<string, string> = {
  host: "base_url",
  url: "base_url",
  address: "base_url",
  endpoint: "base_url",
  servers: "hosts",
  urls: "hosts",
  base_urls: "hosts",
  addresses: "hosts",
  model: "models",
  required_models: "models",
  pull: "auto_pull",
  allowlist: "whitelist",
  allow_list: "whitelist",
  allowed_models: "whitelist",
  timeout: "timeout_secs",
  stall_timeout: "stall_timeout_secs",
  retries: "pull_retries",
  max_retries: "pull_retries",
  concurrency: "pull_concurrency",
  parallel_pulls: "pull_concurrency",
  max_concurrent_pulls: "pull_concurrency",
  allow_insecure: "insecure",
  insecure_registry: "insecure",
  warmup: "warm",
  warm_up: "warm",
  preload: "warm",
  version: "min_version",
  minimum_version: "min_version",
};

/** A fresh copy of the defaults (its arrays are the caller's to change). */
export function defaultConfig(): OllamaConfig {
  return { ...DEFAULT_OLLAMA_CONFIG, models: [] };
}

/**
 * Validates the entries of an `[ollama]` table (`style` `"toml"`: snake_case keys, TOML values)
 * or of settings given in code (`"code"`: camelCase fields, JavaScript values), in their own
 * order, so the first problem reported is the first one written. `checkFor(name)` makes the
 * {@link Check} for a key as its source spells it; its `fail` throws the caller's error.
 * Internal: parse.ts and {@link validateOllamaConfig} call it.
 */
export function validateEntries(
  entries: Readonly<Record<string, unknown>>,
  style: ValueStyle,
  checkFor: (name: string) => Check,
): OllamaConfig {
  const config = defaultConfig();
  const set = config as unknown as Record<string, unknown>;
  const nameOf = (f: Field) => style === "toml" ? f.key : f.field;
  for (const name of Object.keys(entries)) {
    const check = checkFor(name);
    const spec = FIELDS.find((f) => nameOf(f) === name);
    if (spec === undefined) return check.fail(unknownKey(name, style));
    const value = entries[name];
    if (value === undefined && style === "code") continue;
    set[spec.field] = spec.check(value, check);
  }
  if (config.hosts !== undefined && config.baseUrl !== undefined) {
    const [hosts, baseUrl] = style === "toml" ? ["hosts", "base_url"] : ["hosts", "baseUrl"];
    checkFor(hosts).fail(
      `\`${hosts}\` and \`${baseUrl}\` cannot both be set: list every server in \`${hosts}\` ` +
        `(with ${baseUrl}'s address among them), or keep \`${baseUrl}\` for a single server`,
    );
  }
  return config;
}

function unknownKey(name: string, style: ValueStyle): string {
  const names = style === "toml" ? OLLAMA_CONFIG_KEYS : FIELD_NAMES;
  const snake = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase().replace(/-/g, "_");
  const alias = Object.hasOwn(KEY_ALIASES, snake) ? KEY_ALIASES[snake] : undefined;
  const aliasName = alias === undefined
    ? undefined
    : style === "toml"
    ? alias
    : FIELDS.find((f) => f.key === alias)?.field;
  const suggestion = aliasName ?? closestMatch(name, names);
  const shown = sanitizeText(name, { maxLength: 60 });
  const what = style === "toml"
    ? `unknown key \`${shown}\` in [ollama]`
    : `unknown field \`${shown}\``;
  return `${what}; ` +
    (suggestion !== undefined
      ? `did you mean \`${suggestion}\`?`
      : `the ${style === "toml" ? "keys" : "fields"} are ${names.join(", ")}`);
}

/**
 * Checks Ollama settings given in code (camelCase fields, as {@link OllamaConfig} names them)
 * by the same rules as the `[ollama]` keys of a TOML file, and fills in the defaults. Absent
 * and `undefined` fields take their default; `undefined` or `{}` as a whole gives
 * {@link DEFAULT_OLLAMA_CONFIG} (a fresh copy). Pure.
 *
 * A value of the wrong type or out of range, an unknown field (with the closest field name),
 * `hosts` together with `baseUrl`, and anything but an object are a {@link UsageError} whose
 * message names the field (`` `models` must be an array of strings ``). A model name or
 * whitelist pattern that breaks Ollama's naming rules is an `InvalidModelNameError`, as
 * when the name reaches the client.
 *
 * @param partial Settings as a library user writes them, e.g. `{ models: ["llama3"] }`.
 * @returns A complete configuration: a new object, arrays copied, exact repeats in `models`
 *   removed, strings trimmed, a unit-less `keepAlive` string turned into a number.
 * @throws {UsageError} When a field has the wrong type or range, or is unknown.
 * @throws {InvalidModelNameError} When a model name or whitelist pattern is invalid.
 *
 * @example
 * ```ts
 * import { UsageError, validateOllamaConfig } from "@vtcode/ollama";
 *
 * const config = validateOllamaConfig({ models: ["llama3"], pullConcurrency: 4 });
 * config.autoPull; // true (the default)
 * config.pullConcurrency; // 4
 *
 * try {
 *   validateOllamaConfig({ models: "llama3" });
 * } catch (error) {
 *   if (error instanceof UsageError) console.error(error.message);
 *   // invalid Ollama config: `models` must be an array of strings (model names), got "llama3"
 *   // (a string); write models: ["llama3"]
 * }
 * ```
 */
export function validateOllamaConfig(partial: unknown): OllamaConfig {
  if (partial === undefined) return defaultConfig();
  if (typeof partial !== "object" || partial === null || Array.isArray(partial)) {
    throw new UsageError(
      'invalid Ollama config: expected an object such as { models: ["llama3"] }, got ' +
        describeValue(partial, "code"),
    );
  }
  return validateEntries(partial as Record<string, unknown>, "code", (name) => ({
    name,
    style: "code",
    fail(what, problem = {}) {
      throw new UsageError(`invalid Ollama config: ${what}`, { cause: problem.cause });
    },
  }));
}
