// Shared by the progress tests: a scripted clock and scheduler, pull scripts, and a small terminal
// emulator that shows what a screen would hold after a reporter's output. Not a test file.
// deno-lint-ignore-file no-control-regex -- escape sequences are what these helpers read
import type { OllamaPullEvent, OllamaPullProgressReporter } from "../src/events.ts";
import type { ProgressScheduler, ProgressSink } from "../src/progress/sink.ts";

/** A clock the test moves, and a scheduler whose callbacks the test runs. */
export function fakeTime() {
  const clock = { now: 0 };
  const due = new Set<() => void>();
  const schedule: ProgressScheduler = (callback) => {
    due.add(callback);
    return () => due.delete(callback);
  };
  const runDue = () => {
    const callbacks = [...due];
    due.clear();
    for (const callback of callbacks) callback();
  };
  return { clock, now: () => clock.now, schedule, due, runDue };
}

/** An event at a time, for a model. */
export type Step = [number, OllamaPullEvent];

export const hex = (c: string) => c.repeat(64);

export function chunk(
  digestHex: string,
  completed: number,
  total: number | undefined,
): OllamaPullEvent {
  return {
    type: "chunk_progress",
    digest: `sha256:${digestHex}`,
    total,
    completed,
    status: `pulling ${digestHex.slice(0, 12)}`,
  };
}

/** A layer: its hex digest and size. */
export type Layer = [string, number];

/** A vision-like model: weights 400 MB, projector 300 MB, a template and a config. */
export const VISION: Layer[] = [
  [hex("a"), 400e6],
  [hex("b"), 300e6],
  [hex("c"), 12e3],
  [hex("d"), 500],
];

export function manifestOf(layers: Layer[]): OllamaPullEvent {
  return {
    type: "manifest",
    layers: layers.map(([digest, size]) => ({ digest: `sha256:${digest}`, size })),
  };
}

/**
 * An Ollama-like pull: `pulling manifest`, each layer one after the other in 60 ms ticks at
 * `bytesPerTick`, verify, write, success. With `manifest`, the manifest event comes first.
 */
export function pullScript(
  layers: Layer[],
  options: { bytesPerTick?: number; manifest?: boolean; start?: number; onDisk?: boolean } = {},
): Step[] {
  const perTick = options.bytesPerTick ?? 6e6;
  let t = options.start ?? 0;
  const steps: Step[] = [];
  if (options.manifest) steps.push([t, manifestOf(layers)]);
  steps.push([t, { type: "status", status: "pulling manifest" }]);
  for (const [digest, size] of layers) {
    if (options.onDisk) {
      steps.push([t += 5, chunk(digest, size, size)]);
      continue;
    }
    steps.push([t += 60, chunk(digest, 0, size)]);
    for (let done = 0; done < size;) {
      done = Math.min(size, done + perTick);
      steps.push([t += 60, chunk(digest, done, size)]);
    }
  }
  steps.push([t += 500, { type: "status", status: "verifying sha256 digest" }]);
  steps.push([t += 100, { type: "status", status: "writing manifest" }]);
  steps.push([t += 10, { type: "success" }]);
  return steps;
}

/** Plays steps through a reporter, moving the clock. */
export function play(
  reporter: OllamaPullProgressReporter,
  clock: { now: number },
  steps: Step[],
  model: string,
): void {
  for (const [at, event] of steps) {
    clock.now = at;
    void reporter.onEvent(event, model);
  }
}

/** Merges several models' scripts into one interleaved, time-ordered list. */
export function interleave(scripts: [string, Step[]][]): [number, OllamaPullEvent, string][] {
  const all: [number, OllamaPullEvent, string, number][] = [];
  let order = 0;
  for (const [model, steps] of scripts) {
    for (const [t, event] of steps) all.push([t, event, model, order++]);
  }
  all.sort((a, b) => a[0] - b[0] || a[3] - b[3]);
  return all.map(([t, event, model]) => [t, event, model]);
}

export const CSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Every visible line of the output (escapes removed, split at line breaks and returns). */
export function visibleLines(text: string): string[] {
  return text.replace(CSI, "").split(/[\r\n]/);
}

export function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

/**
 * A terminal as far as the reporters use one: printable characters with autowrap (one column
 * each), CR, LF (as CR LF, like a tty's output processing), cursor up, erase line, erase below;
 * SGR, cursor visibility and synchronized-output markers are noted and otherwise ignored. A
 * resize rewraps the lines as modern terminals do, the cursor staying on its character. The
 * screen has no height limit (nothing scrolls away).
 */
export class Terminal {
  #rows: { cells: string[]; wrapped: boolean }[] = [{ cells: [], wrapped: false }];
  #x = 0;
  #y = 0;
  cursorVisible = true;
  columns: number;

  constructor(columns: number) {
    this.columns = columns;
  }

  write(text: string): void {
    let i = 0;
    while (i < text.length) {
      const escape = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(text.slice(i, i + 16));
      if (escape) {
        this.#control(escape[1], escape[2]);
        i += escape[0].length;
        continue;
      }
      const char = String.fromCodePoint(text.codePointAt(i)!);
      i += char.length;
      if (char === "\r") this.#x = 0;
      else if (char === "\n") this.#newline(false);
      else this.#put(char);
    }
  }

  /** The screen's lines, trailing blanks removed, empty lines at the end dropped. */
  lines(): string[] {
    const lines = this.#rows.map((row) => row.cells.join("").replace(/\s+$/, ""));
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    return lines;
  }

  /** Narrows or widens the screen, rewrapping lines that had wrapped or no longer fit. */
  resize(columns: number): void {
    const logical: { text: string[]; cursor?: number }[] = [];
    let current: { text: string[]; cursor?: number } | undefined;
    this.#rows.forEach((row, y) => {
      current ??= { text: [] };
      if (y === this.#y) current.cursor = current.text.length + Math.min(this.#x, row.cells.length);
      const cells = row.wrapped ? row.cells : trimEnd(row.cells);
      current.text.push(...cells);
      if (!row.wrapped) {
        logical.push(current);
        current = undefined;
      }
    });
    if (current) logical.push(current);
    this.columns = columns;
    this.#rows = [];
    for (const line of logical) {
      const start = this.#rows.length;
      for (let at = 0; at === 0 || at < line.text.length; at += columns) {
        this.#rows.push({ cells: line.text.slice(at, at + columns), wrapped: false });
      }
      for (let y = start; y < this.#rows.length - 1; y++) this.#rows[y].wrapped = true;
      if (line.cursor !== undefined) {
        this.#y = start + Math.floor(line.cursor / columns);
        this.#x = line.cursor % columns;
        while (this.#y >= this.#rows.length) this.#rows.push({ cells: [], wrapped: false });
      }
    }
  }

  #control(params: string, final: string): void {
    if (final === "A") {
      this.#y = Math.max(0, this.#y - Math.max(1, Number(params || "1")));
      this.#x = Math.min(this.#x, this.columns - 1);
    } else if (final === "K" && params === "2") {
      this.#rows[this.#y].cells = [];
      this.#rows[this.#y].wrapped = false;
    } else if (final === "J") {
      this.#rows[this.#y].cells.length = Math.min(this.#rows[this.#y].cells.length, this.#x);
      this.#rows[this.#y].wrapped = false;
      this.#rows.length = this.#y + 1;
    } else if (params === "?25" && final === "l") {
      this.cursorVisible = false;
    } else if (params === "?25" && final === "h") {
      this.cursorVisible = true;
    }
  }

  #newline(wrap: boolean): void {
    this.#rows[this.#y].wrapped = wrap;
    this.#y++;
    this.#x = 0;
    while (this.#y >= this.#rows.length) this.#rows.push({ cells: [], wrapped: false });
  }

  #put(char: string): void {
    if (this.#x >= this.columns) this.#newline(true);
    const cells = this.#rows[this.#y].cells;
    while (cells.length < this.#x) cells.push(" ");
    cells[this.#x] = char;
    this.#x++;
  }
}

/** A sink that writes into an emulated terminal, reports its width, and notes when it wrote. */
export function terminalSink(
  term: Terminal,
  clock: { now: number } = { now: 0 },
): ProgressSink & { writes: { at: number; text: string }[] } {
  const writes: { at: number; text: string }[] = [];
  return {
    isTerminal: true,
    get columns() {
      return term.columns;
    },
    writes,
    write(text: string) {
      writes.push({ at: clock.now, text });
      term.write(text);
    },
  };
}

function trimEnd(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === " ") end--;
  return cells.slice(0, end);
}
