/**
 * The small models the fake registry makes up: deterministic seeded bytes, a GGUF header that
 * Ollama reads for `/api/tags`, a config blob, template/params/license layers, and the manifest
 * whose exact bytes (and their sha256) the registry serves.
 *
 * @module
 */

/**
 * Media types of the layers the fake registry serves (Ollama's names).
 *
 * @example
 * ```ts
 * import { REGISTRY_MEDIA_TYPES } from "@vtcode/ollama/testing";
 *
 * REGISTRY_MEDIA_TYPES.projector; // "application/vnd.ollama.image.projector"
 * ```
 */
export const REGISTRY_MEDIA_TYPES = {
  manifest: "application/vnd.docker.distribution.manifest.v2+json",
  config: "application/vnd.docker.container.image.v1+json",
  model: "application/vnd.ollama.image.model",
  projector: "application/vnd.ollama.image.projector",
  template: "application/vnd.ollama.image.template",
  system: "application/vnd.ollama.image.system",
  params: "application/vnd.ollama.image.params",
  license: "application/vnd.ollama.image.license",
} as const;

/**
 * A model for the fake registry to make up. Every byte follows from the spec, so the same spec
 * always gives the same digests; a new `seed` gives new weights (and so a new manifest digest:
 * that is how a tag "moves").
 *
 * @example
 * ```ts
 * import type { RegistryModelSpec } from "@vtcode/ollama/testing";
 *
 * const vision: RegistryModelSpec = {
 *   name: "vision:latest",
 *   weightsSize: 12 * 1024 * 1024,
 *   projectorSize: 6 * 1024 * 1024,
 * };
 * ```
 */
export interface RegistryModelSpec {
  /** `model`, `model:tag` or `namespace/model[:tag]`; no host (the registry is the host). */
  name: string;
  /** Seed of the weights' filler bytes. Default: the name. */
  seed?: string;
  /**
   * Size in bytes of the weights layer (a GGUF header, then seeded filler). Default 1 MiB.
   * 0 leaves the layer out (as a cloud model's stub does).
   */
  weightsSize?: number;
  /** Adds a projector layer of this many seeded bytes after the weights (a vision model). */
  projectorSize?: number;
  /** `model_family`, and the GGUF's `general.architecture`. Default `"llama"`. */
  family?: string;
  /** `model_type` (shown as `parameter_size`). Default `"1.2M"`. */
  parameterSize?: string;
  /** `file_type` (shown as `quantization_level`). Default `"Q4_0"`. */
  quantization?: string;
  /** `<arch>.context_length` in the GGUF header. Default 4096. */
  contextLength?: number;
  /** `<arch>.embedding_length` in the GGUF header. Default 256. */
  embeddingLength?: number;
  /** An embedding model: the GGUF header has `<arch>.pooling_type`. Default false. */
  embedding?: boolean;
  /** The template layer's text; `null` leaves it out. Default `"{{ .Prompt }}"`. */
  template?: string | null;
  /** A system layer's text. Default: none. */
  system?: string | null;
  /** The params layer's JSON; `null` leaves it out. Default `{"stop":["</s>"]}`. */
  params?: Readonly<Record<string, unknown>> | null;
  /** The license layer's text; `null` leaves it out. Default a one-line made-up license. */
  license?: string | null;
  /**
   * A cloud model's stub: the config carries `remote_host` and `remote_model` (and
   * `capabilities`), and there is no weights layer unless `weightsSize` asks for one.
   */
  remote?: { host: string; model: string; capabilities?: readonly string[] };
}

/**
 * One blob of a manifest, as the manifest lists it.
 *
 * @example
 * ```ts
 * import type { RegistryLayer } from "@vtcode/ollama/testing";
 *
 * const layer: RegistryLayer = {
 *   mediaType: "application/vnd.ollama.image.license",
 *   digest: `sha256:${"0".repeat(64)}`,
 *   size: 42,
 * };
 * ```
 */
export interface RegistryLayer {
  /** The layer's media type. */
  readonly mediaType: string;
  /** `sha256:` and the 64 hex digits of the blob's sha256. */
  readonly digest: string;
  /** The blob's size in bytes. */
  readonly size: number;
}

/**
 * A made-up model, ready to serve: the manifest's exact bytes and digest, and every blob.
 *
 * @example
 * ```ts
 * import { buildRegistryModel } from "@vtcode/ollama/testing";
 *
 * const model = await buildRegistryModel({ name: "tiny", weightsSize: 4096 });
 * model.repository; // "library/tiny"
 * model.digest; // "sha256:..." = sha256 of model.manifest
 * ```
 */
export interface BuiltRegistryModel {
  /** `namespace/model`, lowercase, e.g. `library/tiny`. */
  readonly repository: string;
  /** The tag, e.g. `latest`. */
  readonly tag: string;
  /** The spec it was built from. */
  readonly spec: RegistryModelSpec;
  /** The manifest's exact bytes, as served. */
  readonly manifest: Uint8Array<ArrayBuffer>;
  /** `sha256:<hex>` of {@link BuiltRegistryModel.manifest}; what `/api/tags` shows (without `sha256:`). */
  readonly digest: string;
  /** The config blob's entry. */
  readonly config: RegistryLayer;
  /** The layers in manifest order (config not included). */
  readonly layers: readonly RegistryLayer[];
  /** Every blob (layers and config) by digest. */
  readonly blobs: ReadonlyMap<string, Uint8Array<ArrayBuffer>>;
  /** Sum of the layers' and the config's sizes (Ollama's `size` in `/api/tags`). */
  readonly size: number;
}

/**
 * A model name split into the registry's repository and tag, by Ollama's defaults (`library`,
 * `latest`), lowercased (registries compare names case-insensitively).
 *
 * @param name `model`, `model:tag` or `namespace/model[:tag]`.
 * @returns The repository (`namespace/model`) and the tag.
 * @throws {TypeError} When the name has a host or more than two path parts, or is empty.
 *
 * @example
 * ```ts
 * import { registryReference } from "@vtcode/ollama/testing";
 *
 * registryReference("Tiny"); // { repository: "library/tiny", tag: "latest" }
 * registryReference("me/m:8b"); // { repository: "me/m", tag: "8b" }
 * ```
 */
export function registryReference(name: string): { repository: string; tag: string } {
  const text = name.trim().toLowerCase();
  const slash = text.lastIndexOf("/");
  const colon = text.lastIndexOf(":");
  const tag = colon > slash ? text.slice(colon + 1) : "latest";
  const path = colon > slash ? text.slice(0, colon) : text;
  const parts = path.split("/");
  if (path === "" || tag === "" || parts.length > 2 || parts.some((part) => part === "")) {
    throw new TypeError(`not a registry model name (namespace/model:tag, no host): ${name}`);
  }
  return { repository: parts.length === 1 ? `library/${parts[0]}` : path, tag };
}

/**
 * Deterministic filler bytes: the same seed and size always give the same bytes (a small
 * xorshift generator seeded from the text; not random enough for anything but tests).
 *
 * @param seed Any text.
 * @param size How many bytes.
 * @returns The bytes.
 *
 * @example
 * ```ts
 * import { seededBytes } from "@vtcode/ollama/testing";
 *
 * seededBytes("tiny", 4).length; // 4, and always the same 4 bytes
 * ```
 */
export function seededBytes(seed: string, size: number): Uint8Array<ArrayBuffer> {
  let state = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    state = Math.imul(state ^ seed.charCodeAt(i), 0x01000193);
  }
  if (state === 0) state = 0x9e3779b9;
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[i] = state >>> 0;
  }
  return new Uint8Array(words.buffer, 0, size);
}

/**
 * The `sha256:<hex>` digest of some bytes (Web Crypto).
 *
 * @param bytes The bytes.
 * @returns `sha256:` and 64 lowercase hex digits.
 *
 * @example
 * ```ts
 * import { sha256Digest } from "@vtcode/ollama/testing";
 *
 * await sha256Digest(new Uint8Array()); // "sha256:e3b0c442..."
 * ```
 */
export async function sha256Digest(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `sha256:${Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The models a {@link FakeRegistry} serves when none are given, sized so that real pulls take
 * seconds at the speeds a test chooses:
 * - `tiny` (`library/tiny:latest`): 2 MiB weights, template, params, license;
 * - `vision`: 12 MiB weights and a 6 MiB projector (two big layers announced one after another);
 * - `embed`: 1 MiB embedding weights (GGUF `pooling_type`), no template;
 * - `cloudy:8b-cloud` and `cloudy:cloud`: cloud stubs (config with `remote_host`/`remote_model`,
 *   no weights).
 *
 * @example
 * ```ts
 * import { DEFAULT_REGISTRY_MODELS } from "@vtcode/ollama/testing";
 *
 * DEFAULT_REGISTRY_MODELS.map((m) => m.name); // ["tiny", "vision", "embed", ...]
 * ```
 */
export const DEFAULT_REGISTRY_MODELS: readonly RegistryModelSpec[] = Object.freeze([
  { name: "tiny", weightsSize: 2 * 1024 * 1024 },
  { name: "vision", weightsSize: 12 * 1024 * 1024, projectorSize: 6 * 1024 * 1024 },
  {
    name: "embed",
    weightsSize: 1024 * 1024,
    family: "bert",
    embedding: true,
    template: null,
    params: null,
  },
  cloudStub("cloudy:8b-cloud", "cloudy:8b", { parameterSize: "8B" }),
  cloudStub("cloudy:cloud", "cloudy", { parameterSize: "8B" }),
]);

/**
 * The spec of a cloud model's stub, as the real registry serves one: no weights, no template or
 * params, a config with `remote_host` (`https://ollama.com:443`), `remote_model` and capabilities.
 *
 * @param name The stub's name, e.g. `gpt-oss:120b-cloud` or `gpt-oss:cloud`.
 * @param remoteModel The model it stands for on ollama.com, e.g. `gpt-oss:120b`.
 * @param extra More of the spec (e.g. `parameterSize`, or `remote.capabilities` via `remote`).
 * @returns The spec.
 *
 * @example
 * ```ts
 * import { cloudStub, FakeRegistry } from "@vtcode/ollama/testing";
 *
 * const registry = new FakeRegistry({ models: [cloudStub("gpt-oss:120b-cloud", "gpt-oss:120b")] });
 * ```
 */
export function cloudStub(
  name: string,
  remoteModel: string,
  extra: Partial<RegistryModelSpec> = {},
): RegistryModelSpec {
  return {
    name,
    weightsSize: 0,
    quantization: "",
    template: null,
    params: null,
    remote: {
      host: "https://ollama.com:443",
      model: remoteModel,
      capabilities: ["completion", "tools"],
    },
    ...extra,
  };
}

/**
 * Makes up a model from its spec: blobs, config, manifest bytes and digests.
 *
 * @param spec What to make.
 * @returns The model, ready to serve.
 * @throws {TypeError} When the name is not a registry model name or a size is invalid.
 *
 * @example
 * ```ts
 * import { buildRegistryModel, sha256Digest } from "@vtcode/ollama/testing";
 *
 * const model = await buildRegistryModel({ name: "tiny", weightsSize: 4096 });
 * model.digest === await sha256Digest(model.manifest); // true
 * ```
 */
export async function buildRegistryModel(spec: RegistryModelSpec): Promise<BuiltRegistryModel> {
  const { repository, tag } = registryReference(spec.name);
  const family = spec.family ?? "llama";
  const seed = spec.seed ?? `${repository}:${tag}`;
  const encoder = new TextEncoder();
  const parts: { mediaType: string; bytes: Uint8Array<ArrayBuffer> }[] = [];

  const weightsSize = spec.weightsSize ?? (spec.remote ? 0 : 1024 * 1024);
  checkSize("weightsSize", weightsSize);
  if (weightsSize > 0) {
    parts.push({ mediaType: REGISTRY_MEDIA_TYPES.model, bytes: weights(spec, family, seed) });
  }
  if (spec.projectorSize !== undefined) {
    checkSize("projectorSize", spec.projectorSize);
    parts.push({
      mediaType: REGISTRY_MEDIA_TYPES.projector,
      bytes: seededBytes(`${seed}/projector`, spec.projectorSize),
    });
  }
  const template = spec.template === undefined ? "{{ .Prompt }}" : spec.template;
  if (template !== null) {
    parts.push({ mediaType: REGISTRY_MEDIA_TYPES.template, bytes: encoder.encode(template) });
  }
  if (spec.system !== undefined && spec.system !== null) {
    parts.push({ mediaType: REGISTRY_MEDIA_TYPES.system, bytes: encoder.encode(spec.system) });
  }
  const params = spec.params === undefined ? { stop: ["</s>"] } : spec.params;
  if (params !== null) {
    parts.push({
      mediaType: REGISTRY_MEDIA_TYPES.params,
      bytes: encoder.encode(JSON.stringify(params)),
    });
  }
  const license = spec.license === undefined
    ? `Made-up test model ${repository}:${tag}. No rights, no warranty.\n`
    : spec.license;
  if (license !== null) {
    parts.push({ mediaType: REGISTRY_MEDIA_TYPES.license, bytes: encoder.encode(license) });
  }

  const blobs = new Map<string, Uint8Array<ArrayBuffer>>();
  const layers: RegistryLayer[] = [];
  for (const part of parts) {
    const digest = await sha256Digest(part.bytes);
    blobs.set(digest, part.bytes);
    layers.push({ mediaType: part.mediaType, digest, size: part.bytes.length });
  }

  const configBytes = encoder.encode(JSON.stringify(configJson(spec, family, layers)));
  const config: RegistryLayer = {
    mediaType: REGISTRY_MEDIA_TYPES.config,
    digest: await sha256Digest(configBytes),
    size: configBytes.length,
  };
  blobs.set(config.digest, configBytes);

  const manifest = encoder.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: REGISTRY_MEDIA_TYPES.manifest,
    config,
    layers,
  }));
  return {
    repository,
    tag,
    spec,
    manifest,
    digest: await sha256Digest(manifest),
    config,
    layers,
    blobs,
    size: layers.reduce((sum, layer) => sum + layer.size, config.size),
  };
}

function checkSize(key: string, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new TypeError(`${key} must be a whole number of bytes >= 0, got ${size}`);
  }
}

/** The config blob: what Ollama reads for `details` (and, for remotes, `remote_*`). */
function configJson(
  spec: RegistryModelSpec,
  family: string,
  layers: readonly RegistryLayer[],
): Record<string, unknown> {
  const config: Record<string, unknown> = {
    model_format: spec.remote && !spec.weightsSize ? "" : "gguf",
    model_family: family,
    model_families: [family],
    model_type: spec.parameterSize ?? "1.2M",
    file_type: spec.quantization ?? "Q4_0",
  };
  if (spec.remote) {
    config.remote_host = spec.remote.host;
    config.remote_model = spec.remote.model;
    if (spec.remote.capabilities) config.capabilities = [...spec.remote.capabilities];
    config.context_length = spec.contextLength ?? 4096;
  }
  config.architecture = "amd64";
  config.os = "linux";
  config.rootfs = { type: "layers", diff_ids: layers.map((layer) => layer.digest) };
  return config;
}

// GGUF value types (the subset written here).
const GGUF_UINT32 = 4;
const GGUF_STRING = 8;

/**
 * The weights: a minimal GGUF v3 header (no tensors; the keys Ollama's model list reads), then
 * seeded filler up to the size. A size smaller than the header gives filler only.
 */
function weights(spec: RegistryModelSpec, family: string, seed: string): Uint8Array<ArrayBuffer> {
  const size = spec.weightsSize ?? 1024 * 1024;
  const out = seededBytes(`${seed}/weights`, size);
  const kv: [string, number | string][] = [
    ["general.architecture", family],
    [`${family}.context_length`, spec.contextLength ?? 4096],
    [`${family}.embedding_length`, spec.embeddingLength ?? 256],
  ];
  if (spec.embedding) kv.push([`${family}.pooling_type`, 1]);
  const header = ggufHeader(kv);
  if (header.length <= size) out.set(header);
  return out;
}

function ggufHeader(kv: readonly [string, number | string][]): Uint8Array {
  const encoder = new TextEncoder();
  const chunks: number[] = [];
  const u32 = (value: number) => {
    for (let i = 0; i < 4; i++) chunks.push((value >>> (8 * i)) & 0xff);
  };
  const u64 = (value: number) => {
    u32(value);
    u32(0);
  };
  const text = (value: string) => {
    const bytes = encoder.encode(value);
    u64(bytes.length);
    chunks.push(...bytes);
  };
  chunks.push(...encoder.encode("GGUF"));
  u32(3); // version
  u64(0); // tensors
  u64(kv.length);
  for (const [key, value] of kv) {
    text(key);
    if (typeof value === "string") {
      u32(GGUF_STRING);
      text(value);
    } else {
      u32(GGUF_UINT32);
      u32(value);
    }
  }
  return new Uint8Array(chunks);
}
