/**
 * TOML text to a validated {@link OllamaConfig}: parse with smol-toml, find the `[ollama]` table,
 * validate it by the schema, and turn every problem into a {@link ConfigError} that points at the
 * file, line and column. Also the warnings for settings that would otherwise be ignored in
 * silence: a misspelt table (`[olama]`), no `[ollama]` table at all, or an `[ollama]` key written
 * at the top level. Pure and synchronous.
 *
 * @module
 */

import { parse, TomlError, type TomlTable, type TomlValue } from "smol-toml";
import { ConfigError } from "../errors/config_error.ts";
import { UsageError } from "../errors/usage_error.ts";
import { sanitizeText } from "../sanitize.ts";
import { closestMatch } from "../suggest.ts";
import { describeValue } from "./describe.ts";
import { type ConfigSourceOptions, sourceOf } from "./decode.ts";
import { lazyLocator, type Location, prefix } from "./locate.ts";
import { defaultConfig, OLLAMA_CONFIG_KEYS, type OllamaConfig, validateEntries } from "./schema.ts";

/**
 * What {@link parseOllamaConfigWithWarnings} found: the configuration, and what looked wrong
 * without being an error.
 *
 * @example
 * ```ts
 * import { type ParsedOllamaConfig, parseOllamaConfigWithWarnings } from "@vtcode/ollama";
 *
 * const parsed: ParsedOllamaConfig = parseOllamaConfigWithWarnings("[olama]\nmodels = []\n");
 * parsed.warnings.length; // 1
 * ```
 */
export interface ParsedOllamaConfig {
  /** The validated configuration, defaults filled in. */
  config: OllamaConfig;
  /**
   * One line each, starting with `<source>:<line>:<column>: ` where known, for settings that are
   * not read: a table whose name looks like a misspelt `[ollama]`, a text without any `[ollama]`
   * table, and `[ollama]` keys at the top level. For people; the wording may change.
   */
  warnings: string[];
}

/**
 * Parses TOML text and validates its `[ollama]` table. Pure: no file, environment or network
 * access. Other tables are ignored; a missing `[ollama]` table (or empty text) gives
 * {@link DEFAULT_OLLAMA_CONFIG}. A leading byte order mark is ignored. To also learn about
 * settings that are not read (say, a table named `[olama]`), use
 * {@link parseOllamaConfigWithWarnings}.
 *
 * Every problem is a {@link ConfigError} whose message starts with
 * `<source>:<line>:<column>:` when the place is known (`<source>:` otherwise) and whose
 * `source`, `line`, `column` and `key` say the same: malformed TOML (with the parser's reason),
 * `ollama` that is not a table, a table named `[Ollama]` or `[OLLAMA]` and no `[ollama]` (TOML
 * names are case-sensitive, and ignoring it would drop a whitelist in silence), an unknown key
 * (with the closest known key), a wrong type or range (with the value found, its TOML type and
 * what is expected), a model name or pattern that breaks Ollama's naming rules (naming the
 * entry, e.g. `models[1]`), a server address that cannot be used, and `hosts` together with
 * `base_url`.
 *
 * Numbers: `timeout_secs` and `stall_timeout_secs` take integers or floats (`2.5`) greater than 0
 * and at most {@link MAX_TIMEOUT_SECS}; `pull_retries` takes a whole number (`3`, or `3.0`),
 * 0 or more; `pull_concurrency` a whole number from 1 to {@link MAX_PULL_CONCURRENCY};
 * `keep_alive` a duration string (`"30m"`, `"1h30m"`, `"-1"`) or a number of seconds.
 *
 * @param text The TOML document.
 * @param options `source` names the text in messages (default `"config"`).
 * @returns The configuration, defaults filled in.
 * @throws {ConfigError} When the text is not valid TOML or the `[ollama]` table is not valid.
 * @throws {UsageError} When `text` is not a string or `options` is not an object.
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
  return parseWith(text, options, "parseOllamaConfig", false).config;
}

/**
 * {@link parseOllamaConfig}, and the warnings about settings that are not read: a table whose
 * name looks like a misspelt `[ollama]` (`[olama]`, `[ollama_config]`, `[tools.ollama]`), no
 * `[ollama]` table at all, and a key of `[ollama]` written at the top level, above every table
 * header (`models = [...]` before `[ollama]`). Errors are the same as
 * {@link parseOllamaConfig}'s.
 *
 * @param text The TOML document.
 * @param options `source` names the text in messages (default `"config"`).
 * @returns The configuration and the warnings (empty when there is nothing to say).
 * @throws {ConfigError} When the text is not valid TOML or the `[ollama]` table is not valid.
 * @throws {UsageError} When `text` is not a string or `options` is not an object.
 *
 * @example
 * ```ts
 * import { parseOllamaConfigWithWarnings } from "@vtcode/ollama";
 *
 * const { config, warnings } = parseOllamaConfigWithWarnings(
 *   '[olama]\nmodels = ["llama3"]\n',
 *   { source: "vtcode.toml" },
 * );
 * config.models; // [] (the [olama] table is not read)
 * for (const warning of warnings) console.error(`warning: ${warning}`);
 * // warning: vtcode.toml:1:2: no [ollama] table, so the built-in defaults are used; did you
 * // mean [olama] → [ollama]?
 * ```
 */
export function parseOllamaConfigWithWarnings(
  text: string,
  options: ConfigSourceOptions = {},
): ParsedOllamaConfig {
  return parseWith(text, options, "parseOllamaConfigWithWarnings", true);
}

function parseWith(
  text: unknown,
  options: unknown,
  caller: string,
  warn: boolean,
): ParsedOllamaConfig {
  const source = sourceOf(options, caller);
  if (typeof text !== "string") {
    throw new UsageError(
      `${caller}: expected the TOML text as a string, got ${describeValue(text, "code")}` +
        (text instanceof Uint8Array ? "; decode the bytes first with decodeConfigBytes" : ""),
    );
  }
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const document = parseToml(body, source);
  const warnings: string[] = [];
  if (!Object.hasOwn(document, "ollama")) {
    rejectOtherCase(document, body, source);
    if (warn) warnings.push(missingTableWarning(document, body, source));
  }
  if (warn) warnings.push(...topLevelKeyWarnings(document, body, source));
  if (!Object.hasOwn(document, "ollama")) {
    return { config: defaultConfig(), warnings };
  }

  const locate = lazyLocator(body, "ollama");
  const table = document.ollama;
  if (!isTable(table)) {
    const at = locate(undefined);
    throw new ConfigError(
      `${prefix(source, at)}\`ollama\` must be a table (an [ollama] section), got ` +
        describeValue(table, "toml"),
      { source, line: at?.line, column: at?.column },
    );
  }
  const config = validateEntries(table, "toml", (key) => ({
    name: key,
    style: "toml",
    fail(what, problem = {}) {
      const at = locate(key, problem.index);
      throw new ConfigError(`${prefix(source, at)}${what}`, {
        source,
        line: at?.line,
        column: at?.column,
        key,
        cause: problem.cause,
      });
    },
  }));
  return { config, warnings };
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

/** A table, or an array of tables (`[[name]]`). */
function isTableLike(value: TomlValue | undefined): boolean {
  return isTable(value) || (Array.isArray(value) && value.length > 0 && value.every(isTable));
}

/**
 * `[Ollama]` or `[OLLAMA]` and no `[ollama]`: an error, not a warning, because ignoring it would
 * drop a whitelist in silence, and the fix is certain.
 */
function rejectOtherCase(document: TomlTable, body: string, source: string): void {
  const lookalike = Object.keys(document).find((name) => squash(name) === "ollama");
  if (lookalike === undefined) return;
  const at = lazyLocator(body, lookalike)(undefined);
  const shown = sanitizeText(lookalike, { maxLength: 60 });
  throw new ConfigError(
    `${prefix(source, at)}found a table named \`${shown}\`; TOML names are case-sensitive: ` +
      "did you mean [ollama]?",
    { source, line: at?.line, column: at?.column },
  );
}

function squash(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, "");
}

/** A table name that is probably a misspelt `ollama`: `olama`, `Ollama-Config`, `my_ollama`. */
function looksLikeOllama(name: string): boolean {
  return squash(name).includes("ollama") || closestMatch(name, ["ollama"]) !== undefined;
}

/** The warning for a document without `[ollama]`, naming the table meant, if one is close. */
function missingTableWarning(document: TomlTable, body: string, source: string): string {
  const candidates: { path: string[]; at: Location | undefined }[] = [];
  for (const name of Object.keys(document)) {
    const value = document[name];
    if (!isTableLike(value)) continue;
    if (looksLikeOllama(name)) {
      candidates.push({ path: [name], at: lazyLocator(body, name)(undefined) });
    } else if (isTable(value)) {
      // `[tools.ollama]`: right name, wrong place.
      for (const inner of Object.keys(value)) {
        if (isTableLike(value[inner]) && looksLikeOllama(inner)) {
          candidates.push({ path: [name, inner], at: lazyLocator(body, name)(inner) });
        }
      }
    }
  }
  const none = "no [ollama] table, so the built-in defaults are used";
  if (candidates.length === 0) return `${source}: ${none}`;
  const [first] = candidates;
  const nested = first.path.length > 1 ? " Only a top-level [ollama] table is read" : "";
  return `${prefix(source, first.at)}${none}; did you mean [${tableName(first.path)}] → ` +
    `[ollama]?${nested}`;
}

/** `[ollama]` keys at the top level of the document, where they are not read. */
function topLevelKeyWarnings(document: TomlTable, body: string, source: string): string[] {
  const warnings: string[] = [];
  for (const name of Object.keys(document)) {
    if (!OLLAMA_CONFIG_KEYS.includes(name) || isTableLike(document[name])) continue;
    const at = lazyLocator(body, name)(undefined);
    warnings.push(
      `${prefix(source, at)}\`${name}\` is at the top level, outside [ollama], so it is not ` +
        "read; move it under the [ollama] header",
    );
  }
  return warnings;
}

function tableName(path: string[]): string {
  return path.map((part) =>
    /^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(sanitizeText(part, { maxLength: 60 }))
  ).join(".");
}
