/**
 * Redraw rate and rendering cost at 16,000 events/s (the rate of a fast safetensors pull): the
 * CLI and TUI reporters, live as on a terminal, must redraw at most 10 times a second, with
 * rendering under 1% of the process's CPU; the JSON reporter must write at most a few progress
 * lines a second.
 *
 * Each reporter gets a real pull over HTTP: `OllamaClient.pullModel` against an Ollama stand-in
 * in its own process (`bench/fixtures/redraw_server.ts`) that releases, every 5 ms, the lines
 * due at 16,000 lines/s (a multi-layer model, one layer after another) for `--seconds` seconds,
 * then `verifying sha256 digest`, `writing manifest`, `success`. So the measured process does
 * what the CLI does, and its CPU (`process.cpuUsage()`, user + system) over the pull is the
 * denominator. A pull with no reporter is measured the same way.
 *
 * - Rendering: from the start of a frame (the renderer reads the sink's `columns` when it starts
 *   to lay out a frame) to the end of the sink's `write` (encoding the frame and writing it to
 *   `/dev/null`), summed over the frames.
 * - The reporter overall: the time inside its `onEvent` and `finish` calls (state update,
 *   throttle and the frames drawn there) plus the frames its trailing-redraw timer draws. Each
 *   call is timed by a clock read before and after; a third read right after gives an empty
 *   interval, subtracted, and the three reads' cost is taken off the process CPU. For
 *   comparison, the same events in a warm tight loop (clock advancing at 16,000 events/s).
 *
 * Run: `deno run -A bench/redraw.ts [--json] [--seconds S]` (default 3 s per pull, 4 pulls).
 *
 * @module
 */

import process from "node:process";
import {
  CliPullProgressReporter,
  JsonPullProgressReporter,
  OllamaClient,
  type OllamaPullEvent,
  type OllamaPullProgressReporter,
  type ProgressSink,
  PullProgress,
  TuiPullProgressReporter,
} from "../mod.ts";
import type { PullLineValue } from "../src/testing/pull_script.ts";
import { MODEL, pullValues, RATE, TICK_MS } from "./fixtures/redraw_server.ts";
import { startServerProcess } from "./fixtures/server_process.ts";
import { type BenchFigure, type BenchSection, median, option, report, round } from "./_report.ts";

const SERVER = new URL("./fixtures/redraw_server.ts", import.meta.url).pathname;
const MAX_REDRAWS_PER_SECOND = 10;
const MAX_JSON_PROGRESS_PER_SECOND = 4;
const MAX_SHARE_PERCENT = 1;

/** The event the client makes of a line (as `pullEventsFromValue` does). */
function eventOf(value: PullLineValue): OllamaPullEvent {
  if (value.digest !== undefined) {
    return {
      type: "chunk_progress",
      digest: value.digest,
      total: value.total,
      completed: value.completed ?? 0,
      status: value.status ?? "",
    };
  }
  return value.status === "success"
    ? { type: "success" }
    : { type: "status", status: value.status ?? "" };
}

/**
 * The sink: a 100-column terminal whose frames go to `/dev/null`. It times each frame from the
 * renderer's first read of `columns` (the start of the frame's layout) to the end of the write.
 */
class TimingSink implements ProgressSink {
  readonly isTerminal: boolean;
  writes = 0;
  bytes = 0;
  /** Time from the start of each frame's layout to the end of its write, summed. */
  frameMs = 0;
  /** Time inside `write` (encode + write to /dev/null), summed. */
  writeMs = 0;
  /** When each write ended. */
  readonly times: number[] = [];
  /** The `type` of each NDJSON line written (JSON reporter). */
  readonly types: string[] = [];
  /** Set by the pull while the reporter's `onEvent` or `finish` runs. */
  inReporterCall = false;
  /** Frame time of the frames drawn outside `onEvent`/`finish` (by the trailing-redraw timer). */
  timerFrameMs = 0;
  readonly #file: Deno.FsFile;
  readonly #encoder = new TextEncoder();
  #frameStart: number | undefined;

  constructor(isTerminal: boolean) {
    this.isTerminal = isTerminal;
    this.#file = Deno.openSync("/dev/null", { write: true });
  }

  get columns(): number {
    this.#frameStart ??= performance.now();
    return 100;
  }

  write(text: string): void {
    const begin = performance.now();
    const bytes = this.#encoder.encode(text);
    this.#file.writeSync(bytes);
    const end = performance.now();
    this.writeMs += end - begin;
    const frameMs = end - (this.#frameStart ?? begin);
    this.frameMs += frameMs;
    if (!this.inReporterCall) this.timerFrameMs += frameMs;
    this.#frameStart = undefined;
    this.writes++;
    this.bytes += bytes.byteLength;
    this.times.push(end);
    if (!this.isTerminal) {
      this.types.push(/^\{"type":"([a-z_]+)"/.exec(text)?.[1] ?? "?");
    }
  }

  close(): void {
    this.#file.close();
  }
}

/** The most of `times` (sorted, ms) that fall in any window of one second. */
function busiestSecond(times: readonly number[]): number {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last] - times[first] >= 1000) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** What one paced pull cost. */
interface PullRun {
  wallMs: number;
  /** Process CPU over the pull, less the timing's own cost (three clock reads per event). */
  cpuMs: number;
  events: number;
  /**
   * Time inside the reporter's `onEvent` and `finish` calls, less the timing's own share
   * (an empty interval between two clock reads, measured beside each call).
   */
  reporterMs: number;
  /** The clock reads' cost per event, as measured. */
  clockNs: number;
}

/**
 * Pulls from the stand-in server into `reporter`, timing each of its calls: a clock read before
 * and after, and an empty interval (a third read) right after, whose sum is subtracted.
 */
async function pacedPull(
  url: string,
  reporter: OllamaPullProgressReporter | undefined,
  sink?: TimingSink,
): Promise<PullRun> {
  const client = new OllamaClient(url);
  let events = 0;
  let inside = 0;
  let empty = 0;
  const timed: OllamaPullProgressReporter | undefined = reporter === undefined ? undefined : {
    onEvent: (event, model) => {
      if (sink) sink.inReporterCall = true;
      const t0 = performance.now();
      const result = reporter.onEvent(event, model);
      const t1 = performance.now();
      const t2 = performance.now();
      if (sink) sink.inReporterCall = false;
      inside += t1 - t0;
      empty += t2 - t1;
      events++;
      return result;
    },
    finish: (model, outcome) => {
      if (sink) sink.inReporterCall = true;
      const t0 = performance.now();
      const result = reporter.finish?.(model, outcome);
      inside += performance.now() - t0;
      if (sink) sink.inReporterCall = false;
      return result;
    },
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await client.pullModel(MODEL, { reporter: timed });
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    wallMs,
    cpuMs: (used.user + used.system) / 1000 - 3 * empty,
    events,
    reporterMs: inside - empty + (sink?.timerFrameMs ?? 0),
    clockNs: events === 0 ? 0 : (empty / events) * 1e6,
  };
}

/** Reporter factories, given a sink and (for the tight loop) a clock. */
type MakeReporter = (
  sink: ProgressSink,
  now?: () => number,
) => OllamaPullProgressReporter;

const REPORTERS: { name: string; terminal: boolean; make: MakeReporter }[] = [
  {
    name: "CLI",
    terminal: true,
    make: (sink, now) =>
      new CliPullProgressReporter({
        sink,
        color: true,
        now,
        schedule: now ? null : undefined,
      }),
  },
  {
    name: "TUI",
    terminal: true,
    make: (sink, now) =>
      new TuiPullProgressReporter({
        sink,
        color: true,
        now,
        schedule: now ? null : undefined,
      }),
  },
  {
    name: "JSON",
    terminal: false,
    make: (sink, now) => new JsonPullProgressReporter({ sink, now }),
  },
];

/**
 * Microseconds per event of `onEvent`, in a tight loop over `events` with a clock that costs a
 * `Date.now()` (the reporters' default clock) and advances at {@link RATE}, so that the throttles
 * let as many frames through as in real time: the median of 5 runs, after one to warm up.
 */
function perEventMicros(
  make: (now: () => number) => { onEvent(e: OllamaPullEvent): void },
  events: readonly OllamaPullEvent[],
): number {
  const runs: number[] = [];
  for (let run = 0; run < 6; run++) {
    let clock = 1_000_000;
    const target = make(() => clock + Date.now() * 0);
    const start = performance.now();
    for (let i = 0; i < events.length; i++) {
      clock += 1000 / RATE;
      target.onEvent(events[i]);
    }
    if (run > 0) {
      runs.push(((performance.now() - start) * 1000) / events.length);
    }
  }
  return median(runs);
}

function pct(part: number, whole: number): number {
  return (part / whole) * 100;
}

/** The shortest gap between consecutive times, in ms. */
function shortestGap(times: readonly number[]): number {
  let shortest = Infinity;
  for (let i = 1; i < times.length; i++) {
    shortest = Math.min(shortest, times[i] - times[i - 1]);
  }
  return shortest;
}

async function main(): Promise<void> {
  const args = Deno.args;
  const seconds = Number(option(args, "--seconds") ?? 3);
  if (!(seconds > 0)) throw new RangeError("--seconds: a number > 0");
  const started = performance.now();
  const values = pullValues(Math.round(seconds * RATE));
  const events = values.map(eventOf);
  const layers = new Set(values.map((v) => v.digest).filter((d) => d !== undefined)).size;
  const server = await startServerProcess(SERVER, [String(seconds)]);

  // Per-event costs first (this also warms up the code paths the pulls take).
  const micros = new Map<string, number>();
  for (const { name, terminal, make } of REPORTERS) {
    const sink = new TimingSink(terminal);
    micros.set(
      name,
      perEventMicros((now) => {
        const reporter = make(sink, now);
        return { onEvent: (e) => reporter.onEvent(e, MODEL) };
      }, events),
    );
    sink.close();
  }
  const stateMicros = perEventMicros((now) => {
    const progress = new PullProgress();
    return { onEvent: (e) => progress.update(e, now()) };
  }, events);

  const figures: BenchFigure[] = [];
  const runs: string[] = [];
  let bare: PullRun;
  try {
    bare = await pacedPull(server.url, undefined);
    for (const { name, terminal, make } of REPORTERS) {
      const sink = new TimingSink(terminal);
      const run = await pacedPull(server.url, make(sink), sink);
      sink.close();
      runs.push(
        `${name}: ${run.events} events in ${round(run.wallMs / 1000)} s, ` +
          `${round(run.cpuMs)} ms CPU`,
      );
      figures.push(
        ...figuresOf(
          name,
          terminal,
          run,
          sink,
          micros.get(name) ?? NaN,
          stateMicros,
        ),
      );
    }
  } finally {
    await server.stop();
  }
  figures.push({
    name: "process CPU of the same pull with no reporter",
    value: pct(bare.cpuMs, bare.wallMs),
    unit: "% of one core",
    detail: `${round(bare.cpuMs)} ms over ${round(bare.wallMs / 1000)} s: HTTP, decoding, ` +
      "client, timers",
  });
  const totalSeconds = (performance.now() - started) / 1000;
  const section: BenchSection = {
    title: "Redraws and rendering cost at 16,000 events/s",
    command: "deno run -A bench/redraw.ts" +
      (seconds === 3 ? "" : ` --seconds ${seconds}`),
    figures,
    notes: [
      "Method: each reporter gets a real pull: `OllamaClient.pullModel` over HTTP from a " +
      `stand-in server in another process, ${values.length} lines (${layers} layers, one ` +
      `after another), released every ${TICK_MS} ms at ${RATE.toLocaleString("en")} lines/s ` +
      `for ${seconds} s, then the closing status lines. CLI and TUI are live (a 100-column ` +
      "terminal, colour on, frames written to /dev/null, the default clock and trailing-" +
      "redraw timer); JSON writes NDJSON. Process CPU: `process.cpuUsage()` (user + system, " +
      "every thread of this process) over the pull. Rendering: timed from the start of each " +
      "frame's layout to the end of its write. The reporter overall: time inside each " +
      "`onEvent`/`finish` call (clock reads around it, less an empty interval measured " +
      "beside it; the reads' cost is taken off the process CPU) plus frames drawn by the " +
      "trailing-redraw timer. Redraws: the frame `finish` writes when the pull ends (and the " +
      "JSON line flushed before `pull_success`) is not throttled and is counted apart. One " +
      "pull per reporter on a shared machine: process CPU varies by about ±20% between runs.",
      `Runs: ${runs.join("; ")}; with no reporter: ${round(bare.wallMs / 1000)} s, ` +
      `${round(bare.cpuMs)} ms CPU. All took ${round(totalSeconds)} s.`,
    ],
  };
  report(section, args);
}

function figuresOf(
  name: string,
  terminal: boolean,
  run: PullRun,
  sink: TimingSink,
  perEvent: number,
  stateMicros: number,
): BenchFigure[] {
  const overall = pct(run.reporterMs, run.cpuMs);
  const overallDetail = `${round((run.reporterMs / run.events) * 1e6)} ns per event in the ` +
    `pull (${round(perEvent * 1000)} ns in a warm loop; PullProgress.update alone ` +
    `${round(stateMicros * 1000)} ns) × ${run.events} events = ${round(run.reporterMs)} ms of ` +
    `${round(run.cpuMs)} ms; ${round(pct(run.reporterMs, run.wallMs))}% of one core`;
  const wallS = run.wallMs / 1000;
  if (!terminal) {
    // A progress line held back by the throttle is written just before `pull_success`, whatever
    // the throttle: counted apart, like the final frame of a live display.
    const flushed = (i: number) => sink.types[i + 1] === "pull_success";
    const all = sink.times.filter((_, i) => sink.types[i] === "pull_progress");
    const progress = sink.times.filter((_, i) => sink.types[i] === "pull_progress" && !flushed(i));
    const busiest = busiestSecond(progress);
    return [
      {
        name: `${name}: pull_progress lines in the busiest second`,
        value: busiest,
        unit: "lines",
        target: `<= ${MAX_JSON_PROGRESS_PER_SECOND} (a few per second)`,
        pass: busiest <= MAX_JSON_PROGRESS_PER_SECOND,
        detail: `${progress.length} in ${round(wallS)} s, at least ` +
          `${round(shortestGap(progress))} ms apart, then ${all.length - progress.length} ` +
          `flushed before pull_success (busiest second with it: ${busiestSecond(all)}); ` +
          `${sink.writes} lines in all, ` +
          `${sink.types.filter((t) => t === "pull_status").length} of them pull_status`,
      },
      {
        name: `${name}: the reporter overall (every onEvent), share of process CPU`,
        value: overall,
        unit: "%",
        detail: overallDetail,
      },
    ];
  }
  // The last frame is the one `finish` writes, whatever the throttle.
  const redraws = sink.times.slice(0, -1);
  const busiest = busiestSecond(redraws);
  const finalGap = sink.times[sink.times.length - 1] -
    redraws[redraws.length - 1];
  const rendering = pct(sink.frameMs, run.cpuMs);
  return [
    {
      name: `${name} live: redraws in the busiest second`,
      value: busiest,
      unit: "redraws",
      target: `<= ${MAX_REDRAWS_PER_SECOND}`,
      pass: busiest <= MAX_REDRAWS_PER_SECOND,
      detail: `${redraws.length} in ${round(wallS)} s, at least ` +
        `${round(shortestGap(redraws))} ms apart; then the final frame ` +
        `${round(finalGap)} ms later (busiest second with it: ${busiestSecond(sink.times)}); ` +
        `${round(sink.bytes / sink.writes)} bytes per frame`,
    },
    {
      name: `${name} live: rendering, share of process CPU`,
      value: rendering,
      unit: "%",
      target: `< ${MAX_SHARE_PERCENT}%`,
      pass: rendering < MAX_SHARE_PERCENT,
      detail: `${round((sink.frameMs / sink.writes) * 1000)} µs per frame (of which the write ` +
        `${round((sink.writeMs / sink.writes) * 1000)} µs) × ${sink.writes} frames = ` +
        `${round(sink.frameMs)} ms of ${round(run.cpuMs)} ms; ` +
        `${round(pct(sink.frameMs, run.wallMs))}% of one core`,
    },
    {
      name: `${name} live: the reporter overall (every onEvent), share of process CPU`,
      value: overall,
      unit: "%",
      target: `< ${MAX_SHARE_PERCENT}%`,
      pass: overall < MAX_SHARE_PERCENT,
      detail: overallDetail,
    },
  ];
}

await main();
