/**
 * The `[ollama]` table of a TOML file (`vtcode.toml` by default): parsing, validation and
 * loading.
 *
 * {@link parseOllamaConfig} is pure: text in, a complete {@link OllamaConfig} out, or a
 * {@link ConfigError} that names the file, the line and the key, shows the wrong value and says
 * what is expected. {@link decodeConfigBytes} turns a file's bytes into text (strict UTF-8), and
 * {@link loadOllamaConfig} is the only function here that touches the file system.
 *
 * @module
 */

import { parse, TomlDate, TomlError, type TomlTable, type TomlValue } from "smol-toml";
import { ConfigError, InvalidModelNameError } from "./errors/mod.ts";
import { parseModelName, parseModelPattern } from "./names.ts";
import { DEFAULT_PULL_RETRIES } from "./retry.ts";
import { sanitizeText } from "./sanitize.ts";
import { closestMatch } from "./suggest.ts";

/**
 * The settings of the `[ollama]` table, with every default filled in.
 *
 * @example
 * ```ts
 * import { type OllamaConfig, parseOllamaConfig } from "@vtcode/ollama";
 *
 * const config: OllamaConfig = parseOllamaConfig('[ollama]\nmodels = ["llama3"]');
 * config.autoPull; // true
 * ```
 */
export interface OllamaConfig {
  /**
   * `base_url`: the server address as written (trimmed), or `undefined` when absent. Reducing a
   * trailing `/v1` and the rest of address resolution (`--host`, `OLLAMA_BASE_URL`,
   * `OLLAMA_HOST`, the default) happen elsewhere.
   */
  baseUrl: string | undefined;
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
   * `stall_timeout_secs`: a pull that receives no bytes for this many seconds is aborted and
   * retried. Greater than 0. Default `60`.
   */
  stallTimeoutSecs: number;
  /** `pull_retries`: re-issues of a failed or stalled pull. A whole number, 0 or more. Default `3`. */
  pullRetries: number;
  /**
   * `min_version`: the oldest acceptable Ollama server version, `"x.y.z"`, or `undefined` (the
   * default) for no bound.
   */
  minVersion: string | undefined;
}

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
  models: Object.freeze([]) as unknown as string[],
  autoPull: true,
  whitelist: undefined,
  timeoutSecs: 5,
  stallTimeoutSecs: 60,
  pullRetries: DEFAULT_PULL_RETRIES,
  minVersion: undefined,
});

/**
 * The keys the `[ollama]` table accepts, as written in TOML (snake_case). Any other key is a
 * {@link ConfigError}.
 *
 * @example
 * ```ts
 * import { OLLAMA_CONFIG_KEYS } from "@vtcode/ollama";
 *
 * OLLAMA_CONFIG_KEYS.includes("auto_pull"); // true
 * ```
 */
export const OLLAMA_CONFIG_KEYS: readonly string[] = Object.freeze([
  "base_url",
  "models",
  "auto_pull",
  "whitelist",
  "timeout_secs",
  "stall_timeout_secs",
  "pull_retries",
  "min_version",
]);

/**
 * The file {@link loadOllamaConfig} reads from the working directory when no path is given.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONFIG_FILE } from "@vtcode/ollama";
 *
 * DEFAULT_CONFIG_FILE; // "vtcode.toml"
 * ```
 */
export const DEFAULT_CONFIG_FILE = "vtcode.toml";

/**
 * The largest timeout, in seconds, that `timeout_secs` and `stall_timeout_secs` accept: about
 * 24.8 days. Longer timers overflow the 32-bit millisecond timers of Node and Deno, which then
 * fire at once instead of never.
 *
 * @example
 * ```ts
 * import { MAX_TIMEOUT_SECS } from "@vtcode/ollama";
 *
 * MAX_TIMEOUT_SECS; // 2147483
 * ```
 */
export const MAX_TIMEOUT_SECS = 2_147_483;

/** The largest config file {@link loadOllamaConfig} reads (1 MiB). */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Where configuration text came from, for error messages.
 *
 * @example
 * ```ts
 * import { type ConfigSourceOptions, parseOllamaConfig } from "@vtcode/ollama";
 *
 * const options: ConfigSourceOptions = { source: "vtcode.toml" };
 * parseOllamaConfig("", options);
 * ```
 */
export interface ConfigSourceOptions {
  /** The file name (or other label) that messages start with. Default `"config"`. */
  source?: string;
}

/**
 * Where {@link loadOllamaConfig} looks.
 *
 * @example
 * ```ts
 * import { loadOllamaConfig, type LoadOllamaConfigOptions } from "@vtcode/ollama";
 *
 * const options: LoadOllamaConfigOptions = { path: "vtcode.toml" };
 * await loadOllamaConfig(options).catch(() => undefined);
 * ```
 */
export interface LoadOllamaConfigOptions {
  /**
   * A file to read (the command line's `--config`). Relative paths are taken from `cwd`. When
   * the file does not exist, that is a {@link ConfigError}.
   */
  path?: string;
  /**
   * The directory that holds `vtcode.toml` and that relative paths start from. Default: the
   * process's working directory.
   */
  cwd?: string;
}

/**
 * What {@link loadOllamaConfig} found.
 *
 * @example
 * ```ts
 * import { loadOllamaConfig, type LoadedOllamaConfig } from "@vtcode/ollama";
 *
 * const loaded: LoadedOllamaConfig = await loadOllamaConfig();
 * console.error(loaded.source ?? "built-in defaults");
 * ```
 */
export interface LoadedOllamaConfig {
  /** The validated configuration. */
  config: OllamaConfig;
  /** The file it was read from, or `undefined` when the built-in defaults were used. */
  source: string | undefined;
}

/**
 * Parses TOML text and validates its `[ollama]` table. Pure: no file, environment or network
 * access. Other tables are ignored; a missing `[ollama]` table (or empty text) gives
 * {@link DEFAULT_OLLAMA_CONFIG}. A leading byte order mark is ignored.
 *
 * Every problem is a {@link ConfigError} whose message starts with
 * `<source>:<line>:<column>:` when the place is known (`<source>:` otherwise) and whose
 * `source`, `line`, `column` and `key` say the same: malformed TOML (with the parser's reason),
 * `ollama` that is not a table, a table named `[Ollama]` or `[OLLAMA]` and no `[ollama]` (TOML
 * names are case-sensitive, and ignoring it would drop a whitelist in silence), an unknown key
 * (with the closest known key), a wrong type or
 * range (with the value found, its TOML type and what is expected), or a model name or pattern
 * that breaks Ollama's naming rules (naming the entry, e.g. `models[1]`).
 *
 * Numbers: `timeout_secs` and `stall_timeout_secs` take integers or floats (`2.5`) greater than 0
 * and at most {@link MAX_TIMEOUT_SECS}; `pull_retries` takes a whole number (`3`, or `3.0`),
 * 0 or more.
 *
 * @param text The TOML document.
 * @param options `source` names the text in messages (default `"config"`).
 * @returns The configuration, defaults filled in.
 * @throws {ConfigError} When the text is not valid TOML or the `[ollama]` table is not valid.
 *
 * @example
 * ```ts
 * import { ConfigError, parseOllamaConfig } from "@vtcode/ollama";
 *
 * const config = parseOllamaConfig(
 *   '[ollama]\nmodels = ["llama3", "qwen3:8b"]\nwhitelist = ["qwen3:*"]\ntimeout_secs = 2.5\n',
 *   { source: "vtcode.toml" },
 * );
 * config.models; // ["llama3", "qwen3:8b"]
 * config.timeoutSecs; // 2.5
 *
 * try {
 *   parseOllamaConfig("[ollama]\nautopull = false\n", { source: "vtcode.toml" });
 * } catch (error) {
 *   if (error instanceof ConfigError) console.error(error.message);
 *   // vtcode.toml:2:1: unknown key `autopull` in [ollama]; did you mean `auto_pull`?
 * }
 * ```
 */
export function parseOllamaConfig(text: string, options: ConfigSourceOptions = {}): OllamaConfig {
  const source = options.source ?? "config";
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const document = parseToml(body, source);
  const config = defaults();
  if (!Object.hasOwn(document, "ollama")) {
    // `[Ollama]` or `[OLLAMA]` would otherwise be ignored in silence, and with it a whitelist.
    const lookalike = Object.keys(document).find((name) =>
      name.toLowerCase().replace(/[-_\s]/g, "") === "ollama"
    );
    if (lookalike === undefined) return config;
    const at = lazyLocator(body, lookalike)(undefined);
    const shown = sanitizeText(lookalike, { maxLength: 60 });
    throw new ConfigError(
      `${prefix(source, at)}found a table named \`${shown}\`; TOML names are case-sensitive: ` +
        "did you mean [ollama]?",
      { source, line: at?.line, column: at?.column },
    );
  }

  const locate = lazyLocator(body, "ollama");
  const table = document.ollama;
  if (!isTable(table)) {
    const at = locate(undefined);
    throw new ConfigError(
      `${prefix(source, at)}\`ollama\` must be a table (an [ollama] section), got ` +
        describe(table),
      { source, line: at?.line, column: at?.column },
    );
  }

  for (const key of Object.keys(table)) {
    const value = table[key];
    const fail: Fail = (what, problem = {}) => {
      const at = locate(key, problem.index);
      throw new ConfigError(`${prefix(source, at)}${what}`, {
        source,
        line: at?.line,
        column: at?.column,
        key,
        cause: problem.cause,
      });
    };
    switch (key) {
      case "base_url":
        config.baseUrl = baseUrl(value, fail);
        break;
      case "models":
        config.models = nameList(key, value, fail, (name) => parseModelName(name), {
          one: "a model name",
          many: "model names",
        });
        break;
      case "auto_pull":
        config.autoPull = typeof value === "boolean"
          ? value
          : fail(mustBe(key, "true or false", value) + unquote(key, value));
        break;
      case "whitelist":
        config.whitelist = nameList(
          key,
          value,
          fail,
          (pattern) => parseModelPattern(pattern),
          { one: 'a model name or pattern such as "qwen3:*"', many: "model names or patterns" },
        );
        break;
      case "timeout_secs":
        config.timeoutSecs = seconds(key, value, fail);
        break;
      case "stall_timeout_secs":
        config.stallTimeoutSecs = seconds(key, value, fail);
        break;
      case "pull_retries":
        config.pullRetries = wholeNumber(key, value, fail);
        break;
      case "min_version":
        config.minVersion = version(key, value, fail);
        break;
      default:
        fail(unknownKey(key));
    }
  }
  return config;
}

/**
 * Decodes a config file's bytes as strict UTF-8, dropping a leading byte order mark. Bytes that
 * are not UTF-8 (a file saved as Latin-1 or UTF-16, or a binary file) are a {@link ConfigError}
 * naming the source and, when it can be found, the line and byte offset of the first bad byte.
 *
 * @param bytes The file's contents.
 * @param options `source` names the file in messages (default `"config"`).
 * @returns The text, without a byte order mark.
 * @throws {ConfigError} When the bytes are not valid UTF-8.
 *
 * @example
 * ```ts
 * import { decodeConfigBytes, parseOllamaConfig } from "@vtcode/ollama";
 *
 * const bytes = new TextEncoder().encode("\uFEFF[ollama]\nauto_pull = false\n");
 * const text = decodeConfigBytes(bytes, { source: "vtcode.toml" });
 * parseOllamaConfig(text, { source: "vtcode.toml" }).autoPull; // false
 *
 * try {
 *   decodeConfigBytes(new Uint8Array([0x61, 0xff]), { source: "vtcode.toml" });
 * } catch (error) {
 *   console.error((error as Error).message);
 *   // vtcode.toml:1: not UTF-8: invalid byte 0xff at byte offset 1; save the file as UTF-8
 * }
 * ```
 */
export function decodeConfigBytes(bytes: Uint8Array, options: ConfigSourceOptions = {}): string {
  const source = options.source ?? "config";
  try {
    // `ignoreBOM: false` (the default) removes one leading byte order mark.
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (cause) {
    const offset = firstInvalidUtf8(bytes);
    const utf16 = bytes.length >= 2 &&
      ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
    let line: number | undefined;
    let detail = "";
    if (offset !== undefined) {
      line = 1;
      for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
      detail = `: invalid byte 0x${bytes[offset].toString(16).padStart(2, "0")} at byte offset ` +
        `${offset}`;
    }
    const hint = utf16 ? "; it looks like UTF-16: save it as UTF-8" : "; save the file as UTF-8";
    throw new ConfigError(
      `${prefix(source, line === undefined ? undefined : { line })}not UTF-8` +
        `${detail}${hint}`,
      { source, line, cause },
    );
  }
}

/**
 * Reads and validates the configuration: the file at `path` when one is given (it must exist),
 * else `vtcode.toml` in `cwd` when that exists, else the built-in defaults (with `source`
 * `undefined`). The file is read with `node:fs/promises`, which Deno, Bun and Node all provide;
 * this is the only function of this module that does I/O.
 *
 * A file that does not exist at an explicit `path`, a directory, a file that cannot be read
 * (permission denied), one larger than 1 MiB, bytes that are not UTF-8, and everything
 * {@link parseOllamaConfig} rejects are all a {@link ConfigError} that names the file and the
 * reason.
 *
 * @param options `path` (an explicit file) and `cwd` (default: the process's directory).
 * @returns The configuration and the file it came from.
 * @throws {ConfigError} When the file cannot be used.
 *
 * @example
 * ```ts
 * import { loadOllamaConfig } from "@vtcode/ollama";
 *
 * // ./vtcode.toml when it exists, else the defaults.
 * const { config, source } = await loadOllamaConfig();
 * console.error(`config: ${source ?? "built-in defaults"}; models: ${config.models.join(", ")}`);
 *
 * // An explicit file (the command line's --config) must exist.
 * await loadOllamaConfig({ path: "ci/ollama.toml" }).catch((error) => console.error(error.message));
 * ```
 */
export async function loadOllamaConfig(
  options: LoadOllamaConfigOptions = {},
): Promise<LoadedOllamaConfig> {
  const explicit = options.path !== undefined;
  let path: string;
  if (options.path !== undefined) {
    if (options.path.trim() === "") {
      throw new ConfigError("config: the config file path is empty; give the path of a TOML file", {
        source: "config",
      });
    }
    if (options.cwd === undefined) {
      path = options.path;
    } else {
      const { isAbsolute, join } = await import("node:path");
      path = isAbsolute(options.path) ? options.path : join(options.cwd, options.path);
    }
  } else {
    path = `${options.cwd ?? "."}/${DEFAULT_CONFIG_FILE}`;
    // Most runs have no ./vtcode.toml. Under Deno, find that out without loading Node's file
    // API: the first `node:` built-in costs a Deno process 10-25 ms of start-up (measured by
    // bench/startup.ts), most of what `check` takes.
    if (await surelyAbsent(path)) return { config: defaults(), source: undefined };
  }
  const bytes = await readConfigFile(path, explicit);
  if (bytes === undefined) return { config: defaults(), source: undefined };
  const text = decodeConfigBytes(bytes, { source: path });
  return { config: parseOllamaConfig(text, { source: path }), source: path };
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The part of `Deno` {@link surelyAbsent} uses. */
interface DenoFs {
  stat(path: string): Promise<unknown>;
  errors: { NotFound: new (...args: never[]) => Error };
}

/**
 * Whether the file certainly does not exist, asked without `node:fs` where that is cheaper
 * (Deno). `false` means "read it and see" (present, unknown, or not allowed to look).
 */
async function surelyAbsent(path: string): Promise<boolean> {
  const deno = (globalThis as { Deno?: DenoFs }).Deno;
  if (deno === undefined) return false;
  try {
    await deno.stat(path);
    return false;
  } catch (error) {
    return error instanceof deno.errors.NotFound;
  }
}

async function readConfigFile(path: string, explicit: boolean): Promise<Uint8Array | undefined> {
  const { open } = await import("node:fs/promises");
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") {
      if (!explicit) return undefined;
      throw new ConfigError(
        `${path}: the config file does not exist (looked for ${await absolute(path)}); ` +
          "check the path, or leave it out to use ./vtcode.toml or the built-in defaults",
        { source: path, cause: error },
      );
    }
    throw cannotRead(path, error);
  }
  try {
    if ((await handle.stat()).isDirectory()) throw cannotRead(path, { code: "EISDIR" });
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buffer = new Uint8Array(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_CONFIG_BYTES) {
        throw new ConfigError(
          `${path}: the config file is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB; ` +
            "is it the right file?",
          { source: path },
        );
      }
      chunks.push(buffer.subarray(0, bytesRead));
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    return bytes;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw cannotRead(path, error);
  } finally {
    await handle.close().catch(() => {});
  }
}

function cannotRead(path: string, error: unknown): ConfigError {
  const code = errorCode(error);
  let reason: string;
  switch (code) {
    case "EISDIR":
      reason = "it is a directory, not a file";
      break;
    case "EACCES":
    case "EPERM":
      reason = `permission denied (${code})`;
      break;
    case "ELOOP":
      reason = "too many levels of symbolic links (ELOOP)";
      break;
    default: {
      const message = error instanceof Error ? sanitizeText(error.message, { maxLength: 200 }) : "";
      reason = [message, code === undefined ? "" : `(${code})`].filter(Boolean).join(" ") ||
        "unknown error";
    }
  }
  return new ConfigError(`${path}: cannot read the config file: ${reason}`, {
    source: path,
    cause: error instanceof Error ? error : undefined,
  });
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

async function absolute(path: string): Promise<string> {
  try {
    const { resolve } = await import("node:path");
    return resolve(path);
  } catch {
    return path;
  }
}
/** The offset of the first byte that starts an invalid UTF-8 sequence, if any. */
function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    let size: number;
    if (lead >= 0xc2 && lead <= 0xdf) size = 2;
    else if (lead >= 0xe0 && lead <= 0xef) size = 3;
    else if (lead >= 0xf0 && lead <= 0xf4) size = 4;
    else return i;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < size; k++) {
      const next = bytes[i + k];
      if (next === undefined) return i;
      if (k === 1 ? next < low || next > high : next < 0x80 || next > 0xbf) return i;
    }
    i += size;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Parsing and validation

/** Throws a ConfigError about the current key (or entry `index` of its array). */
type Fail = (what: string, problem?: { cause?: unknown; index?: number }) => never;

function defaults(): OllamaConfig {
  return { ...DEFAULT_OLLAMA_CONFIG, models: [] };
}

function parseToml(text: string, source: string): TomlTable {
  try {
    // Integers as bigint, floats as number: the TOML type stays visible (`3` versus `3.0`).
    return parse(text, { integersAsBigInt: true });
  } catch (error) {
    if (error instanceof TomlError) {
      // The message is "Invalid TOML document: <reason>\n\n<code block>".
      const reason = error.message.replace(/^Invalid TOML document:\s*/, "").split("\n")[0];
      const at = { line: error.line, column: error.column };
      throw new ConfigError(
        `${prefix(source, at)}invalid TOML: ${sanitizeText(reason, { maxLength: 200 })}`,
        { source, line: at.line, column: at.column, cause: error },
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `${source}: invalid TOML: ${sanitizeText(reason, { maxLength: 200 })}`,
      { source, cause: error },
    );
  }
}

function isTable(value: TomlValue | undefined): value is TomlTable {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

function baseUrl(value: TomlValue, fail: Fail): string {
  if (typeof value !== "string") {
    return fail(mustBe("base_url", 'a string such as "http://127.0.0.1:11434"', value));
  }
  const trimmed = value.trim();
  if (trimmed === "") {
    return fail(
      "`base_url` must not be empty; remove the line to use --host, OLLAMA_BASE_URL, " +
        "OLLAMA_HOST or http://127.0.0.1:11434",
    );
  }
  return trimmed;
}

function nameList(
  key: string,
  value: TomlValue,
  fail: Fail,
  check: (name: string) => unknown,
  what: { one: string; many: string },
): string[] {
  if (!Array.isArray(value)) {
    const hint = typeof value === "string" ? `; write ${key} = [${render(value, 60)}]` : "";
    return fail(mustBe(key, `an array of strings (${what.many})`, value) + hint);
  }
  const names: string[] = [];
  for (const [index, entry] of value.entries()) {
    if (typeof entry !== "string") {
      return fail(`\`${key}[${index}]\` must be a string (${what.one}), got ${describe(entry)}`, {
        index,
      });
    }
    try {
      check(entry);
    } catch (error) {
      if (error instanceof InvalidModelNameError) {
        return fail(`\`${key}[${index}]\`: ${error.message}`, { cause: error, index });
      }
      throw error;
    }
    if (!names.includes(entry)) names.push(entry);
  }
  return names;
}

function seconds(key: string, value: TomlValue, fail: Fail): number {
  const expected = "a number of seconds greater than 0";
  const number = typeof value === "bigint" ? Number(value) : value;
  if (typeof number !== "number") return fail(mustBe(key, expected, value) + unquote(key, value));
  if (!(number > 0)) return fail(mustBe(key, expected, value));
  if (number > MAX_TIMEOUT_SECS) {
    return fail(
      mustBe(key, `at most ${MAX_TIMEOUT_SECS} seconds (about 24.8 days)`, value) +
        "; longer timers are not supported",
    );
  }
  return number;
}

function wholeNumber(key: string, value: TomlValue, fail: Fail): number {
  const expected = "a whole number (0 or more)";
  if (typeof value === "bigint") {
    if (value < 0n) return fail(mustBe(key, expected, value));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      return fail(mustBe(key, `at most ${Number.MAX_SAFE_INTEGER}`, value));
    }
    return Number(value);
  }
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) {
    if (value > Number.MAX_SAFE_INTEGER) {
      return fail(mustBe(key, `at most ${Number.MAX_SAFE_INTEGER}`, value));
    }
    return value + 0; // turns -0.0 into 0
  }
  return fail(mustBe(key, expected, value) + unquote(key, value));
}

function version(key: string, value: TomlValue, fail: Fail): string {
  const expected = 'a version string "x.y.z" such as "0.5.0"';
  if (typeof value !== "string") return fail(mustBe(key, expected, value));
  const trimmed = value.trim();
  if (!/^\d{1,9}\.\d{1,9}\.\d{1,9}$/.test(trimmed)) return fail(mustBe(key, expected, value));
  return trimmed;
}

/** Aliases people reach for, beyond what spelling distance finds. */
const KEY_ALIASES: Record<string, string> = {
  host: "base_url",
  url: "base_url",
  address: "base_url",
  endpoint: "base_url",
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
  version: "min_version",
  minimum_version: "min_version",
};

function unknownKey(key: string): string {
  const squashed = key.toLowerCase().replace(/-/g, "_");
  const suggestion = closestMatch(key, OLLAMA_CONFIG_KEYS) ??
    (Object.hasOwn(KEY_ALIASES, squashed) ? KEY_ALIASES[squashed] : undefined);
  const shown = sanitizeText(key, { maxLength: 60 });
  return `unknown key \`${shown}\` in [ollama]; ` +
    (suggestion !== undefined
      ? `did you mean \`${suggestion}\`?`
      : `the keys are ${OLLAMA_CONFIG_KEYS.join(", ")}`);
}

function mustBe(key: string, expected: string, value: TomlValue): string {
  return `\`${key}\` must be ${expected}, got ${describe(value)}`;
}

/** A hint for a quoted number or boolean: `timeout_secs = "5"` → write it without quotes. */
function unquote(key: string, value: TomlValue): string {
  if (typeof value !== "string") return "";
  const text = value.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(text) || text === "true" || text === "false") {
    return `; write it without quotes: ${key} = ${text}`;
  }
  return "";
}

/** The value as TOML would show it (shortened), and its TOML type. */
function describe(value: TomlValue | undefined): string {
  return `${render(value, 60)} (${tomlType(value)})`;
}

function tomlType(value: TomlValue | undefined): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return "a string";
  if (typeof value === "bigint") return "an integer";
  if (typeof value === "number") return "a float";
  if (typeof value === "boolean") return "a boolean";
  if (value instanceof TomlDate) {
    if (value.isDate()) return "a local date";
    if (value.isTime()) return "a local time";
    return value.isLocal() ? "a local date-time" : "an offset date-time";
  }
  if (value instanceof Date) return "a date-time";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  return "a table";
}

function render(value: TomlValue | undefined, max: number): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "bigint" || typeof value === "boolean") text = String(value);
  else if (typeof value === "number") text = renderFloat(value);
  else if (value instanceof Date) {
    text = Number.isNaN(value.getTime()) ? "invalid date" : value.toISOString();
  } else if (Array.isArray(value)) {
    text = `[${value.map((item) => render(item, max)).join(", ")}]`;
  } else if (value === undefined) text = "";
  else {
    const entries = Object.entries(value).map(([k, v]) => `${renderKey(k)} = ${render(v, max)}`);
    text = entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  text = sanitizeText(text, { maxLength: max });
  return text;
}

function renderKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

function renderFloat(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Object.is(value, -0)) return "-0.0";
  const text = String(value);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

// ---------------------------------------------------------------------------------------------
// Locating keys in the text (best effort, for messages)

interface Location {
  line: number;
  column?: number;
}

/** Where a key is defined, and where its value starts (an offset into the text), when known. */
interface Place extends Location {
  value?: number;
}

type Locate = (key: string | undefined, index?: number) => Location | undefined;

function prefix(source: string, at: Location | undefined): string {
  if (at === undefined) return `${source}: `;
  return at.column === undefined ? `${source}:${at.line}: ` : `${source}:${at.line}:${at.column}: `;
}

/**
 * Finds, on first use, where each key of the top-level table `table` is defined (`undefined` asks
 * for the table itself), or where entry `index` of an array value starts.
 */
function lazyLocator(text: string, table: string): Locate {
  let found: Map<string | undefined, Place> | undefined;
  return (key, index) => {
    found ??= locateTableKeys(text, table);
    const place = found.get(key) ?? (key === undefined ? undefined : found.get(INLINE));
    if (place === undefined) return undefined;
    if (index !== undefined && place.value !== undefined) {
      const entry = arrayEntry(text, place.value, index);
      if (entry !== undefined) return offsetLocation(text, entry);
    }
    return { line: place.line, column: place.column };
  };
}

/** The map entry for an `ollama = { ... }` inline table, the fallback for keys inside it. */
const INLINE = "\u0000inline";

interface Segment {
  name: string;
  column: number;
}

/**
 * Scans the text line by line, following `[table]` headers, and records the first line that
 * defines each key of the top-level table `name` (say `ollama`): `key = ...` under `[ollama]`,
 * `ollama.key = ...` at the top level, `[ollama.key]`, keys of a one-line `ollama = { ... }`, and
 * quoted forms of all of these. Multi-line strings are skipped.
 */
function locateTableKeys(text: string, name: string): Map<string | undefined, Place> {
  const found = new Map<string | undefined, Place>();
  const record = (key: string | undefined, place: Place) => {
    if (!found.has(key)) found.set(key, place);
  };
  let table: string[] = [];
  let inString: string | undefined;
  let start = 0;
  for (let line = 1;; line++) {
    const newline = text.indexOf("\n", start);
    const lineStart = start;
    let content = text.slice(start, newline === -1 ? text.length : newline);
    if (content.endsWith("\r")) content = content.slice(0, -1);
    start = newline + 1;
    if (inString !== undefined) {
      if (content.includes(inString)) inString = undefined;
    } else {
      const state = scanLine(content, lineStart, line, name, table, record);
      table = state.table;
      inString = state.inString;
    }
    if (newline === -1) break;
  }
  return found;
}

function scanLine(
  content: string,
  lineStart: number,
  line: number,
  name: string,
  table: string[],
  record: (key: string | undefined, place: Place) => void,
): { table: string[]; inString?: string } {
  let at = skipSpace(content, 0);
  if (at >= content.length || content[at] === "#") return { table };
  if (content[at] === "[") {
    const double = content[at + 1] === "[";
    const keys = keyPath(content, at + (double ? 2 : 1));
    if (keys === undefined || content[keys.end] !== "]") return { table };
    const path = keys.segments.map((segment) => segment.name);
    if (path[0] === name) {
      record(undefined, { line, column: keys.segments[0].column });
      if (path.length > 1) record(path[1], { line, column: keys.segments[1].column });
    }
    return { table: path };
  }
  const keys = keyPath(content, at);
  if (keys === undefined || content[keys.end] !== "=") return { table };
  at = skipSpace(content, keys.end + 1);
  const value = content.slice(at);
  const inString = opensMultilineString(value);
  const full = [...table, ...keys.segments.map((segment) => segment.name)];
  if (full[0] !== name) return { table, inString };
  if (table.length === 0) record(undefined, { line, column: keys.segments[0].column });
  if (full.length === 1) {
    if (value.startsWith("{")) {
      record(INLINE, { line });
      inlineKeys(content, at, lineStart, line, record);
    }
    return { table, inString };
  }
  // The segment that names the ollama key: `key` under [ollama], `ollama.key` at the top.
  const segment = table.length <= 1 ? keys.segments[1 - table.length] : keys.segments[0];
  record(full[1], { line, column: segment.column, value: lineStart + at });
  return { table, inString };
}

/** Records the keys of a one-line inline table `ollama = { a = 1, b = 2 }`. */
function inlineKeys(
  content: string,
  open: number,
  lineStart: number,
  line: number,
  record: (key: string, place: Place) => void,
): void {
  let at = open + 1;
  while (at < content.length) {
    const keys = keyPath(content, at);
    if (keys === undefined || content[keys.end] !== "=") return;
    at = skipSpace(content, keys.end + 1);
    const segment = keys.segments[0];
    record(segment.name, { line, column: segment.column, value: lineStart + at });
    // Skip the value up to the next top-level comma (strings and brackets taken into account).
    let depth = 0;
    while (at < content.length) {
      const char = content[at];
      if (char === '"' || char === "'") {
        at = skipString(content, at);
        continue;
      }
      at++;
      if (char === "[" || char === "{") depth++;
      else if (char === "]" || char === "}") {
        if (depth === 0) return;
        depth--;
      } else if (char === "," && depth === 0) break;
    }
  }
}

/** The offset where entry `index` of the array starting at `open` begins, if it is there. */
function arrayEntry(text: string, open: number, index: number): number | undefined {
  if (text[open] !== "[") return undefined;
  let depth = 0;
  let count = -1;
  let expecting = false;
  let at = open;
  while (at < text.length) {
    const char = text[at];
    if (char === "#") {
      const newline = text.indexOf("\n", at);
      at = newline === -1 ? text.length : newline;
      continue;
    }
    if (char === " " || char === "\t" || char === "\n" || char === "\r") {
      at++;
      continue;
    }
    if (depth === 1 && expecting && char !== "]" && char !== ",") {
      count++;
      if (count === index) return at;
      expecting = false;
    }
    if (char === '"' || char === "'") {
      at = skipString(text, at);
      continue;
    }
    at++;
    if (char === "[" || char === "{") {
      depth++;
      if (depth === 1) expecting = true;
    } else if (char === "]" || char === "}") {
      depth--;
      if (depth <= 0) return undefined;
    } else if (char === "," && depth === 1) expecting = true;
  }
  return undefined;
}

/** The offset just past the string that starts at `at` (basic, literal or multi-line). */
function skipString(text: string, at: number): number {
  const quote = text[at];
  const triple = quote.repeat(3);
  if (text.startsWith(triple, at)) {
    const close = text.indexOf(triple, at + 3);
    return close === -1 ? text.length : close + 3;
  }
  at++;
  while (at < text.length && text[at] !== quote && text[at] !== "\n") {
    at += quote === '"' && text[at] === "\\" ? 2 : 1;
  }
  return at + 1;
}

/** 1-based line and column (in UTF-16 code units, as the TOML parser counts) of an offset. */
function offsetLocation(text: string, offset: number): Location {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function skipSpace(content: string, at: number): number {
  while (content[at] === " " || content[at] === "\t") at++;
  return at;
}

/** Reads a dotted key (`a."b c".'d'`) at `at`; `end` is the first non-space after it. */
function keyPath(content: string, at: number): { segments: Segment[]; end: number } | undefined {
  const segments: Segment[] = [];
  for (;;) {
    at = skipSpace(content, at);
    const column = at + 1;
    const char = content[at];
    if (char === '"') {
      let close = at + 1;
      while (close < content.length && content[close] !== '"') {
        close += content[close] === "\\" ? 2 : 1;
      }
      if (close >= content.length) return undefined;
      segments.push({ name: basicString(content.slice(at, close + 1)), column });
      at = close + 1;
    } else if (char === "'") {
      const close = content.indexOf("'", at + 1);
      if (close === -1) return undefined;
      segments.push({ name: content.slice(at + 1, close), column });
      at = close + 1;
    } else {
      const match = /^[A-Za-z0-9_-]+/.exec(content.slice(at));
      if (match === null) return undefined;
      segments.push({ name: match[0], column });
      at += match[0].length;
    }
    at = skipSpace(content, at);
    if (content[at] !== ".") return { segments, end: at };
    at++;
  }
}

/** The value of a quoted key; escapes JSON does not know (`\e`, `\xHH`, `\U`) stay raw. */
function basicString(quoted: string): string {
  try {
    const value: unknown = JSON.parse(quoted);
    return typeof value === "string" ? value : quoted.slice(1, -1);
  } catch {
    return quoted.slice(1, -1);
  }
}

/** The multi-line string delimiter a value opens and does not close on its line, if any. */
function opensMultilineString(value: string): string | undefined {
  for (const delimiter of ['"""', "'''"]) {
    const first = value.indexOf(delimiter);
    if (first === -1) continue;
    const other = delimiter === '"""' ? "'''" : '"""';
    const otherAt = value.indexOf(other);
    if (otherAt !== -1 && otherAt < first) continue;
    if (value.indexOf(delimiter, first + 3) === -1) return delimiter;
  }
  return undefined;
}
