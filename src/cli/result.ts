/**
 * What a run of the command line comes to: the {@link CliResult} the result line reports, and
 * its exit code.
 *
 * @module
 */

import type { OllamaError } from "../errors/ollama_error.ts";
import type { PlanAction } from "../ensure/plan.ts";
import type { WarmedModel } from "../ensure/warm.ts";

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
