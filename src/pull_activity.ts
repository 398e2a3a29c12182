/**
 * What counts as progress in a pull. A real Ollama writes a progress line every 60 ms while a
 * blob downloads, whether or not bytes arrived: a download stuck at the registry looks like the
 * same line repeated for as long as the server keeps retrying. So a pull is moving only when a
 * layer's `completed` grows (or a new layer or status appears), never merely because lines
 * arrive. Pure: no clock, no I/O.
 *
 * @module
 */

import type { OllamaPullEvent } from "./events.ts";

/**
 * Tells progress from repetition in a pull's events.
 */
export class PullActivity {
  readonly #completed = new Map<string, number>();
  #status: string | undefined;
  /** The last layer seen and its `completed`: most lines repeat the layer before them. */
  #digest: string | undefined;
  #last = 0;

  /**
   * Records an event.
   *
   * @param event The event.
   * @returns `true` when it shows the pull moving: a layer seen for the first time, a layer's
   *   `completed` above its previous value, a status other than the last one, or the end of
   *   the stream (`success`, `error`). A repeated line, or a layer rolled back, is not.
   */
  observe(event: OllamaPullEvent): boolean {
    switch (event.type) {
      case "chunk_progress": {
        this.#status = event.status;
        if (event.digest === this.#digest) {
          // The layer of the line before (the map is brought up to date when the layer changes).
          const moved = event.completed > this.#last;
          this.#last = event.completed;
          return moved;
        }
        if (this.#digest !== undefined) this.#completed.set(this.#digest, this.#last);
        const previous = this.#completed.get(event.digest);
        this.#digest = event.digest;
        this.#last = event.completed;
        return previous === undefined || event.completed > previous;
      }
      case "status": {
        const moved = event.status !== this.#status;
        this.#status = event.status;
        return moved;
      }
      default:
        return true;
    }
  }
}
