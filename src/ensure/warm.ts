/**
 * Warm-up: load each required local model into memory after `ensure`, so that "ready" means the
 * first request is fast, then read `/api/ps` for where it sits (GPU or CPU) and how long the
 * load took.
 *
 * @module
 */

import type { OllamaClient } from "../client.ts";
import { normalizeModelName } from "../names.ts";

/**
 * One model loaded by warm-up.
 *
 * @example
 * ```ts
 * import type { WarmedModel } from "@vtcode/ollama";
 *
 * const warmed: WarmedModel = { model: "llama3:latest", loadMs: 2300, size: 6_000_000_000, sizeVram: 6_000_000_000 };
 * ```
 */
export interface WarmedModel {
  /** The model, in short form. */
  model: string;
  /** How long the load took, in milliseconds. */
  loadMs: number;
  /** Bytes in memory, from `/api/ps` (0 when it did not list the model). */
  size: number;
  /** Of those, bytes on the GPU. */
  sizeVram: number;
}

/**
 * Where a loaded model sits, as `ollama ps` says it: `100% GPU`, `100% CPU`, or `41% GPU / 59% CPU`.
 *
 * @param size Bytes in memory.
 * @param sizeVram Of those, bytes on the GPU.
 * @returns The share, or `unknown` when the size is 0.
 *
 * @example
 * ```ts
 * import { gpuShare } from "@vtcode/ollama";
 *
 * gpuShare(100, 41); // "41% GPU / 59% CPU"
 * gpuShare(100, 100); // "100% GPU"
 * gpuShare(100, 0); // "100% CPU"
 * ```
 */
export function gpuShare(size: number, sizeVram: number): string {
  if (!(size > 0)) return "unknown";
  const gpu = Math.round((100 * Math.min(Math.max(sizeVram, 0), size)) / size);
  if (gpu >= 100) return "100% GPU";
  if (gpu <= 0) return "100% CPU";
  return `${gpu}% GPU / ${100 - gpu}% CPU`;
}

/**
 * Loads each model in turn (one at a time: several large models at once can exhaust memory that
 * each alone fits), then reads `/api/ps`. An embedding model (capabilities list `embedding` and
 * no `completion`) is loaded with `/api/embed`; others with `/api/generate`, which falls back to
 * `/api/embed` when the server says the model does not support generate.
 *
 * @param client The server.
 * @param models The local models to load, with their capabilities when known.
 * @param options `keepAlive` (sent as Ollama's `keep_alive`) and the signal.
 * @returns What was loaded, in order.
 * @throws {WarmFailedError} When a model cannot be loaded (the server's reason is kept).
 *
 * @example
 * ```ts
 * import { OllamaClient, warmModels } from "@vtcode/ollama";
 *
 * const warmed = await warmModels(new OllamaClient("http://127.0.0.1:11434"), [{ name: "llama3" }], { keepAlive: "30m" });
 * ```
 */
export async function warmModels(
  client: OllamaClient,
  models: readonly { name: string; capabilities?: readonly string[] }[],
  options: { keepAlive?: string | number; signal?: AbortSignal } = {},
): Promise<WarmedModel[]> {
  const loaded: { model: string; loadMs: number }[] = [];
  for (const { name, capabilities } of models) {
    const embedding = capabilities !== undefined && capabilities.includes("embedding") &&
        !capabilities.includes("completion")
      ? true
      : undefined;
    const result = await client.loadModel(name, {
      keepAlive: options.keepAlive,
      embedding,
      signal: options.signal,
    });
    loaded.push({ model: result.model, loadMs: result.loadMs });
  }
  if (loaded.length === 0) return [];
  const running = await client.runningModels({ signal: options.signal }).catch(() => []);
  const byKey = new Map(running.map((m) => [keyOf(m.name), m]));
  return loaded.map(({ model, loadMs }) => {
    const info = byKey.get(keyOf(model));
    return { model, loadMs, size: info?.size ?? 0, sizeVram: info?.sizeVram ?? 0 };
  });
}

function keyOf(name: string): string {
  try {
    return normalizeModelName(name);
  } catch {
    return name.toLowerCase();
  }
}
