/**
 * The options of the reporters for people (CLI and TUI), in a file of their own so that the
 * reporters and the renderers they build on both import downwards from here.
 *
 * @module
 */

import type { ProgressScheduler, ProgressSink } from "./sink.ts";

/**
 * Options of {@link CliPullProgressReporter} (and of the TUI reporter).
 *
 * @example
 * ```ts
 * import { type CliPullProgressReporterOptions, memorySink } from "@vtcode/ollama";
 *
 * const options: CliPullProgressReporterOptions = {
 *   sink: memorySink({ isTerminal: true, columns: 100 }),
 *   color: true,
 *   redrawIntervalMs: 50,
 *   label: "gpu-1",
 * };
 * ```
 */
export interface CliPullProgressReporterOptions {
  /** Where to write (stderr in the command line). */
  sink: ProgressSink;
  /** Live redraws in place (`true`) or plain lines (`false`). Default: `sink.isTerminal`. */
  interactive?: boolean;
  /** SGR colours on a live display (never in plain lines). Default `false`; pass `false` when `NO_COLOR` is set. */
  color?: boolean;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** The shortest time between two live redraws, in milliseconds. Default 100 (10 a second). */
  redrawIntervalMs?: number;
  /** Plain mode: the longest time between two progress lines while bytes arrive. Default 5000. */
  plainIntervalMs?: number;
  /**
   * Written before every line (sanitized), e.g. the host of a fleet: `gpu-1`. Default none.
   */
  label?: string;
  /**
   * Runs the one trailing redraw (or, in plain mode, the held-back status line) that shows a
   * change which arrived while output was being held back, when no further event follows (e.g.
   * a long `verifying sha256 digest`). Default: the runtime's `setTimeout`; `null` for none (the
   * next event or `finish` shows it).
   */
  schedule?: ProgressScheduler | null;
}

/**
 * A {@link ProgressScheduler} on the runtime's timers (`setTimeout`).
 *
 * @param callback Runs once after the delay.
 * @param delayMs The delay.
 * @returns Cancels the timer.
 *
 * @example
 * ```ts
 * import { timerScheduler } from "./options.ts";
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
 * The scheduler an option asks for: the timers by default, none for `null`.
 *
 * @param option The option as given.
 * @returns The scheduler, or `undefined` for none.
 *
 * @example
 * ```ts
 * import { schedulerOf } from "./options.ts";
 *
 * schedulerOf(null); // undefined
 * ```
 */
export function schedulerOf(
  option: ProgressScheduler | null | undefined,
): ProgressScheduler | undefined {
  return option === null ? undefined : option ?? timerScheduler;
}
