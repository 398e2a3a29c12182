/**
 * How a configuration value is shown in an error message: the value, shortened and stripped of
 * control characters, and its type, in the words of where it came from. A TOML file knows
 * integers, floats, dates and tables (`got 3 (an integer)`); code passes JavaScript values
 * (`got NaN (a number)`).
 *
 * Internal to the config modules; not part of the package's API.
 *
 * @module
 */

import { sanitizeText } from "../sanitize.ts";

/**
 * Where a value came from: `"toml"` for a TOML document (integers arrive as `bigint`, floats as
 * `number`), `"code"` for a JavaScript object handed to the library.
 */
export type ValueStyle = "toml" | "code";

/** The value as its source would write it (shortened), and its type: `3 (an integer)`. */
export function describeValue(value: unknown, style: ValueStyle): string {
  if (value === null || (value === undefined && style === "code")) return String(value);
  return `${renderValue(value, style, 60)} (${typeName(value, style)})`;
}

/** The value as its source would write it, at most `max` characters, control characters out. */
export function renderValue(value: unknown, style: ValueStyle, max = 60): string {
  return sanitizeText(render(value, style, max, 0), { maxLength: max });
}

/** An assignment as its source writes it: `key = value` in TOML, `key: value` in code. */
export function assignment(name: string, text: string, style: ValueStyle): string {
  return style === "toml" ? `${name} = ${text}` : `${name}: ${text}`;
}

function typeName(value: unknown, style: ValueStyle): string {
  if (value === undefined) return style === "toml" ? "nothing" : "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return "a string";
  if (typeof value === "bigint") return style === "toml" ? "an integer" : "a bigint";
  if (typeof value === "number") return style === "toml" ? "a float" : "a number";
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  if (isTomlDate(value)) {
    if (value.isDate()) return "a local date";
    if (value.isTime()) return "a local time";
    return value.isLocal() ? "a local date-time" : "an offset date-time";
  }
  if (value instanceof Date) return style === "toml" ? "a date-time" : "a Date";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  return style === "toml" ? "a table" : "an object";
}

/**
 * smol-toml's `TomlDate` (a `Date` that knows whether it is a local date, time or date-time),
 * recognised by its methods: importing the class would load the TOML parser with the schema,
 * which the loader avoids until there is a file to parse.
 */
interface TomlDateLike extends Date {
  isDate(): boolean;
  isTime(): boolean;
  isLocal(): boolean;
}

function isTomlDate(value: unknown): value is TomlDateLike {
  if (!(value instanceof Date)) return false;
  const date = value as Partial<TomlDateLike>;
  return typeof date.isDate === "function" && typeof date.isTime === "function" &&
    typeof date.isLocal === "function";
}

/** Arrays and tables nested deeper than this are shown as `[…]` and `{…}`. */
const MAX_DEPTH = 4;

function render(value: unknown, style: ValueStyle, max: number, depth: number): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (typeof value === "number") return style === "toml" ? tomlFloat(value) : String(value);
  if (value === undefined) return style === "toml" ? "" : "undefined";
  if (value === null) return "null";
  if (typeof value === "function") return "function";
  if (typeof value === "symbol") return "symbol";
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? "invalid date" : value.toISOString();
  }
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return "[…]";
    const items: string[] = [];
    let length = 0;
    for (const item of value) {
      if (length > max) break; // enough to fill the message; the rest is cut anyway
      const text = render(item, style, max, depth + 1);
      items.push(text);
      length += text.length + 2;
    }
    return `[${items.join(", ")}]`;
  }
  if (depth >= MAX_DEPTH) return "{…}";
  const entries: string[] = [];
  let length = 0;
  for (const key of Object.keys(value)) {
    if (length > max) break;
    const text = `${renderKey(key, style)}${style === "toml" ? " = " : ": "}${
      render((value as Record<string, unknown>)[key], style, max, depth + 1)
    }`;
    entries.push(text);
    length += text.length + 2;
  }
  return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
}

function renderKey(key: string, style: ValueStyle): string {
  const bare = style === "toml" ? /^[A-Za-z0-9_-]+$/ : /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  return bare.test(key) ? key : JSON.stringify(key);
}

function tomlFloat(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Object.is(value, -0)) return "-0.0";
  const text = String(value);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}
