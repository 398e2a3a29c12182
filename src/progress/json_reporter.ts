/**
 * Pull progress as NDJSON for machines (`--json`): one object per line, each with a `type`:
 *
 * - `{"type":"pull_status","model","status"}` when the status changes;
 * - `{"type":"pull_progress","model","completed","total","percent","bytes_per_second","eta_seconds"}`
 *   at most `maxPerSecond` times a second per model (`total` is null while no layer size is
 *   known, `eta_seconds` null when unknown; `total_is_lower_bound` says whether a layer's size
 *   is still unknown);
 * - `{"type":"pull_retry","model","attempt","max_attempts","delay_ms","reason"}`;
 * - `{"type":"pull_error","model","message"}` for an error the server reported;
 * - `{"type":"pull_success","model"}` when the server says `success`.
 *
 * A progress line held back by the throttle is written before `pull_error`/`pull_success`, and
 * by `finish`, so the last numbers are never lost. Every string from the server is sanitized.
 *
 * @module
 */

import type { OllamaPullEvent, OllamaPullProgressReporter } from "../events.ts";
import type { PullOutcome, PullProgressSnapshot } from "./progress_state.ts";
import type { ProgressSink } from "./sink.ts";
import { Throttle } from "./throttle.ts";
import { PullTracker, type TrackedPull } from "./tracker.ts";

/**
 * Options of {@link JsonPullProgressReporter}.
 *
 * @example
 * ```ts
 * import { type JsonPullProgressReporterOptions, memorySink } from "@vtcode/ollama";
 *
 * const options: JsonPullProgressReporterOptions = { sink: memorySink(), maxPerSecond: 2 };
 * ```
 */
export interface JsonPullProgressReporterOptions {
  /** Where the NDJSON lines go (stdout in the command line). */
  sink: ProgressSink;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** The most `pull_progress` lines per second per model. Default 4. */
  maxPerSecond?: number;
}

/** The default most `pull_progress` lines per second per model. */
const DEFAULT_MAX_PER_SECOND = 4;

interface JsonView {
  throttle: Throttle;
  announced: number;
  /** A progress line was held back by the throttle. */
  pending: boolean;
}

/**
 * Writes a pull's events as NDJSON lines.
 *
 * @example
 * ```ts
 * import { JsonPullProgressReporter, memorySink } from "@vtcode/ollama";
 *
 * const sink = memorySink();
 * const reporter = new JsonPullProgressReporter({ sink, now: () => 0 });
 * reporter.onEvent({ type: "status", status: "pulling manifest" }, "llama3:latest");
 * sink.text(); // '{"type":"pull_status","model":"llama3:latest","status":"pulling manifest"}\n'
 * ```
 */
export class JsonPullProgressReporter implements OllamaPullProgressReporter {
  readonly #sink: ProgressSink;
  readonly #now: () => number;
  readonly #tracker: PullTracker<JsonView>;

  /**
   * Creates the reporter.
   *
   * @param options Sink, clock, rate limit.
   */
  constructor(options: JsonPullProgressReporterOptions) {
    this.#sink = options.sink;
    this.#now = options.now ?? Date.now;
    const perSecond = options.maxPerSecond ?? DEFAULT_MAX_PER_SECOND;
    const intervalMs = Number.isFinite(perSecond) && perSecond > 0 ? 1000 / perSecond : 0;
    this.#tracker = new PullTracker(() => ({
      throttle: new Throttle(intervalMs),
      announced: 0,
      pending: false,
    }));
  }

  /**
   * Writes the lines the event calls for.
   *
   * @param event The event.
   * @param model The model, in short form.
   */
  onEvent(event: OllamaPullEvent, model: string): void {
    const now = this.#now();
    const pull = this.#tracker.update(model, event, now);
    const { label, progress, view } = pull;
    switch (event.type) {
      case "retry": {
        view.announced = progress.statusChanges;
        this.#emit({
          type: "pull_retry",
          model: label,
          attempt: event.attempt,
          max_attempts: event.maxAttempts,
          delay_ms: event.delayMs,
          reason: progress.snapshot(now).retry?.reason ?? "",
        });
        return;
      }
      case "error": {
        const snapshot = progress.snapshot(now);
        this.#flush(pull, snapshot);
        this.#emit({ type: "pull_error", model: label, message: snapshot.error ?? "" });
        return;
      }
      case "success":
        this.#flush(pull, progress.snapshot(now));
        this.#emit({ type: "pull_success", model: label });
        return;
    }
    // Per event only cheap reads: a snapshot (every layer) only for a line actually written.
    if (progress.statusChanges > view.announced && progress.status) {
      this.#emit({ type: "pull_status", model: label, status: progress.status });
    }
    view.announced = progress.statusChanges;
    if (event.type !== "chunk_progress") return;
    if (view.throttle.tryTake(now)) {
      this.#progress(pull, progress.snapshot(now));
    } else {
      view.pending = true;
    }
  }

  /**
   * Writes the progress line the throttle held back, if any.
   *
   * @param model The model.
   * @param outcome How the pull ended.
   */
  finish(model: string, outcome: PullOutcome): void {
    const now = this.#now();
    const pull = this.#tracker.finish(model, outcome, now);
    this.#flush(pull, pull.progress.snapshot(now));
  }

  #flush(pull: TrackedPull<JsonView>, snapshot: PullProgressSnapshot): void {
    if (pull.view.pending) this.#progress(pull, snapshot);
  }

  #progress(pull: TrackedPull<JsonView>, snapshot: PullProgressSnapshot): void {
    pull.view.pending = false;
    this.#emit({
      type: "pull_progress",
      model: pull.label,
      completed: snapshot.completed,
      total: snapshot.layers.length === 0 ? null : snapshot.total,
      total_is_lower_bound: snapshot.totalIsLowerBound,
      percent: Math.round(snapshot.percent * 10) / 10,
      bytes_per_second: Math.round(snapshot.bytesPerSecond),
      eta_seconds: snapshot.etaSeconds === undefined ? null : Math.ceil(snapshot.etaSeconds),
    });
  }

  #emit(value: Record<string, unknown>): void {
    this.#sink.write(`${JSON.stringify(value)}\n`);
  }
}
