/**
 * The process as the command line sees it: what each runtime's host (`host_deno.ts`,
 * `host_node.ts`) provides.
 *
 * @module
 */

import type { InterruptSignal } from "../errors/interrupted_error.ts";
import type { CliIo } from "./main.ts";

/** The process, for `main`. */
export interface CliHost {
  /** The arguments, without the runtime and the script. */
  args: string[];
  /** What `runCli` needs (without the signal, which `main` makes). */
  io: Omit<CliIo, "signal">;
  /**
   * Calls `listener` on `signal`; returns a function that stops listening. A signal the
   * platform cannot listen to (SIGHUP on Windows) is ignored.
   */
  onSignal(signal: InterruptSignal, listener: () => void): () => void;
  /** Ends the process now. */
  exit(code: number): never;
}
