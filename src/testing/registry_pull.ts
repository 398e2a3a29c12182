/**
 * A pull of a host-qualified model from a registry, as Ollama's server runs it: `pulling
 * manifest`, the manifest `GET` (its error at once, prefixed `pull model manifest: `), then each
 * blob in manifest order with the config last, one at a time: a blob already on disk gives one
 * line with `completed == total`, a missing one is downloaded (shared with other pulls of it)
 * while a line goes out every tick with the bytes received so far, and none once it is done;
 * then `verifying sha256 digest`, `writing manifest` (the model is installed), `removing unused
 * layers` when the tag moved away from some blobs, and `success`.
 *
 * @module
 */

import { type BlobDownload, type DownloadManager, registryStatus } from "./blob_download.ts";
import { delay } from "./delay.ts";
import type { FakeModelName } from "./model_name.ts";
import type { ModelStore } from "./model_store.ts";
import type { LineSource } from "./pull_lines.ts";
import type { PullLineValue } from "./pull_script.ts";
import { RegistryError, type RegistryRequest } from "./registry_access.ts";
import { type Manifest, registryModel } from "./registry_model.ts";
import { goSyntaxError } from "./request_json.ts";

/** What a registry pull needs. */
export interface RegistryPull {
  name: FakeModelName;
  /** The request's `insecure`: plain http instead of https. */
  insecure: boolean;
  store: ModelStore;
  downloads: DownloadManager;
  request: RegistryRequest;
  /** Headers of every request to the registry (the `User-Agent`). */
  headers: Record<string, string>;
  /** The tick now (0 once the fake is closed). */
  tickMs: () => number;
  /** Aborts when the client leaves or the fake closes. */
  signal: AbortSignal;
  /** The `success_not_listed` fault. */
  notListed: boolean;
}

const MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";

/** The lines of a registry pull. */
export async function* registryPullLines(pull: RegistryPull): LineSource {
  const { name, signal, store } = pull;
  yield { value: { status: "pulling manifest" } };
  const base = `${pull.insecure ? "http" : "https"}://${name.host}`;
  const repository = `${name.namespace}/${name.model}`;
  let bytes: Uint8Array<ArrayBuffer>;
  let manifest: Manifest;
  try {
    const url = new URL(`${base}/v2/${repository}/manifests/${name.tag}`);
    const response = await pull.request("GET", url, {
      headers: { ...pull.headers, accept: MANIFEST_TYPE },
      signal,
    });
    await registryStatus(response);
    bytes = new Uint8Array(await response.arrayBuffer());
    manifest = parseManifest(bytes);
  } catch (error) {
    if (signal.aborted) return;
    yield { value: { error: `pull model manifest: ${message(error)}` } };
    return;
  }
  const blobs = [...manifest.layers, ...(manifest.config?.digest ? [manifest.config] : [])];
  const previous = store.get(name.key);
  for (const blob of blobs) {
    const whole = store.wholeSize(blob.digest);
    if (whole !== undefined) {
      yield { value: progress(blob.digest, whole, whole) };
      continue;
    }
    try {
      const url = new URL(`${base}/v2/${repository}/blobs/${blob.digest}`);
      const download = await pull.downloads.get(blob.digest, url, signal);
      for await (const value of progressOf(download, pull.tickMs(), signal)) yield { value };
    } catch (error) {
      if (signal.aborted) return;
      yield { value: { error: message(error) } };
      return;
    }
    if (signal.aborted) return;
  }
  yield { value: { status: "verifying sha256 digest" } };
  yield { value: { status: "writing manifest" } };
  const model = await registryModel(store, name, bytes, manifest, store.nextSequence());
  if (!pull.notListed) store.put(model);
  const kept = new Set(blobs.map((blob) => blob.digest));
  const unused = previous === undefined
    ? []
    : [...previous.layers.map((layer) => layer.digest), previous.config]
      .filter((digest): digest is string => digest !== undefined && !kept.has(digest));
  if (unused.length > 0) {
    yield { value: { status: "removing unused layers" } };
    store.dropUnused(unused);
  }
  yield { value: { status: "success" } };
}

/**
 * The progress lines of one blob for one pull: every tick the bytes received so far (none once
 * the blob is done); with no tick, a line whenever the count moved.
 *
 * @throws {RegistryError} When the download failed.
 */
async function* progressOf(
  download: BlobDownload,
  tickMs: number,
  signal: AbortSignal,
): AsyncGenerator<PullLineValue, void, undefined> {
  download.acquire();
  try {
    const line = () => progress(download.digest, download.total, download.completed);
    if (tickMs <= 0) {
      let shown = -1;
      while (!download.finished && !signal.aborted) {
        if (download.completed !== shown) {
          shown = download.completed;
          yield line();
          continue;
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            unsubscribe();
            signal.removeEventListener("abort", wake);
            resolve();
          };
          const unsubscribe = download.onChange(wake);
          signal.addEventListener("abort", wake, { once: true });
        });
      }
    } else {
      let due = performance.now() + tickMs;
      const ticking = new AbortController();
      const both = AbortSignal.any([signal, ticking.signal]);
      download.done.then(() => ticking.abort());
      while (!download.finished && !signal.aborted) {
        await delay(due - performance.now(), both);
        if (download.finished || signal.aborted) break;
        yield line();
        due += tickMs;
        // A tick missed while the client was slow is dropped, as a Go ticker drops it.
        while (due < performance.now()) due += tickMs;
      }
      ticking.abort();
    }
    if (signal.aborted) return;
    if (download.error !== undefined) throw new RegistryError(download.error);
  } finally {
    download.release();
  }
}

/** A layer's progress line: `total` and `completed` left out when 0, as Ollama encodes them. */
function progress(digest: string, total: number, completed: number): PullLineValue {
  const value: PullLineValue = { status: `pulling ${digest.slice(7, 19)}`, digest };
  if (total > 0) value.total = total;
  if (completed > 0) value.completed = completed;
  return value;
}

function parseManifest(bytes: Uint8Array): Manifest {
  const text = new TextDecoder().decode(bytes);
  const syntax = goSyntaxError(text);
  if (syntax !== undefined) throw new RegistryError(syntax);
  const value = JSON.parse(text) as Partial<Manifest> | null;
  return { config: value?.config, layers: Array.isArray(value?.layers) ? value.layers : [] };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
