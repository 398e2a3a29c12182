/**
 * A multi-line progress view like `ollama pull`: one line per layer (short digest, bar,
 * percent, sizes) and an aggregate line with the model, status, rate and ETA, redrawn in place
 * inside synchronized-output mode so the terminal never shows half a frame. Off a terminal it
 * writes the same plain lines as {@link CliPullProgressReporter}.
 *
 * @module
 */

import type { OllamaPullEvent, OllamaPullProgressReporter } from "../events.ts";
import type { LiveFrames, LivePull } from "./live_renderer.ts";
import type { CliPullProgressReporterOptions } from "./options.ts";
import type { PullOutcome } from "./progress_state.ts";
import { createRenderer } from "./renderer.ts";
import { finalRow, layerRows, modelRow, type RowLayout } from "./rows.ts";

/**
 * Options of {@link TuiPullProgressReporter}: those of the CLI reporter, plus a bound on the
 * layer lines.
 *
 * @example
 * ```ts
 * import { memorySink, type TuiPullProgressReporterOptions } from "@vtcode/ollama";
 *
 * const options: TuiPullProgressReporterOptions = {
 *   sink: memorySink({ isTerminal: true, columns: 100 }),
 *   maxLayerLines: 8,
 * };
 * ```
 */
export interface TuiPullProgressReporterOptions extends CliPullProgressReporterOptions {
  /**
   * The most layer rows per model; beyond it the earliest layers fold into one `… N earlier
   * layers` row (a block taller than the screen could not be redrawn in place; the terminal's
   * height bounds it further). Default 16.
   */
  maxLayerLines?: number;
}

/** The default bound on layer lines per model. */
const DEFAULT_MAX_LAYER_LINES = 16;

/** The most recent layers of a pull, in aligned rows, within `max` rows (a fold row included). */
function layers(pull: LivePull, layout: RowLayout, max: number): string[] {
  const count = pull.snapshot.layerCount;
  if (max <= 0 || count === 0) return [];
  const shown = count <= max ? count : max - 1;
  return layerRows(pull.progress.layers(shown), count, layout);
}

function tuiFrames(maxLayerLines: number): LiveFrames {
  return {
    live: (pull, layout, maxRows) => [
      ...layers(pull, layout, Math.min(maxLayerLines, maxRows - 1)),
      modelRow(pull.label, pull.snapshot, layout),
    ],
    final: (pull, outcome, layout) => [
      ...layers(pull, layout, maxLayerLines),
      finalRow(pull.label, pull.snapshot, outcome, layout),
    ],
    // ` pulling 6a0746a1ec1a` sits in the spinner and name columns.
    minNameWidth: 19,
  };
}

/**
 * Pull progress as a multi-line view on a terminal (one line per layer plus an aggregate
 * line); plain lines elsewhere.
 *
 * @example
 * ```ts
 * import { memorySink, TuiPullProgressReporter } from "@vtcode/ollama";
 *
 * const sink = memorySink({ isTerminal: true, columns: 100 });
 * const reporter = new TuiPullProgressReporter({ sink, now: () => 0, schedule: null });
 * reporter.onEvent({ type: "status", status: "pulling manifest" }, "llama3:latest");
 * reporter.finish("llama3:latest", "aborted");
 * ```
 */
export class TuiPullProgressReporter implements OllamaPullProgressReporter {
  readonly #renderer: OllamaPullProgressReporter;

  /**
   * Creates the reporter; the mode is fixed here (live when `interactive`, default: when the
   * sink is a terminal).
   *
   * @param options Sink, mode, colour, clock, intervals, layer-line bound.
   */
  constructor(options: TuiPullProgressReporterOptions) {
    const max = options.maxLayerLines ?? DEFAULT_MAX_LAYER_LINES;
    const bound = Number.isFinite(max) && max >= 2 ? Math.floor(max) : 2;
    this.#renderer = createRenderer(options, tuiFrames(bound), true);
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
   * Draws the final frame, ends it with a newline and restores the cursor, whatever the outcome.
   *
   * @param model The model.
   * @param outcome How the pull ended.
   */
  finish(model: string, outcome: PullOutcome): void {
    void this.#renderer.finish?.(model, outcome);
  }
}
