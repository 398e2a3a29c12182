/**
 * Live, in-place progress on a terminal, shared by the CLI reporter (one row per model) and the
 * TUI reporter (layer rows plus a row per model): a block of rows at the bottom of the output,
 * one per active pull plus a total row when several run at once, redrawn at most once per
 * redraw interval however fast events come.
 *
 * Rules it keeps:
 * - the terminal's width is read at every frame and every row is fitted to it minus one column
 *   (measured in terminal columns), so no row ever wraps; the block is kept shorter than the
 *   terminal's height;
 * - a frame starts by moving up over the previous block, counting the rows each of its lines
 *   takes now: a terminal made narrower rewraps the old lines, and a count that ignored it would
 *   leave stale copies on screen; it ends by erasing everything below;
 * - between frames the cursor waits at the start of the block's last row, so a `^C` the
 *   terminal echoes lands inside the block and is drawn over (it would otherwise push the
 *   cursor to a row the arithmetic does not know);
 * - the cursor is hidden while a block is live and always shown again when the block ends;
 * - a finished pull's rows are written above the live block and stay on screen, ending with a
 *   newline;
 * - state changes between two redraw slots are folded into the next redraw; when no further
 *   event comes, one trailing redraw (through the scheduler) shows them.
 *
 * Per event the work is O(1); per frame it is bounded by the rows on screen, whatever the
 * number of layers.
 *
 * Internal to the progress reporters: not exported from the package root.
 *
 * @module
 */

import type { OllamaPullEvent, OllamaPullProgressReporter } from "../events.ts";
import type { PullOutcome, PullProgress, PullProgressSnapshot } from "./progress_state.ts";
import { type PullTotals, type RowLayout, totalName, totalRow } from "./rows.ts";
import type { ProgressScheduler, ProgressSink } from "./sink.ts";
import { fitToWidth, textWidth } from "./text_width.ts";
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
/** The longest model name the name column makes room for. */
const MAX_NAME_WIDTH = 40;
const DEFAULT_COLUMNS = 80;
const DEFAULT_ROWS = 24;
const NO_TOTALS: PullTotals = { active: 0, done: 0, completed: 0, total: 0, bytesPerSecond: 0 };

/**
 * One active pull, as a live display draws it.
 *
 * @example
 * ```ts
 * import type { LivePull } from "./live_renderer.ts";
 *
 * const name = (pull: LivePull) => pull.label;
 * ```
 */
export interface LivePull {
  /** The model, sanitized. */
  readonly label: string;
  /** Its progress (for its layers). */
  readonly progress: PullProgress;
  /** Its state now. */
  readonly snapshot: PullProgressSnapshot;
}

/**
 * How a live display turns one model's pull into rows.
 *
 * @example
 * ```ts
 * import type { LiveFrames } from "./live_renderer.ts";
 *
 * const frames: LiveFrames = {
 *   live: (pull) => [`${pull.label} ${pull.snapshot.status}`],
 *   final: (pull, outcome) => [`${pull.label} ${outcome}`],
 * };
 * ```
 */
export interface LiveFrames {
  /** The rows of a pull in progress: at least one, at most `maxRows`. */
  live(pull: LivePull, layout: RowLayout, maxRows: number): string[];
  /** The rows left on screen when the pull ends (at least one). */
  final(pull: LivePull, outcome: PullOutcome, layout: RowLayout): string[];
  /** The narrowest the name column may be (room for what the rows put in it). Default 0. */
  readonly minNameWidth?: number;
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
  /** How a pull becomes rows. */
  readonly frames: LiveFrames;
  /** Wrap every frame in synchronized-output markers. */
  readonly synchronized: boolean;
  /** Written before every row, sanitized; `""` for none. */
  readonly label: string;
}

/**
 * The in-place renderer: an {@link OllamaPullProgressReporter} that keeps a live block of rows.
 *
 * @example
 * ```ts
 * import { memorySink } from "@vtcode/ollama";
 * import { LiveRenderer } from "./live_renderer.ts";
 *
 * const sink = memorySink({ isTerminal: true });
 * const renderer = new LiveRenderer({
 *   sink, color: false, now: () => 0, redrawIntervalMs: 100, schedule: undefined,
 *   synchronized: false, label: "",
 *   frames: { live: (p) => [`${p.label} ${p.snapshot.status}`], final: (p) => [`${p.label} done`] },
 * });
 * renderer.onEvent({ type: "status", status: "pulling manifest" }, "m:latest");
 * renderer.finish("m:latest", "success");
 * ```
 */
export class LiveRenderer implements OllamaPullProgressReporter {
  readonly #options: LiveRendererOptions;
  readonly #tracker = new PullTracker<undefined>(() => undefined);
  readonly #throttle: Throttle;
  /** The widths of the live rows on screen, and the terminal width they were drawn at. */
  #drawn: number[] = [];
  #cursorHidden = false;
  #dirty = false;
  #cancelTimer: (() => void) | undefined;
  /** Pulls that ended, for the total row. */
  #ended = { count: 0, completed: 0, total: 0 };

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
   * trailing redraw. O(1) unless it draws.
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
   * Draws the model's final rows (always, whatever the throttle) above what is still live,
   * erasing what was on screen below (a `^C` included); when nothing is live any more, shows
   * the cursor and ends with a newline.
   *
   * @param model The model.
   * @param outcome How the pull ended.
   */
  finish(model: string, outcome: PullOutcome): void {
    const now = this.#options.now();
    const pull = this.#tracker.finish(model, outcome, now);
    const snapshot = pull.progress.snapshot(now);
    this.#ended.count++;
    this.#ended.completed += snapshot.completed;
    this.#ended.total += snapshot.total;
    const layout = this.#layout(now, [pull.label]);
    const rows = this.#options.frames.final(
      { label: pull.label, progress: pull.progress, snapshot },
      outcome,
      layout,
    );
    this.#throttle.take(now);
    this.#draw(now, rows.map((row) => clipRow(row, layout.width)));
    if (this.#drawn.length === 0) this.#disarm();
  }

  /**
   * Writes a line above the live block (which is drawn again below it), or on its own when
   * nothing is live.
   *
   * @param line The line, without its line break.
   */
  print(line: string): void {
    const now = this.#options.now();
    this.#draw(now, [clipRow(line, Math.max(1, this.#columns() - 1))]);
  }

  #columns(): number {
    const columns = this.#options.sink.columns;
    return columns !== undefined && Number.isFinite(columns) && columns >= 1
      ? Math.floor(columns)
      : DEFAULT_COLUMNS;
  }

  #maxRows(): number {
    const rows = this.#options.sink.rows;
    const usable = rows !== undefined && Number.isFinite(rows) && rows >= 1
      ? Math.floor(rows)
      : DEFAULT_ROWS;
    return Math.max(2, usable - 1);
  }

  #layout(nowMs: number, names: readonly string[]): RowLayout {
    let nameWidth = this.#options.frames.minNameWidth ?? 0;
    for (const name of names) nameWidth = Math.max(nameWidth, textWidth(name));
    return {
      width: Math.max(1, this.#columns() - 1),
      color: this.#options.color,
      nowMs,
      prefix: this.#options.label,
      nameWidth: Math.min(MAX_NAME_WIDTH, nameWidth),
    };
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
    if (!this.#dirty || this.#drawn.length === 0) return;
    const now = this.#options.now();
    if (this.#throttle.tryTake(now)) this.#draw(now, []);
    else this.#arm(now);
  }

  /** The live rows: each active pull's rows (bounded), then the total row of several pulls. */
  #liveRows(nowMs: number): string[] {
    const active = this.#tracker.active();
    if (active.length === 0) return [];
    const several = active.length > 1;
    const room = this.#maxRows() - (several ? 1 : 0);
    // More pulls than rows: the first ones, and a row that counts the others.
    const shown = active.length > room ? Math.max(0, room - 1) : active.length;
    const perPull = Math.max(1, Math.floor((room - (shown < active.length ? 1 : 0)) / shown));
    const names = active.slice(0, shown).map((pull) => pull.label);
    if (several) {
      names.push(totalName({ ...NO_TOTALS, active: active.length, done: this.#ended.count }));
    }
    const layout = this.#layout(nowMs, names);
    const rows: string[] = [];
    const sums = { completed: this.#ended.completed, total: this.#ended.total, rate: 0 };
    active.forEach((pull, i) => {
      const snapshot = pull.progress.snapshot(nowMs);
      sums.completed += snapshot.completed;
      sums.total += snapshot.total;
      sums.rate += snapshot.bytesPerSecond;
      if (i >= shown) return;
      const live = { label: pull.label, progress: pull.progress, snapshot };
      rows.push(...this.#options.frames.live(live, layout, perPull).slice(0, perPull));
    });
    if (shown < active.length) rows.push(`… and ${active.length - shown} more pulls`);
    if (several) {
      const totals: PullTotals = {
        active: active.length,
        done: this.#ended.count,
        completed: sums.completed,
        total: sums.total,
        bytesPerSecond: sums.rate,
      };
      rows.push(totalRow(totals, layout));
    }
    return rows.map((row) => clipRow(row, layout.width));
  }

  /** Rewrites the block: `committed` rows stay above it for good, then the live rows. */
  #draw(nowMs: number, committed: string[]): void {
    const live = this.#liveRows(nowMs);
    const lines = [...committed, ...live];
    if (lines.length === 0 && this.#drawn.length === 0) return;
    const columns = this.#columns();
    let frame = "";
    if (live.length > 0 && !this.#cursorHidden) frame += HIDE_CURSOR;
    if (live.length === 0) frame += SHOW_CURSOR;
    this.#cursorHidden = live.length > 0;
    // Up over the previous block: from its last row (where the cursor waits) to its first,
    // counting the rows each line above takes at the width the terminal has now.
    let up = 0;
    for (let i = 0; i < this.#drawn.length - 1; i++) {
      up += Math.max(1, Math.ceil(this.#drawn[i] / columns));
    }
    if (up > 0) frame += `\x1b[${up}A`;
    frame += "\r";
    frame += lines.map((line) => ERASE_LINE + line).join("\n");
    frame += ERASE_BELOW;
    // While rows are live the cursor waits at the start of the last one; once nothing is live,
    // the last row is ended, so the next output starts on a fresh line.
    const end = live.length > 0 ? "\r" : "\n";
    this.#drawn = live.map((row) => textWidth(row.replace(SGR, "")));
    this.#dirty = false;
    this.#options.sink.write(
      this.#options.synchronized ? BEGIN_SYNC + frame + END_SYNC + end : frame + end,
    );
  }
}

// deno-lint-ignore no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

/** A row no wider than `width` columns: as it is when it fits, else cut (and its colour dropped). */
function clipRow(row: string, width: number): string {
  const plain = row.replace(SGR, "");
  return textWidth(plain) <= width ? row : fitToWidth(plain, width);
}
