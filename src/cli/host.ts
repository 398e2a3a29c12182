/**
 * The process as the command line sees it: arguments, the {@link CliIo} (stdout, stderr, the
 * variables it reads, the working directory), signals and exit. Under Deno, Deno's own APIs (the
 * first `node:` module a Deno process imports costs it several milliseconds of start-up);
 * elsewhere (Bun, Node), `node:process` and `node:fs`.
 *
 * @module
 */

import type { InterruptSignal } from "../errors/interrupted_error.ts";
import { denoHost } from "./host_deno.ts";
import type { CliIo } from "./main.ts";

/** The process, for {@link main}. */
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

/**
 * The current process.
 *
 * @returns Its host.
 */
export async function currentHost(): Promise<CliHost> {
  if ("Deno" in globalThis) return denoHost();
  return (await import("./host_node.ts")).nodeHost();
}
