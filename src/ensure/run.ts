/**
 * One run of the startup hook: the report being built, and the steps every entry point shares
 * (validate the config, connect, check the version, list the models once, log, finish).
 *
 * @module
 */

import { OllamaClient, type OllamaModelInfo } from "../client.ts";
import { type OllamaConfig, validateOllamaConfig } from "../config/schema.ts";
import { OllamaError } from "../errors/ollama_error.ts";
import {
  isCloudModel,
  type ModelName,
  normalizeModelName,
  parseModelName,
  shortModelName,
} from "../names.ts";
import type { RegistryClient } from "../registry.ts";
import { sanitizeText } from "../sanitize.ts";
import { callerAbort } from "../transport.ts";
import { isOllamaCloudUrl, resolveBaseUrl } from "../url.ts";
import { isVersionAtLeast } from "../version.ts";
import type { Plan, PlanPolicy } from "./plan.ts";
import type { EnsureOptions, StartupLogEntry, StartupReport } from "./report.ts";

/** A required model: the user's spelling, its normalized key, short form, and cloud-ness. */
export interface RequiredModel {
  name: string;
  key: string;
  short: string;
  cloud: boolean;
}

/** What a run has once it is connected. */
export interface Prepared {
  config: OllamaConfig;
  client: OllamaClient;
  required: RequiredModel[];
  installed: Map<string, OllamaModelInfo>;
}

/** One run of the hook: the report being built, and the steps every entry point shares. */
export class Run {
  readonly report: StartupReport = {
    ok: false,
    exitCode: 1,
    reachable: false,
    baseUrl: "",
    baseUrlSource: "default",
    serverVersion: null,
    installed: [],
    present: [],
    pulled: [],
    missing: [],
    outdated: [],
    unknown: [],
    warmed: [],
    digests: {},
    plan: null,
    warnings: [],
    failures: [],
    error: null,
  };
  readonly #options: EnsureOptions;
  #required: RequiredModel[] = [];
  /** Normalized names of the required models known to be installed. */
  readonly #satisfied = new Set<string>();
  #registry: RegistryClient | undefined;

  constructor(options: EnsureOptions) {
    this.#options = options;
  }

  log(level: StartupLogEntry["level"], message: string): void {
    this.#options.onLog?.({ level, message: sanitizeText(message, { maxLength: 2000 }) });
  }

  warn(message: string): void {
    this.report.warnings.push(sanitizeText(message, { maxLength: 2000 }));
    this.log("warn", message);
  }

  satisfy(model: RequiredModel, listedName: string): void {
    if (this.#satisfied.has(model.key)) return;
    this.#satisfied.add(model.key);
    this.report.present.push(listedName);
  }

  unsatisfy(model: RequiredModel): void {
    this.#satisfied.delete(model.key);
    this.report.present = this.report.present.filter((name) => keyOrUndefined(name) !== model.key);
  }

  pulled(model: RequiredModel): void {
    // An update moves a present model to `pulled`.
    this.report.present = this.report.present.filter((name) => keyOrUndefined(name) !== model.key);
    this.#satisfied.add(model.key);
    this.report.pulled.push(model.short);
  }

  missing(): string[] {
    return this.#required.filter((model) => !this.#satisfied.has(model.key)).map((m) => m.short);
  }

  /**
   * Runs an entry point's body on a prepared run: a failure to connect, or any expected error,
   * ends in the report; only bugs throw.
   *
   * @param config The settings as given.
   * @param options The entry point's options.
   * @param body What the entry point does once connected.
   * @returns The report.
   */
  static async execute(
    config: Partial<OllamaConfig> | undefined,
    options: EnsureOptions,
    body: (run: Run, prepared: Prepared) => Promise<StartupReport>,
  ): Promise<StartupReport> {
    const run = new Run(options);
    try {
      const prepared = await run.prepare(config);
      return prepared === undefined ? run.report : await body(run, prepared);
    } catch (error) {
      return run.fail(error);
    }
  }

  /** The pull policy of this run's settings and options. */
  policy(config: OllamaConfig): PlanPolicy {
    return {
      autoPull: config.autoPull,
      whitelist: config.whitelist,
      update: this.#options.update === true,
      noPullReason: this.#options.noPullReason ?? "auto_pull is off",
    };
  }

  /**
   * Makes a plan for some models and records it in the report (plan, outdated, unknown,
   * warnings).
   *
   * @param prepared The connected run.
   * @param required The models to plan for.
   * @param ask Which models to ask the registry about.
   * @param policy The pull policy.
   * @returns The plan.
   */
  async plan(
    prepared: Prepared,
    required: readonly RequiredModel[],
    ask: "all" | "needed",
    policy: PlanPolicy = this.policy(prepared.config),
  ): Promise<Plan> {
    // Planning, the registry and byte counts are loaded when something is to be pulled or
    // compared, never for a check whose models are all there.
    const { planModels } = await import("./plan.ts");
    const plan = await planModels({
      client: prepared.client,
      registry: await this.registry(prepared.config),
      required,
      installed: prepared.installed,
      policy,
      ask,
      concurrency: 4,
      signal: this.#options.signal,
    });
    this.report.plan = plan;
    this.report.outdated = plan.outdated;
    this.report.unknown = plan.unknown;
    for (const warning of plan.warnings) this.warn(warning);
    return plan;
  }

  /** Whether a registry may be asked (it is not when turned off). */
  get asksRegistry(): boolean {
    return this.#options.registry !== false;
  }

  /** The registry client, `undefined` when asking a registry is turned off. */
  async registry(config: OllamaConfig): Promise<RegistryClient | undefined> {
    if (this.#options.registry === false) return undefined;
    if (this.#registry === undefined) {
      const { RegistryClient } = await import("../registry.ts");
      this.#registry ??= this.#options.registry ??
        new RegistryClient({
          fetch: this.#options.fetch,
          signal: this.#options.signal,
          insecure: config.insecure,
          timeoutMs: config.timeoutSecs * 1000,
        });
    }
    return this.#registry;
  }

  /** Validates, connects, checks the version and lists the models; `undefined` when it failed. */
  async prepare(config: Partial<OllamaConfig> | undefined): Promise<Prepared | undefined> {
    const settings = validateOllamaConfig(config);
    this.#required = requiredModels(settings.models);
    const resolved = resolveBaseUrl({
      host: this.#options.host,
      baseUrl: settings.baseUrl ?? settings.hosts?.[0],
      env: this.#options.env,
    });
    this.report.baseUrlSource = resolved.source;
    const client = new OllamaClient(
      resolved.url,
      clientOptions(settings, this.#options, resolved.url),
    );
    this.report.baseUrl = client.baseUrl;
    let health;
    try {
      health = await client.healthCheck({ signal: this.#options.signal });
    } catch (error) {
      if (!(error instanceof OllamaError)) throw error;
      if (error.code !== "interrupted") this.log("error", `Ollama unavailable: ${error.message}`);
      this.finish(error);
      return undefined;
    }
    this.report.reachable = true;
    this.report.serverVersion = health.version;
    this.log(
      "info",
      `Ollama ${health.version ?? "(version unknown)"} is running at ${client.baseUrl}`,
    );
    if (
      settings.minVersion !== undefined && health.version !== null &&
      !isVersionAtLeast(health.version, settings.minVersion)
    ) {
      const { ServerTooOldError } = await import("../errors/server_too_old_error.ts");
      const error = new ServerTooOldError(client.baseUrl, health.version, settings.minVersion);
      this.log("error", error.message);
      this.finish(error);
      return undefined;
    }
    const installed = await this.list(client);
    this.report.installed = [...installed.values()].map((info) => info.name);
    this.log(
      "info",
      installed.size === 0
        ? "No models installed"
        : `Installed models (${installed.size}): ${listed(this.report.installed, 10)}`,
    );
    return { config: settings, client, required: this.#required, installed };
  }

  /** The installed models by normalized key; each listed name is parsed once. */
  async list(client: OllamaClient): Promise<Map<string, OllamaModelInfo>> {
    const models = await client.listModels({
      signal: this.#options.signal,
      onWarning: (warning) => this.warn(warning),
    });
    const byKey = new Map<string, OllamaModelInfo>();
    for (const info of models) {
      let parsed: ModelName;
      try {
        parsed = parseModelName(info.name);
      } catch {
        continue; // A name no required model can match.
      }
      const key = normalizeModelName(parsed);
      info.name = shortModelName(parsed);
      if (!byKey.has(key)) byKey.set(key, info);
    }
    return byKey;
  }

  /** Says what will be downloaded, and whether it fits. */
  async announce(plan: Plan): Promise<void> {
    const acting = plan.entries.filter((e) => e.action === "pull" || e.action === "update");
    if (acting.length === 0) return;
    const { formatBytes } = await import("../progress/format.ts");
    if (plan.downloadBytes !== null) {
      this.log(
        "info",
        `To download: ${formatBytes(plan.downloadBytes)} for ${acting.length} model${
          acting.length === 1 ? "" : "s"
        } (${acting.map((e) => e.model).join(", ")})`,
      );
    }
    const total = plan.downloadBytes;
    if (total === null || total === 0 || this.#options.freeDisk === undefined) return;
    const free = await this.#options.freeDisk().catch(() => undefined);
    if (free !== undefined && free.bytes < total) {
      this.warn(
        `The download (${formatBytes(total)}) will not fit: ${formatBytes(free.bytes)} free in ` +
          `${free.path}. Free space there, or set OLLAMA_MODELS on the server to a larger disk.`,
      );
    }
  }

  finish(error: OllamaError | null): StartupReport {
    // Whatever step failed, every required model not known to be there is still missing.
    this.report.missing = this.missing();
    this.report.error = error;
    this.report.ok = error === null;
    this.report.exitCode = error === null ? 0 : error.exitCode;
    return this.report;
  }

  fail(error: unknown): StartupReport {
    if (error instanceof OllamaError) return this.finish(error);
    const signal = this.#options.signal;
    if (signal?.aborted === true) return this.finish(callerAbort(signal, "ensure"));
    throw error;
  }
}

/** Validates the required names and drops aliases of one another (first spelling kept). */
export function requiredModels(names: readonly string[]): RequiredModel[] {
  const seen = new Set<string>();
  const models: RequiredModel[] = [];
  for (const name of names) {
    const model = requiredModel(name);
    if (model === undefined) parseModelName(name); // throws the reason
    if (model === undefined || seen.has(model.key)) continue;
    seen.add(model.key);
    models.push(model);
  }
  return models;
}

export function requiredModel(name: string): RequiredModel | undefined {
  try {
    const parsed = parseModelName(name);
    return {
      name,
      key: normalizeModelName(parsed),
      short: shortModelName(parsed),
      cloud: isCloudModel(parsed),
    };
  } catch {
    return undefined;
  }
}

function clientOptions(config: OllamaConfig, options: EnsureOptions, url: string) {
  const headers = new Headers(options.headers);
  const key = options.env?.OLLAMA_API_KEY?.trim();
  if (key && !headers.has("authorization") && isOllamaCloudUrl(url)) {
    headers.set("authorization", `Bearer ${key}`);
  }
  return {
    fetch: options.fetch,
    headers,
    timeoutMs: config.timeoutSecs * 1000,
    stallTimeoutMs: config.stallTimeoutSecs * 1000,
    signal: options.signal,
    retry: { ...options.retry, retries: config.pullRetries },
    insecure: config.insecure,
    proxyEnv: options.proxyEnv,
  };
}

export function keyOrUndefined(name: string): string | undefined {
  try {
    return normalizeModelName(name);
  } catch {
    return undefined;
  }
}

export function installedShort(
  installed: ReadonlyMap<string, OllamaModelInfo>,
  short: string,
): boolean {
  const key = keyOrUndefined(short);
  return key !== undefined && installed.has(key);
}

/** Names for a log line: the first `most`, then how many more (a server may list hundreds). */
function listed(names: readonly string[], most: number): string {
  return names.length <= most
    ? names.join(", ")
    : `${names.slice(0, most).join(", ")} and ${names.length - most} more`;
}
