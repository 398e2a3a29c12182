/**
 * Request bodies read the way Ollama's Go server reads them (gin's `ShouldBindJSON` over Go's
 * `encoding/json` decoder), with its error texts: `missing request body`, a syntax error such as
 * `invalid character 'n' looking for beginning of object key string`, `unexpected EOF`, or a
 * type error such as `json: cannot unmarshal number into Go struct field PullRequest.model of
 * type string`. Only the first JSON value counts; what follows it is ignored, as the decoder does.
 *
 * @module
 */

/** A field's Go type, as far as the fake checks it. */
type FieldType = "string" | "bool" | "duration" | "any";

/** The request structs the fake reads, and the fields it checks. */
const STRUCTS = {
  PullRequest: { model: "string", name: "string", insecure: "bool", stream: "bool" },
  ShowRequest: { model: "string", name: "string", verbose: "bool" },
  DeleteRequest: { model: "string", name: "string" },
  GenerateRequest: {
    model: "string",
    prompt: "string",
    suffix: "string",
    system: "string",
    stream: "bool",
    raw: "bool",
    keep_alive: "duration",
  },
  EmbedRequest: { model: "string", input: "any", truncate: "bool", keep_alive: "duration" },
} as const satisfies Record<string, Record<string, FieldType>>;

/** The name of a request struct the fake reads. */
export type RequestStruct = keyof typeof STRUCTS;

/** A body read into an object, or Ollama's 400 error text. */
export type BoundBody = { value: Record<string, unknown> } | { error: string };

/**
 * Reads a request body as Ollama binds it into `struct`.
 *
 * @param text The body.
 * @param struct Which request it is (for the type errors' wording).
 * @returns The object (`{}` for `null`), or the error text Ollama answers with 400.
 */
export function bindJson(text: string, struct: RequestStruct): BoundBody {
  const bytes = new TextEncoder().encode(text);
  const scanned = scanFirstValue(bytes);
  if ("error" in scanned) return scanned;
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(0, scanned.end)));
  if (value === null) return { value: {} };
  if (typeof value !== "object" || Array.isArray(value)) {
    return {
      error: `json: cannot unmarshal ${jsonKind(value)} into Go value of type api.${struct}`,
    };
  }
  const fields: Readonly<Record<string, FieldType>> = STRUCTS[struct];
  const object = value as Record<string, unknown>;
  for (const [key, type] of Object.entries(fields)) {
    const field = object[key];
    if (field === undefined || field === null || type === "any") continue;
    if (type === "duration") {
      const error = durationError(field);
      if (error !== undefined) return { error };
      continue;
    }
    const kind = jsonKind(field);
    if (kind !== type) {
      return {
        error:
          `json: cannot unmarshal ${kind} into Go struct field ${struct}.${key} of type ${type}`,
      };
    }
  }
  return { value: object };
}

/**
 * A `keep_alive` value in ms, as Ollama reads it: a number is seconds, a string a Go duration
 * (`"30m"`, `"1h30m"`); anything negative means "forever" (`Infinity`).
 *
 * @param value The JSON value (already checked by {@link bindJson}).
 * @returns Milliseconds, or `undefined` when absent.
 */
export function keepAliveMs(value: unknown): number | undefined {
  if (typeof value === "number") return value < 0 ? Infinity : value * 1000;
  if (typeof value === "string") {
    const ms = parseGoDuration(value);
    return ms === undefined ? undefined : ms < 0 ? Infinity : ms;
  }
  return undefined;
}

/**
 * The error Go's `json.Unmarshal` gives for a document (one value, nothing after it but
 * spaces), or `undefined` when it is valid JSON.
 *
 * @param text The document.
 * @returns E.g. `unexpected end of JSON input`.
 */
export function goSyntaxError(text: string): string | undefined {
  const bytes = new TextEncoder().encode(text);
  const scanned = scanFirstValue(bytes);
  if ("error" in scanned) {
    return scanned.error === "missing request body" || scanned.error === "unexpected EOF"
      ? "unexpected end of JSON input"
      : scanned.error;
  }
  const after = skipSpace(bytes, scanned.end);
  return after < bytes.length
    ? `invalid character ${quoteByte(bytes[after])} after top-level value`
    : undefined;
}

function durationError(value: unknown): string | undefined {
  if (typeof value === "number") return undefined;
  if (typeof value === "string") {
    return parseGoDuration(value) === undefined ? goDurationError(value) : undefined;
  }
  const type = typeof value === "boolean"
    ? "bool"
    : Array.isArray(value)
    ? "[]interface {}"
    : "map[string]interface {}";
  return `Unsupported type: '${type}'`;
}

const UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3,
  "\u03bcs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration (`1h30m`, `-1s`, `0`) in ms, or `undefined` when Go would refuse it. */
function parseGoDuration(text: string): number | undefined {
  const match = /^([-+]?)(.*)$/s.exec(text)!;
  const sign = match[1] === "-" ? -1 : 1;
  const body = match[2];
  if (body === "0") return 0;
  if (body === "") return undefined;
  let total = 0;
  const part = /(\d+\.?\d*|\.\d+)([^\d.]+)/y;
  let at = 0;
  while (at < body.length) {
    part.lastIndex = at;
    const found = part.exec(body);
    if (found === null || UNITS[found[2]] === undefined) return undefined;
    total += Number(found[1]) * UNITS[found[2]];
    at = part.lastIndex;
  }
  return sign * total;
}

function goDurationError(text: string): string {
  const quoted = JSON.stringify(text);
  const unit = /\d([^\d.]+)/.exec(text)?.[1];
  if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(text)) return `time: missing unit in duration ${quoted}`;
  if (unit !== undefined && UNITS[unit] === undefined && /^[-+]?[\d.]/.test(text)) {
    return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
  }
  return `time: invalid duration ${quoted}`;
}

function jsonKind(value: unknown): string {
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "string";
  return Array.isArray(value) ? "array" : "object";
}

// -------------------------------------------------------------------------------------------
// The syntax of the first JSON value, with Go's scanner messages.

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

class SyntaxFailure {
  constructor(readonly message: string) {}
}

/** Scans the first JSON value; its end offset, or the error Go's decoder gives. */
function scanFirstValue(bytes: Uint8Array): { end: number } | { error: string } {
  let at = 0;
  while (at < bytes.length && SPACE.has(bytes[at])) at++;
  if (at === bytes.length) return { error: "missing request body" };
  try {
    return { end: scanValue(bytes, at) };
  } catch (caught) {
    if (caught instanceof SyntaxFailure) return { error: caught.message };
    throw caught;
  }
}

function fail(byte: number | undefined, context: string): never {
  if (byte === undefined) throw new SyntaxFailure("unexpected EOF");
  throw new SyntaxFailure(`invalid character ${quoteByte(byte)} ${context}`);
}

function skipSpace(bytes: Uint8Array, at: number): number {
  while (at < bytes.length && SPACE.has(bytes[at])) at++;
  return at;
}

/** Scans one value starting at `at` (no leading space); returns the offset after it. */
function scanValue(bytes: Uint8Array, at: number): number {
  const byte = bytes[at];
  if (byte === 0x7b) return scanObject(bytes, at + 1);
  if (byte === 0x5b) return scanArray(bytes, at + 1);
  if (byte === 0x22) return scanString(bytes, at + 1);
  if (byte === 0x2d || (byte >= 0x30 && byte <= 0x39)) return scanNumber(bytes, at);
  for (const literal of ["true", "false", "null"]) {
    if (byte === literal.charCodeAt(0)) return scanLiteral(bytes, at, literal);
  }
  return fail(byte, "looking for beginning of value");
}

function scanObject(bytes: Uint8Array, start: number): number {
  let at = skipSpace(bytes, start);
  if (bytes[at] === 0x7d) return at + 1;
  for (;;) {
    if (bytes[at] !== 0x22) fail(bytes[at], "looking for beginning of object key string");
    at = skipSpace(bytes, scanString(bytes, at + 1));
    if (bytes[at] !== 0x3a) fail(bytes[at], "after object key");
    at = skipSpace(bytes, at + 1);
    if (at === bytes.length) fail(undefined, "");
    at = skipSpace(bytes, scanValue(bytes, at));
    if (bytes[at] === 0x7d) return at + 1;
    if (bytes[at] !== 0x2c) fail(bytes[at], "after object key:value pair");
    at = skipSpace(bytes, at + 1);
  }
}

function scanArray(bytes: Uint8Array, start: number): number {
  let at = skipSpace(bytes, start);
  if (bytes[at] === 0x5d) return at + 1;
  for (;;) {
    if (at === bytes.length) fail(undefined, "");
    at = skipSpace(bytes, scanValue(bytes, at));
    if (bytes[at] === 0x5d) return at + 1;
    if (bytes[at] !== 0x2c) fail(bytes[at], "after array element");
    at = skipSpace(bytes, at + 1);
  }
}

function scanString(bytes: Uint8Array, start: number): number {
  let at = start;
  for (;;) {
    const byte = bytes[at];
    if (byte === undefined) fail(undefined, "");
    if (byte === 0x22) return at + 1;
    if (byte < 0x20) fail(byte, "in string literal");
    if (byte === 0x5c) {
      const escape = bytes[at + 1];
      if (escape === 0x75) {
        for (let i = 2; i < 6; i++) {
          const hex = bytes[at + i];
          if (hex === undefined || !/[0-9a-fA-F]/.test(String.fromCharCode(hex))) {
            fail(hex, "in \\u hexadecimal character escape");
          }
        }
        at += 6;
        continue;
      }
      if (escape === undefined || !'"\\/bfnrt'.includes(String.fromCharCode(escape))) {
        fail(escape, "in string escape code");
      }
      at += 2;
      continue;
    }
    at++;
  }
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function scanNumber(bytes: Uint8Array, start: number): number {
  let at = start;
  if (bytes[at] === 0x2d) {
    at++;
    if (!isDigit(bytes[at])) fail(bytes[at], "in numeric literal");
  }
  if (bytes[at] === 0x30) at++;
  else while (isDigit(bytes[at])) at++;
  if (bytes[at] === 0x2e) {
    at++;
    if (!isDigit(bytes[at])) fail(bytes[at], "after decimal point in numeric literal");
    while (isDigit(bytes[at])) at++;
  }
  if (bytes[at] === 0x65 || bytes[at] === 0x45) {
    at++;
    if (bytes[at] === 0x2b || bytes[at] === 0x2d) at++;
    if (!isDigit(bytes[at])) fail(bytes[at], "in exponent of numeric literal");
    while (isDigit(bytes[at])) at++;
  }
  return at;
}

function scanLiteral(bytes: Uint8Array, start: number, literal: string): number {
  for (let i = 1; i < literal.length; i++) {
    const byte = bytes[start + i];
    if (byte !== literal.charCodeAt(i)) {
      fail(byte, `in literal ${literal} (expecting '${literal[i]}')`);
    }
  }
  return start + literal.length;
}

/** A byte quoted as Go's scanner quotes it in messages: `'x'`, `'\n'`, `'\''`. */
function quoteByte(byte: number): string {
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return `'"'`;
  const named: Record<number, string> = {
    0x07: "\\a",
    0x08: "\\b",
    0x09: "\\t",
    0x0a: "\\n",
    0x0b: "\\v",
    0x0c: "\\f",
    0x0d: "\\r",
    0x5c: "\\\\",
  };
  if (named[byte] !== undefined) return `'${named[byte]}'`;
  if (byte < 0x20 || byte === 0x7f) return `'\\x${byte.toString(16).padStart(2, "0")}'`;
  if (byte >= 0x80 && byte < 0xa0) return `'\\u${byte.toString(16).padStart(4, "0")}'`;
  return `'${String.fromCharCode(byte)}'`;
}
