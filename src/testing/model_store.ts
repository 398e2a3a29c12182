/**
 * The fake server's disk: installed models (what `/api/tags` lists) and blobs, whole or partly
 * downloaded, with the first bytes of each registry blob kept for reading (config, template,
 * license, the weights' GGUF header).
 *
 * @module
 */

import {
  catalogCapabilities,
  catalogEntrySize,
  DEFAULT_CATALOG,
  type FakeCatalogEntry,
  fakeDigest,
  type ResolvedLayer,
  resolveLayers,
} from "./catalog.ts";
import type { FakeModelInit } from "./fake_options.ts";
import { rfc3339Nano } from "./go_time.ts";
import { type FakeModelName, modelKey, parseModelName } from "./model_name.ts";

/** `details` of a listed model, in Ollama's key order. */
export interface ModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[] | null;
  parameter_size: string;
  quantization_level: string;
  context_length?: number;
  embedding_length?: number;
}

/** A model on the fake's disk. */
export interface InstalledModel {
  name: FakeModelName;
  layers: readonly ResolvedLayer[];
  /** The manifest's config blob, when it came from a registry. */
  config: string | undefined;
  size: number;
  /** 64 hex (no `sha256:`). */
  digest: string;
  modifiedAt: string;
  order: number;
  sequence: number;
  details: ModelDetails;
  capabilities: string[];
  remote: { model: string; host: string } | undefined;
  /** What `/api/show` adds: texts of the template, license and params layers. */
  texts: { template?: string; license?: string; params?: Record<string, unknown> };
}

/** A blob being downloaded from a registry, in parts, kept when a download stops. */
export interface PartialBlob {
  total: number;
  parts: { offset: number; size: number; completed: number }[];
}

/** The catalog entry and its resolved layers. */
export interface CatalogItem {
  entry: FakeCatalogEntry;
  layers: ResolvedLayer[];
}

/** Fixed install times of the constructor's models: 2025-06-01T12:00:00Z, one minute apart. */
const BASE_TIME = Date.UTC(2025, 5, 1, 12, 0, 0);
/** Bytes of each registry blob kept for reading. */
export const KEPT_BYTES = 64 * 1024;

let defaultItems: Map<string, CatalogItem> | undefined;

/** An installed model missing from a custom catalog still takes its details from the default. */
function defaultCatalogItem(key: string): CatalogItem | undefined {
  defaultItems ??= new Map(
    DEFAULT_CATALOG.map((entry) => [modelKey(entry.name), { entry, layers: resolveLayers(entry) }]),
  );
  return defaultItems.get(key);
}

/** Installed models, blobs and partial downloads. */
export class ModelStore {
  readonly catalog = new Map<string, CatalogItem>();
  readonly #installed = new Map<string, InstalledModel>();
  /** Bytes on disk per blob digest (whole blobs and partial downloads). */
  readonly #bytes = new Map<string, number>();
  /** Sizes of the blobs known to be whole. */
  readonly #whole = new Map<string, number>();
  readonly #partials = new Map<string, PartialBlob>();
  readonly #kept = new Map<string, Uint8Array>();
  #sequence = 0;

  constructor(catalog: readonly FakeCatalogEntry[], models: readonly (string | FakeModelInit)[]) {
    for (const entry of catalog) {
      const name = parseModelName(entry.name);
      if (name === undefined) throw new TypeError(`invalid catalog model name: ${entry.name}`);
      this.catalog.set(name.key, { entry, layers: resolveLayers(entry) });
    }
    models.forEach((model, index) => {
      const init = typeof model === "string" ? { name: model } : model;
      this.install(init, init.modifiedAt ?? new Date(BASE_TIME - index * 60_000), -index);
    });
  }

  /** The installed model of a key, if any. */
  get(key: string): InstalledModel | undefined {
    return this.#installed.get(key);
  }

  /** Installed models, newest first (ties: the later install first). */
  list(): InstalledModel[] {
    return [...this.#installed.values()].sort((a, b) =>
      b.order - a.order || b.sequence - a.sequence
    );
  }

  /** The next install sequence number. */
  nextSequence(): number {
    return ++this.#sequence;
  }

  /** Installs a model from a name or description, with its layers on disk. */
  install(init: FakeModelInit, modifiedAt: Date | string, order?: number): void {
    const name = parseModelName(init.name);
    if (name === undefined) throw new TypeError(`invalid model name: ${init.name}`);
    const item = this.catalog.get(name.key) ?? defaultCatalogItem(name.key);
    const entry: FakeCatalogEntry = item?.entry ?? {
      name: name.short,
      layers: [{ size: init.size ?? 100_000_000 + parseInt(fakeDigest(name.key).slice(0, 7), 16) }],
    };
    this.installCatalog(name, entry, item?.layers ?? resolveLayers(entry), modifiedAt, order, init);
  }

  /** Installs a catalog entry's model under `name` (a finished catalog pull). */
  installCatalog(
    name: FakeModelName,
    entry: FakeCatalogEntry,
    layers: readonly ResolvedLayer[],
    modifiedAt: Date | string,
    order = this.nextSequence(),
    init: Partial<FakeModelInit> = {},
  ): void {
    for (const layer of layers) this.setWhole(layer.digest, layer.size);
    const family = init.family ?? entry.family ?? "llama";
    const families = init.families !== undefined
      ? init.families
      : entry.families !== undefined
      ? entry.families
      : [family];
    const remote = init.remote ?? entry.remote;
    const capabilities = init.capabilities ?? catalogCapabilities({ ...entry, family });
    this.put({
      name,
      layers,
      config: undefined,
      size: init.size ?? catalogEntrySize(entry),
      digest: (init.digest ?? fakeDigest(layers.map((layer) => layer.digest).join(","))).replace(
        /^sha256:/,
        "",
      ),
      modifiedAt: typeof modifiedAt === "string" ? modifiedAt : rfc3339Nano(modifiedAt, name.key),
      order: typeof modifiedAt === "string" ? Date.parse(modifiedAt) || 0 : modifiedAt.getTime(),
      sequence: order,
      details: details({
        parent_model: init.parentModel ?? "",
        format: init.format ?? entry.format ?? (remote ? "" : "gguf"),
        family,
        families: families === null ? null : [...families],
        parameter_size: init.parameterSize ?? entry.parameterSize ?? "1B",
        quantization_level: init.quantization ?? entry.quantization ?? "Q4_0",
        context_length: init.contextLength ?? entry.contextLength,
        embedding_length: init.embeddingLength ?? entry.embeddingLength,
      }),
      capabilities: [...capabilities],
      remote: remote && { model: remote.model, host: remote.host ?? "https://ollama.com:443" },
      texts: {},
    });
  }

  /** Stores a model as it is (a finished registry pull). */
  put(model: InstalledModel): void {
    this.#installed.set(model.name.key, model);
  }

  /**
   * Removes an installed model and its whole blobs that no other model uses (partial downloads
   * stay).
   */
  remove(key: string): boolean {
    const model = this.#installed.get(key);
    if (model === undefined) return false;
    this.#installed.delete(key);
    this.dropUnused(blobsOf(model));
    return true;
  }

  /** Deletes the given blobs unless an installed model still uses them. */
  dropUnused(digests: Iterable<string>): void {
    const used = new Set<string>();
    for (const other of this.#installed.values()) {
      for (const digest of blobsOf(other)) used.add(digest);
    }
    for (const digest of digests) {
      if (used.has(digest) || !this.#whole.has(digest)) continue;
      this.#bytes.delete(digest);
      this.#whole.delete(digest);
      this.#kept.delete(digest);
    }
  }

  /** Bytes on disk per digest, whole and partial (a copy). */
  bytes(): Map<string, number> {
    return new Map(this.#bytes);
  }

  /** Bytes on disk per digest, live (a pull script reads each layer's bytes when it gets there). */
  liveBytes(): ReadonlyMap<string, number> {
    return this.#bytes;
  }

  /** Records bytes on disk of a blob (a catalog pull's bookkeeping); whole once `size` is reached. */
  setBytes(digest: string, bytes: number, size?: number): void {
    this.#bytes.set(digest, bytes);
    if (size !== undefined && bytes >= size) this.#whole.set(digest, size);
  }

  /** Marks a blob whole. */
  setWhole(digest: string, size: number): void {
    this.#bytes.set(digest, size);
    this.#whole.set(digest, size);
    this.#partials.delete(digest);
  }

  /** The size of a whole blob, or `undefined` when it is absent or partial. */
  wholeSize(digest: string): number | undefined {
    return this.#whole.get(digest);
  }

  /** The kept first bytes of a registry blob. */
  kept(digest: string): Uint8Array | undefined {
    return this.#kept.get(digest);
  }

  /** Keeps the first bytes of a registry blob. */
  keep(digest: string, bytes: Uint8Array): void {
    this.#kept.set(digest, bytes);
  }

  /** The parts of a stopped registry download, to resume from. */
  partial(digest: string): PartialBlob | undefined {
    return this.#partials.get(digest);
  }

  /** Records the parts of a registry download (its bytes on disk follow). */
  setPartial(digest: string, partial: PartialBlob): void {
    this.#partials.set(digest, partial);
    this.#bytes.set(digest, partial.parts.reduce((sum, part) => sum + part.completed, 0));
  }
}

/** Every blob a model uses: its layers and its config. */
function blobsOf(model: InstalledModel): string[] {
  const digests = model.layers.map((layer) => layer.digest);
  return model.config === undefined ? digests : [...digests, model.config];
}

/** `details` with `context_length` and `embedding_length` left out when 0 or unknown. */
export function details(value: ModelDetails): ModelDetails {
  const { context_length, embedding_length, ...rest } = value;
  const out: ModelDetails = rest;
  if (context_length) out.context_length = context_length;
  if (embedding_length) out.embedding_length = embedding_length;
  return out;
}
