/**
 * `POST /api/pull`: which source a name pulls from, and the response. A catalog name (not
 * pulled `insecure` from the default registry) is simulated; another name without a host
 * answers `file does not exist` (there is no registry.ollama.ai behind the fake), or, pulled
 * `insecure`, the error of a plain-http `registry.ollama.ai` that cannot be reached; a
 * host-qualified name is pulled from that registry. A registry in `registries` beats the catalog.
 *
 * @module
 */

import type { DownloadManager } from "./blob_download.ts";
import { type CatalogPull, catalogPullLines } from "./catalog_pull.ts";
import type { FakeSettings } from "./fake_options.ts";
import type { AppliedFaults } from "./fault_plan.ts";
import { DEFAULT_HOST, type FakeModelName, parseModelName } from "./model_name.ts";
import type { CatalogItem, ModelStore } from "./model_store.ts";
import { answerPull, type LineSource, streamPull } from "./pull_lines.ts";
import type { RegistryAccess } from "./registry_access.ts";
import { registryPullLines } from "./registry_pull.ts";
import type { Exchange } from "./responses.ts";

/** Where a pull's layers come from. */
export type PullPlan =
  | { kind: "catalog"; item: CatalogItem | undefined }
  | { kind: "registry" };

/** What a pull needs from the fake. */
export interface PullParts {
  settings: FakeSettings;
  store: ModelStore;
  downloads: DownloadManager;
  access: RegistryAccess;
  closed: () => boolean;
}

/**
 * Where a pull of `name` gets its layers.
 *
 * @param parts The fake.
 * @param name The name, read as a pull reads it.
 * @param insecure The request's `insecure`.
 * @returns The catalog entry (`undefined`: none, `file does not exist`), or the registry.
 */
export function pullPlan(parts: PullParts, name: FakeModelName, insecure: boolean): PullPlan {
  if (parts.access.serves(name.host)) return { kind: "registry" };
  const defaultHost = name.host.toLowerCase() === DEFAULT_HOST;
  if (defaultHost && insecure) return { kind: "registry" };
  const item = parts.store.catalog.get(name.key);
  if (item !== undefined || defaultHost) return { kind: "catalog", item };
  return { kind: "registry" };
}

/**
 * Answers a pull.
 *
 * @param parts The fake.
 * @param exchange The request.
 * @param faults Its faults.
 * @param name The model.
 * @param body The request body (`insecure`, `stream`).
 * @param watch Starts watching the client's signal (a `stream: false` pull that waits).
 */
export async function pull(
  parts: PullParts,
  exchange: Exchange,
  faults: AppliedFaults,
  name: FakeModelName,
  body: Record<string, unknown>,
  watch: () => void,
): Promise<Response> {
  const insecure = body.insecure === true;
  const plan = pullPlan(parts, name, insecure);
  const { settings, store, closed } = parts;
  const tickMs = () => closed() ? 0 : settings.tickMs;
  let source: LineSource;
  if (plan.kind === "catalog") {
    const catalogPull: CatalogPull = {
      item: plan.item,
      // Stored under the catalog's spelling of the name (matching ignores case anyway).
      name: plan.item === undefined ? name : parseModelName(plan.item.entry.name) ?? name,
      store,
      settings,
      waiter: exchange.waiter,
      closed,
      backwards: faults.backwards,
      repeatStall: faults.repeatStall,
      notListed: faults.notListed,
    };
    source = catalogPullLines(catalogPull);
  } else {
    source = registryPullLines({
      name,
      insecure,
      store,
      downloads: parts.downloads,
      request: parts.access.request,
      headers: { "user-agent": `ollama/${settings.version} (vtcode fake)` },
      tickMs,
      signal: exchange.waiter.signal,
      notListed: faults.notListed,
    });
  }
  if (body.stream !== false) return streamPull(exchange, faults, source);
  const waits = plan.kind === "registry" || settings.tickMs > 0 || settings.verifyMs > 0 ||
    faults.repeatStall !== undefined;
  if (waits) watch();
  return await answerPull(exchange, faults, source, watch);
}
