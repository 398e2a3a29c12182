/**
 * The command line's progress display: one row per model being pulled.
 *
 * On a terminal the row is live — spinner, model, bar, percent, `586 MB/1.7 GB`, rate, ETA and
 * the layer it is at — redrawn in place at most 10 times a second, with a total row under
 * several pulls; a finished pull leaves one summary row, e.g. `✔ pulled llama3:latest (4.7 GB
 * in 1m32s)` or a `✘` marker. Elsewhere it writes plain log lines with no escape sequences.
 *
 * @module
 */

import type { OllamaPullEvent, OllamaPullProgressReporter } from "../events.ts";
import type { LiveFrames } from "./live_renderer.ts";
import type { CliPullProgressReporterOptions } from "./options.ts";
import type { PullOutcome } from "./progress_state.ts";
import { createRenderer } from "./renderer.ts";
import { finalRow, modelRow } from "./rows.ts";

export type { CliPullProgressReporterOptions } from "./options.ts";

/** The CLI's live frame: one row per model. */
const CLI_FRAMES: LiveFrames = {
  live: (pull, layout) => [modelRow(pull.label, pull.snapshot, layout)],
  final: (pull, outcome, layout) => [finalRow(pull.label, pull.snapshot, outcome, layout)],
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
   * @param options Sink, mode, colour, clock, intervals, label.
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
   * Writes a line for people above the live display (or after the plain lines).
   *
   * @param line The line, without its line break.
   */
  print(line: string): void {
    this.#renderer.print?.(line);
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
