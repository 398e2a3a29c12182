/**
 * The lines a real Ollama server sends for `POST /api/pull`, generated for a catalog entry.
 * Pure: no timers, no I/O. The fake server paces these lines with its tick; property tests and
 * benchmarks can use them directly.
 *
 * The sequence, as Ollama sends it:
 * 1. `{"status":"pulling manifest"}`;
 * 2. per layer, in manifest order with the config blob last, lines with status
 *    `pulling <first 12 hex of the digest>`, the `digest`, `total` and `completed` (both omitted
 *    when zero, so a layer's first line usually has `total` only). A layer already on disk gives
 *    one line with `completed == total`; a partly downloaded one resumes, its first line already
 *    high. How a downloaded layer's lines end is the layer's {@link FakeLayerEnding};
 * 3. `verifying sha256 digest`, `writing manifest`, optionally `removing unused layers`, `success`.
 *
 * @module
 */

import { type FakeCatalogEntry, type FakeLayerEnding, resolveLayers } from "./catalog.ts";

/**
 * The bytes one progress tick advances at Ollama's pace: 100 MB/s for 60 ms.
 *
 * @example
 * ```ts
 * import { DEFAULT_STEP_BYTES } from "@vtcode/ollama/testing";
 *
 * DEFAULT_STEP_BYTES; // 6000000
 * ```
 */
export const DEFAULT_STEP_BYTES = 6_000_000;

/**
 * One object of a pull stream, as Ollama encodes it: zero `total`/`completed` and empty `digest`
 * are omitted. An `error` object ends the stream.
 *
 * @example
 * ```ts
 * import type { PullLineValue } from "@vtcode/ollama/testing";
 *
 * const first: PullLineValue = { status: "pulling 6a0746a1ec1a", digest: "sha256:6a07…", total: 4661211424 };
 * const failed: PullLineValue = { error: "pull model manifest: file does not exist" };
 * ```
 */
export interface PullLineValue {
  /** The phase or layer, e.g. `pulling manifest`, `pulling 6a0746a1ec1a`, `success`. */
  status?: string;
  /** The layer's digest, `sha256:` and 64 hex. */
  digest?: string;
  /** The layer's size in bytes; omitted when zero. */
  total?: number;
  /** Bytes of the layer on disk; omitted when zero. */
  completed?: number;
  /** An error that ends the stream. */
  error?: string;
}

/**
 * What the server waits for before it sends a line:
 * - `"none"`: nothing, the line follows at once;
 * - `"tick"`: one progress tick (60 ms in Ollama);
 * - `"verify"`: the time it takes to verify the downloaded blobs.
 *
 * @example
 * ```ts
 * import type { PullLineWait } from "@vtcode/ollama/testing";
 *
 * const wait: PullLineWait = "tick";
 * ```
 */
export type PullLineWait = "none" | "tick" | "verify";

/**
 * Bytes of one blob on the server's disk once a line has been sent (used to resume pulls).
 *
 * @example
 * ```ts
 * import type { PullBlobState } from "@vtcode/ollama/testing";
 *
 * const partial: PullBlobState = { digest: "sha256:6a07…", bytes: 12_000_000 };
 * ```
 */
export interface PullBlobState {
  /** The blob's digest, `sha256:` and 64 hex. */
  digest: string;
  /** Bytes on disk. */
  bytes: number;
}

/**
 * One line of a pull script: what is sent, what the server waits for first, and the blob
 * bookkeeping that becomes true once it is sent.
 *
 * @example
 * ```ts
 * import { pullScript, smallCatalog } from "@vtcode/ollama/testing";
 *
 * const [first] = pullScript(smallCatalog({ "tiny:latest": 4096 })[0]);
 * first; // { value: { status: "pulling manifest" }, wait: "none", blobs: [] }
 * ```
 */
export interface PullLine {
  /** The object sent, one JSON line. */
  value: PullLineValue;
  /** What the server waits for before sending it. */
  wait: PullLineWait;
  /** Blob sizes on disk once this line is sent (empty when nothing changes). */
  blobs: readonly PullBlobState[];
}

/**
 * Options of {@link pullScript}.
 *
 * @example
 * ```ts
 * import type { PullScriptOptions } from "@vtcode/ollama/testing";
 *
 * const resume: PullScriptOptions = { alreadyHave: new Map([["sha256:6a07…", 1_000_000]]) };
 * ```
 */
export interface PullScriptOptions {
  /** Bytes already on disk per blob digest (`sha256:…`): complete blobs and partial downloads. */
  alreadyHave?: ReadonlyMap<string, number>;
  /** Bytes one progress tick advances. Default {@link DEFAULT_STEP_BYTES}. */
  stepBytes?: number;
  /** Send `removing unused layers` after `writing manifest`. */
  removeUnusedLayers?: boolean;
  /**
   * Roll `completed` back once, by half a step, in the first downloaded layer that has at least
   * two intermediate ticks (else one), then continue from there (a failed part re-downloaded).
   */
  backwards?: boolean;
  /** Leave `total` out of every layer line. */
  omitTotal?: boolean;
}

/**
 * The lines Ollama sends when pulling `entry`, in order, ending with `success`.
 *
 * @param entry The model being pulled.
 * @param options What is already on disk, the tick size and variations.
 * @returns The lines; {@link iteratePullScript} yields the same lazily.
 *
 * @example A tiny model, nothing on disk, 2048 bytes per tick
 * ```ts
 * import { pullScript, smallCatalog } from "@vtcode/ollama/testing";
 *
 * const [entry] = smallCatalog({ "tiny:latest": [4096, 300] });
 * pullScript(entry, { stepBytes: 2048 }).map((line) => line.value);
 * // pulling manifest; the 4096-byte layer with total only, then completed 2048 and 4096;
 * // the 300-byte config with total only; verifying sha256 digest; writing manifest; success
 * ```
 */
export function pullScript(entry: FakeCatalogEntry, options: PullScriptOptions = {}): PullLine[] {
  return [...iteratePullScript(entry, options)];
}

/**
 * The lines of {@link pullScript}, generated lazily (for a very small `stepBytes` on a big model).
 *
 * @param entry The model being pulled.
 * @param options What is already on disk, the tick size and variations.
 * @returns An iterator over the lines.
 * @throws {RangeError} When `stepBytes` is not a positive whole number.
 *
 * @example
 * ```ts
 * import { iteratePullScript, smallCatalog } from "@vtcode/ollama/testing";
 *
 * for (const line of iteratePullScript(smallCatalog({ "tiny:latest": 4096 })[0])) {
 *   console.log(JSON.stringify(line.value));
 * }
 * ```
 */
export function* iteratePullScript(
  entry: FakeCatalogEntry,
  options: PullScriptOptions = {},
): Generator<PullLine, void, undefined> {
  const step = options.stepBytes ?? DEFAULT_STEP_BYTES;
  if (!Number.isSafeInteger(step) || step <= 0) {
    throw new RangeError("stepBytes must be a whole number > 0");
  }
  const have = options.alreadyHave ?? new Map<string, number>();
  const layers = resolveLayers(entry);
  const backwardsAt = options.backwards ? chooseRollback(layers, have, step) : undefined;
  const omitTotal = options.omitTotal === true;

  yield { value: { status: "pulling manifest" }, wait: "none", blobs: [] };

  // Completions that happened between two lines; reported with the next line sent.
  let pending: PullBlobState[] = [];
  let downloaded = false;
  const take = (more: PullBlobState[] = []): PullBlobState[] => {
    const out = [...pending, ...more];
    pending = [];
    return out;
  };

  for (let index = 0; index < layers.length; index++) {
    const { digest, size, ending } = layers[index];
    const status = `pulling ${digest.slice(7, 19)}`;
    const line = (completed: number): PullLineValue =>
      progress(status, digest, omitTotal ? 0 : size, completed);
    const onDisk = Math.min(Math.max(0, have.get(digest) ?? 0), size);

    if (onDisk >= size) {
      yield { value: line(size), wait: "none", blobs: take() };
      continue;
    }
    downloaded = true;
    if (ending === "none") {
      pending.push({ digest, bytes: size });
      continue;
    }
    yield { value: line(onDisk), wait: "tick", blobs: take([{ digest, bytes: onDisk }]) };
    let done = onDisk;
    let ticks = 0;
    while (done + step < size) {
      done += step;
      ticks++;
      yield { value: line(done), wait: "tick", blobs: [{ digest, bytes: done }] };
      if (backwardsAt !== undefined && backwardsAt.layer === index && backwardsAt.tick === ticks) {
        done -= Math.ceil(step / 2);
        yield { value: line(done), wait: "tick", blobs: [{ digest, bytes: done }] };
      }
    }
    if (ending === "complete") {
      yield { value: line(size), wait: "tick", blobs: [{ digest, bytes: size }] };
    } else {
      pending.push({ digest, bytes: size });
    }
  }

  yield { value: { status: "verifying sha256 digest" }, wait: "none", blobs: take() };
  yield { value: { status: "writing manifest" }, wait: downloaded ? "verify" : "none", blobs: [] };
  if (options.removeUnusedLayers) {
    yield { value: { status: "removing unused layers" }, wait: "none", blobs: [] };
  }
  yield { value: { status: "success" }, wait: "none", blobs: [] };
}

/**
 * Encodes pull lines as Ollama sends them: one JSON object and `\n` each, UTF-8, with Go's
 * escaping of `<`, `>` and `&`.
 *
 * @param lines Lines of a script, or bare values.
 * @returns The bytes of the response body.
 *
 * @example
 * ```ts
 * import { encodePullLines } from "@vtcode/ollama/testing";
 *
 * new TextDecoder().decode(encodePullLines([{ status: "success" }])); // '{"status":"success"}\n'
 * ```
 */
export function encodePullLines(lines: Iterable<PullLine | PullLineValue>): Uint8Array {
  let text = "";
  for (const line of lines) text += encodePullLine("value" in line ? line.value : line);
  return new TextEncoder().encode(text);
}

/**
 * Encodes one pull line: the JSON object (fields in Ollama's order, zeros omitted, Go's HTML
 * escaping) and `\n`.
 *
 * @param value The object.
 * @returns The line, with its newline.
 *
 * @example
 * ```ts
 * import { encodePullLine } from "@vtcode/ollama/testing";
 *
 * encodePullLine({ status: "pulling ab12", digest: "sha256:ab12…", total: 10, completed: 0 });
 * // '{"status":"pulling ab12","digest":"sha256:ab12…","total":10}\n'
 * ```
 */
export function encodePullLine(value: PullLineValue): string {
  if (value.error !== undefined) return `${goJson({ error: value.error })}\n`;
  const ordered: PullLineValue = { status: value.status ?? "" };
  if (value.digest) ordered.digest = value.digest;
  if (value.total) ordered.total = value.total;
  if (value.completed) ordered.completed = value.completed;
  return `${goJson(ordered)}\n`;
}

/**
 * JSON as Go's `encoding/json` writes it: like `JSON.stringify`, plus `<`, `>`, `&`, U+2028 and
 * U+2029 escaped as `\u003c` and so on.
 *
 * @param value Any JSON value.
 * @returns The JSON text.
 *
 * @example
 * ```ts
 * import { goJson } from "@vtcode/ollama/testing";
 *
 * goJson({ error: "a <b> & c" }); // '{"error":"a \\u003cb\\u003e \\u0026 c"}'
 * ```
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function progress(status: string, digest: string, total: number, completed: number): PullLineValue {
  const value: PullLineValue = { status, digest };
  if (total > 0) value.total = total;
  if (completed > 0) value.completed = completed;
  return value;
}

function chooseRollback(
  layers: readonly { digest: string; size: number; ending: FakeLayerEnding }[],
  have: ReadonlyMap<string, number>,
  step: number,
): { layer: number; tick: number } | undefined {
  let fallback: { layer: number; tick: number } | undefined;
  for (let index = 0; index < layers.length; index++) {
    const { digest, size, ending } = layers[index];
    const onDisk = Math.min(Math.max(0, have.get(digest) ?? 0), size);
    if (onDisk >= size || ending === "none") continue;
    const ticks = Math.ceil((size - onDisk) / step) - 1;
    if (ticks >= 2) return { layer: index, tick: 2 };
    if (ticks >= 1 && fallback === undefined) fallback = { layer: index, tick: 1 };
  }
  return fallback;
}
