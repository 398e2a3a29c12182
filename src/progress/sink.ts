/**
 * Where progress reporters write, and how they schedule a deferred redraw. Reporters never print
 * on their own: they are given a {@link ProgressSink} (stderr in the command line, a string
 * buffer in tests) and only ever call its `write`.
 *
 * @module
 */

/**
 * A place progress text goes to, plus what a reporter needs to know about it.
 *
 * @example stderr under Node, Bun or Deno
 * ```ts
 * import process from "node:process";
 * import type { ProgressSink } from "@vtcode/ollama";
 *
 * const stderr: ProgressSink = {
 *   write: (text) => void process.stderr.write(text),
 *   get isTerminal() {
 *     return process.stderr.isTTY === true;
 *   },
 *   get columns() {
 *     return process.stderr.columns ?? 80;
 *   },
 * };
 * ```
 */
export interface ProgressSink {
  /** Writes text as is; reporters include the line breaks (and, on a terminal, escapes). */
  write(text: string): void;
  /** Whether the sink is an interactive terminal (live redraws allowed). */
  readonly isTerminal: boolean;
  /** The terminal's width in columns, read at every redraw (so a getter follows resizes). Default 80. */
  readonly columns?: number;
  /**
   * The terminal's height in rows, read at every redraw: a live block is kept shorter than it
   * (a block taller than the screen cannot be redrawn in place). Default 24.
   */
  readonly rows?: number;
}

/**
 * Runs `callback` once after `delayMs` milliseconds; returns a function that cancels it. Live
 * reporters use it for one trailing redraw, so that a state change that arrived between two
 * redraw slots is shown even when no further event comes (e.g. `verifying sha256 digest`).
 *
 * @example A scheduler that tests run by hand
 * ```ts
 * import type { ProgressScheduler } from "@vtcode/ollama";
 *
 * const due: (() => void)[] = [];
 * const schedule: ProgressScheduler = (callback) => {
 *   due.push(callback);
 *   return () => due.splice(due.indexOf(callback) >>> 0, 1);
 * };
 * ```
 */
export type ProgressScheduler = (callback: () => void, delayMs: number) => () => void;

/**
 * Options for {@link memorySink}.
 *
 * @example
 * ```ts
 * import { memorySink, type MemorySinkOptions } from "@vtcode/ollama";
 *
 * const options: MemorySinkOptions = { isTerminal: true, columns: 100 };
 * const sink = memorySink(options);
 * ```
 */
export interface MemorySinkOptions {
  /** What the sink claims to be. Default `false`. */
  isTerminal?: boolean;
  /** The width reported to reporters. Default: none (reporters then assume 80). */
  columns?: number;
  /** The height reported to reporters. Default: none (reporters then assume 24). */
  rows?: number;
}

/**
 * A {@link ProgressSink} that keeps everything written to it in memory. Its `columns` and `rows`
 * can be changed (a test resizing the terminal).
 *
 * @example
 * ```ts
 * import { memorySink } from "@vtcode/ollama";
 *
 * const sink = memorySink();
 * sink.write("a\n");
 * sink.write("b\n");
 * sink.writes; // ["a\n", "b\n"]
 * sink.text(); // "a\nb\n"
 * ```
 */
export interface MemorySink extends ProgressSink {
  /** The width reported to reporters; assign to simulate a resize. */
  columns?: number;
  /** The height reported to reporters; assign to simulate a resize. */
  rows?: number;
  /** Every `write` call's text, in order. */
  readonly writes: readonly string[];
  /** Everything written so far, concatenated. */
  text(): string;
  /** Forgets what was written. */
  clear(): void;
}

/**
 * Creates a {@link MemorySink}: a sink that records writes, for tests and for callers that want
 * the progress text as a string.
 *
 * @param options Whether it claims to be a terminal, and its width.
 * @returns A new, empty sink.
 *
 * @example Capture a plain progress log
 * ```ts
 * import { CliPullProgressReporter, memorySink } from "@vtcode/ollama";
 *
 * const sink = memorySink({ isTerminal: false });
 * const reporter = new CliPullProgressReporter({ sink });
 * reporter.onEvent({ type: "status", status: "pulling manifest" }, "llama3:latest");
 * sink.text(); // "llama3:latest: pulling manifest\n"
 * ```
 */
export function memorySink(options: MemorySinkOptions = {}): MemorySink {
  const writes: string[] = [];
  return {
    isTerminal: options.isTerminal ?? false,
    columns: options.columns,
    rows: options.rows,
    writes,
    write(text: string): void {
      writes.push(text);
    },
    text(): string {
      return writes.join("");
    },
    clear(): void {
      writes.length = 0;
    },
  };
}
