/**
 * SIGINT, SIGTERM and SIGHUP, handled alike: the first aborts the run with an
 * `InterruptedError` that names the signal (so every error the library raises from the abort
 * carries it, and the exit code is 130, 143 or 129); the run then finishes its output (the
 * reporter ends its line and shows the cursor, the `--json` result line is written). A second
 * signal does not wait: the terminal is restored and the process exits at once.
 *
 * @module
 */

import { InterruptedError, type InterruptSignal } from "../errors/interrupted_error.ts";
import type { CliHost } from "./host.ts";

/** The signals that interrupt a run. */
export const INTERRUPT_SIGNALS: readonly InterruptSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Aborts `controller` on the first interrupting signal; exits on the second.
 *
 * @param host Where to listen, and how to exit.
 * @param controller Aborted with an `InterruptedError` naming the signal.
 * @param beforeExit Runs before a second signal ends the process (restores the terminal).
 * @returns A function that stops listening.
 */
export function interruptOnSignals(
  host: Pick<CliHost, "onSignal" | "exit">,
  controller: AbortController,
  beforeExit: () => void,
): () => void {
  const stops = INTERRUPT_SIGNALS.map((signal) =>
    host.onSignal(signal, () => {
      const reason = new InterruptedError("the command", { signal });
      if (controller.signal.aborted) {
        beforeExit();
        host.exit(reason.exitCode);
      }
      controller.abort(reason);
    })
  );
  return () => {
    for (const stop of stops) stop();
  };
}
