/**
 * A config file's bytes to text: strict UTF-8, a leading byte order mark dropped, and a
 * {@link ConfigError} naming the line and byte offset of the first byte that is not UTF-8.
 * Pure.
 *
 * @module
 */

import { ConfigError } from "../errors/config_error.ts";
import { UsageError } from "../errors/usage_error.ts";
import { describeValue } from "./describe.ts";
import { prefix } from "./locate.ts";

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
 * The `source` of {@link ConfigSourceOptions}, checked: options that are not an object, or a
 * source that is not a string, are a {@link UsageError} (a mistake in the calling code).
 * Internal.
 */
export function sourceOf(options: unknown, caller: string): string {
  if (options === undefined || options === null) return "config";
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new UsageError(
      `${caller}: options must be an object such as { source: "vtcode.toml" }, got ` +
        describeValue(options, "code"),
    );
  }
  const source = (options as ConfigSourceOptions).source;
  if (source === undefined) return "config";
  if (typeof source !== "string") {
    throw new UsageError(
      `${caller}: options.source must be a string (a file name), got ${
        describeValue(source, "code")
      }`,
    );
  }
  return source;
}

/**
 * Decodes a config file's bytes as strict UTF-8, dropping a leading byte order mark. Bytes that
 * are not UTF-8 (a file saved as Latin-1 or UTF-16, or a binary file) are a {@link ConfigError}
 * naming the source and, when it can be found, the line and byte offset of the first bad byte.
 *
 * @param bytes The file's contents (a `Uint8Array`; an `ArrayBuffer` or other view works too).
 * @param options `source` names the file in messages (default `"config"`).
 * @returns The text, without a byte order mark.
 * @throws {ConfigError} When the bytes are not valid UTF-8.
 * @throws {UsageError} When `bytes` is not bytes at all (say, a string).
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
  const source = sourceOf(options, "decodeConfigBytes");
  const view = asBytes(bytes);
  try {
    // `ignoreBOM: false` (the default) removes one leading byte order mark.
    return new TextDecoder("utf-8", { fatal: true }).decode(view);
  } catch (cause) {
    const offset = firstInvalidUtf8(view);
    const utf16 = view.length >= 2 &&
      ((view[0] === 0xff && view[1] === 0xfe) || (view[0] === 0xfe && view[1] === 0xff));
    let line: number | undefined;
    let detail = "";
    if (offset !== undefined) {
      line = 1;
      for (let i = 0; i < offset; i++) if (view[i] === 0x0a) line++;
      detail = `: invalid byte 0x${view[offset].toString(16).padStart(2, "0")} at byte offset ` +
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

function asBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (ArrayBuffer.isView(bytes)) {
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new UsageError(
    "decodeConfigBytes: expected the file's bytes (a Uint8Array), got " +
      describeValue(bytes, "code") +
      (typeof bytes === "string" ? "; text needs no decoding: pass it to parseOllamaConfig" : ""),
  );
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
