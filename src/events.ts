/**
 * The typed events of a model pull, and the reporter interface that consumes them.
 *
 * One server line becomes at most one event (see {@link pullEventsFromValue}):
 * - `status`: a phase change, e.g. `pulling manifest`, `verifying sha256 digest`;
 * - `chunk_progress`: bytes of one layer (blob), identified by its digest;
 * - `success`: the server finished the pull (the client then confirms the model is listed);
 * - `error`: the server reported an error inside the stream.
 *
 * The client adds events of its own: `retry`, when it re-issues a failed pull, and `manifest`,
 * before the first line, when the model's registry manifest was read up front (so a display
 * knows every layer and the exact total from the start).
 *
 * @module
 */

/** A phase change announced by the server, e.g. `pulling manifest` or `writing manifest`. */
export interface OllamaPullStatusEvent {
  /** Discriminant. */
  type: "status";
  /** The server's status text, exactly as sent (sanitize before printing). */
  status: string;
}

/**
 * Progress of one layer. Ollama omits zero fields, so `total` is `undefined` until the server
 * says how big the layer is, and `completed` is 0 until bytes arrive. `completed` can go
 * backwards (a failed part is rolled back) and may never reach `total`.
 */
export interface OllamaPullChunkProgressEvent {
  /** Discriminant. */
  type: "chunk_progress";
  /** The layer's digest, e.g. `sha256:6a0746a1ec1a…`. */
  digest: string;
  /** The layer's size in bytes, when known. */
  total: number | undefined;
  /** Bytes of the layer on disk so far. */
  completed: number;
  /** The server's status text for this line, e.g. `pulling 6a0746a1ec1a`. */
  status: string;
}

/** The server finished the pull. Emitted once. */
export interface OllamaPullSuccessEvent {
  /** Discriminant. */
  type: "success";
}

/** The server reported an error inside the stream (after a 200 status). */
export interface OllamaPullErrorEvent {
  /** Discriminant. */
  type: "error";
  /** The server's error text, exactly as sent (sanitize before printing). */
  message: string;
}

/** The client is about to re-issue a pull that failed for a transient reason. */
export interface OllamaPullRetryEvent {
  /** Discriminant. */
  type: "retry";
  /** The attempt about to start (2 for the first retry). */
  attempt: number;
  /** The most attempts that will be made. */
  maxAttempts: number;
  /** How long the client waits before the attempt, in milliseconds. */
  delayMs: number;
  /** Why the previous attempt failed (sanitized). */
  reason: string;
}

/** One blob of a model as its registry manifest lists it. */
export interface OllamaManifestLayer {
  /** The blob's digest, `sha256:<64 hex>`. */
  digest: string;
  /** The blob's size in bytes. */
  size: number;
}

/**
 * The model's layers, known before the server announces them one by one: read from the
 * registry's manifest ahead of the pull. Emitted at most once per attempt, before any line.
 */
export interface OllamaPullManifestEvent {
  /** Discriminant. */
  type: "manifest";
  /** Every blob of the model (layers and config), in manifest order, with its size. */
  layers: OllamaManifestLayer[];
}

/**
 * One event of a model pull: a discriminated union on `type`.
 *
 * @example Handle every kind
 * ```ts
 * import type { OllamaPullEvent } from "@vtcode/ollama";
 *
 * function describe(event: OllamaPullEvent): string {
 *   switch (event.type) {
 *     case "status":
 *       return event.status;
 *     case "chunk_progress":
 *       return `${event.digest}: ${event.completed}/${event.total ?? "?"}`;
 *     case "success":
 *       return "done";
 *     case "error":
 *       return `error: ${event.message}`;
 *     case "retry":
 *       return `retrying (${event.attempt}/${event.maxAttempts})`;
 *     case "manifest":
 *       return `${event.layers.length} layers`;
 *   }
 * }
 * ```
 */
export type OllamaPullEvent =
  | OllamaPullStatusEvent
  | OllamaPullChunkProgressEvent
  | OllamaPullSuccessEvent
  | OllamaPullErrorEvent
  | OllamaPullRetryEvent
  | OllamaPullManifestEvent;

/**
 * Receives the events of a pull, one at a time, in order. Implementations render progress (a
 * terminal line, a TUI, NDJSON) to a sink they were given; they never print on their own.
 *
 * @example A reporter that counts bytes
 * ```ts
 * import type { OllamaPullEvent, OllamaPullProgressReporter } from "@vtcode/ollama";
 *
 * class ByteCounter implements OllamaPullProgressReporter {
 *   bytes = new Map<string, number>();
 *   onEvent(event: OllamaPullEvent): void {
 *     if (event.type === "chunk_progress") this.bytes.set(event.digest, event.completed);
 *   }
 * }
 * ```
 */
export interface OllamaPullProgressReporter {
  /**
   * Called for every event of the pull. A thrown error (or rejected promise) aborts the pull.
   *
   * @param event The event.
   * @param model The model being pulled, in short form.
   */
  onEvent(event: OllamaPullEvent, model: string): void | Promise<void>;
  /**
   * Called once when the pull ends for any reason (success, error, abort), so a live display
   * can end its line and restore the cursor. Optional.
   *
   * @param model The model that was pulled, in short form.
   * @param outcome How it ended.
   */
  finish?(model: string, outcome: "success" | "error" | "aborted"): void | Promise<void>;
  /**
   * Writes one line for people without breaking the display: above a live block that redraws
   * in place, or simply after the lines written so far. Optional; a program that prints its own
   * lines while a pull shows progress should send them here.
   *
   * @param line The line, without its line break (sanitized by the caller).
   */
  print?(line: string): void;
}
