/**
 * A reporter that shows nothing, for `--quiet` and for callers that want no progress.
 *
 * @module
 */

import type { OllamaPullEvent, OllamaPullProgressReporter } from "../events.ts";
import type { PullOutcome } from "./progress_state.ts";

/**
 * Ignores every event.
 *
 * @example
 * ```ts
 * import { OllamaClient, SilentPullProgressReporter } from "@vtcode/ollama";
 *
 * const client = new OllamaClient("http://127.0.0.1:11434");
 * await client.pullModel("qwen3:0.6b", { reporter: new SilentPullProgressReporter() });
 * ```
 */
export class SilentPullProgressReporter implements OllamaPullProgressReporter {
  /**
   * Does nothing.
   *
   * @param _event The event.
   * @param _model The model.
   */
  onEvent(_event: OllamaPullEvent, _model: string): void {}

  /**
   * Does nothing.
   *
   * @param _model The model.
   * @param _outcome How the pull ended.
   */
  finish(_model: string, _outcome: PullOutcome): void {}
}
