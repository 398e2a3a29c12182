/**
 * A client for the commands that talk to the server directly (`list`, `pull`): the address by
 * the usual resolution, the config's bounds, the proxy variables for diagnosis, and a health
 * check, said once for people and once as a `health` event.
 *
 * @module
 */

import { OllamaClient } from "../client.ts";
import { UsageError } from "../errors/usage_error.ts";
import { isOllamaCloudUrl, resolveBaseUrl } from "../url.ts";
import type { CommandContext } from "./command.ts";
import { ollamaEnv } from "./env.ts";
import { runTargets } from "./targets.ts";

/** What to do instead of `list` or `pull` against several servers. */
export const FLEET_HINT = "for several servers use `ensure --model NAME --host A --host B`, " +
  "which makes each ready (or run it once per --host)";

/**
 * Creates the client and checks the server is an Ollama.
 *
 * @param context The command's context.
 * @param onClient Told the client before the health check, so a failure can name its address.
 * @returns The client, once the server answered.
 * @throws {OllamaError} When the server is not reachable or not Ollama.
 */
export async function connect(
  context: CommandContext,
  onClient: (client: OllamaClient) => void,
): Promise<OllamaClient> {
  const { config, flags, output } = context;
  const env = ollamaEnv(context.env);
  const targets = runTargets(flags.hosts, config, env);
  if (targets.length > 1) {
    throw new UsageError(
      `${flags.command.name} talks to one server, and the config lists ${targets.length} in ` +
        `\`hosts\`: pick one with --host, or ${FLEET_HINT.replace(/^for several servers /, "")}`,
    );
  }
  const { url } = resolveBaseUrl({ host: targets[0].given, baseUrl: config.baseUrl, env });
  const key = env.OLLAMA_API_KEY?.trim();
  const client = new OllamaClient(url, {
    headers: key && isOllamaCloudUrl(url) ? { authorization: `Bearer ${key}` } : undefined,
    timeoutMs: config.timeoutSecs * 1000,
    stallTimeoutMs: config.stallTimeoutSecs * 1000,
    signal: context.signal,
    retry: { retries: config.pullRetries },
    insecure: config.insecure,
    proxyEnv: context.proxyEnv,
  });
  onClient(client);
  const health = await client.healthCheck({ signal: context.signal });
  output.info(`Ollama ${health.version ?? "(version unknown)"} is running at ${client.baseUrl}`);
  output.event({
    type: "health",
    reachable: true,
    base_url: client.baseUrl,
    server_version: health.version,
  });
  return client;
}
