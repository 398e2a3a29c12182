/**
 * The lock file (`ollama.lock`): which digest each required model had when it was recorded, so
 * that CI can insist on exactly those versions (`--locked`, like `cargo --locked`). JSON with a
 * `version` field, keys in a stable order and one line per model, so that a change reads as one
 * line in a diff. Pure: reading and writing the file happen at the edge (the command line
 * writes it atomically).
 *
 * ```json
 * {
 *   "version": 1,
 *   "models": {
 *     "llama3:latest": { "digest": "365c0bd3c000a25d28ddbf732fe1c6add414de7275464c4e4d1c3b5fcb5d8ad1", "size": 4661224676 },
 *     "qwen3:8b": { "digest": "500a1f067a9f782620b40bee6f7b0c89e17ae61f686b92c24933e4ca4b2b8b41", "size": 5225376047 }
 *   }
 * }
 * ```
 *
 * @module
 */

import { ConfigError } from "../errors/config_error.ts";
import type { LockMismatch } from "../errors/lock_mismatch_error.ts";
import { normalizeModelName, parseModelName, shortModelName } from "../names.ts";
import { sanitizeText } from "../sanitize.ts";

/**
 * The lock file's name when none is given: beside the config file in use, else in the working
 * directory.
 *
 * @example
 * ```ts
 * import { DEFAULT_LOCK_FILE } from "@vtcode/ollama";
 *
 * DEFAULT_LOCK_FILE; // "ollama.lock"
 * ```
 */
export const DEFAULT_LOCK_FILE = "ollama.lock";

/**
 * The lock file format this version writes and reads.
 *
 * @example
 * ```ts
 * import { LOCK_VERSION } from "@vtcode/ollama";
 *
 * LOCK_VERSION; // 1
 * ```
 */
export const LOCK_VERSION = 1;

/**
 * One model's recorded version.
 *
 * @example
 * ```ts
 * import type { LockEntry } from "@vtcode/ollama";
 *
 * const entry: LockEntry = { digest: "365c0bd3c000a25d28ddbf732fe1c6add414de7275464c4e4d1c3b5fcb5d8ad1", size: 4661224676 };
 * ```
 */
export interface LockEntry {
  /** The manifest digest, 64 hex (as `/api/tags` shows it). */
  digest: string;
  /** The model's size in bytes, for people reading the file. */
  size: number;
}

/**
 * A parsed lock file.
 *
 * @example
 * ```ts
 * import type { OllamaLock } from "@vtcode/ollama";
 *
 * const lock: OllamaLock = { version: 1, models: {} };
 * ```
 */
export interface OllamaLock {
  /** The format version, {@link LOCK_VERSION}. */
  version: number;
  /** The recorded models, by short name. */
  models: Record<string, LockEntry>;
}

/**
 * Parses a lock file. Anything that is not a lock of this version is a `ConfigError` that names
 * the file and, where it can, the line.
 *
 * @param text The file's text.
 * @param source The file's name, for messages.
 * @returns The lock.
 * @throws {ConfigError} For malformed JSON, an unknown version, or an entry of the wrong shape.
 *
 * @example
 * ```ts
 * import { parseLock } from "@vtcode/ollama";
 *
 * const lock = parseLock('{"version": 1, "models": {}}');
 * lock.models; // {}
 * ```
 */
export function parseLock(text: string, source: string = DEFAULT_LOCK_FILE): OllamaLock {
  const fail = (message: string, line?: number): ConfigError =>
    new ConfigError(
      `${source}${line === undefined ? "" : `:${line}`}: ${message}. Fix it, or write it again ` +
        "with `ensure --write-lock`.",
      { source, line },
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? sanitizeText(cause.message, { maxLength: 160 }) : "";
    throw fail(`not valid JSON (${detail})`, firstBadLine(text));
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw fail("expected an object with `version` and `models`", 1);
  }
  const { version, models } = body as { version?: unknown; models?: unknown };
  if (version !== LOCK_VERSION) {
    throw fail(
      `unknown lock version ${JSON.stringify(version) ?? "(none)"}; this program reads version ` +
        `${LOCK_VERSION}`,
      lineOf(text, '"version"'),
    );
  }
  if (typeof models !== "object" || models === null || Array.isArray(models)) {
    throw fail(
      "`models` must be an object of model name to { digest, size }",
      lineOf(text, '"models"'),
    );
  }
  const out: Record<string, LockEntry> = {};
  for (const [name, entry] of Object.entries(models)) {
    const line = lineOf(text, JSON.stringify(name));
    let short: string;
    try {
      short = shortModelName(parseModelName(name));
    } catch (cause) {
      throw fail(`${cause instanceof Error ? cause.message : "invalid model name"}`, line);
    }
    const { digest, size } = (entry ?? {}) as { digest?: unknown; size?: unknown };
    if (typeof digest !== "string" || !/^[0-9a-f]{64}$/.test(digest)) {
      throw fail(`the digest of ${short} must be 64 lowercase hex characters`, line);
    }
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
      throw fail(`the size of ${short} must be a whole number of bytes`, line);
    }
    out[short] = { digest, size };
  }
  return { version: LOCK_VERSION, models: out };
}

/**
 * Writes a lock's text: keys sorted by normalized model name, one line per model, ending with a
 * newline. Writing the same models twice gives the same bytes.
 *
 * @param models The models to record, by name (any alias; written in short form).
 * @returns The file's text.
 *
 * @example
 * ```ts
 * import { formatLock } from "@vtcode/ollama";
 *
 * formatLock({ "LLAMA3": { digest: "a".repeat(64), size: 1 } });
 * // {\n  "version": 1,\n  "models": {\n    "LLAMA3:latest": { "digest": "aaa…", "size": 1 }\n  }\n}\n
 * ```
 */
export function formatLock(models: Record<string, LockEntry>): string {
  const rows = Object.entries(models).map(([name, entry]) => {
    const parsed = parseModelName(name);
    return { key: normalizeModelName(parsed), short: shortModelName(parsed), entry };
  });
  rows.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const lines = rows.map(({ short, entry }, i) =>
    `    ${JSON.stringify(short)}: { "digest": ${
      JSON.stringify(entry.digest)
    }, "size": ${entry.size} }` +
    (i < rows.length - 1 ? "," : "")
  );
  return `{\n  "version": ${LOCK_VERSION},\n  "models": {\n${lines.join("\n")}${
    lines.length > 0 ? "\n" : ""
  }  }\n}\n`;
}

/**
 * The lock's entry for a model, found by normalized name (any alias finds it).
 *
 * @param lock The lock.
 * @param name The model.
 * @returns The entry, or `undefined` when the lock does not have the model.
 *
 * @example
 * ```ts
 * import { lockEntryFor } from "@vtcode/ollama";
 *
 * lockEntryFor({ version: 1, models: { "llama3:latest": { digest: "a".repeat(64), size: 1 } } }, "LLAMA3")?.size; // 1
 * ```
 */
export function lockEntryFor(lock: OllamaLock, name: string): LockEntry | undefined {
  const key = normalizeModelName(parseModelName(name));
  for (const [locked, entry] of Object.entries(lock.models)) {
    if (normalizeModelName(parseModelName(locked)) === key) return entry;
  }
  return undefined;
}

/**
 * What breaks the lock: each required model absent from it, or installed with another digest
 * (or not installed).
 *
 * @param lock The lock.
 * @param installed Each required model with its installed digest (`null` when not installed),
 *   and the server when there are several.
 * @returns The mismatches, in the given order; empty when everything matches.
 *
 * @example
 * ```ts
 * import { checkLock } from "@vtcode/ollama";
 *
 * const lock = { version: 1, models: { "llama3:latest": { digest: "a".repeat(64), size: 1 } } };
 * checkLock(lock, [{ model: "llama3", digest: "b".repeat(64) }]).length; // 1
 * ```
 */
export function checkLock(
  lock: OllamaLock,
  installed: readonly { model: string; digest: string | null; host?: string }[],
): LockMismatch[] {
  const mismatches: LockMismatch[] = [];
  for (const { model, digest, host } of installed) {
    const entry = lockEntryFor(lock, model);
    const short = shortModelName(parseModelName(model));
    if (entry === undefined) {
      mismatches.push({ model: short, locked: null, installed: digest, host });
    } else if (digest === null || digest.toLowerCase() !== entry.digest) {
      mismatches.push({ model: short, locked: entry.digest, installed: digest, host });
    }
  }
  return mismatches;
}

/** The 1-based line where `needle` first appears, if it does. */
function lineOf(text: string, needle: string): number | undefined {
  const at = text.indexOf(needle);
  return at < 0 ? undefined : text.slice(0, at).split("\n").length;
}

/**
 * The first line that cannot be part of a lock in this format (runtimes do not agree on where
 * JSON.parse failed): lines must look like `{`, `"version": 1,`, `"models": {`, a model line, or a
 * closing brace. `undefined` when every line looks right (the error is elsewhere).
 */
function firstBadLine(text: string): number | undefined {
  const shapes = [
    /^\s*\{\s*$/,
    /^\s*\}\s*,?\s*$/,
    /^\s*"version"\s*:\s*\d+\s*,?\s*$/,
    /^\s*"models"\s*:\s*\{\s*(\}\s*,?\s*)?$/,
    /^\s*"[^"\\]+"\s*:\s*\{\s*"digest"\s*:\s*"[0-9a-f]*"\s*,\s*"size"\s*:\s*\d+\s*\}\s*,?\s*$/,
    /^\s*$/,
  ];
  const lines = text.split("\n");
  const index = lines.findIndex((line) => !shapes.some((shape) => shape.test(line)));
  return index < 0 ? undefined : index + 1;
}
