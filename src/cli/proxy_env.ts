/**
 * Loopback never goes through a proxy. Deno's and Bun's `fetch` honour `HTTP_PROXY`,
 * `HTTPS_PROXY` and `ALL_PROXY` (either case) and send even `127.0.0.1` through them unless
 * `NO_PROXY` says otherwise, so a local Ollama would look down behind a corporate proxy. Before
 * the first request, when a proxy variable is set and a target is loopback, the loopback hosts
 * are added to `NO_PROXY` and `no_proxy` in the process environment (Deno reads them when its
 * first `fetch` creates its HTTP client, Bun on every request). Node's `fetch` ignores these
 * variables, so nothing is done there.
 *
 * @module
 */

import { isLoopbackUrl, noProxyWithLoopback, PROXY_ENV_NAMES, type ProxyEnv } from "../proxy.ts";

/** The proxy variables that are set (not empty), or `undefined` when no proxy is configured. */
export function proxyVariables(
  env: Readonly<Record<string, string | undefined>>,
): ProxyEnv | undefined {
  const found: ProxyEnv = {};
  let proxied = false;
  for (const name of PROXY_ENV_NAMES) {
    const value = env[name];
    if (value === undefined || value.trim() === "") continue;
    found[name] = value;
    if (name !== "NO_PROXY" && name !== "no_proxy") proxied = true;
  }
  return proxied ? found : undefined;
}

/**
 * Keeps loopback targets off the proxy: sets `NO_PROXY` and `no_proxy` (each extended with the
 * loopback hosts) with `setEnv`, when a proxy is configured and a target is loopback.
 *
 * @param targets The server addresses the run will talk to.
 * @param proxyEnv The proxy variables that are set.
 * @param setEnv Sets a variable in the process environment; throws when not allowed (Deno
 *   with a narrowed `--allow-env`): the variables then stay as they are, and a failure will
 *   name the proxy.
 * @returns The proxy variables as the runtime will now see them.
 */
export function keepLoopbackOffProxy(
  targets: readonly string[],
  proxyEnv: ProxyEnv,
  setEnv: ((name: string, value: string) => void) | undefined,
): ProxyEnv {
  if (setEnv === undefined || !targets.some(isLoopbackUrl)) return proxyEnv;
  const updated: ProxyEnv = { ...proxyEnv };
  for (const name of ["NO_PROXY", "no_proxy"] as const) {
    const value = noProxyWithLoopback(proxyEnv[name]);
    if (value === undefined) continue;
    try {
      setEnv(name, value);
    } catch {
      return updated;
    }
    updated[name] = value;
  }
  return updated;
}
