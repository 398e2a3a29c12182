/**
 * The checks behind each `[ollama]` key: one function per kind of value (a boolean, seconds, a
 * whole number in a range, a list of model names, a server address, a duration), shared by the
 * TOML table and by objects handed to the library, so that both accept exactly the same values
 * and explain a rejection in the same words.
 *
 * Each check gets the value and a {@link Check}: the name to show (`timeout_secs` in a file,
 * `timeoutSecs` in code), the {@link ValueStyle}, and `fail`, which throws the caller's error
 * (a `ConfigError` with file and line, or a `UsageError`). Pure: no I/O.
 *
 * Internal to the config modules; not part of the package's API.
 *
 * @module
 */

import { InvalidModelNameError } from "../errors/invalid_model_name_error.ts";
import { UsageError } from "../errors/usage_error.ts";
import { parseModelName, parseModelPattern } from "../names.ts";
import { sanitizeText } from "../sanitize.ts";
import { normalizeBaseUrl, redactUrl } from "../url.ts";
import { assignment, describeValue, renderValue, type ValueStyle } from "./describe.ts";

/** What a check knows about the key it checks. */
export interface Check {
  /** The key as its source spells it: `auto_pull` in TOML, `autoPull` in code. */
  name: string;
  /** Where the value came from. */
  style: ValueStyle;
  /**
   * Throws the caller's error for this key. `index` points at an entry of an array value;
   * `cause` is kept as the error's cause.
   */
  fail(what: string, problem?: { cause?: unknown; index?: number }): never;
}

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

/**
 * The largest `keep_alive` in seconds: Ollama keeps durations as Go's `time.Duration`, a signed
 * 64-bit count of nanoseconds, so about 292 years. Negative values mean "forever" anyway.
 */
const MAX_KEEP_ALIVE_SECS = 9_223_372_036;

/** `` `key` must be <expected>, got <value> (<type>) ``. */
export function mustBe(check: Check, expected: string, value: unknown): string {
  return `\`${check.name}\` must be ${expected}, got ${describeValue(value, check.style)}`;
}

/** A hint for a quoted number or boolean: `timeout_secs = "5"` → write it without quotes. */
function unquote(check: Check, value: unknown): string {
  if (typeof value !== "string") return "";
  const text = value.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(text) || text === "true" || text === "false") {
    return `; write it without quotes: ${assignment(check.name, text, check.style)}`;
  }
  return "";
}

/** `true` or `false`. */
export function checkBoolean(value: unknown, check: Check): boolean {
  if (typeof value === "boolean") return value;
  return check.fail(mustBe(check, "true or false", value) + unquote(check, value));
}

/** A number of seconds greater than 0 and at most {@link MAX_TIMEOUT_SECS}. */
export function checkSeconds(value: unknown, check: Check): number {
  const expected = "a number of seconds greater than 0";
  const number = typeof value === "bigint" ? Number(value) : value;
  if (typeof number !== "number") {
    return check.fail(mustBe(check, expected, value) + unquote(check, value));
  }
  if (!(number > 0)) return check.fail(mustBe(check, expected, value));
  if (number > MAX_TIMEOUT_SECS) {
    return check.fail(
      mustBe(check, `at most ${MAX_TIMEOUT_SECS} seconds (about 24.8 days)`, value) +
        "; longer timers are not supported",
    );
  }
  return number;
}

/**
 * A whole number (an integer, or a float without a fraction such as `3.0`) from `min` to `max`.
 * Without `max`, the bound is `Number.MAX_SAFE_INTEGER` and the message says "0 or more".
 */
export function checkWholeNumber(
  value: unknown,
  check: Check,
  range: { min: number; max?: number },
): number {
  const { min, max } = range;
  const expected = max === undefined
    ? `a whole number (${min} or more)`
    : `a whole number from ${min} to ${max}`;
  let number: number | undefined;
  if (typeof value === "bigint") {
    if (value < BigInt(min)) return check.fail(mustBe(check, expected, value));
    if (value > BigInt(max ?? Number.MAX_SAFE_INTEGER)) number = Infinity;
    else number = Number(value);
  } else if (typeof value === "number" && Number.isInteger(value) && value >= min) {
    number = value + 0; // turns -0.0 into 0
  }
  if (number === undefined) {
    return check.fail(mustBe(check, expected, value) + unquote(check, value));
  }
  if (max !== undefined && number > max) return check.fail(mustBe(check, expected, value));
  if (number > Number.MAX_SAFE_INTEGER) {
    return check.fail(mustBe(check, `at most ${Number.MAX_SAFE_INTEGER}`, value));
  }
  return number;
}

/** A version string `"x.y.z"`, returned trimmed. */
export function checkVersion(value: unknown, check: Check): string {
  const expected = 'a version string "x.y.z" such as "0.5.0"';
  if (typeof value !== "string") return check.fail(mustBe(check, expected, value));
  const trimmed = value.trim();
  if (!/^\d{1,9}\.\d{1,9}\.\d{1,9}$/.test(trimmed)) {
    return check.fail(mustBe(check, expected, value));
  }
  return trimmed;
}

/** One server address (`base_url`): a string that {@link normalizeBaseUrl} accepts, trimmed. */
export function checkAddress(value: unknown, check: Check): string {
  if (typeof value !== "string") {
    return check.fail(mustBe(check, 'a string such as "http://127.0.0.1:11434"', value));
  }
  const trimmed = value.trim();
  if (trimmed === "") {
    return check.fail(
      `\`${check.name}\` must not be empty; remove it to use --host, OLLAMA_BASE_URL, ` +
        "OLLAMA_HOST or http://127.0.0.1:11434",
    );
  }
  addressOrFail(trimmed, check, undefined);
  return trimmed;
}

/**
 * Several server addresses (`hosts`): a non-empty array of addresses, each one a string that
 * {@link normalizeBaseUrl} accepts, no two the same server. Returned trimmed, in order.
 */
export function checkAddressList(value: unknown, check: Check): string[] {
  const example = '["http://gpu-1:11434", "http://gpu-2:11434"]';
  if (!Array.isArray(value)) {
    const hint = typeof value === "string"
      ? `; write ${assignment(check.name, `[${renderValue(value, check.style)}]`, check.style)}`
      : "";
    return check.fail(
      mustBe(check, `an array of server addresses such as ${example}`, value) + hint,
    );
  }
  if (value.length === 0) {
    return check.fail(
      `\`${check.name}\` must list at least one server address; remove it to use one server ` +
        "(base_url, --host or the environment)",
    );
  }
  const hosts: string[] = [];
  const seen = new Map<string, number>();
  for (const [index, entry] of value.entries()) {
    const entryName = `${check.name}[${index}]`;
    if (typeof entry !== "string") {
      return check.fail(
        `\`${entryName}\` must be a string (a server address), got ${
          describeValue(entry, check.style)
        }`,
        { index },
      );
    }
    const trimmed = entry.trim();
    if (trimmed === "") {
      return check.fail(`\`${entryName}\` must not be empty`, { index });
    }
    const url = addressOrFail(trimmed, check, index);
    const first = seen.get(url);
    if (first !== undefined) {
      return check.fail(
        `\`${entryName}\` is the same server as \`${check.name}[${first}]\` (${
          sanitizeText(redactUrl(url), { maxLength: 120 })
        }); list each server once`,
        { index },
      );
    }
    seen.set(url, index);
    hosts.push(trimmed);
  }
  return hosts;
}

function addressOrFail(address: string, check: Check, index: number | undefined): string {
  try {
    return normalizeBaseUrl(address);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const name = index === undefined ? check.name : `${check.name}[${index}]`;
    return check.fail(`\`${name}\`: ${error.message}`, { cause: error, index });
  }
}

/** What a list of names holds, for messages. */
export interface NameKind {
  /** One entry: `"a model name"`. */
  one: string;
  /** Several: `"model names"`. */
  many: string;
}

/** Model names (`models`), exact repeats removed, in order. */
export function checkModelNames(value: unknown, check: Check): string[] {
  return checkNames(value, check, (name) => parseModelName(name), {
    one: "a model name",
    many: "model names",
  });
}

/** Model names or `*` patterns (`whitelist`), exact repeats removed, in order. */
export function checkModelPatterns(value: unknown, check: Check): string[] {
  return checkNames(value, check, (pattern) => parseModelPattern(pattern), {
    one: 'a model name or pattern such as "qwen3:*"',
    many: "model names or patterns",
  });
}

/**
 * An array of strings, each accepted by `parse` (which throws InvalidModelNameError). From a
 * TOML file a bad name is the caller's error naming the entry (`models[1]`); from code it is
 * the InvalidModelNameError itself, so that its code stays `invalid_model_name`.
 */
function checkNames(
  value: unknown,
  check: Check,
  parse: (name: string) => unknown,
  what: NameKind,
): string[] {
  if (!Array.isArray(value)) {
    const hint = typeof value === "string"
      ? `; write ${assignment(check.name, `[${renderValue(value, check.style)}]`, check.style)}`
      : "";
    return check.fail(mustBe(check, `an array of strings (${what.many})`, value) + hint);
  }
  const names: string[] = [];
  for (const [index, entry] of value.entries()) {
    if (typeof entry !== "string") {
      return check.fail(
        `\`${check.name}[${index}]\` must be a string (${what.one}), got ${
          describeValue(entry, check.style)
        }`,
        { index },
      );
    }
    try {
      parse(entry);
    } catch (error) {
      if (error instanceof InvalidModelNameError && check.style === "toml") {
        return check.fail(`\`${check.name}[${index}]\`: ${error.message}`, {
          cause: error,
          index,
        });
      }
      throw error;
    }
    if (!names.includes(entry)) names.push(entry);
  }
  return names;
}

/** Go's duration units, as Ollama's `keep_alive` and `time.ParseDuration` accept them. */
const DURATION_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  "µs": 1e-6, // U+00B5 micro sign
  "μs": 1e-6, // U+03BC Greek small letter mu
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * `keep_alive`: how long a loaded model stays in memory, in a form Ollama's `keep_alive`
 * accepts. A number is seconds (a negative number means forever). A string is a Go duration
 * (`"30m"`, `"1h30m"`, `"10s"`, `"-1m"`: negative means forever, `"0"` unloads at once), or a
 * plain number of seconds (`"-1"`, `"300"`), which is returned as a number: Ollama's API reads a
 * string with Go's `time.ParseDuration`, which rejects `"-1"` for its missing unit.
 */
export function checkKeepAlive(value: unknown, check: Check): string | number {
  const expected = 'a duration such as "30m", "1h30m" or "-1" (forever), or a number of seconds';
  if (typeof value === "bigint" || typeof value === "number") {
    const seconds = Number(value);
    if (!Number.isFinite(seconds)) return check.fail(mustBe(check, expected, value));
    if (seconds > MAX_KEEP_ALIVE_SECS) {
      return check.fail(
        mustBe(check, `at most ${MAX_KEEP_ALIVE_SECS} seconds (about 292 years)`, value) +
          "; use -1 to keep the model loaded forever",
      );
    }
    return seconds + 0;
  }
  if (typeof value !== "string") return check.fail(mustBe(check, expected, value));
  const text = value.trim();
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
    return checkKeepAlive(Number(text), check);
  }
  const seconds = goDurationSeconds(text);
  if (seconds === undefined) {
    return check.fail(
      mustBe(check, expected, value) +
        '; the units are h, m, s, ms, us and ns, e.g. "1h30m" or "90s"',
    );
  }
  if (seconds > MAX_KEEP_ALIVE_SECS) {
    return check.fail(
      mustBe(check, "at most about 292 years", value) +
        '; use "-1" to keep the model loaded forever',
    );
  }
  return text;
}

/**
 * The seconds a Go duration string stands for (`"1h30m"` → 5400, `"-1.5s"` → -1.5), or
 * `undefined` when `time.ParseDuration` would reject it. Only the size matters here (for the
 * overflow bound), so floating point is precise enough.
 */
function goDurationSeconds(text: string): number | undefined {
  const match = /^([+-]?)(.+)$/su.exec(text);
  if (match === null) return undefined;
  const [, sign, body] = match;
  const part = /(\d+(?:\.\d*)?|\.\d+)([a-zµμ]+)/uy;
  let total = 0;
  let at = 0;
  while (at < body.length) {
    part.lastIndex = at;
    const found = part.exec(body);
    if (found === null) return undefined;
    const unit = DURATION_UNITS[found[2]];
    if (!Object.hasOwn(DURATION_UNITS, found[2])) return undefined;
    total += Number(found[1]) * unit;
    at = part.lastIndex;
  }
  return sign === "-" ? -total : total;
}
