/**
 * Progress as plain log lines, for a sink that is not a terminal (a pipe, a CI log): no escape
 * sequences at all, nothing redrawn, every line naming its model (and the reporter's label):
 *
 * - a line per phase the server announces (`llama3:latest: pulling manifest`), and per layer
 *   (`pulling 6a0746a1ec1a (layer 1 of 5, 4.7 GB)`), for the first layers of a pull;
 * - a progress line each time another tenth of the total (as far as known) arrived, or at least
 *   every interval while bytes arrive, so every layer of a model with several large ones gets its
 *   lines;
 * - a line per retry and per server error, and a final line when the pull ends.
 *
 * A broken or hostile server cannot flood the log: status lines, and progress lines, each have
 * a budget of a few a second per model, only the first 32 layers and 32 phases of a pull get a line of their own, and a status
 * held back is written once the budget allows (or before the final line), so the last status
 * and the outcome are always there. Per event the work is O(1).
 *
 * Shared by the CLI and TUI reporters for their non-terminal mode.
 *
 * Internal to the progress reporters: not exported from the package root.
 *
 * @module
 */

import type { OllamaPullEvent, OllamaPullProgressReporter } from "../events.ts";
import { formatBytes } from "./format.ts";
import { plainFinalText, plainLayerText, plainProgressText, retryText } from "./line.ts";
import type { PullOutcome } from "./progress_state.ts";
import type { ProgressScheduler, ProgressSink } from "./sink.ts";
import { LineBudget } from "./throttle.ts";
import { PullTracker, type TrackedPull } from "./tracker.ts";

/** Layers of one pull that get a line of their own; the rest show in the progress lines. */
const MAX_LISTED_LAYERS = 32;
/** Phase statuses of one pull written as they come; later ones at most once per interval. */
const MAX_LISTED_PHASES = 32;
/** Status and layer lines a model may write at once, and a second on average. */
const BURST_LINES = 12;
const LINES_PER_SECOND = 2;
/** Progress lines likewise (their own budget, so that a fast pull keeps its status lines). */
const BURST_PROGRESS = 3;
const PROGRESS_PER_SECOND = 1;
/** A progress line when another this much of the total arrived. */
const STEP_FRACTION = 0.1;

interface PlainView {
  budget: LineBudget;
  progressBudget: LineBudget;
  /** The phase changes and layers already handled. */
  phases: number;
  layers: number;
  listedLayers: number;
  listedPhases: number;
  /** A status that was not written yet (the budget was spent). */
  pending: string | undefined;
  /** The last status written, and when. */
  lastStatus: string;
  lastStatusAt: number;
  /** When the last progress line was written, and the bytes it showed. */
  lastProgressAt: number;
  lastCompleted: number;
  cancelTimer: (() => void) | undefined;
}

/**
 * What a {@link PlainRenderer} needs; the reporters fill in their defaults.
 *
 * @example
 * ```ts
 * import type { PlainRendererOptions } from "./plain_renderer.ts";
 *
 * type Needs = keyof PlainRendererOptions;
 * ```
 */
export interface PlainRendererOptions {
  /** Where to write. */
  readonly sink: ProgressSink;
  /** The clock. */
  readonly now: () => number;
  /** The longest time between two progress lines while bytes arrive. */
  readonly intervalMs: number;
  /** Written before every line as `[label] `, sanitized; `""` for none. */
  readonly label: string;
  /** Writes a held-back status when no further event comes; `undefined` for none. */
  readonly schedule: ProgressScheduler | undefined;
}

/**
 * The plain-line renderer: an {@link OllamaPullProgressReporter} that writes log lines.
 *
 * @example
 * ```ts
 * import { memorySink } from "@vtcode/ollama";
 * import { PlainRenderer } from "./plain_renderer.ts";
 *
 * const sink = memorySink();
 * const renderer = new PlainRenderer({
 *   sink, now: () => 0, intervalMs: 5000, label: "", schedule: undefined,
 * });
 * renderer.onEvent({ type: "status", status: "pulling manifest" }, "llama3:latest");
 * sink.text(); // "llama3:latest: pulling manifest\n"
 * ```
 */
export class PlainRenderer implements OllamaPullProgressReporter {
  readonly #options: PlainRendererOptions;
  readonly #prefix: string;
  readonly #tracker = new PullTracker<PlainView>(() => ({
    budget: new LineBudget(BURST_LINES, LINES_PER_SECOND),
    progressBudget: new LineBudget(BURST_PROGRESS, PROGRESS_PER_SECOND),
    phases: 0,
    layers: 0,
    listedLayers: 0,
    listedPhases: 0,
    pending: undefined,
    lastStatus: "",
    lastStatusAt: -Infinity,
    lastProgressAt: -Infinity,
    lastCompleted: 0,
    cancelTimer: undefined,
  }));

  /**
   * Creates a renderer that has printed nothing yet.
   *
   * @param options Sink, clock, interval, label, scheduler.
   */
  constructor(options: PlainRendererOptions) {
    this.#options = options;
    this.#prefix = options.label ? `[${options.label}] ` : "";
  }

  /**
   * Writes a line as it is, after what was written so far.
   *
   * @param line The line, without its line break.
   */
  print(line: string): void {
    this.#options.sink.write(`${line}\n`);
  }

  /**
   * Writes a line if the event deserves one and the model's budget allows.
   *
   * @param event The event.
   * @param model The model.
   */
  onEvent(event: OllamaPullEvent, model: string): void {
    const now = this.#options.now();
    const pull = this.#tracker.update(model, event, now);
    const { progress, view } = pull;
    switch (event.type) {
      case "retry": {
        const retry = progress.snapshot(now).retry;
        view.pending = undefined;
        view.phases = progress.phaseChanges;
        if (retry) this.#write(pull, retryText(retry));
        return;
      }
      case "error": {
        const error = progress.snapshot(now).error;
        if (error !== undefined) this.#write(pull, `error: ${error}`);
        return;
      }
      case "manifest": {
        const s = progress.snapshot(now);
        const text = `manifest: ${s.layersTotal ?? 0} layers, ${formatBytes(s.total)}`;
        if (view.budget.tryTake(now)) this.#write(pull, text);
        return;
      }
      case "status":
        if (progress.phaseChanges > view.phases) {
          view.phases = progress.phaseChanges;
          this.#status(pull, progress.status, now, view.listedPhases++ < MAX_LISTED_PHASES);
        } else {
          this.#flush(pull, now);
        }
        return;
      case "chunk_progress":
        this.#flush(pull, now);
        if (progress.layerCount > view.layers) {
          view.layers = progress.layerCount;
          this.#layer(pull, now);
        }
        this.#progress(pull, now);
        return;
      case "success":
        return;
    }
  }

  /**
   * Writes the status held back, if any, then the final line.
   *
   * @param model The model.
   * @param outcome How the pull ended.
   */
  finish(model: string, outcome: PullOutcome): void {
    const now = this.#options.now();
    const pull = this.#tracker.finish(model, outcome, now);
    pull.view.cancelTimer?.();
    pull.view.cancelTimer = undefined;
    const pending = pull.view.pending;
    if (pending !== undefined && pending !== pull.view.lastStatus) this.#write(pull, pending);
    this.#write(pull, plainFinalText(pull.progress.snapshot(now), outcome));
  }

  #write(pull: TrackedPull<PlainView>, text: string): void {
    // Any line shows the pull is alive: the next progress line is due an interval later.
    pull.view.lastProgressAt = this.#options.now();
    this.#options.sink.write(`${this.#prefix}${pull.label}: ${text}\n`);
  }

  /** A status line now, or held back until the budget allows. */
  #status(pull: TrackedPull<PlainView>, text: string, now: number, listed: boolean): void {
    const view = pull.view;
    if (!text) return;
    view.pending = text;
    if (listed && view.budget.tryTake(now)) {
      this.#writeStatus(pull, now);
      return;
    }
    this.#flush(pull, now);
  }

  #writeStatus(pull: TrackedPull<PlainView>, now: number): void {
    const view = pull.view;
    if (view.pending === undefined) return;
    this.#write(pull, view.pending);
    view.lastStatus = view.pending;
    view.lastStatusAt = now;
    view.pending = undefined;
  }

  /** Writes the held-back status once the interval since the last one passed and the budget allows. */
  #flush(pull: TrackedPull<PlainView>, now: number): void {
    const view = pull.view;
    if (view.pending === undefined) return;
    const due = view.listedPhases <= MAX_LISTED_PHASES ||
      now - view.lastStatusAt >= this.#options.intervalMs;
    if (due && view.budget.tryTake(now)) {
      this.#writeStatus(pull, now);
      return;
    }
    this.#arm(pull, now);
  }

  #arm(pull: TrackedPull<PlainView>, now: number): void {
    const schedule = this.#options.schedule;
    const view = pull.view;
    if (schedule === undefined || view.cancelTimer !== undefined) return;
    const wait = Math.max(
      view.budget.waitMs(now),
      view.listedPhases <= MAX_LISTED_PHASES
        ? 0
        : view.lastStatusAt + this.#options.intervalMs - now,
    );
    view.cancelTimer = schedule(() => {
      view.cancelTimer = undefined;
      this.#flush(pull, this.#options.now());
    }, Math.max(1, wait));
  }

  /** A line for a new layer, for the first layers of the pull. */
  #layer(pull: TrackedPull<PlainView>, now: number): void {
    const view = pull.view;
    if (view.listedLayers > MAX_LISTED_LAYERS) return;
    if (view.listedLayers === MAX_LISTED_LAYERS) {
      // Once per pull, whatever the budget: the log says why layers stop being listed.
      view.listedLayers++;
      this.#write(pull, "more layers follow; not listed one by one");
      return;
    }
    if (!view.budget.tryTake(now)) return;
    view.listedLayers++;
    const [layer] = pull.progress.layers(1);
    const text = plainLayerText(pull.progress.snapshot(now), pull.progress.status, layer?.total);
    this.#write(pull, text);
    view.lastStatus = pull.progress.status;
    view.lastStatusAt = now;
  }

  /** A progress line per tenth of the total, or per interval, while bytes arrive. */
  #progress(pull: TrackedPull<PlainView>, now: number): void {
    const { progress, view } = pull;
    const completed = progress.completed;
    if (completed <= view.lastCompleted) return;
    const step = completed - view.lastCompleted >= STEP_FRACTION * progress.total;
    if (!step && now - view.lastProgressAt < this.#options.intervalMs) return;
    if (!view.progressBudget.tryTake(now)) return;
    view.lastCompleted = completed;
    this.#write(pull, plainProgressText(progress.snapshot(now)));
  }
}
