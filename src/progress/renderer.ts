/**
 * How a reporter for people renders: live in place on a terminal ({@link LiveRenderer}), plain
 * lines otherwise ({@link PlainRenderer}). Shared by the CLI and TUI reporters, which differ only
 * in the lines they draw for a pull.
 *
 * Internal to the progress reporters: not exported from the package root.
 *
 * @module
 */

import type { OllamaPullProgressReporter } from "../events.ts";
import type { CliPullProgressReporterOptions } from "./cli_reporter.ts";
import { type LiveFrames, LiveRenderer } from "./live_renderer.ts";
import { PlainRenderer } from "./plain_renderer.ts";

/** The default redraw interval of live displays, in milliseconds. */
const DEFAULT_REDRAW_INTERVAL_MS = 100;
/** The default longest time between two plain progress lines, in milliseconds. */
const DEFAULT_PLAIN_INTERVAL_MS = 5000;

/**
 * A {@link ProgressScheduler} on the runtime's timers (`setTimeout`).
 *
 * @param callback Runs once after the delay.
 * @param delayMs The delay.
 * @returns Cancels the timer.
 *
 * @example
 * ```ts
 * import { timerScheduler } from "./renderer.ts";
 *
 * const cancel = timerScheduler(() => console.log("later"), 100);
 * cancel();
 * ```
 */
export function timerScheduler(callback: () => void, delayMs: number): () => void {
  const id = setTimeout(callback, delayMs);
  return () => clearTimeout(id);
}

/**
 * The renderer for a reporter's options: live when interactive (default: when the sink is a
 * terminal), plain lines otherwise.
 *
 * @param options The reporter's options.
 * @param frames The lines a live display draws for a pull.
 * @param synchronized Whether live frames are wrapped in synchronized-output markers.
 * @returns The renderer, itself a reporter.
 *
 * @example
 * ```ts
 * import { memorySink } from "@vtcode/ollama";
 * import { createRenderer } from "./renderer.ts";
 *
 * const renderer = createRenderer({ sink: memorySink() }, {
 *   live: (label) => [label],
 *   final: (label) => [label],
 * }, false);
 * ```
 */
export function createRenderer(
  options: CliPullProgressReporterOptions,
  frames: LiveFrames,
  synchronized: boolean,
): OllamaPullProgressReporter {
  const now = options.now ?? Date.now;
  if (!(options.interactive ?? options.sink.isTerminal)) {
    return new PlainRenderer({
      sink: options.sink,
      now,
      intervalMs: options.plainIntervalMs ?? DEFAULT_PLAIN_INTERVAL_MS,
    });
  }
  return new LiveRenderer({
    sink: options.sink,
    color: options.color ?? false,
    now,
    redrawIntervalMs: options.redrawIntervalMs ?? DEFAULT_REDRAW_INTERVAL_MS,
    schedule: options.schedule === null ? undefined : options.schedule ?? timerScheduler,
    frames,
    synchronized,
  });
}
