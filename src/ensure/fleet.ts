/**
 * Fleets: several servers made ready at once. Each host gets the same required models and
 * policy and its own report; one host down never stops the others. The combined outcome's exit
 * status is the highest per-host status, except that an interruption (130, 129, 143) wins.
 *
 * @module
 */

import type { OllamaConfig } from "../config/schema.ts";
import type { OllamaError } from "../errors/ollama_error.ts";
import type { OllamaPullProgressReporter } from "../events.ts";
import { normalizeModelName } from "../names.ts";
import { RegistryClient } from "../registry.ts";
import type { EnsureOptions, StartupReport } from "./report.ts";
import { runPool } from "./pool.ts";

/**
 * The combined report of several servers.
 *
 * @example
 * ```ts
 * import type { FleetReport } from "@vtcode/ollama";
 *
 * const down = (fleet: FleetReport) => fleet.hosts.filter((h) => !h.reachable).map((h) => h.baseUrl);
 * ```
 */
export interface FleetReport {
  /** `true` when every host is ready. */
  ok: boolean;
  /** The highest per-host exit status (an interruption wins). */
  exitCode: number;
  /** One report per host, in the order given. */
  hosts: StartupReport[];
  /** Required models present on every host where they were checked (union), short form. */
  present: string[];
  /** Models pulled on any host (union). */
  pulled: string[];
  /** Models missing on any host (union). */
  missing: string[];
  /** The error of the host that decided the exit status, `null` when ok. */
  error: OllamaError | null;
}

/**
 * The exit status of several outcomes: the highest, except that an interruption (130 SIGINT,
 * 129 SIGHUP, 143 SIGTERM) wins over everything.
 *
 * @param codes The per-host exit statuses.
 * @returns The combined status (0 for none).
 *
 * @example
 * ```ts
 * import { fleetExitCode } from "@vtcode/ollama";
 *
 * fleetExitCode([0, 3, 5]); // 5
 * fleetExitCode([7, 130]); // 130
 * ```
 */
export function fleetExitCode(codes: readonly number[]): number {
  const interrupted = codes.find((code) => code === 130 || code === 129 || code === 143);
  if (interrupted !== undefined) return interrupted;
  return codes.reduce((highest, code) => Math.max(highest, code), 0);
}

/**
 * Runs one of the hook's entry points (`ensureOllamaReady`, `planOllama`, `outdatedOllama`)
 * against several hosts at once, sharing one registry client (each model is asked once), and
 * combines the reports.
 *
 * @param run The entry point.
 * @param hosts The servers' addresses, in order.
 * @param config The `[ollama]` settings (its `hosts` and `baseUrl` are not used here).
 * @param options The options of each run; `reporterFor` gives each host its own reporter (a
 *   label with the host's name, say).
 * @returns The combined report.
 *
 * @example
 * ```ts
 * import { ensureFleet, ensureOllamaReady } from "@vtcode/ollama";
 *
 * const fleet = await ensureFleet(ensureOllamaReady, ["gpu-1:11434", "gpu-2:11434"], { models: ["llama3"] });
 * for (const host of fleet.hosts) console.log(host.baseUrl, host.exitCode);
 * ```
 */
export async function ensureFleet(
  run: (config: Partial<OllamaConfig>, options: EnsureOptions) => Promise<StartupReport>,
  hosts: readonly string[],
  config: Partial<OllamaConfig>,
  options: EnsureOptions & { reporterFor?: (host: string) => OllamaPullProgressReporter } = {},
): Promise<FleetReport> {
  const { reporterFor, ...shared } = options;
  const registry = shared.registry ?? new RegistryClient({
    fetch: shared.fetch,
    signal: shared.signal,
    insecure: config.insecure,
    timeoutMs: (config.timeoutSecs ?? 5) * 1000,
  });
  const perHost = { ...config, baseUrl: undefined, hosts: undefined };
  // Every host at once: a slow or dead one does not hold up the others.
  const settled = await runPool(hosts, hosts.length, (host) =>
    run(perHost, {
      ...shared,
      host,
      registry,
      reporter: reporterFor?.(host) ?? shared.reporter,
    }));
  const reports = settled.map((outcome) => {
    if (outcome?.status === "fulfilled") return outcome.value;
    throw outcome?.reason;
  });
  const exitCode = fleetExitCode(reports.map((r) => r.exitCode));
  const decider = reports.find((r) => r.exitCode === exitCode && r.error !== null);
  const missing = union(reports.map((r) => r.missing));
  return {
    ok: reports.every((r) => r.ok),
    exitCode,
    hosts: reports,
    present: union(reports.map((r) => r.present)).filter((m) => !missing.includes(m)),
    pulled: union(reports.map((r) => r.pulled)),
    missing,
    error: decider?.error ?? null,
  };
}

/** Names from several lists, once each (by normalized name), first spelling kept. */
function union(lists: readonly (readonly string[])[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of lists.flat()) {
    let key: string;
    try {
      key = normalizeModelName(name);
    } catch {
      key = name;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
}
