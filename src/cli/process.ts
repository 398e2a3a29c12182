/**
 * {@link main}: the command line as a process. Reads the process's arguments and environment,
 * turns SIGINT, SIGTERM and SIGHUP into an abort, runs {@link runCli} and exits with its code.
 *
 * @module
 */

import { currentHost } from "./host.ts";
import { runCli } from "./main.ts";
import { interruptOnSignals } from "./signals.ts";

/** Shows the cursor again and ends the line, on a terminal. */
const RESTORE_TERMINAL = "\x1b[?25h\n";

/**
 * Runs the command line on the current process's arguments and exits with its code.
 *
 * @returns Never: the process exits.
 *
 * @example
 * ```ts ignore
 * import { main } from "@vtcode/ollama/cli";
 *
 * await main(); // as `deno run … cli.ts check --model llama3` would
 * ```
 */
export async function main(): Promise<void> {
  const host = await currentHost();
  const controller = new AbortController();
  const { stderr } = host.io;
  const stopListening = interruptOnSignals(host, controller, () => {
    try {
      if (stderr.isTerminal) stderr.write(RESTORE_TERMINAL);
    } catch {
      // Nothing more can be done for a closed terminal.
    }
  });
  const code = await runCli(host.args, { ...host.io, signal: controller.signal });
  stopListening();
  // Every write was synchronous: nothing is pending, and nothing left running may delay the exit.
  host.exit(code);
}
