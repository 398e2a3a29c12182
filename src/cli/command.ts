/**
 * What a command of the command line is ({@link CliCommand}), what it is given
 * ({@link CommandContext}) and what it returns ({@link CliResult}). Adding a command is adding a
 * file in `commands/` that exports one, and listing it in `commands/mod.ts`.
 *
 * @module
 */

import type { OllamaConfig } from "../config/schema.ts";
import type { ProxyEnv } from "../proxy.ts";
import type { CliFlags } from "./flags.ts";
import type { CommandSyntax } from "./syntax.ts";
import type { Output } from "./output.ts";

/** A command: its syntax (see {@link CommandSyntax}) and what it does. */
export interface CliCommand extends CommandSyntax {
  /** Runs it. Expected outcomes come back in the result; only bugs throw. */
  run(context: CommandContext): Promise<CliResult>;
}

/** What a command is given. */
export interface CommandContext {
  /** The parsed command line. */
  flags: CliFlags<CliCommand>;
  /** The `[ollama]` settings with the command line's overrides applied. */
  config: OllamaConfig;
  /** The config file read, `undefined` for the built-in defaults. */
  configSource: string | undefined;
  /** The working directory the CLI was given (relative paths are taken from it); `undefined`: the process's. */
  cwd: string | undefined;
  /** The environment variables the CLI read. */
  env: Readonly<Record<string, string | undefined>>;
  /** The proxy variables the runtime's `fetch` honours (Deno, Bun), to explain failures. */
  proxyEnv: ProxyEnv | undefined;
  /** Aborted by SIGINT, SIGTERM or SIGHUP. */
  signal: AbortSignal | undefined;
  /** Where everything printed goes. */
  output: Output;
}

export {
  type CliResult,
  emptyResult,
  exitCodeOf,
  type HostResult,
  type PlanRow,
  type WarmedRow,
} from "./result.ts";
import type { CliResult } from "./result.ts";
