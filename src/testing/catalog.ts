/**
 * What the fake Ollama server can pull: catalog entries with their layers (blobs), a small
 * default catalog of real-looking models, a helper for tiny test models, and deterministic
 * digests (no crypto: a small pure hash, so the same name always gives the same digest).
 *
 * @module
 */

import { modelKey } from "./model_name.ts";

/**
 * Media type of a model's weights layer.
 *
 * @example
 * ```ts
 * import { MEDIA_TYPE_MODEL } from "@vtcode/ollama/testing";
 *
 * MEDIA_TYPE_MODEL; // "application/vnd.ollama.image.model"
 * ```
 */
export const MEDIA_TYPE_MODEL = "application/vnd.ollama.image.model";
/**
 * Media type of a vision model's projector layer (a second big layer after the weights).
 *
 * @example
 * ```ts
 * import { MEDIA_TYPE_PROJECTOR } from "@vtcode/ollama/testing";
 *
 * MEDIA_TYPE_PROJECTOR; // "application/vnd.ollama.image.projector"
 * ```
 */
export const MEDIA_TYPE_PROJECTOR = "application/vnd.ollama.image.projector";
/**
 * Media type of a model's config blob (the manifest's `config`, pulled last).
 *
 * @example
 * ```ts
 * import { MEDIA_TYPE_CONFIG } from "@vtcode/ollama/testing";
 *
 * MEDIA_TYPE_CONFIG; // "application/vnd.docker.container.image.v1+json"
 * ```
 */
export const MEDIA_TYPE_CONFIG = "application/vnd.docker.container.image.v1+json";
/**
 * Media type of a model's parameters layer.
 *
 * @example
 * ```ts
 * import { MEDIA_TYPE_PARAMS } from "@vtcode/ollama/testing";
 *
 * MEDIA_TYPE_PARAMS; // "application/vnd.ollama.image.params"
 * ```
 */
export const MEDIA_TYPE_PARAMS = "application/vnd.ollama.image.params";
/**
 * Media type of a model's prompt template layer.
 *
 * @example
 * ```ts
 * import { MEDIA_TYPE_TEMPLATE } from "@vtcode/ollama/testing";
 *
 * MEDIA_TYPE_TEMPLATE; // "application/vnd.ollama.image.template"
 * ```
 */
export const MEDIA_TYPE_TEMPLATE = "application/vnd.ollama.image.template";
/**
 * Media type of a model's license layer.
 *
 * @example
 * ```ts
 * import { MEDIA_TYPE_LICENSE } from "@vtcode/ollama/testing";
 *
 * MEDIA_TYPE_LICENSE; // "application/vnd.ollama.image.license"
 * ```
 */
export const MEDIA_TYPE_LICENSE = "application/vnd.ollama.image.license";

/**
 * How the progress lines of a layer that is being downloaded end. Ollama reports progress on a
 * 60 ms ticker and stops when the layer is done, so the final tick is not guaranteed:
 * - `"complete"`: the last line shows `completed == total`;
 * - `"short"`: the final tick is missed, so the last line shows `completed < total` (for a layer
 *   that fits in one tick: only the first line, which has `total` and no `completed`);
 * - `"none"`: the layer downloads between two ticks and gives no line at all.
 *
 * A layer that is already on disk always gives exactly one line, with `completed == total`.
 *
 * @example
 * ```ts
 * import type { FakeLayerEnding } from "@vtcode/ollama/testing";
 *
 * const ending: FakeLayerEnding = "short";
 * ```
 */
export type FakeLayerEnding = "complete" | "short" | "none";

/**
 * One layer (blob) of a catalog entry.
 *
 * @example
 * ```ts
 * import type { FakeLayer } from "@vtcode/ollama/testing";
 *
 * const weights: FakeLayer = { size: 4_661_211_424, mediaType: "application/vnd.ollama.image.model" };
 * ```
 */
export interface FakeLayer {
  /** Size in bytes. */
  size: number;
  /**
   * `sha256:` and 64 hex digits (a bare 64-hex digest is accepted too). Default: derived from the
   * entry's name and the layer's index by {@link fakeDigest}. Entries that share a digest share
   * the blob, as in Ollama: pulling one after the other reports the layer as already present.
   */
  digest?: string;
  /**
   * Default: the model media type for the first layer, the config media type for the last one
   * (when there are two or more), the params media type otherwise.
   */
  mediaType?: string;
  /**
   * How the layer's progress lines end when it is downloaded. Default: `"short"` for layers under
   * 1 KiB (only the `total` line), `"complete"` otherwise. See {@link FakeLayerEnding}.
   */
  ending?: FakeLayerEnding;
}

/**
 * A pullable model. `layers` are in manifest order; the last one is the config blob, which
 * Ollama pulls last.
 *
 * @example
 * ```ts
 * import type { FakeCatalogEntry } from "@vtcode/ollama/testing";
 *
 * const entry: FakeCatalogEntry = {
 *   name: "tiny:latest",
 *   layers: [{ size: 4096 }, { size: 300 }],
 *   family: "llama",
 * };
 * ```
 */
export interface FakeCatalogEntry {
  /** The model's name; any alias works (`llama3` is `llama3:latest`). */
  name: string;
  /** Layers in manifest order, config blob last. */
  layers: readonly FakeLayer[];
  /** `details.family`. Default `"llama"`. */
  family?: string;
  /** `details.families`. Default `[family]`; `null` is sent as `null`, as Ollama may. */
  families?: readonly string[] | null;
  /** `details.parameter_size`, e.g. `"8.0B"`. Default `"1B"`. */
  parameterSize?: string;
  /** `details.quantization_level`, e.g. `"Q4_0"`. Default `"Q4_0"`. */
  quantization?: string;
  /** `details.format`. Default `"gguf"` (`""` for a cloud stub). */
  format?: string;
  /**
   * Capabilities shown by `/api/tags` and `/api/show`. Default `["embedding"]` for BERT
   * families, else `["completion"]`, plus `"vision"` when a layer is a projector; none for a
   * cloud stub.
   */
  capabilities?: readonly string[];
  /** `details.context_length` in `/api/tags` (omitted when 0). Default 0. */
  contextLength?: number;
  /** `details.embedding_length` in `/api/tags` (omitted when 0). Default 0. */
  embeddingLength?: number;
  /**
   * A cloud model's stub (`x:cloud`, `x:8b-cloud`): `remote_model` and `remote_host` in
   * `/api/tags`; its small layers download between two ticks, so its pull shows no layer line.
   */
  remote?: { model: string; host?: string };
}

/**
 * A layer with every default filled in, as the fake server and {@link pullScript} use it.
 *
 * @example
 * ```ts
 * import { DEFAULT_CATALOG, resolveLayers } from "@vtcode/ollama/testing";
 *
 * const [weights] = resolveLayers(DEFAULT_CATALOG[0]);
 * weights.digest; // "sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa"
 * ```
 */
export interface ResolvedLayer {
  /** `sha256:` and 64 lowercase hex digits. */
  digest: string;
  /** Size in bytes. */
  size: number;
  /** Media type. */
  mediaType: string;
  /** How its progress lines end when it is downloaded. */
  ending: FakeLayerEnding;
}

/** Layers under this size default to the `"short"` ending. */
const SHORT_ENDING_BELOW = 1024;

/**
 * A deterministic 64-hex digest for any text (no `sha256:` prefix): the same text always gives
 * the same digest, different texts practically never collide. Not cryptographic.
 *
 * @param seed Any text, e.g. `"tiny:latest#0"`.
 * @returns 64 lowercase hex digits.
 *
 * @example
 * ```ts
 * import { fakeDigest } from "@vtcode/ollama/testing";
 *
 * fakeDigest("tiny:latest#0").length; // 64
 * fakeDigest("a") === fakeDigest("a"); // true
 * ```
 */
export function fakeDigest(seed: string): string {
  // FNV-1a over the UTF-16 code units, then eight rounds of a 32-bit avalanche mix.
  let state = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    state ^= seed.charCodeAt(i);
    state = Math.imul(state, 0x01000193);
  }
  let out = "";
  for (let round = 0; round < 8; round++) {
    state = (state + 0x9e3779b9) | 0;
    let word = state ^ (seed.length + round * 0x27d4eb2f);
    word = Math.imul(word ^ (word >>> 16), 0x85ebca6b);
    word = Math.imul(word ^ (word >>> 13), 0xc2b2ae35);
    word ^= word >>> 16;
    state ^= word;
    out += (word >>> 0).toString(16).padStart(8, "0");
  }
  return out;
}

/**
 * A catalog entry's layers with every default filled in: digests (`sha256:` + 64 hex), media
 * types and endings.
 *
 * @param entry A catalog entry.
 * @returns Its layers, in manifest order (config blob last).
 * @throws {TypeError} When a layer has a negative or fractional size or a malformed digest.
 *
 * @example
 * ```ts
 * import { resolveLayers, smallCatalog } from "@vtcode/ollama/testing";
 *
 * const [entry] = smallCatalog({ "tiny:latest": [4096, 300] });
 * resolveLayers(entry).map((layer) => layer.ending); // ["complete", "short"]
 * ```
 */
export function resolveLayers(entry: FakeCatalogEntry): ResolvedLayer[] {
  const key = modelKey(entry.name);
  const count = entry.layers.length;
  return entry.layers.map((layer, index): ResolvedLayer => {
    if (!Number.isSafeInteger(layer.size) || layer.size < 0) {
      throw new TypeError(`layer ${index} of ${entry.name}: size must be a whole number >= 0`);
    }
    return {
      digest: normalizeDigest(layer.digest ?? fakeDigest(`${key}#${index}`), entry.name, index),
      size: layer.size,
      mediaType: layer.mediaType ??
        (index === 0
          ? MEDIA_TYPE_MODEL
          : index === count - 1
          ? MEDIA_TYPE_CONFIG
          : MEDIA_TYPE_PARAMS),
      ending: layer.ending ?? (layer.size < SHORT_ENDING_BELOW ? "short" : "complete"),
    };
  });
}

/**
 * The size `/api/tags` reports for an entry: the sum of its layers.
 *
 * @param entry A catalog entry.
 * @returns Bytes.
 *
 * @example
 * ```ts
 * import { catalogEntrySize, smallCatalog } from "@vtcode/ollama/testing";
 *
 * catalogEntrySize(smallCatalog({ "tiny:latest": [4096, 300] })[0]); // 4396
 * ```
 */
export function catalogEntrySize(entry: FakeCatalogEntry): number {
  return entry.layers.reduce((sum, layer) => sum + layer.size, 0);
}

/**
 * Tiny test models with byte sizes of your choosing. A number is one layer of that size; an
 * array lists the layers in manifest order (the last is the config blob), each a size or a full
 * {@link FakeLayer}.
 *
 * @param models Model name to layer size(s).
 * @param details Details shared by every entry (family, parameter size, quantization...).
 * @returns Catalog entries, in the order given.
 *
 * @example
 * ```ts
 * import { FakeOllama, smallCatalog } from "@vtcode/ollama/testing";
 *
 * const fake = new FakeOllama({
 *   catalog: smallCatalog({ "tiny:latest": [4096, 300], "other:1b": 10_000 }),
 *   tickMs: 0,
 * });
 * ```
 */
export function smallCatalog(
  models: Readonly<Record<string, number | readonly (number | FakeLayer)[]>>,
  details: Omit<FakeCatalogEntry, "name" | "layers"> = {},
): FakeCatalogEntry[] {
  return Object.entries(models).map(([name, spec]) => ({
    ...details,
    name,
    layers: (typeof spec === "number" ? [spec] : spec).map((layer) =>
      typeof layer === "number" ? { size: layer } : layer
    ),
  }));
}

/**
 * The capabilities a catalog entry shows: its own, else those its family and layers imply.
 *
 * @param entry A catalog entry.
 * @returns E.g. `["completion", "vision"]`.
 *
 * @example
 * ```ts
 * import { catalogCapabilities, DEFAULT_CATALOG } from "@vtcode/ollama/testing";
 *
 * catalogCapabilities(DEFAULT_CATALOG[0]); // ["completion"]
 * ```
 */
export function catalogCapabilities(entry: FakeCatalogEntry): string[] {
  if (entry.capabilities !== undefined) return [...entry.capabilities];
  if (entry.remote !== undefined) return [];
  const base = /bert/i.test(entry.family ?? "") ? ["embedding"] : ["completion"];
  const vision = entry.layers.some((layer) => layer.mediaType === MEDIA_TYPE_PROJECTOR);
  return vision ? [...base, "vision"] : base;
}

/**
 * The default catalog: a few small, realistic entries.
 * - `llama3:latest` and its alias `llama3:8b` (the same blobs): the real layer sizes and digests
 *   (weights 4661211424, license 12403, template 254, params 110, config 485), with the endings of
 *   a recorded pull (the license layer's last line short of its total);
 * - `tinyllama:latest`: about 637 MB in 4 layers;
 * - `qwen3:0.6b`: about 523 MB in 5 layers;
 * - `all-minilm:latest`: an embedding model of about 46 MB whose 16-byte params layer gives no
 *   progress line at all;
 * - `llava:latest`: a vision model, about 4.1 GB of weights and then a 624 MB projector (two big
 *   layers announced one after the other);
 * - `gpt-oss:120b-cloud`: a cloud model's stub (`remote_model` `gpt-oss:120b` on ollama.com),
 *   whose pull shows no layer line.
 *
 * @example
 * ```ts
 * import { DEFAULT_CATALOG } from "@vtcode/ollama/testing";
 *
 * DEFAULT_CATALOG.map((entry) => entry.name);
 * // ["llama3:latest", "llama3:8b", "tinyllama:latest", "qwen3:0.6b", "all-minilm:latest",
 * //  "llava:latest", "gpt-oss:120b-cloud"]
 * ```
 */
export const DEFAULT_CATALOG: readonly FakeCatalogEntry[] = Object.freeze([
  llama3("llama3:latest"),
  llama3("llama3:8b"),
  {
    name: "tinyllama:latest",
    family: "llama",
    parameterSize: "1B",
    quantization: "Q4_0",
    layers: [
      { size: 637_699_456, mediaType: MEDIA_TYPE_MODEL },
      { size: 70, mediaType: MEDIA_TYPE_TEMPLATE },
      { size: 98, mediaType: MEDIA_TYPE_PARAMS },
      { size: 483, mediaType: MEDIA_TYPE_CONFIG },
    ],
  },
  {
    name: "qwen3:0.6b",
    family: "qwen3",
    parameterSize: "751.63M",
    quantization: "Q4_K_M",
    layers: [
      { size: 522_643_328, mediaType: MEDIA_TYPE_MODEL },
      { size: 1_723, mediaType: MEDIA_TYPE_TEMPLATE },
      { size: 11_338, mediaType: MEDIA_TYPE_LICENSE },
      { size: 148, mediaType: MEDIA_TYPE_PARAMS },
      { size: 488, mediaType: MEDIA_TYPE_CONFIG },
    ],
  },
  {
    name: "all-minilm:latest",
    family: "bert",
    parameterSize: "23M",
    quantization: "F16",
    capabilities: ["embedding"],
    contextLength: 512,
    embeddingLength: 384,
    layers: [
      { size: 45_949_216, mediaType: MEDIA_TYPE_MODEL },
      { size: 11_357, mediaType: MEDIA_TYPE_LICENSE },
      { size: 16, mediaType: MEDIA_TYPE_PARAMS, ending: "none" },
      { size: 557, mediaType: MEDIA_TYPE_CONFIG },
    ],
  },
  {
    name: "llava:latest",
    family: "llama",
    families: ["llama", "clip"],
    parameterSize: "7B",
    quantization: "Q4_0",
    contextLength: 32_768,
    embeddingLength: 4_096,
    layers: [
      { size: 4_113_858_752, mediaType: MEDIA_TYPE_MODEL },
      { size: 624_434_368, mediaType: MEDIA_TYPE_PROJECTOR },
      { size: 11_356, mediaType: MEDIA_TYPE_LICENSE },
      { size: 67, mediaType: MEDIA_TYPE_TEMPLATE },
      { size: 30, mediaType: MEDIA_TYPE_PARAMS },
      { size: 564, mediaType: MEDIA_TYPE_CONFIG },
    ],
  },
  {
    name: "gpt-oss:120b-cloud",
    family: "gptoss",
    parameterSize: "116.8B",
    quantization: "",
    format: "",
    capabilities: ["completion", "tools", "thinking"],
    contextLength: 131_072,
    remote: { model: "gpt-oss:120b", host: "https://ollama.com:443" },
    layers: [
      { size: 11_357, mediaType: MEDIA_TYPE_LICENSE, ending: "none" },
      { size: 384, mediaType: MEDIA_TYPE_CONFIG, ending: "none" },
    ],
  },
]);

function llama3(name: string): FakeCatalogEntry {
  return {
    name,
    family: "llama",
    parameterSize: "8.0B",
    quantization: "Q4_0",
    layers: [
      {
        size: 4_661_211_424,
        digest: "sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa",
        mediaType: MEDIA_TYPE_MODEL,
      },
      {
        size: 12_403,
        digest: "sha256:4fa551d4f938f68b8c1e6afa9d28befb70e3f33f75d0753248d530364aeea40f",
        mediaType: MEDIA_TYPE_LICENSE,
        ending: "short",
      },
      {
        size: 254,
        digest: "sha256:8ab4849b038cf0abc5b1c9b8ee1443dca6b93a045c2272180d985126eb40bf6f",
        mediaType: MEDIA_TYPE_TEMPLATE,
        ending: "complete",
      },
      {
        size: 110,
        digest: "sha256:577073ffcc6ce95b9981eacc77d1039568639e5638e83044994560d9ef82ce1b",
        mediaType: MEDIA_TYPE_PARAMS,
        ending: "complete",
      },
      {
        size: 485,
        digest: "sha256:3f8eb4da87fa7a3c9da615036b0dc418d31fef2a30b115ff33562588b32c691d",
        mediaType: MEDIA_TYPE_CONFIG,
        ending: "complete",
      },
    ],
  };
}

function normalizeDigest(digest: string, name: string, index: number): string {
  const hex = digest.startsWith("sha256:") ? digest.slice(7) : digest;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new TypeError(`layer ${index} of ${name}: digest must be "sha256:" and 64 hex digits`);
  }
  return `sha256:${hex.toLowerCase()}`;
}
