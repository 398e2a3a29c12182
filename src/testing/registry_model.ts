/**
 * The model a registry pull installs, read the way Ollama reads it: the digest is the sha256 of
 * the manifest's bytes; `details` come from the config blob and the weights' GGUF header;
 * capabilities from the config, the GGUF (`pooling_type`: embedding, else completion), a
 * projector layer (vision) and the template (tools, insert, thinking); a config with
 * `remote_host` and `remote_model` makes a cloud stub.
 *
 * @module
 */

import { MEDIA_TYPE_LICENSE, MEDIA_TYPE_MODEL, MEDIA_TYPE_PROJECTOR } from "./catalog.ts";
import { MEDIA_TYPE_PARAMS, MEDIA_TYPE_TEMPLATE, type ResolvedLayer } from "./catalog.ts";
import { architectureNumber, hasArchitectureKey, readGgufHeader } from "./gguf.ts";
import { rfc3339Nano } from "./go_time.ts";
import type { FakeModelName } from "./model_name.ts";
import { details, type InstalledModel, type ModelStore } from "./model_store.ts";
import { sha256Digest } from "./registry/models.ts";

/** One blob of a manifest. */
export interface ManifestLayer {
  mediaType: string;
  digest: string;
  size: number;
}

/** A registry manifest, as far as Ollama reads it. */
export interface Manifest {
  config?: ManifestLayer;
  layers: ManifestLayer[];
}

interface ModelConfig {
  model_format?: string;
  model_family?: string;
  model_families?: string[] | null;
  model_type?: string;
  file_type?: string;
  remote_host?: string;
  remote_model?: string;
  capabilities?: string[];
  context_length?: number;
}

const DECODER = new TextDecoder();

/**
 * The model a finished registry pull installs.
 *
 * @param store The disk (the kept first bytes of the blobs are read from it).
 * @param name The model's name.
 * @param manifestBytes The manifest exactly as served (its sha256 is the digest).
 * @param manifest The manifest.
 * @param sequence The install's sequence number (orders models installed in one millisecond).
 * @returns The model, ready for {@link ModelStore.put}.
 */
export async function registryModel(
  store: ModelStore,
  name: FakeModelName,
  manifestBytes: Uint8Array<ArrayBuffer>,
  manifest: Manifest,
  sequence: number,
): Promise<InstalledModel> {
  const text = (digest: string | undefined) => {
    const bytes = digest === undefined ? undefined : store.kept(digest);
    return bytes === undefined ? undefined : DECODER.decode(bytes);
  };
  const layerOf = (mediaType: string) => manifest.layers.find((l) => l.mediaType === mediaType);
  const config = parseJson<ModelConfig>(text(manifest.config?.digest)) ?? {};
  const weights = layerOf(MEDIA_TYPE_MODEL);
  const header = readGgufHeader(
    (weights && store.kept(weights.digest)) ?? new Uint8Array(),
  );
  const template = text(layerOf(MEDIA_TYPE_TEMPLATE)?.digest);
  const capabilities = new Set(config.capabilities ?? []);
  if (weights !== undefined) {
    capabilities.add(hasArchitectureKey(header, "pooling_type") ? "embedding" : "completion");
    if (hasArchitectureKey(header, "vision.block_count")) capabilities.add("vision");
  }
  if (layerOf(MEDIA_TYPE_PROJECTOR) !== undefined) capabilities.add("vision");
  if (template !== undefined) {
    if (/\.Tools\b/.test(template)) capabilities.add("tools");
    if (/\.Suffix\b/.test(template)) capabilities.add("insert");
    if (/\.(Thinking|Think)\b/.test(template)) capabilities.add("thinking");
  }
  const now = new Date();
  const layers: ResolvedLayer[] = manifest.layers.map((layer) => ({
    digest: layer.digest,
    size: layer.size,
    mediaType: layer.mediaType,
    ending: "complete",
  }));
  const remote = config.remote_host && config.remote_model
    ? { model: config.remote_model, host: config.remote_host }
    : undefined;
  return {
    name,
    layers,
    config: manifest.config?.digest,
    size: manifest.layers.reduce((sum, layer) => sum + layer.size, manifest.config?.size ?? 0),
    digest: (await sha256Digest(manifestBytes)).slice(7),
    modifiedAt: rfc3339Nano(now, `${name.key}@${sequence}`),
    order: now.getTime(),
    sequence,
    details: details({
      parent_model: "",
      format: config.model_format ?? "",
      family: config.model_family ?? "",
      families: config.model_families ?? null,
      parameter_size: config.model_type ?? "",
      quantization_level: config.file_type ?? "",
      context_length: architectureNumber(header, "context_length") || config.context_length,
      embedding_length: architectureNumber(header, "embedding_length"),
    }),
    capabilities: [...capabilities],
    remote,
    texts: {
      template,
      license: text(layerOf(MEDIA_TYPE_LICENSE)?.digest),
      params: parseJson<Record<string, unknown>>(text(layerOf(MEDIA_TYPE_PARAMS)?.digest)),
    },
  };
}

function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value as T : undefined;
  } catch {
    return undefined;
  }
}
