/**
 * What a command of the command line is ({@link CliCommand}), what it is given
 * ({@link CommandContext}) and what it returns ({@link CliResult}). Adding a command is adding a
 * file in `commands/` that exports one, and listing it in `commands/mod.ts`.
 *
 * @module
 */

import type { OllamaConfig } from "../config/schema.ts";
import type { OllamaError } from "../errors/ollama_error.ts";
import type { PlanAction } from "../ensure/plan.ts";
import type { WarmedModel } from "../ensure/warm.ts";
import type { ProxyEnv } from "../proxy.ts";
import type { CliFlags } from "./flags.ts";
import type { Output } from "./output.ts";

/** A command: its name, its `--help` text, what it takes, and what it does. */
export interface CliCommand {
  /** The name users type: `ensure`. */
  name: string;
  /** How `--help` shows it, e.g. `pull MODEL...`. Default: the name. */
  usage?: string;
  /** The `--help` text; a line break continues it on the next line. */
  summary: string;
  /** The command-specific options it takes (names from `OPTIONS`), beyond the global ones. */
  accepts?: readonly string[];
  /** For options it refuses, what to do instead (shown after "`pull` does not take --model"). */
  refuses?: Readonly<Record<string, string>>;
  /** Its operands (arguments that are not options); without it, it takes none. */
  operands?: {
    /** What one is, for messages: `model name`. */
    name: string;
    /** How many it needs at least. */
    min: number;
    /** A use of the command with them, for messages: `pull llama3`. */
    example: string;
    /** They are model names, checked before anything runs. */
    models?: boolean;
  };
  /** Shown when it is given operands it does not take. */
  operandHint?: string;
  /**
   * For a command that talks to one server only: what to use instead when `--host` is given
   * more than once (or the config lists several `hosts`). Without it, several hosts are a fleet.
   */
  singleHost?: string;
  /** Says `ready: …` when it succeeds. Default `true`. */
  saysReady?: boolean;
  /** Runs it. Expected outcomes come back in the result; only bugs throw. */
  run(context: CommandContext): Promise<CliResult>;
}

/** What a command is given. */
export interface CommandContext {
  /** The parsed command line. */
  flags: CliFlags;
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

/** The outcome of a run, as the `--json` result line reports it. */
export interface CliResult {
  /** The server's address, credentials removed; `null` when none was reached. */
  baseUrl: string | null;
  /** The server's version; `null` when unknown. */
  serverVersion: string | null;
  /** Models present (short form). */
  present: string[];
  /** Models pulled now. */
  pulled: string[];
  /** Models still missing. */
  missing: string[];
  /** The outcome's error (it decides the exit code); `null` when ok. */
  error: OllamaError | null;
  /** Further errors worth a line each (a `pull` of several models that failed differently). */
  otherErrors?: OllamaError[];
  /** `plan`: what `ensure` would do per model (with several hosts, each entry names its host). */
  plan?: PlanRow[];
  /** What `ensure` would download, or did plan to (`null` when a size is unknown). */
  downloadBytes?: number | null;
  /** Required models whose tag moved in the registry (`outdated`, `ensure --update`). */
  outdated?: string[];
  /** Required models the registry could not be asked about. */
  unknown?: string[];
  /** The models warm-up loaded, when it ran. */
  warmed?: WarmedRow[];
  /** With several hosts: one result per host, in the order given. */
  hosts?: HostResult[];
}

/** One model of a `plan`. */
export interface PlanRow {
  /** The model, short form. */
  model: string;
  /** What `ensure` would do. */
  action: PlanAction;
  /** Bytes to download; `null` when unknown. */
  downloadBytes: number | null;
  /** Why it is blocked, why its size is unknown, or that a newer version waits. */
  reason: string | null;
  /** The host, with several. */
  host?: string;
}

/** One model loaded by warm-up. */
export interface WarmedRow extends WarmedModel {
  /** The host, with several. */
  host?: string;
}

/** One host's outcome within a fleet's result. */
export interface HostResult extends CliResult {
  /** The host as people know it (`gpu-1:11434`), which its lines are labelled with. */
  label: string;
}

/**
 * A result with nothing in it but an error (or none).
 *
 * @param error The outcome's error.
 * @returns The result.
 */
export function emptyResult(error: OllamaError | null): CliResult {
  return { baseUrl: null, serverVersion: null, present: [], pulled: [], missing: [], error };
}

/**
 * The exit code of a result: 0, or its error's.
 *
 * @param result The result.
 * @returns The exit code.
 */
export function exitCodeOf(result: CliResult): number {
  return result.error === null ? 0 : result.error.exitCode;
}
