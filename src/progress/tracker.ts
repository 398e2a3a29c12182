/**
 * The per-model bookkeeping every reporter needs: one {@link PullProgress} per model being
 * pulled, with the model's printable name and whatever state the reporter keeps beside it.
 *
 * Internal to the progress reporters: not exported from the package root.
 *
 * @module
 */

import type { OllamaPullEvent } from "../events.ts";
import { sanitizeText } from "../sanitize.ts";
import { type PullOutcome, PullProgress } from "./progress_state.ts";

/**
 * One model's pull, as a reporter tracks it.
 *
 * @example
 * ```ts
 * import type { TrackedPull } from "./tracker.ts";
 *
 * const name = (pull: TrackedPull<unknown>) => pull.label;
 * ```
 */
export interface TrackedPull<View> {
  /** The model name, sanitized for printing. */
  readonly label: string;
  /** Its progress arithmetic. */
  readonly progress: PullProgress;
  /** The reporter's own state for this model (what it printed last, its throttle, ...). */
  readonly view: View;
}

/**
 * The pulls in progress, by model, in the order they started.
 *
 * @example
 * ```ts
 * import { PullTracker } from "./tracker.ts";
 *
 * const tracker = new PullTracker(() => ({ lines: 0 }));
 * const pull = tracker.update("llama3:latest", { type: "status", status: "pulling manifest" }, 0);
 * pull.view.lines++;
 * tracker.finish("llama3:latest", "success", 10).progress.snapshot(10).finished; // true
 * ```
 */
export class PullTracker<View> {
  readonly #pulls = new Map<string, TrackedPull<View>>();
  readonly #makeView: () => View;

  /**
   * Creates an empty tracker.
   *
   * @param makeView Creates the reporter's state for a model seen for the first time.
   */
  constructor(makeView: () => View) {
    this.#makeView = makeView;
  }

  /**
   * Applies an event to its model's progress, starting to track the model if it is new.
   *
   * @param model The model, as the client names it.
   * @param event The event.
   * @param nowMs When it arrived.
   * @returns The model's tracked pull.
   */
  update(model: string, event: OllamaPullEvent, nowMs: number): TrackedPull<View> {
    const pull = this.#get(model);
    pull.progress.update(event, nowMs);
    return pull;
  }

  /**
   * Ends a model's pull and stops tracking it (a later event for the model starts afresh).
   *
   * @param model The model.
   * @param outcome How the pull ended.
   * @param nowMs When.
   * @returns The model's tracked pull (new and empty if no event was seen for it).
   */
  finish(model: string, outcome: PullOutcome, nowMs: number): TrackedPull<View> {
    const pull = this.#get(model);
    this.#pulls.delete(model);
    pull.progress.finish(outcome, nowMs);
    return pull;
  }

  /**
   * The pulls in progress, in the order they started.
   *
   * @returns The tracked pulls.
   */
  active(): TrackedPull<View>[] {
    return [...this.#pulls.values()];
  }

  #get(model: string): TrackedPull<View> {
    let pull = this.#pulls.get(model);
    if (pull === undefined) {
      pull = {
        label: sanitizeText(model, { maxLength: 200 }),
        progress: new PullProgress(),
        view: this.#makeView(),
      };
      this.#pulls.set(model, pull);
    }
    return pull;
  }
}
