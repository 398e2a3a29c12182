/**
 * A multi-line progress view like `ollama pull`: one line per layer (short digest, bar,
 * percent, sizes) and an aggregate line with the model, status, rate and ETA, redrawn in place
 * inside synchronized-output mode so the terminal never shows half a frame. Off a terminal it
 * writes the same plain lines as {@link CliPullProgressReporter}.
 *
 * @module
 */

import type { OllamaPullEvent, OllamaPullProgressReporter } from "../events.ts";
import type { CliPullProgressReporterOptions } from "./cli_reporter.ts";
import { finalLine, layerLine, type LineLayout, liveLine } from "./line.ts";
import type { LiveFrames } from "./live_renderer.ts";
import type { PullOutcome, PullProgressSnapshot } from "./progress_state.ts";
import { createRenderer } from "./renderer.ts";
import { fitToWidth } from "./format.ts";

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
   * The most layer lines per model; beyond it the earliest layers fold into one `… N more
   * layers` line (a block taller than the screen could not be redrawn in place). Default 16.
   */
  maxLayerLines?: number;
}

/** The default bound on layer lines per model. */
const DEFAULT_MAX_LAYER_LINES = 16;

function layerLines(snapshot: PullProgressSnapshot, layout: LineLayout, max: number): string[] {
  const layers = snapshot.layers;
  if (layers.length <= max) return layers.map((layer) => layerLine(layer, layout));
  const shown = layers.slice(layers.length - (max - 1));
  const folded = layers.length - shown.length;
  return [
    fitToWidth(`… ${folded} more layer${folded === 1 ? "" : "s"}`, layout.width),
    ...shown.map((layer) => layerLine(layer, layout)),
  ];
}

function tuiFrames(maxLayerLines: number): LiveFrames {
  return {
    live: (label, snapshot, layout) => [
      ...layerLines(snapshot, layout, maxLayerLines),
      liveLine(label, snapshot, layout),
    ],
    final: (label, snapshot, outcome, layout) => [
      ...layerLines(snapshot, layout, maxLayerLines),
      finalLine(label, snapshot, outcome, layout),
    ],
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
   * Draws the final frame, ends it with a newline and restores the cursor, whatever the outcome.
   *
   * @param model The model.
   * @param outcome How the pull ended.
   */
  finish(model: string, outcome: PullOutcome): void {
    void this.#renderer.finish?.(model, outcome);
  }
}
