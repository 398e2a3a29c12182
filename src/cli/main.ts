/**
 * {@link runCli}: the command line as a function. Parses and checks the arguments, loads the
 * config, keeps loopback off any proxy, runs the command, and says the outcome once. It never
 * exits the process and never throws for an expected outcome, so it can be embedded and tested.
 *
 * @module
 */

import type { OllamaConfig } from "../config/schema.ts";
import { OllamaError } from "../errors/ollama_error.ts";
import type { ProgressSink } from "../progress/sink.ts";
import { type CliCommand, type CliResult, emptyResult } from "./command.ts";
import { COMMANDS } from "./commands/mod.ts";
import { loadCliConfig } from "./config.ts";
import { deniedEnvWarning, ollamaEnv } from "./env.ts";
import { type CliFlags, parseCliArgs, wantsJson } from "./flags.ts";
import { HELP } from "./help.ts";
import { Output } from "./output.ts";
import { keepLoopbackOffProxy, proxyVariables } from "./proxy_env.ts";
import { runTargets } from "./targets.ts";
import { isLoopbackUrl } from "../proxy.ts";
import { VERSION } from "./version.ts";

/** Where the command line writes, and what it reads from its environment. */
export interface CliIo {
  /** stdout: `list` output and `--json` lines only. May throw once closed (EPIPE, ENOSPC). */
  stdout: (text: string) => void;
  /** stderr, for people, with what the reporters need to know about the terminal. */
  stderr: ProgressSink;
  /** Environment variables (only those the CLI uses are read). */
  env: Record<string, string | undefined>;
  /** The working directory, where `vtcode.toml` is looked for. Default: the process's. */
  cwd?: string;
  /** Aborted on SIGINT, SIGTERM or SIGHUP; its reason should be an `InterruptedError`. */
  signal?: AbortSignal;
  /**
   * Sets a variable in the process environment (`NO_PROXY`, before the first request); may
   * throw when not allowed. Without it, the environment is left alone.
   */
  setEnv?: (name: string, value: string) => void;
  /**
   * Whether the runtime's `fetch` honours `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and
   * `NO_PROXY` (Deno's and Bun's do, Node's does not). Default `false`.
   */
  proxyAware?: boolean;
  /** Variables the runtime did not let the CLI read (a narrowed Deno `--allow-env`). */
  deniedEnv?: readonly string[];
}

/**
 * Runs the command line with the given arguments and returns the exit code. Never exits the
 * process itself, so it can be embedded and tested.
 *
 * @param args The arguments, without the program name.
 * @param io Where to write, the environment and the interrupt signal.
 * @returns The exit code (see `--help`).
 *
 * @example
 * ```ts
 * import { runCli } from "@vtcode/ollama/cli";
 *
 * const code = await runCli(["check", "--model", "llama3"], {
 *   stdout: (t) => console.log(t),
 *   stderr: { write: (t) => console.error(t), isTerminal: false },
 *   env: {},
 *   cwd: ".",
 * });
 * ```
 */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const streams = { stdout: io.stdout, stderr: io.stderr, noColor: Boolean(io.env.NO_COLOR) };
  let flags: CliFlags<CliCommand>;
  try {
    const request = parseCliArgs(args, COMMANDS);
    if (request.kind !== "run") {
      const output = new Output(streams, { json: request.json, quiet: false, sayReady: false });
      output.stderr(request.kind === "help" ? HELP : `${VERSION}\n`);
      return output.finish(emptyResult(null));
    }
    flags = request.flags;
  } catch (error) {
    const output = new Output(streams, { json: wantsJson(args), quiet: false });
    return output.finish(emptyResult(asOllamaError(error)), "Run with --help for usage.");
  }

  const output = new Output(streams, {
    json: flags.json,
    quiet: flags.quiet,
    tui: flags.tui,
    sayReady: flags.command.saysReady !== false,
  });
  try {
    const loaded = await loadCliConfig(flags.config, io.cwd);
    for (const warning of loaded.warnings) output.warning(warning);
    const config = withFlags(loaded.config, flags);
    const env = { ...io.env };
    const targets = runTargets(flags.hosts, config, ollamaEnv(env));
    const urls = targets.flatMap((target) => target.url === undefined ? [] : [target.url]);
    let proxyEnv = io.proxyAware ? proxyVariables(env) : undefined;
    if (proxyEnv !== undefined && urls.length > 0) {
      proxyEnv = keepLoopbackOffProxy(urls, proxyEnv, io.setEnv);
      Object.assign(env, proxyEnv);
    }
    const result: CliResult = await flags.command.run({
      flags,
      config,
      configSource: loaded.source,
      cwd: io.cwd,
      env,
      proxyEnv,
      signal: io.signal,
      output,
    });
    const warning = deniedEnvWarning(io.deniedEnv ?? [], {
      defaultAddress: targets.length === 1 && targets[0].source === "default",
      loopbackFailure: urls.some(isLoopbackUrl) &&
        PROXY_SHAPED_FAILURES.has(result.error?.code ?? "ok"),
    });
    if (warning !== undefined) output.warning(warning);
    return output.finish(result);
  } catch (error) {
    return output.finish(emptyResult(asOllamaError(error)));
  }
}

/** Failures that a proxy in the way would cause. */
const PROXY_SHAPED_FAILURES = new Set(["unreachable", "timeout", "not_ollama"]);

/** The config with the command line's `--model` and `--timeout` applied. */
function withFlags(config: OllamaConfig, flags: CliFlags): OllamaConfig {
  return {
    ...config,
    models: [...config.models, ...flags.models],
    timeoutSecs: flags.timeoutSecs ?? config.timeoutSecs,
  };
}

function asOllamaError(error: unknown): OllamaError {
  if (error instanceof OllamaError) return error;
  return new OllamaError(
    "internal",
    `internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}. ` +
      "This is a bug; please report it with the command you ran.",
  );
}
