/**
 * Where a key of a TOML document is written, for messages: `vtcode.toml:3:1: ...`.
 *
 * smol-toml (our TOML parser) reports the line and column of a syntax error, but the tables it
 * returns carry no positions, and no maintained TOML package on npm that does keep them is small
 * enough to add for messages alone. So this scanner reads the text line by line, following
 * `[table]` headers, dotted keys, quoted keys and one-line inline tables, and skipping
 * multi-line strings: enough to point at the line of almost any key people write. It is best
 * effort; when it finds nothing, messages name the file without a line.
 *
 * Internal to the config modules; not part of the package's API. Pure.
 *
 * @module
 */

/** A 1-based line and, when known, column (in UTF-16 code units, as the TOML parser counts). */
export interface Location {
  line: number;
  column?: number;
}

/** Where a key is defined, and where its value starts (an offset into the text), when known. */
interface Place extends Location {
  value?: number;
}

/**
 * Finds a key of one top-level table: `undefined` asks for the table itself, `index` for entry
 * `index` of an array value.
 */
export type Locate = (key: string | undefined, index?: number) => Location | undefined;

/** The start of a message: `source:line:column: `, `source:line: ` or `source: `. */
export function prefix(source: string, at: Location | undefined): string {
  if (at === undefined) return `${source}: `;
  return at.column === undefined ? `${source}:${at.line}: ` : `${source}:${at.line}:${at.column}: `;
}

/**
 * Finds, on first use, where each key of the top-level table `table` is defined (`undefined` asks
 * for the table itself), or where entry `index` of an array value starts.
 */
export function lazyLocator(text: string, table: string): Locate {
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
