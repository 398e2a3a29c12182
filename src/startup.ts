/**
 * The startup hook: is Ollama running, and are my models there? The public names of its
 * modules, which `mod.ts` re-exports:
 *
 * - `ensure/ensure.ts`: {@link ensureOllamaReady} (one server made ready: present, pulled up to
 *   `pull_concurrency` at once, confirmed, cloud usable, held to a lock, warm) and
 *   {@link ensureModel} (one model, on demand);
 * - `ensure/plan_ollama.ts`: {@link planOllama}, what it would do and download;
 * - `ensure/outdated_ollama.ts`: {@link outdatedOllama}, which tags moved in the registry;
 * - `ensure/report.ts`: the options and the report they share.
 *
 * Several servers: `ensure/fleet.ts`. Each returns a report instead of throwing for expected
 * outcomes.
 *
 * @module
 */

export {
  ensureModel,
  type EnsureModelPolicy,
  type EnsureModelResult,
  ensureOllamaReady,
} from "./ensure/ensure.ts";
export { planOllama } from "./ensure/plan_ollama.ts";
export { outdatedOllama } from "./ensure/outdated_ollama.ts";
export type { EnsureOptions, OllamaEnv, StartupLogEntry, StartupReport } from "./ensure/report.ts";
