// A hostile or broken server: 100 000 layers, or 100 000 distinct status lines, through every
// reporter, on a scripted clock. What is bounded is what a person or a script receives: lines and
// bytes written, never more than a few a second or a few per layer; and the final state (the last
// status, the outcome) is always there. No wall-clock assertion anywhere: the bounds are counts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import type { OllamaPullEvent, OllamaPullProgressReporter } from "../src/events.ts";
import { CliPullProgressReporter } from "../src/progress/cli_reporter.ts";
import { JsonPullProgressReporter } from "../src/progress/json_reporter.ts";
import { PullProgress } from "../src/progress/progress_state.ts";
import { memorySink, type ProgressSink } from "../src/progress/sink.ts";
import { TuiPullProgressReporter } from "../src/progress/tui_reporter.ts";
import { fakeTime } from "./_progress.ts";

const N = Number(process.env.PROGRESS_FLOOD_EVENTS ?? 100_000);
const MODEL = "flood:latest";
/** One event every 2 ms: N events take 2N ms of simulated time. */
const STEP_MS = 2;
const SECONDS = (N * STEP_MS) / 1000 + 1;

type Make = (sink: ProgressSink, now: () => number) => OllamaPullProgressReporter;

const REPORTERS: [string, boolean, Make][] = [
  ["cli live", true, (sink, now) => new CliPullProgressReporter({ sink, now, schedule: null })],
  ["cli plain", false, (sink, now) => new CliPullProgressReporter({ sink, now, schedule: null })],
  ["tui live", true, (sink, now) => new TuiPullProgressReporter({ sink, now, schedule: null })],
  ["tui plain", false, (sink, now) => new TuiPullProgressReporter({ sink, now, schedule: null })],
  ["json", false, (sink, now) => new JsonPullProgressReporter({ sink, now })],
];

function digest(i: number): string {
  return `sha256:${i.toString(16).padStart(12, "0").repeat(6).slice(0, 64)}`;
}

/** Feeds `events(i)` for i in 0..N-1, then verifying, success and finish; returns what was written. */
function flood(isTerminal: boolean, make: Make, events: (i: number) => OllamaPullEvent[]) {
  const time = fakeTime();
  const sink = memorySink({ isTerminal, columns: 100, rows: 30 });
  const reporter = make(sink, time.now);
  reporter.onEvent({ type: "status", status: "pulling manifest" }, MODEL);
  for (let i = 0; i < N; i++) {
    time.clock.now += STEP_MS;
    for (const event of events(i)) reporter.onEvent(event, MODEL);
  }
  time.clock.now += 500;
  reporter.onEvent({ type: "status", status: "verifying sha256 digest" }, MODEL);
  reporter.onEvent({ type: "success" }, MODEL);
  reporter.finish?.(MODEL, "success");
  const text = sink.text();
  return {
    text,
    writes: sink.writes.length,
    lines: text.split("\n").length - 1,
    widest: Math.max(...sink.writes.map((write) => write.length)),
  };
}

/** The bounds every mode keeps, for N events over SECONDS simulated seconds. */
function assertBounded(name: string, isTerminal: boolean, out: ReturnType<typeof flood>): void {
  if (isTerminal) {
    // At most 10 redraws a second, plus the final frame; each frame at most 30 rows of 100 columns.
    assert.ok(out.writes <= SECONDS * 10 + 2, `${name}: ${out.writes} frames in ${SECONDS} s`);
    assert.ok(out.widest <= 30 * (100 * 4 + 16), `${name}: a frame of ${out.widest} chars`);
  } else if (name === "json") {
    // A few progress and status lines a second, plus a bounded burst and the final lines.
    assert.ok(out.lines <= SECONDS * 8 + 30, `${name}: ${out.lines} lines in ${SECONDS} s`);
  } else {
    // The first layers and phases listed, then a few progress and status lines per interval.
    assert.ok(out.lines <= 120 + SECONDS, `${name}: ${out.lines} lines in ${SECONDS} s`);
  }
}

describe(`${N} layers`, () => {
  // As Ollama names them: each layer's lines say `pulling <first 12 hex of its digest>`.
  const events = (i: number): OllamaPullEvent[] => {
    const status = `pulling ${digest(i).slice(7, 19)}`;
    return [
      { type: "chunk_progress", digest: digest(i), total: 1000, completed: 0, status },
      { type: "chunk_progress", digest: digest(i), total: 1000, completed: 1000, status },
    ];
  };
  for (const [name, isTerminal, make] of REPORTERS) {
    it(name, () => {
      // Count the layer views built (for frames, lines, snapshots): bounded by the rows on
      // screen and the time, not by the number of layers (a frame that looked at every layer
      // made the work quadratic).
      let views = 0;
      const { layers, snapshot } = PullProgress.prototype;
      PullProgress.prototype.layers = function (max?: number) {
        const result = layers.call(this, max);
        views += result.length;
        return result;
      };
      PullProgress.prototype.snapshot = function (nowMs: number) {
        const result = snapshot.call(this, nowMs);
        views += (result as { layers?: unknown[] }).layers?.length ?? 0;
        return result;
      };
      let out;
      try {
        out = flood(isTerminal, make, events);
      } finally {
        Object.assign(PullProgress.prototype, { layers, snapshot });
      }
      assert.ok(views <= 16 * (SECONDS * 10 + 2) + 100, `${name}: ${views} layer views`);
      assertBounded(name, isTerminal, out);
      const bytes = `${(N * 1000) / 1e6} MB`;
      if (name === "json") {
        const lines = out.text.trim().split("\n").map((line) => JSON.parse(line));
        const last = lines.filter((line) => line.type === "pull_progress").at(-1);
        assert.equal(last.layers_seen, N);
        assert.equal(last.completed, N * 1000);
        assert.equal(last.percent, 100);
        assert.deepEqual(lines.at(-1), {
          type: "pull_finished",
          model: MODEL,
          outcome: "success",
          downloaded: N * 1000,
          on_disk: 0,
          elapsed_ms: N * STEP_MS + 500,
        });
      } else {
        assert.match(out.text, new RegExp(`pulled (${MODEL} )?\\(${bytes} in \\d`));
      }
      if (!isTerminal && name !== "json") {
        assert.match(out.text, /more layers follow; not listed one by one/);
        assert.match(out.text, /flood:latest: verifying sha256 digest\n/);
      }
    });
  }
});

describe(`${N} distinct status lines`, () => {
  const events = (i: number): OllamaPullEvent[] => [{ type: "status", status: `phase ${i}` }];
  for (const [name, isTerminal, make] of REPORTERS) {
    it(name, () => {
      const time = fakeTime();
      const sink = memorySink({ isTerminal, columns: 100, rows: 30 });
      const reporter = make(sink, time.now);
      for (let i = 0; i < N; i++) {
        time.clock.now += STEP_MS;
        for (const event of events(i)) reporter.onEvent(event, MODEL);
      }
      reporter.finish?.(MODEL, "error");
      const text = sink.text();
      const out = {
        text,
        writes: sink.writes.length,
        lines: text.split("\n").length - 1,
        widest: Math.max(...sink.writes.map((write) => write.length)),
      };
      assertBounded(name, isTerminal, out);
      // The last status is written before the outcome.
      const last = `phase ${N - 1}`;
      if (name === "json") {
        const lines = text.trim().split("\n").map((line) => JSON.parse(line));
        assert.deepEqual(lines.at(-2), { type: "pull_status", model: MODEL, status: last });
        assert.equal(lines.at(-1).type, "pull_finished");
        assert.equal(lines.at(-1).outcome, "error");
      } else if (!isTerminal) {
        assert.deepEqual(text.trim().split("\n").slice(-2), [
          `${MODEL}: ${last}`,
          `${MODEL}: pull failed`,
        ]);
      } else {
        assert.match(sink.writes.at(-1) ?? "", /✘ flood:latest failed/);
      }
    });
  }
});
