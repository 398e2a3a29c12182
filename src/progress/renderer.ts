/**
 * How a reporter for people renders: live in place on a terminal ({@link LiveRenderer}), plain
 * lines otherwise ({@link PlainRenderer}). Shared by the CLI and TUI reporters, which differ only
 * in the rows they draw for a pull.
 *
 * Internal to the progress reporters: not exported from the package root.
 *
 * @module
 */

import type { OllamaPullProgressReporter } from "../events.ts";
import { type LiveFrames, LiveRenderer } from "./live_renderer.ts";
import { type CliPullProgressReporterOptions, schedulerOf } from "./options.ts";
import { PlainRenderer } from "./plain_renderer.ts";
import { sanitizeText } from "../sanitize.ts";

/** The default redraw interval of live displays, in milliseconds (10 frames a second). */
const DEFAULT_REDRAW_INTERVAL_MS = 100;
/** The default longest time between two plain progress lines, in milliseconds. */
const DEFAULT_PLAIN_INTERVAL_MS = 5000;

/**
 * The renderer for a reporter's options: live when interactive (default: when the sink is a
 * terminal), plain lines otherwise.
 *
 * @param options The reporter's options.
 * @param frames The rows a live display draws for a pull.
 * @param synchronized Whether live frames are wrapped in synchronized-output markers.
 * @returns The renderer, itself a reporter.
 *
 * @example
 * ```ts
 * import { memorySink } from "@vtcode/ollama";
 * import { createRenderer } from "./renderer.ts";
 *
 * const renderer = createRenderer({ sink: memorySink() }, {
 *   live: (pull) => [pull.label],
 *   final: (pull) => [pull.label],
 * }, false);
 * ```
 */
export function createRenderer(
  options: CliPullProgressReporterOptions,
  frames: LiveFrames,
  synchronized: boolean,
): OllamaPullProgressReporter {
  const now = options.now ?? Date.now;
  const label = options.label === undefined ? "" : sanitizeText(options.label, { maxLength: 40 });
  const schedule = schedulerOf(options.schedule);
  if (!(options.interactive ?? options.sink.isTerminal)) {
    return new PlainRenderer({
      sink: options.sink,
      now,
      intervalMs: options.plainIntervalMs ?? DEFAULT_PLAIN_INTERVAL_MS,
      label,
      schedule,
    });
  }
  return new LiveRenderer({
    sink: options.sink,
    color: options.color ?? false,
    now,
    redrawIntervalMs: options.redrawIntervalMs ?? DEFAULT_REDRAW_INTERVAL_MS,
    schedule,
    frames,
    synchronized,
    label,
  });
}
