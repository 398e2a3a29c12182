/**
 * Progress as plain log lines, for a sink that is not a terminal (a pipe, a CI log): no escape
 * sequences at all, nothing redrawn. One line per status change (`llama3:latest: pulling
 * manifest`), a progress line at most every interval or per 10% step (whichever comes first), a
 * line per retry and per server error, and a final line when the pull ends.
 *
 * Shared by the CLI and TUI reporters for their non-terminal mode.
 *
 * Internal to the progress reporters: not exported from the package root.
 *
 * @module
 */

import type { OllamaPullEvent, OllamaPullProgressReporter } from "../events.ts";
import { plainFinalText, plainProgressText, retryText } from "./line.ts";
import type { PullOutcome } from "./progress_state.ts";
import type { ProgressSink } from "./sink.ts";
import { PullTracker } from "./tracker.ts";

interface PlainView {
  /** The status changes already printed. */
  announced: number;
  /** When the last line was printed. */
  lastLineAt: number;
  /** The highest 10% step printed. */
  decile: number;
  /** The completed bytes at the last progress line. */
  completed: number;
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
 * const renderer = new PlainRenderer({ sink, now: () => 0, intervalMs: 5000 });
 * renderer.onEvent({ type: "status", status: "pulling manifest" }, "llama3:latest");
 * sink.text(); // "llama3:latest: pulling manifest\n"
 * ```
 */
export class PlainRenderer implements OllamaPullProgressReporter {
  readonly #options: PlainRendererOptions;
  readonly #tracker = new PullTracker<PlainView>(() => ({
    announced: 0,
    lastLineAt: -Infinity,
    decile: 0,
    completed: 0,
  }));

  /**
   * Creates a renderer that has printed nothing yet.
   *
   * @param options Sink, clock, interval.
   */
  constructor(options: PlainRendererOptions) {
    this.#options = options;
  }

  /**
   * Writes a line if the event deserves one.
   *
   * @param event The event.
   * @param model The model.
   */
  onEvent(event: OllamaPullEvent, model: string): void {
    const now = this.#options.now();
    const { label, progress, view } = this.#tracker.update(model, event, now);
    const snapshot = progress.snapshot(now);
    let text: string | undefined;
    if (event.type === "retry" && snapshot.retry) {
      text = retryText(snapshot.retry);
    } else if (event.type === "error" && snapshot.error !== undefined) {
      text = `error: ${snapshot.error}`;
    } else if (snapshot.statusChanges > view.announced && snapshot.status) {
      text = snapshot.status;
    } else if (event.type === "chunk_progress" && snapshot.completed > view.completed) {
      const decile = Math.floor(snapshot.percent / 10);
      if (decile > view.decile || now - view.lastLineAt >= this.#options.intervalMs) {
        view.decile = Math.max(view.decile, decile);
        view.completed = snapshot.completed;
        text = plainProgressText(snapshot);
      }
    }
    view.announced = snapshot.statusChanges;
    if (text === undefined) return;
    view.lastLineAt = now;
    this.#options.sink.write(`${label}: ${text}\n`);
  }

  /**
   * Writes the final line.
   *
   * @param model The model.
   * @param outcome How the pull ended.
   */
  finish(model: string, outcome: PullOutcome): void {
    const now = this.#options.now();
    const { label, progress } = this.#tracker.finish(model, outcome, now);
    this.#options.sink.write(`${label}: ${plainFinalText(progress.snapshot(now), outcome)}\n`);
  }
}
