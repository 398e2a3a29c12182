/**
 * Pull progress as NDJSON for machines (`--json`): one object per line, each with a `type` and
 * the `model` (and `label`, when the reporter was given one):
 *
 * - `{"type":"pull_manifest","model","layers","total"}` when the registry's manifest is known;
 * - `{"type":"pull_status","model","status"}` when the status changes;
 * - `{"type":"pull_progress","model","completed","total","total_is_lower_bound","percent",
 *   "bytes_per_second","eta_seconds","layers_seen","layers_done","layers_total"}` at most
 *   `maxPerSecond` times a second per model. `total_is_lower_bound` is true while more layers
 *   may come (no manifest, and the server has not moved past the layers); `percent` and
 *   `eta_seconds` are then null, as they are while unknown; `total` is null while nothing is
 *   known; `layers_total` is null while unknown;
 * - `{"type":"pull_retry","model","attempt","max_attempts","delay_ms","reason"}`;
 * - `{"type":"pull_error","model","message"}` for an error the server reported;
 * - `{"type":"pull_success","model"}` when the server says `success`;
 * - `{"type":"pull_finished","model","outcome","downloaded","on_disk","elapsed_ms"}` when the
 *   pull ends, whatever the outcome (`success`, `error`, `aborted`).
 *
 * Status lines share a budget of a few a second per model (a server that invents a status per
 * line cannot flood stdout); one held back is written as soon as the budget allows, and always
 * before `pull_error`, `pull_success` and `pull_finished`, as is the last progress line, so the
 * final state is never lost. Every string from the server is sanitized. Per event the work is
 * O(1).
 *
 * @module
 */

import type { OllamaPullEvent, OllamaPullProgressReporter } from "../events.ts";
import type { PullOutcome, PullProgressSnapshot } from "./progress_state.ts";
import type { ProgressSink } from "./sink.ts";
import { LineBudget, Throttle } from "./throttle.ts";
import { sanitizeText } from "../sanitize.ts";
import { PullTracker, type TrackedPull } from "./tracker.ts";

/**
 * Options of {@link JsonPullProgressReporter}.
 *
 * @example
 * ```ts
 * import { type JsonPullProgressReporterOptions, memorySink } from "@vtcode/ollama";
 *
 * const options: JsonPullProgressReporterOptions = { sink: memorySink(), maxPerSecond: 2, label: "gpu-1" };
 * ```
 */
export interface JsonPullProgressReporterOptions {
  /** Where the NDJSON lines go (stdout in the command line). */
  sink: ProgressSink;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** The most `pull_progress` lines per second per model (and the pace of `pull_status`). Default 4. */
  maxPerSecond?: number;
  /** Added to every line as `"label"` (sanitized), e.g. the host of a fleet. Default none. */
  label?: string;
}

/** The default most `pull_progress` lines per second per model. */
const DEFAULT_MAX_PER_SECOND = 4;
/** `pull_status` lines a model may write at once. */
const STATUS_BURST = 8;

interface JsonView {
  throttle: Throttle;
  budget: LineBudget;
  announced: number;
  /** A status not written yet (the budget was spent). */
  status: string | undefined;
  /** A progress line was held back by the throttle. */
  pending: boolean;
  /** What the last progress line showed (bytes, total, percent). */
  shown: string;
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
  readonly #label: string | undefined;
  readonly #tracker: PullTracker<JsonView>;

  /**
   * Creates the reporter.
   *
   * @param options Sink, clock, rate limit, label.
   */
  constructor(options: JsonPullProgressReporterOptions) {
    this.#sink = options.sink;
    this.#now = options.now ?? Date.now;
    this.#label = options.label === undefined
      ? undefined
      : sanitizeText(options.label, { maxLength: 200 });
    const perSecond = options.maxPerSecond ?? DEFAULT_MAX_PER_SECOND;
    const valid = Number.isFinite(perSecond) && perSecond > 0;
    const intervalMs = valid ? 1000 / perSecond : 0;
    this.#tracker = new PullTracker(() => ({
      throttle: new Throttle(intervalMs),
      budget: new LineBudget(STATUS_BURST, valid ? perSecond : DEFAULT_MAX_PER_SECOND),
      announced: 0,
      status: undefined,
      pending: false,
      shown: "",
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
        view.status = undefined;
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
      case "manifest": {
        const snapshot = progress.snapshot(now);
        this.#emit({
          type: "pull_manifest",
          model: label,
          layers: snapshot.layersTotal ?? 0,
          total: snapshot.total,
        });
        return;
      }
    }
    // Per event only cheap reads: a snapshot only for a line actually written.
    if (progress.statusChanges > view.announced && progress.status) view.status = progress.status;
    view.announced = progress.statusChanges;
    if (view.status !== undefined && view.budget.tryTake(now)) this.#status(pull);
    if (event.type !== "chunk_progress") return;
    if (view.throttle.tryTake(now)) {
      this.#progress(pull, progress.snapshot(now));
    } else {
      view.pending = true;
    }
  }

  /**
   * Writes what was held back (the last status, the last progress), then `pull_finished`.
   *
   * @param model The model.
   * @param outcome How the pull ended.
   */
  finish(model: string, outcome: PullOutcome): void {
    const now = this.#now();
    const pull = this.#tracker.finish(model, outcome, now);
    const snapshot = pull.progress.snapshot(now);
    this.#flush(pull, snapshot);
    if (outcome === "success" && pull.view.shown !== progressKey(snapshot)) {
      this.#progress(pull, snapshot);
    }
    this.#emit({
      type: "pull_finished",
      model: pull.label,
      outcome,
      downloaded: snapshot.downloaded,
      on_disk: snapshot.onDisk,
      elapsed_ms: Math.round(snapshot.elapsedMs),
    });
  }

  #status(pull: TrackedPull<JsonView>): void {
    const status = pull.view.status;
    pull.view.status = undefined;
    if (status !== undefined) this.#emit({ type: "pull_status", model: pull.label, status });
  }

  #flush(pull: TrackedPull<JsonView>, snapshot: PullProgressSnapshot): void {
    this.#status(pull);
    if (pull.view.pending) this.#progress(pull, snapshot);
  }

  #progress(pull: TrackedPull<JsonView>, snapshot: PullProgressSnapshot): void {
    pull.view.pending = false;
    pull.view.shown = progressKey(snapshot);
    const known = snapshot.layerCount > 0 || !snapshot.totalIsLowerBound;
    this.#emit({
      type: "pull_progress",
      model: pull.label,
      completed: snapshot.completed,
      total: known ? snapshot.total : null,
      total_is_lower_bound: snapshot.totalIsLowerBound,
      percent: snapshot.percent === undefined ? null : Math.floor(snapshot.percent * 10) / 10,
      bytes_per_second: Math.round(snapshot.bytesPerSecond),
      eta_seconds: snapshot.etaSeconds === undefined ? null : Math.ceil(snapshot.etaSeconds),
      layers_seen: snapshot.layerCount,
      layers_done: snapshot.layersDone,
      layers_total: snapshot.layersTotal ?? null,
    });
  }

  #emit(value: Record<string, unknown>): void {
    const line = this.#label === undefined ? value : { ...value, label: this.#label };
    this.#sink.write(`${JSON.stringify(line)}\n`);
  }
}

function progressKey(snapshot: PullProgressSnapshot): string {
  return `${snapshot.completed}/${snapshot.total}/${snapshot.percent}/${snapshot.totalIsLowerBound}`;
}
