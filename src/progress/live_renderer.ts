/**
 * Live, in-place progress on a terminal, shared by the CLI reporter (one line per model) and the
 * TUI reporter (one line per layer plus an aggregate line): a block of lines at the bottom of
 * the output, redrawn by moving the cursor up and erasing each line, at most once per redraw
 * interval however fast events come.
 *
 * Rules it keeps:
 * - the cursor is hidden while a block is live and always shown again when the block ends;
 * - a finished pull's last lines are written above the live block and stay on screen, ending
 *   with a newline;
 * - state changes between two redraw slots are folded into the next redraw; when no further
 *   event comes, one trailing redraw (through the scheduler) shows them;
 * - every line is fitted to the terminal's width minus one column, so no line ever wraps (a
 *   wrapped line would break the cursor arithmetic; the last column is left free because some
 *   terminals wrap as soon as it is written).
 *
 * Internal to the progress reporters: not exported from the package root.
 *
 * @module
 */

import type { OllamaPullEvent, OllamaPullProgressReporter } from "../events.ts";
import type { LineLayout } from "./line.ts";
import type { PullOutcome, PullProgressSnapshot } from "./progress_state.ts";
import type { ProgressScheduler, ProgressSink } from "./sink.ts";
import { Throttle } from "./throttle.ts";
import { PullTracker } from "./tracker.ts";

/** Hide the cursor (DECTCEM reset). */
const HIDE_CURSOR = "\x1b[?25l";
/** Show the cursor (DECTCEM set). */
const SHOW_CURSOR = "\x1b[?25h";
/** Begin synchronized output (the terminal shows the frame at once at the end). */
const BEGIN_SYNC = "\x1b[?2026h";
/** End synchronized output. */
const END_SYNC = "\x1b[?2026l";
const ERASE_LINE = "\x1b[2K";
const ERASE_BELOW = "\x1b[J";

/**
 * How a live display turns one model's pull into lines.
 *
 * @example
 * ```ts
 * import type { LiveFrames } from "./live_renderer.ts";
 *
 * const frames: LiveFrames = {
 *   live: (label, s) => [`${label} ${s.status}`],
 *   final: (label, _s, outcome) => [`${label} ${outcome}`],
 * };
 * ```
 */
export interface LiveFrames {
  /** The lines of a pull in progress (at least one). */
  live(label: string, snapshot: PullProgressSnapshot, layout: LineLayout): string[];
  /** The lines left on screen when the pull ends (at least one). */
  final(
    label: string,
    snapshot: PullProgressSnapshot,
    outcome: PullOutcome,
    layout: LineLayout,
  ): string[];
}

/**
 * What a {@link LiveRenderer} needs; the reporters fill in their defaults.
 *
 * @example
 * ```ts
 * import type { LiveRendererOptions } from "./live_renderer.ts";
 *
 * type Needs = keyof LiveRendererOptions;
 * ```
 */
export interface LiveRendererOptions {
  /** Where to write. */
  readonly sink: ProgressSink;
  /** Whether to add colour codes. */
  readonly color: boolean;
  /** The clock. */
  readonly now: () => number;
  /** The shortest time between two redraws. */
  readonly redrawIntervalMs: number;
  /** Runs the trailing redraw; `undefined` for none. */
  readonly schedule: ProgressScheduler | undefined;
  /** How a pull becomes lines. */
  readonly frames: LiveFrames;
  /** Wrap every frame in synchronized-output markers. */
  readonly synchronized: boolean;
}

/**
 * The in-place renderer: an {@link OllamaPullProgressReporter} that keeps a live block of lines.
 *
 * @example
 * ```ts
 * import { memorySink } from "@vtcode/ollama";
 * import { LiveRenderer } from "./live_renderer.ts";
 *
 * const sink = memorySink({ isTerminal: true });
 * const renderer = new LiveRenderer({
 *   sink, color: false, now: () => 0, redrawIntervalMs: 100, schedule: undefined, synchronized: false,
 *   frames: { live: (label, s) => [`${label} ${s.status}`], final: (label) => [`${label} done`] },
 * });
 * renderer.onEvent({ type: "status", status: "pulling manifest" }, "m:latest");
 * renderer.finish("m:latest", "success");
 * ```
 */
export class LiveRenderer implements OllamaPullProgressReporter {
  readonly #options: LiveRendererOptions;
  readonly #tracker = new PullTracker<undefined>(() => undefined);
  readonly #throttle: Throttle;
  #height = 0;
  #cursorHidden = false;
  #dirty = false;
  #cancelTimer: (() => void) | undefined;

  /**
   * Creates a renderer with nothing on screen yet.
   *
   * @param options Sink, clock, throttle, frames.
   */
  constructor(options: LiveRendererOptions) {
    this.#options = options;
    this.#throttle = new Throttle(options.redrawIntervalMs);
  }

  /**
   * Folds the event into the model's state; redraws if a redraw slot is free, else arranges a
   * trailing redraw.
   *
   * @param event The event.
   * @param model The model.
   */
  onEvent(event: OllamaPullEvent, model: string): void {
    const now = this.#options.now();
    this.#tracker.update(model, event, now);
    this.#dirty = true;
    if (this.#throttle.tryTake(now)) this.#draw(now, []);
    else this.#arm(now);
  }

  /**
   * Draws the model's final lines (always, whatever the throttle) above what is still live;
   * when nothing is live any more, shows the cursor and ends with a newline.
   *
   * @param model The model.
   * @param outcome How the pull ended.
   */
  finish(model: string, outcome: PullOutcome): void {
    const now = this.#options.now();
    const pull = this.#tracker.finish(model, outcome, now);
    const lines = this.#options.frames.final(
      pull.label,
      pull.progress.snapshot(now),
      outcome,
      this.#layout(now),
    );
    this.#throttle.take(now);
    this.#draw(now, lines);
    if (this.#height === 0) this.#disarm();
  }

  #layout(nowMs: number): LineLayout {
    const columns = this.#options.sink.columns;
    const usable = columns !== undefined && Number.isFinite(columns) && columns >= 1
      ? Math.floor(columns)
      : 80;
    return { width: Math.max(1, usable - 1), color: this.#options.color, nowMs };
  }

  #arm(nowMs: number): void {
    const schedule = this.#options.schedule;
    if (this.#cancelTimer !== undefined || schedule === undefined) return;
    this.#cancelTimer = schedule(() => {
      this.#cancelTimer = undefined;
      this.#onTimer();
    }, Math.max(1, this.#throttle.waitMs(nowMs)));
  }

  #disarm(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  #onTimer(): void {
    if (!this.#dirty || this.#height === 0) return;
    const now = this.#options.now();
    if (this.#throttle.tryTake(now)) this.#draw(now, []);
    else this.#arm(now);
  }

  /** Rewrites the block: `committed` lines stay above it for good, then the live lines. */
  #draw(nowMs: number, committed: string[]): void {
    const layout = this.#layout(nowMs);
    const live = this.#tracker.active().flatMap((pull) =>
      this.#options.frames.live(pull.label, pull.progress.snapshot(nowMs), layout)
    );
    const lines = [...committed, ...live];
    if (lines.length === 0 && this.#height === 0) return;
    let frame = "";
    if (live.length > 0 && !this.#cursorHidden) frame += HIDE_CURSOR;
    if (live.length === 0) frame += SHOW_CURSOR;
    this.#cursorHidden = live.length > 0;
    if (this.#height > 1) frame += `\x1b[${this.#height - 1}A`;
    frame += "\r";
    if (this.#height > lines.length) frame += ERASE_BELOW;
    frame += lines.map((line) => ERASE_LINE + line).join("\n");
    // Once nothing is live, the last line is ended, so the next output starts on a fresh line.
    const end = live.length === 0 ? "\n" : "";
    this.#height = live.length;
    this.#dirty = false;
    this.#options.sink.write(
      this.#options.synchronized ? BEGIN_SYNC + frame + END_SYNC + end : frame + end,
    );
  }
}
