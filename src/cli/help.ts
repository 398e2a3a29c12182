/**
 * The `--help` text: the commands and options from their tables (so a new one shows up by
 * itself), then the `[ollama]` keys, address resolution and exit codes.
 *
 * @module
 */

import type { CommandSyntax } from "./syntax.ts";
import { COMMANDS } from "./commands/mod.ts";
import { type CliOption, OPTIONS } from "./options.ts";
import { VERSION } from "./version.ts";

/** Two columns: the term padded to `width`, the text's continuation lines aligned under it. */
function columns(rows: readonly [string, string][], width: number): string {
  const pad = " ".repeat(width + 2);
  return rows.map(([term, text]) => `  ${term.padEnd(width)}${text.split("\n").join(`\n${pad}`)}\n`)
    .join("");
}

function optionTerm(name: string, option: CliOption): string {
  const long = `--${name}${option.value ? ` ${option.value}` : ""}`;
  return option.short ? `-${option.short}, ${long}` : long;
}

/**
 * Builds the help text for the given commands and options.
 *
 * @param commands The commands; the first is the default.
 * @param options The options.
 * @returns The text.
 */
export function helpText(
  commands: readonly CommandSyntax[],
  options: Readonly<Record<string, CliOption>>,
): string {
  const commandRows = commands.map((c): [string, string] => [c.usage ?? c.name, c.summary]);
  const optionRows = Object.entries(options).map((
    [name, option],
  ): [string, string] => [optionTerm(name, option), option.help]);
  return `vtcode-ollama ${VERSION}: is Ollama running, and are my models there?

Usage: cli.ts [COMMAND] [OPTIONS]

Commands (default: ${commands[0].name})
${columns(commandRows, 15)}
Options
${columns(optionRows, 17)}
[ollama] keys (in vtcode.toml or the --config file)
  base_url            server address; a trailing /v1 is reduced to the host root
  hosts               several servers, each ensured alike (not together with base_url)
  models              models that must exist (default [])
  auto_pull           pull missing required models (default true)
  whitelist           models that may be pulled: names or patterns with * ("qwen3:*"),
                      compared on normalized names (default: no restriction)
  timeout_secs        bound for the health check, each request, a pull's start (default 5)
  stall_timeout_secs  a pull whose layers do not grow this long (silent, or repeating one
                      line) is aborted and retried (default 60)
  pull_retries        re-issues of a failed or stalled pull (default 3)
  pull_concurrency    pulls at once per server, 1 to 8 (default 2)
  insecure            pull models of a private plain-HTTP registry (Ollama's "insecure"; never
                      for registry.ollama.ai; default false)
  warm                load each required model into memory after ensure (default false)
  keep_alive          how long a warmed model stays loaded: "30m", seconds, -1 = forever
                      (default: the server's)
  min_version         refuse an older server, e.g. "0.5.0" (default: none)

Server address, first that is set: --host (once or more), hosts, base_url,
OLLAMA_BASE_URL, OLLAMA_HOST, then http://127.0.0.1:11434. OLLAMA_API_KEY is sent to
ollama.com only.

Environment
  OLLAMA_HOST, OLLAMA_BASE_URL  the server address (above)
  OLLAMA_API_KEY                a key for ollama.com
  VTCODE_OLLAMA_REGISTRY=off    never ask a model registry (offline CI, tests): download
                                sizes and moved tags are then unknown
  OLLAMA_MODELS                 a local server's models directory, to warn when a download
                                will not fit (default ~/.ollama/models)
  NO_COLOR                      no colours
  HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY  as the runtime uses them; never for loopback

Exit codes
  0    ready: server reachable and every required model present (after any pulls)
  1    unexpected internal error (a bug)
  2    usage or config error, invalid model name
  3    server unreachable, timed out, or not an Ollama server
  4    a required model is missing and was not pulled (auto_pull off, --no-pull, check,
       or outside the whitelist); a cloud model is not usable (not signed in, cloud
       disabled); outdated found a model whose tag moved
  5    a pull failed (server error, stream ended without success, stalled, invalid data)
  6    the lock does not match (--locked): a required model is not in the lock, or is
       installed with another digest, or there is no lock file
  7    warm-up failed (--warm): a required model could not be loaded (e.g. not enough memory)
  130  interrupted (Ctrl-C); 143 on SIGTERM, 129 on SIGHUP; the pull request is aborted,
       not left running
  With several hosts: the highest code of any host (an interruption wins).
`;
}

/** The full `--help` text. */
export const HELP: string = helpText(COMMANDS, OPTIONS);
