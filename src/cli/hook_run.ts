/**
 * Runs one of the startup hook's entry points (`ensureOllamaReady`, `planOllama`,
 * `outdatedOllama`) for a command: against one server, or against a fleet with `ensureFleet`,
 * each host with its own labelled output (its log lines, warnings, progress and events) and
 * its own result. What the CLI adds to every run is decided here once: the environment, the
 * interrupt signal, `VTCODE_OLLAMA_REGISTRY`, the proxy variables, and free disk for a server
 * on this machine.
 *
 * @module
 */

import type { OllamaConfig } from "../config/schema.ts";
import { isLoopbackUrl } from "../proxy.ts";
import type { EnsureOptions, StartupLogEntry, StartupReport } from "../startup.ts";
import type { CliResult, CommandContext, HostResult } from "./command.ts";
import { ollamaEnv, registryOption } from "./env.ts";
import { freeDiskProbe } from "./free_disk.ts";
import type { Output } from "./output.ts";
import { runTargets, type Target } from "./targets.ts";

/** One of the hook's entry points. */
export type HookEntry = (
  config: Partial<OllamaConfig>,
  options: EnsureOptions,
) => Promise<StartupReport>;

/** What a command asks of {@link runHook}. */
export interface HookCall {
  /** The entry point. */
  entry: HookEntry;
  /** The settings (the context's, with what the command changes). */
  config: OllamaConfig;
  /** The command's own options (update, warm, lock, advice, …). */
  options: EnsureOptions;
  /**
   * What the command says about one server's report for people (on that server's output) and
   * adds to its result (`plan`, `warmed`, …).
   */
  describe?: (report: StartupReport, output: Output) => Partial<CliResult>;
}

/** What {@link runHook} gives back. */
export interface HookOutcome {
  /** The run's result: one server's, or a fleet's with `hosts`. */
  result: CliResult;
  /** Each server's report, in order, with its label. */
  reports: { label: string; report: StartupReport }[];
}

/**
 * Runs the entry point against the run's servers.
 *
 * @param context The command's context.
 * @param call The entry point, settings, options and what to say.
 * @returns The result, and the reports it was made from.
 * @throws {UsageError} For a `VTCODE_OLLAMA_REGISTRY` it does not understand.
 */
export async function runHook(context: CommandContext, call: HookCall): Promise<HookOutcome> {
  const env = ollamaEnv(context.env);
  const probe = freeDiskProbe(context.env);
  const freeDisk = (target: Target) =>
    target.url !== undefined && isLoopbackUrl(target.url) ? probe : undefined;
  const shared: EnsureOptions = {
    env,
    signal: context.signal,
    proxyEnv: context.proxyEnv,
    registry: registryOption(context.env),
    ...call.options,
  };
  const targets = runTargets(context.flags.hosts, call.config, env);

  if (targets.length === 1) {
    const [target] = targets;
    const { output } = context;
    const report = await call.entry(call.config, {
      ...shared,
      host: target.given,
      reporter: output.reporter(),
      onLog: logTo(output),
      freeDisk: freeDisk(target),
    });
    return {
      result: hostResult(report, output, call),
      reports: [{ label: target.label, report }],
    };
  }

  const byHost = new Map(targets.map((target) => [
    target.given as string,
    { target, output: context.output.forHost(target.label) },
  ]));
  const host = (given: string | undefined) => byHost.get(given as string)!;
  // Several servers: the fleet's code (and its shared registry client) is loaded only now.
  const { ensureFleet } = await import("../ensure/fleet.ts");
  const fleet = await ensureFleet(
    (config, options) =>
      call.entry(config, {
        ...options,
        onLog: logTo(host(options.host).output),
        freeDisk: freeDisk(host(options.host).target),
      }),
    targets.map((target) => target.given as string),
    call.config,
    { ...shared, reporterFor: (given) => host(given).output.reporter() },
  );
  const hosts = fleet.hosts.map((report, index): HostResult => {
    const { target, output } = host(targets[index].given);
    return { ...hostResult(report, output, call), label: target.label };
  });
  return {
    result: {
      baseUrl: null,
      serverVersion: null,
      present: fleet.present,
      pulled: fleet.pulled,
      missing: fleet.missing,
      error: fleet.error,
      ...combined(hosts),
      hosts,
    },
    reports: fleet.hosts.map((report, index) => ({ label: targets[index].label, report })),
  };
}

/**
 * The hook's log, said on `output`: progress as lines for people, warnings once each as
 * `warning: …`; the decisive error only as a `log` event (the outcome is said once, at the end).
 */
function logTo(output: Output): (entry: StartupLogEntry) => void {
  return (entry) => {
    if (entry.level === "info") output.info(entry.message);
    else if (entry.level === "warn") output.warning(entry.message);
    else output.event({ type: "log", level: entry.level, message: entry.message });
  };
}

/** One server's result, with its events and what the command says about it. */
function hostResult(report: StartupReport, output: Output, call: HookCall): CliResult {
  output.event({
    type: "health",
    reachable: report.reachable,
    base_url: report.baseUrl || null,
    server_version: report.serverVersion,
  });
  const statuses = { present: report.present, pulled: report.pulled, missing: report.missing };
  for (const [status, models] of Object.entries(statuses)) {
    for (const model of models) output.event({ type: "model", model, status });
  }
  return {
    baseUrl: report.baseUrl || null,
    serverVersion: report.serverVersion,
    present: report.present,
    pulled: report.pulled,
    missing: report.missing,
    error: report.error,
    // Every model's failure is said once; the decisive one is the result's error.
    otherErrors: report.failures.filter((failure) => failure !== report.error),
    ...call.describe?.(report, output),
  };
}

/** A fleet's `plan`, `download_bytes`, `outdated`, `unknown` and `warmed`, from its hosts'. */
function combined(hosts: readonly HostResult[]): Partial<CliResult> {
  const out: Partial<CliResult> = {};
  if (hosts.some((h) => h.plan !== undefined)) {
    out.plan = hosts.flatMap((h) => (h.plan ?? []).map((row) => ({ ...row, host: h.label })));
  }
  const planned = hosts.filter((h) => h.downloadBytes !== undefined);
  if (planned.length > 0) {
    out.downloadBytes = planned.some((h) => h.downloadBytes === null)
      ? null
      : planned.reduce((sum, h) => sum + (h.downloadBytes ?? 0), 0);
  }
  if (hosts.some((h) => h.outdated !== undefined)) {
    out.outdated = [...new Set(hosts.flatMap((h) => h.outdated ?? []))];
  }
  if (hosts.some((h) => h.unknown !== undefined)) {
    out.unknown = [...new Set(hosts.flatMap((h) => h.unknown ?? []))];
  }
  if (hosts.some((h) => h.warmed !== undefined)) {
    out.warmed = hosts.flatMap((h) => (h.warmed ?? []).map((row) => ({ ...row, host: h.label })));
  }
  return out;
}
