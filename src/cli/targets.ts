/**
 * The servers a run talks to: the `--host` values (once or more: they beat `hosts` and
 * `base_url`), else the config's `hosts`, else the one address of the usual resolution. Each
 * has a label, the host as people know it (`gpu-1:11434`), that its lines are prefixed with in
 * a fleet. Pure.
 *
 * @module
 */

import type { OllamaConfig } from "../config/schema.ts";
import type { OllamaEnv } from "../startup.ts";
import { sanitizeText } from "../sanitize.ts";
import { type BaseUrlSource, resolveBaseUrl } from "../url.ts";

/** One server of a run. */
export interface Target {
  /** The address as given (`--host`, an entry of `hosts`); `undefined`: the usual resolution. */
  given: string | undefined;
  /** Its URL, credentials kept (for the proxy rules); `undefined` when it is malformed. */
  url: string | undefined;
  /** Where the address came from. */
  source: BaseUrlSource | undefined;
  /** `host:port`, without credentials: what its lines are labelled with. */
  label: string;
}

/**
 * The servers of a run, each once (two spellings of one address count once), in order.
 *
 * @param hosts The `--host` values.
 * @param config The settings (`hosts`, `base_url`).
 * @param env The address variables.
 * @returns One target, or several (a fleet).
 */
export function runTargets(
  hosts: readonly string[],
  config: Pick<OllamaConfig, "hosts" | "baseUrl">,
  env: OllamaEnv,
): Target[] {
  const given = hosts.length > 0 ? hosts : config.hosts ?? [];
  if (given.length === 0) return [target(undefined, config.baseUrl, env)];
  const targets: Target[] = [];
  for (const host of given) {
    const found = target(host, undefined, env);
    if (!targets.some((other) => other.url !== undefined && other.url === found.url)) {
      targets.push(found);
    }
  }
  return targets;
}

function target(host: string | undefined, baseUrl: string | undefined, env: OllamaEnv): Target {
  try {
    const { url, source } = resolveBaseUrl({ host, baseUrl, env });
    return { given: host, url, source, label: new URL(url).host };
  } catch {
    const label = sanitizeText(host ?? baseUrl ?? "", { maxLength: 80 }).replace(/^.*@/, "");
    return { given: host, url: undefined, source: undefined, label };
  }
}
