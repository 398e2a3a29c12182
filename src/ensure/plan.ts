/**
 * What `ensure` would do, before it does it: per required model `present`, `pull`, `update` or
 * `blocked`, with the bytes to download (the registry manifest's blobs less those the server
 * already has, `HEAD /api/blobs/<digest>`), and which installed models' tags moved in the
 * registry. A registry that cannot be asked leaves a size unknown (`null`) with a warning; it
 * never makes a model look up to date.
 *
 * @module
 */

import type { OllamaClient, OllamaModelInfo } from "../client.ts";
import { OllamaError } from "../errors/ollama_error.ts";
import type { OllamaManifestLayer } from "../events.ts";
import { isModelAllowed } from "../names.ts";
import type { ManifestLookup, RegistryClient } from "../registry.ts";
import { runPool } from "./pool.ts";

/**
 * What `ensure` would do with a model.
 *
 * @example
 * ```ts
 * import type { PlanAction } from "@vtcode/ollama";
 *
 * const action: PlanAction = "pull";
 * ```
 */
export type PlanAction = "present" | "pull" | "update" | "blocked";

/**
 * One required model in a plan.
 *
 * @example
 * ```ts
 * import type { PlanEntry } from "@vtcode/ollama";
 *
 * const entry: PlanEntry = {
 *   model: "qwen3:8b", action: "pull", downloadBytes: 5_225_376_047, reason: null,
 *   installedDigest: null, registryDigest: "500a1f06…",
 * };
 * ```
 */
export interface PlanEntry {
  /** The model, in short form. */
  model: string;
  /** What `ensure` would do. */
  action: PlanAction;
  /** Bytes to download (0 when present), `null` when the registry could not be asked. */
  downloadBytes: number | null;
  /** Why it is blocked, why the size is unknown, or that a newer version waits; else `null`. */
  reason: string | null;
  /** The installed model's digest (64 hex), `null` when not installed. */
  installedDigest: string | null;
  /** The registry's manifest digest now, `null` when not asked or unknown. */
  registryDigest: string | null;
  /** The manifest's blobs, when the registry was asked (for exact progress totals). */
  layers?: OllamaManifestLayer[];
}

/**
 * A plan: an entry per required model, and what the registry said.
 *
 * @example
 * ```ts
 * import type { Plan } from "@vtcode/ollama";
 *
 * const total = (plan: Plan) => plan.downloadBytes ?? "unknown";
 * ```
 */
export interface Plan {
  /** One entry per required model, in the order required. */
  entries: PlanEntry[];
  /** The sum of the entries' downloads, `null` when any is unknown. */
  downloadBytes: number | null;
  /** Installed models whose tag moved in the registry, short form. */
  outdated: string[];
  /** Models the registry could not be asked about, short form. */
  unknown: string[];
  /** Why each unknown is unknown, for people. */
  warnings: string[];
}

/** How a plan decides (the same policy `ensure` applies). */
export interface PlanPolicy {
  /** Missing models may be pulled. */
  autoPull: boolean;
  /** Patterns of models that may be pulled; `undefined`: no restriction. */
  whitelist?: readonly string[];
  /** Installed models whose tag moved are pulled again (`--update`). */
  update: boolean;
  /** Why nothing is pulled when `autoPull` is off. */
  noPullReason: string;
}

/** What a plan is made from. */
export interface PlanInput {
  /** The server. */
  client: OllamaClient;
  /** The registry client (its answers are cached, so a fleet asks once per model); `undefined` when asking is turned off. */
  registry: RegistryClient | undefined;
  /** The required models: user spelling, short form and normalized key. */
  required: readonly { name: string; short: string; key: string }[];
  /** The installed models, by normalized key. */
  installed: ReadonlyMap<string, OllamaModelInfo>;
  /** The policy. */
  policy: PlanPolicy;
  /** `all`: ask about every model (the `plan` and `outdated` commands); `needed`: only what will be pulled or, with `update`, compared. */
  ask: "all" | "needed";
  /** Requests at once. */
  concurrency: number;
  /** Aborts the registry and blob requests. */
  signal?: AbortSignal;
}

/**
 * Builds a plan: the registry is asked for the models that need it, and the server for which of
 * their blobs it already has.
 *
 * @param input The server, registry, models, policy.
 * @returns The plan.
 * @throws {InterruptedError} When the signal aborts.
 */
export async function planModels(input: PlanInput): Promise<Plan> {
  const { client, registry, installed, policy, signal } = input;
  const plan: Plan = { entries: [], downloadBytes: 0, outdated: [], unknown: [], warnings: [] };
  const outcomes = await runPool(input.required, Math.max(1, input.concurrency), async (model) => {
    const info = installed.get(model.key);
    const allowed = isModelAllowed(model.name, policy.whitelist);
    const entry: PlanEntry = {
      model: info?.name ?? model.short,
      action: "present",
      downloadBytes: 0,
      reason: null,
      installedDigest: info?.digest ?? null,
      registryDigest: null,
    };
    const blockedBecause = !policy.autoPull
      ? policy.noPullReason
      : !allowed
      ? "not in the pull whitelist"
      : undefined;
    const askRegistry = input.ask === "all" || info === undefined || policy.update;
    if (info !== undefined && !askRegistry) return { entry };
    if (info === undefined && blockedBecause !== undefined && input.ask !== "all") {
      return {
        entry: {
          ...entry,
          action: "blocked" as const,
          downloadBytes: null,
          reason: blockedBecause,
        },
      };
    }
    const lookup = await ask(registry, model.name, signal);
    if (!lookup.ok) {
      const warning = registry === undefined
        ? undefined
        : `${model.short}: the registry could not be asked: ${lookup.reason}`;
      if (info === undefined) {
        return {
          entry: {
            ...entry,
            action: blockedBecause === undefined ? "pull" as const : "blocked" as const,
            downloadBytes: null,
            reason: blockedBecause ??
              (lookup.notFound
                ? "the registry has no such model or tag: a pull would fail"
                : "size unknown: the registry could not be asked"),
          },
          unknown: !lookup.notFound,
          warning: lookup.notFound ? undefined : warning,
        };
      }
      return { entry, unknown: true, warning };
    }
    const manifest = lookup.manifest;
    const withRegistry = { ...entry, registryDigest: manifest.digest, layers: manifest.layers };
    if (info === undefined) {
      if (blockedBecause !== undefined) {
        return {
          entry: {
            ...withRegistry,
            action: "blocked" as const,
            downloadBytes: await missingBytes(client, manifest.layers, signal),
            reason: blockedBecause,
          },
        };
      }
      return {
        entry: {
          ...withRegistry,
          action: "pull" as const,
          downloadBytes: await missingBytes(client, manifest.layers, signal),
        },
      };
    }
    const installedDigest = info.digest?.toLowerCase();
    if (installedDigest === undefined || installedDigest === manifest.digest) {
      return { entry: withRegistry };
    }
    // The tag moved since this copy was pulled.
    if (!policy.update) {
      return {
        entry: {
          ...withRegistry,
          reason: "a newer version is in the registry (`ensure --update` pulls it)",
        },
        outdated: true,
      };
    }
    if (blockedBecause !== undefined) {
      return {
        entry: {
          ...withRegistry,
          action: "blocked" as const,
          downloadBytes: await missingBytes(client, manifest.layers, signal),
          reason: `a newer version is in the registry, but ${blockedBecause}`,
        },
        outdated: true,
      };
    }
    return {
      entry: {
        ...withRegistry,
        action: "update" as const,
        downloadBytes: await missingBytes(client, manifest.layers, signal),
      },
      outdated: true,
    };
  }, signal);
  signal?.throwIfAborted();
  if (registry === undefined) {
    plan.warnings.push("asking the registry is turned off: sizes and moved tags are unknown");
  }
  for (const outcome of outcomes) {
    if (outcome === undefined) continue;
    if (outcome.status === "rejected") throw outcome.reason;
    const { entry, unknown, warning, outdated } = outcome.value as {
      entry: PlanEntry;
      unknown?: boolean;
      warning?: string;
      outdated?: boolean;
    };
    plan.entries.push(entry);
    if (unknown) plan.unknown.push(entry.model);
    if (warning !== undefined) plan.warnings.push(warning);
    if (outdated) plan.outdated.push(entry.model);
  }
  // What ensure would download: the pulls and updates (a blocked model downloads nothing).
  const acting = plan.entries.filter((e) => e.action === "pull" || e.action === "update");
  plan.downloadBytes = acting.some((e) => e.downloadBytes === null)
    ? null
    : acting.reduce((sum, e) => sum + (e.downloadBytes ?? 0), 0);
  return plan;
}

/** The registry's answer; an interruption propagates, anything else is an unknown. */
async function ask(
  registry: RegistryClient | undefined,
  name: string,
  signal: AbortSignal | undefined,
): Promise<ManifestLookup> {
  if (registry === undefined) {
    return { ok: false, reason: "asking the registry is turned off", notFound: false };
  }
  try {
    return await registry.manifest(name, { signal });
  } catch (error) {
    if (error instanceof OllamaError && error.code === "interrupted") throw error;
    return {
      ok: false,
      reason: error instanceof Error ? error.message : String(error),
      notFound: false,
    };
  }
}

/** The bytes of the blobs the server does not have (a blob it cannot tell about counts). */
async function missingBytes(
  client: OllamaClient,
  layers: readonly OllamaManifestLayer[],
  signal: AbortSignal | undefined,
): Promise<number> {
  const present = await Promise.all(
    layers.map((layer) =>
      client.hasBlob(layer.digest, { signal }).catch((error) => {
        if (error instanceof OllamaError && error.code === "interrupted") throw error;
        return false;
      })
    ),
  );
  return layers.reduce((sum, layer, i) => sum + (present[i] ? 0 : layer.size), 0);
}
