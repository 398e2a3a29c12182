/**
 * The fake's model runner: which models are loaded (what `/api/ps` lists), loading one (or
 * failing to, with the runner's error or for want of memory), unloading, and the expiry of a
 * loaded model after its `keep_alive`.
 *
 * @module
 */

import type { FakeSettings } from "./fake_options.ts";
import { rfc3339Nano } from "./go_time.ts";
import type { InstalledModel } from "./model_store.ts";
import { plainDetails } from "./model_views.ts";

/** How long a loaded model stays without `keep_alive`: 5 minutes, Ollama's default. */
const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;
/** A negative `keep_alive` is Go's largest duration (about 292 years). */
const FOREVER_MS = 9_223_372_036_854;
/** The context a model is loaded with when it says nothing smaller. */
const DEFAULT_NUM_CTX = 4096;

interface Loaded {
  model: InstalledModel;
  size: number;
  sizeVram: number;
  expiresAt: number;
  contextLength: number;
}

/** Loaded models and loading. */
export class Runner {
  readonly #settings: FakeSettings["runner"];
  readonly #loaded = new Map<string, Loaded>();

  constructor(settings: FakeSettings["runner"]) {
    this.#settings = settings;
  }

  /** How long a load takes, in ms. */
  get loadMs(): number {
    return this.#settings.loadMs;
  }

  /**
   * Loads a model (refreshing its expiry when it is loaded already).
   *
   * @param model The model.
   * @param keepAliveMs How long it stays loaded; `undefined` for the default 5 minutes.
   * @returns The runner's error text, or `undefined` when the model is loaded.
   */
  load(model: InstalledModel, keepAliveMs: number | undefined): string | undefined {
    if (this.#settings.error !== undefined) return this.#settings.error;
    this.#expire();
    const { memory, vramShare } = this.#settings;
    if (model.size > memory) {
      return `model requires more system memory (${humanBytes(model.size)}) than is available (${
        humanBytes(memory)
      })`;
    }
    // Make room: the models that expire first go first, as Ollama evicts idle runners.
    const others = [...this.#loaded.values()]
      .filter((loaded) => loaded.model.name.key !== model.name.key)
      .sort((a, b) => a.expiresAt - b.expiresAt);
    let used = others.reduce((sum, loaded) => sum + loaded.size, 0);
    for (const other of others) {
      if (used + model.size <= memory) break;
      this.#loaded.delete(other.model.name.key);
      used -= other.size;
    }
    const keep = keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.#loaded.set(model.name.key, {
      model,
      size: model.size,
      sizeVram: Math.round(model.size * vramShare),
      expiresAt: Date.now() + (keep === Infinity ? FOREVER_MS : keep),
      contextLength: Math.min(model.details.context_length || DEFAULT_NUM_CTX, DEFAULT_NUM_CTX),
    });
    return undefined;
  }

  /** Unloads a model (nothing happens when it is not loaded). */
  unload(key: string): void {
    this.#loaded.delete(key);
  }

  /** The `/api/ps` body: loaded models, the longest to stay first. */
  ps(): { models: Record<string, unknown>[] } {
    this.#expire();
    const loaded = [...this.#loaded.values()].sort((a, b) => b.expiresAt - a.expiresAt);
    return {
      models: loaded.map((entry) => ({
        name: entry.model.name.short,
        model: entry.model.name.short,
        size: entry.size,
        digest: entry.model.digest,
        details: plainDetails(entry.model.details),
        expires_at: rfc3339Nano(new Date(entry.expiresAt), entry.model.name.key),
        size_vram: entry.sizeVram,
        context_length: entry.contextLength,
      })),
    };
  }

  #expire(): void {
    const now = Date.now();
    for (const [key, entry] of this.#loaded) {
      if (entry.expiresAt <= now) this.#loaded.delete(key);
    }
  }
}

/** Bytes as Ollama's `HumanBytes2` writes them: `512 B`, `1.5 KiB`, `4.3 GiB`. */
export function humanBytes(bytes: number): string {
  const units: [number, string][] = [[1024 ** 4, "TiB"], [1024 ** 3, "GiB"], [1024 ** 2, "MiB"], [
    1024,
    "KiB",
  ]];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${(bytes / size).toFixed(1)} ${unit}`;
  }
  return `${bytes} B`;
}
