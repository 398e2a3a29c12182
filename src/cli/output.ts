/**
 * Everything the command line prints goes through {@link Output}: lines for people on stderr
 * (colour only on a terminal and without `NO_COLOR`), `list` output and `--json` lines on
 * stdout, and the progress reporter for the output mode (loaded on the first pull event).
 *
 * A stream that cannot be written to any more (a closed pipe: `list | head -1`; a full disk:
 * `> /dev/full`) is left alone from then on: the run carries on and exits with its outcome's
 * code, never with a stack trace.
 *
 * Each outcome is said once: one line for people (`ready: …`, `error: …`), plus the result
 * line with `--json`.
 *
 * @module
 */

import type { OllamaError } from "../errors/ollama_error.ts";
import type { OllamaPullProgressReporter } from "../events.ts";
import type { ProgressSink } from "../progress/sink.ts";
import { sanitizeText } from "../sanitize.ts";
import { type CliResult, exitCodeOf } from "./result.ts";

/** Where an {@link Output} writes. */
export interface OutputStreams {
  /** stdout. May throw once the stream is closed; it is then no longer written to. */
  stdout: (text: string) => void;
  /** stderr. Its `write` may throw once the stream is closed; it is then left alone. */
  stderr: ProgressSink;
  /** Whether `NO_COLOR` is set (to anything but the empty string). */
  noColor: boolean;
}

/** How an {@link Output} prints. */
export interface OutputMode {
  /** `--json`: NDJSON events and the result line on stdout. */
  json: boolean;
  /** `--quiet`: nothing on stderr but errors. */
  quiet: boolean;
  /** `--tui`: the layer-by-layer progress display on a terminal. */
  tui?: boolean;
  /** Print `ready: …` when the run succeeds (not for `list`, whose output is the answer). */
  sayReady?: boolean;
}

/** What every view of one run's output shares: the streams' state, warnings said. */
interface SharedState {
  stdoutOpen: boolean;
  stderrOpen: boolean;
  color: boolean | undefined;
  warned: Set<string>;
}

/**
 * The command line's printing, for one run. With several servers, {@link Output.forHost} gives
 * each its view: every line for people starts with `[host] `, every event carries `host`, and
 * progress is printed as plain lines (several live displays would overwrite each other).
 */
export class Output {
  readonly #streams: OutputStreams;
  readonly #mode: OutputMode;
  readonly #state: SharedState;
  readonly #label: string | undefined;
  readonly #prefix: string;
  /** The sink the progress reporters write to: stderr, never throwing. */
  readonly #sink: ProgressSink;
  /** Once a live display is up, lines for people go above it, not over it. */
  #printAbove: ((line: string) => void) | undefined;

  /**
   * Creates the output.
   *
   * @param streams Where to write.
   * @param mode How to print.
   */
  constructor(streams: OutputStreams, mode: OutputMode);
  constructor(streams: OutputStreams, mode: OutputMode, label: string, state: SharedState);
  constructor(streams: OutputStreams, mode: OutputMode, label?: string, state?: SharedState) {
    this.#streams = streams;
    this.#mode = mode;
    this.#state = state ??
      { stdoutOpen: true, stderrOpen: true, color: undefined, warned: new Set() };
    this.#label = label === undefined ? undefined : sanitizeText(label, { maxLength: 80 });
    this.#prefix = this.#label === undefined ? "" : `[${this.#label}] `;
    const isTerminal = () => this.#isTerminal();
    this.#sink = {
      write: (text) => this.#stderr(text),
      get isTerminal() {
        return isTerminal();
      },
      get columns() {
        return streams.stderr.columns;
      },
      get rows() {
        return streams.stderr.rows;
      },
    };
  }

  /**
   * The view of one server of a fleet: the same streams, its lines labelled.
   *
   * @param label The host as people know it (`gpu-1:11434`).
   * @returns The view.
   */
  forHost(label: string): Output {
    return new Output(this.#streams, this.#mode, label, this.#state);
  }

  /** Whether `--json` is on. */
  get json(): boolean {
    return this.#mode.json;
  }

  /** Whether `--quiet` is on. */
  get quiet(): boolean {
    return this.#mode.quiet;
  }

  /**
   * Writes text to stdout as is (`list` output).
   *
   * @param text The text, with its line breaks.
   */
  stdout(text: string): void {
    if (!this.#state.stdoutOpen) return;
    try {
      this.#streams.stdout(text);
    } catch {
      this.#state.stdoutOpen = false;
    }
  }

  /**
   * Writes text to stderr as is (`--help`, the version).
   *
   * @param text The text, with its line breaks.
   */
  stderr(text: string): void {
    this.#stderr(text);
  }

  /**
   * A line for people that is the command's answer (a `plan` row), not with `--quiet`.
   *
   * @param text The line, without its line break; sanitized here.
   */
  line(text: string): void {
    if (this.#mode.quiet) return;
    this.#stderr(`${this.#prefix}${sanitizeText(text, { maxLength: 2000 })}\n`);
  }

  /**
   * A line for people about what is going on (not with `--quiet`); a `log` event with `--json`.
   *
   * @param message The line; sanitized here.
   */
  info(message: string): void {
    const text = sanitizeText(message, { maxLength: 2000 });
    this.event({ type: "log", level: "info", message: text });
    if (!this.#mode.quiet) this.#line(`${this.#prefix}${this.#paint("32", "•")} ${text}`);
  }

  /**
   * A `warning: …` line for people (not with `--quiet`), once per text; a `log` event with
   * `--json`.
   *
   * @param message The warning; sanitized here.
   */
  warning(message: string): void {
    const text = sanitizeText(message, { maxLength: 2000 });
    const key = `${this.#prefix}${text}`;
    if (this.#state.warned.has(key)) return;
    this.#state.warned.add(key);
    this.event({ type: "log", level: "warn", message: text });
    if (!this.#mode.quiet) this.#line(`${this.#prefix}${this.#paint("33", "warning")}: ${text}`);
  }

  /**
   * An NDJSON event on stdout, with `--json` only; a host's view adds `host`.
   *
   * @param value The event; it has a `type`.
   */
  event(value: Record<string, unknown>): void {
    if (!this.#mode.json) return;
    const line = this.#label === undefined ? value : { ...value, host: this.#label };
    this.stdout(JSON.stringify(line) + "\n");
  }

  /**
   * The progress reporter for this output mode. Its module is loaded on the first event: a
   * `check`, or an `ensure` with nothing to pull, never pays for it.
   *
   * @returns The reporter.
   */
  reporter(): OllamaPullProgressReporter {
    let loading: Promise<OllamaPullProgressReporter> | undefined;
    let reporter: OllamaPullProgressReporter | undefined;
    const load = () => loading ??= this.#createReporter().then((created) => reporter = created);
    return {
      // Once loaded, events go straight through (no extra promise per event).
      onEvent: (event, model) =>
        reporter !== undefined
          ? reporter.onEvent(event, model)
          : load().then((created) => created.onEvent(event, model)),
      finish: (model, outcome) =>
        reporter !== undefined
          ? reporter.finish?.(model, outcome)
          : loading?.then((created) => created.finish?.(model, outcome)),
    };
  }

  /**
   * Says the outcome once (`ready: …`, or `error: …` for each error; with several hosts, each
   * host's, labelled), writes the result line with `--json`, and returns the exit code.
   *
   * @param result The outcome.
   * @param hint Said after the error, on its line (e.g. where to find the usage).
   * @returns Its exit code.
   */
  finish(result: CliResult, hint?: string): number {
    if (result.hosts === undefined) this.#sayOutcome(result, hint);
    else {
      for (const host of result.hosts) this.forHost(host.label).#sayOutcome(host, hint);
      // An error of the whole run (the lock could not be written) is no host's.
      const { error } = result;
      if (error !== null && !result.hosts.some((host) => host.error === error)) {
        this.#sayError(error, hint);
      }
    }
    if (this.#mode.json) this.stdout(resultLine(result));
    return exitCodeOf(result);
  }

  #sayOutcome(result: CliResult, hint: string | undefined): void {
    for (const error of result.otherErrors ?? []) this.#sayError(error);
    if (result.error !== null) this.#sayError(result.error, hint);
    if (result.error === null && !this.#mode.quiet && this.#mode.sayReady !== false) {
      const ready = [...result.present, ...result.pulled];
      this.#stderr(
        `${this.#prefix}${this.#paint("32", "ready")}${
          ready.length ? `: ${ready.join(", ")}` : ""
        }\n`,
      );
    }
  }

  #sayError(error: OllamaError, hint?: string): void {
    const label = error.code === "interrupted" ? "interrupted" : "error";
    const text = sanitizeText(error.message, { maxLength: 4000 });
    const end = hint === undefined ? "" : `${/[.!?]$/.test(text) ? "" : "."} ${hint}`;
    this.#stderr(`${this.#prefix}${this.#paint("31", label)}: ${text}${end}\n`);
  }

  /** One line for people: above a live progress display when one is up, else on stderr. */
  #line(text: string): void {
    if (this.#printAbove !== undefined) this.#printAbove(text);
    else this.#stderr(`${text}\n`);
  }

  #stderr(text: string): void {
    if (!this.#state.stderrOpen) return;
    try {
      this.#streams.stderr.write(text);
    } catch {
      this.#state.stderrOpen = false;
    }
  }

  #isTerminal(): boolean {
    try {
      return this.#state.stderrOpen && this.#streams.stderr.isTerminal;
    } catch {
      return false;
    }
  }

  #paint(code: string, text: string): string {
    this.#state.color ??= this.#isTerminal() && !this.#streams.noColor;
    return this.#state.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  async #createReporter(): Promise<OllamaPullProgressReporter> {
    const label = this.#label;
    if (this.#mode.json) {
      const { JsonPullProgressReporter } = await import("../progress/json_reporter.ts");
      return new JsonPullProgressReporter({
        sink: { write: (text) => this.stdout(text), isTerminal: false },
        label,
      });
    }
    if (this.#mode.quiet) {
      const { SilentPullProgressReporter } = await import("../progress/silent_reporter.ts");
      return new SilentPullProgressReporter();
    }
    this.#state.color ??= this.#isTerminal() && !this.#streams.noColor;
    // A fleet's hosts pull at once: one live display each would overwrite the others.
    const options = {
      sink: this.#sink,
      color: this.#state.color,
      label,
      interactive: label === undefined ? undefined : false,
    };
    const reporter = this.#mode.tui
      ? new (await import("../progress/tui_reporter.ts")).TuiPullProgressReporter(options)
      : new (await import("../progress/cli_reporter.ts")).CliPullProgressReporter(options);
    this.#printAbove = (line) => reporter.print(line);
    return reporter;
  }
}

/**
 * The `--json` result line: always the last line of a `--json` run.
 *
 * @param result The outcome.
 * @returns The line, with its line break.
 */
export function resultLine(result: CliResult): string {
  return JSON.stringify({
    type: "result",
    ...resultFields(result),
    ...(result.hosts === undefined ? {} : {
      hosts: result.hosts.map((host) => resultFields(host)),
    }),
  }) + "\n";
}

/** The fields of a result (and of each host's, within a fleet's). */
function resultFields(result: CliResult): Record<string, unknown> {
  return {
    ok: result.error === null,
    exit_code: exitCodeOf(result),
    base_url: result.baseUrl,
    server_version: result.serverVersion,
    present: result.present,
    pulled: result.pulled,
    missing: result.missing,
    error: result.error === null ? null : {
      code: result.error.code,
      message: sanitizeText(result.error.message, { maxLength: 2000 }),
    },
    ...(result.plan === undefined ? {} : {
      plan: result.plan.map(({ model, action, downloadBytes, reason, host }) => ({
        ...(host === undefined ? {} : { host }),
        model,
        action,
        download_bytes: downloadBytes,
        reason,
      })),
    }),
    ...(result.downloadBytes === undefined ? {} : { download_bytes: result.downloadBytes }),
    ...(result.outdated === undefined ? {} : { outdated: result.outdated }),
    ...(result.unknown === undefined ? {} : { unknown: result.unknown }),
    ...(result.warmed === undefined ? {} : {
      warmed: result.warmed.map(({ model, loadMs, size, sizeVram, host }) => ({
        ...(host === undefined ? {} : { host }),
        model,
        load_ms: loadMs,
        size,
        size_vram: sizeVram,
      })),
    }),
  };
}
