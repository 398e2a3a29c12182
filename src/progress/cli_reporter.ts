/**
 * The command line's progress display: one line per model being pulled.
 *
 * On a terminal the line is live — spinner, model, status, aggregate bar over all layers,
 * percent, `586 MB/1.7 GB`, rate and ETA — redrawn in place at most every 100 ms, and finished
 * with `✔ pulled llama3:latest (4.7 GB in 1m32s)` or a `✘` marker. Elsewhere it writes plain
 * log lines with no escape sequences.
 *
 * @module
 */

import type { OllamaPullEvent, OllamaPullProgressReporter } from "../events.ts";
import { finalLine, liveLine } from "./line.ts";
import type { LiveFrames } from "./live_renderer.ts";
import type { PullOutcome } from "./progress_state.ts";
import { createRenderer } from "./renderer.ts";
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
  /** The shortest time between two live redraws, in milliseconds. Default 100. */
  redrawIntervalMs?: number;
  /** Plain mode: the longest time between two progress lines while bytes arrive. Default 5000. */
  plainIntervalMs?: number;
  /**
   * Runs the one trailing redraw that shows a change which arrived between two redraw slots
   * when no further event follows (e.g. a long `verifying sha256 digest`). Default: the
   * runtime's `setTimeout`; `null` for none (the next event or `finish` shows it).
   */
  schedule?: ProgressScheduler | null;
}

/** The CLI's live frame: one line per model. */
const CLI_FRAMES: LiveFrames = {
  live: (label, snapshot, layout) => [liveLine(label, snapshot, layout)],
  final: (label, snapshot, outcome, layout) => [finalLine(label, snapshot, outcome, layout)],
};

/**
 * The command line's pull progress: a live line per model on a terminal, plain lines elsewhere.
 *
 * @example A pull on stderr
 * ```ts
 * import process from "node:process";
 * import { CliPullProgressReporter, OllamaClient } from "@vtcode/ollama";
 *
 * const reporter = new CliPullProgressReporter({
 *   sink: {
 *     write: (text) => void process.stderr.write(text),
 *     isTerminal: process.stderr.isTTY === true,
 *     columns: process.stderr.columns,
 *   },
 *   color: !process.env.NO_COLOR,
 * });
 * await new OllamaClient("http://127.0.0.1:11434").pullModel("qwen3:0.6b", { reporter });
 * ```
 */
export class CliPullProgressReporter implements OllamaPullProgressReporter {
  readonly #renderer: OllamaPullProgressReporter;

  /**
   * Creates the reporter; the mode is fixed here (live when `interactive`, default: when the
   * sink is a terminal).
   *
   * @param options Sink, mode, colour, clock, intervals.
   */
  constructor(options: CliPullProgressReporterOptions) {
    this.#renderer = createRenderer(options, CLI_FRAMES, false);
  }

  /**
   * Folds an event into the model's progress and redraws (or prints) as the mode allows.
   *
   * @param event The event.
   * @param model The model, in short form.
   */
  onEvent(event: OllamaPullEvent, model: string): void {
    void this.#renderer.onEvent(event, model);
  }

  /**
   * Draws the final state, ends the line and restores the cursor, whatever the outcome.
   *
   * @param model The model.
   * @param outcome How the pull ended.
   */
  finish(model: string, outcome: PullOutcome): void {
    void this.#renderer.finish?.(model, outcome);
  }
}
