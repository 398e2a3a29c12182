// deno-lint-ignore-file no-control-regex -- escape sequences are what these tests are about
// The progress reporters (CLI, TUI, JSON, silent) against a memory sink, with a scripted clock and
// a scheduler the tests run by hand: no real time anywhere.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OllamaPullEvent, OllamaPullProgressReporter } from "../src/events.ts";
import { CliPullProgressReporter } from "../src/progress/cli_reporter.ts";
import { TuiPullProgressReporter } from "../src/progress/tui_reporter.ts";
import { JsonPullProgressReporter } from "../src/progress/json_reporter.ts";
import { SilentPullProgressReporter } from "../src/progress/silent_reporter.ts";
import { memorySink } from "../src/progress/sink.ts";
import { count, CSI, fakeTime, type Step, visibleLines } from "./_progress.ts";

const MODEL = "llama3:latest";
const LAYERS: [string, number][] = [
  ["6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa", 4661211424],
  ["4fa551d4f938f68b8c1e6afa9d28befb70e3f33f75d0753248d530364aeea40f", 12403],
  ["8ab4849b038cf0abc5b1c9b8ee1443dca6b93a045c2272180d985126eb40bf6f", 254],
  ["577073ffcc6ce95b9981eacc77d1039568639e5638e83044994560d9ef82ce1b", 110],
  ["3f8eb4da87fa7a3c9da615036b0dc418d31fef2a30b115ff33562588b32c691d", 485],
];

const ESCAPE = /\x1b/;
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const LLAMA3_MANIFEST: OllamaPullEvent = {
  type: "manifest",
  layers: LAYERS.map(([hex, size]) => ({ digest: `sha256:${hex}`, size })),
};

function layerEvent(index: number, completed: number, total?: number): OllamaPullEvent {
  const [hex, size] = LAYERS[index];
  return {
    type: "chunk_progress",
    digest: `sha256:${hex}`,
    total: total ?? size,
    completed,
    status: `pulling ${hex.slice(0, 12)}`,
  };
}

/**
 * An ollama-like pull: the registry's manifest (unless `manifest` is false), `pulling manifest`,
 * five layers at 100 MB/s in 60 ms ticks, verify, write, success.
 */
function llama3Pull(stopAtFraction = 1, manifest = true): Step[] {
  const steps: Step[] = manifest ? [[0, LLAMA3_MANIFEST]] : [];
  steps.push([0, { type: "status", status: "pulling manifest" }]);
  let t = 0;
  for (let i = 0; i < LAYERS.length; i++) {
    const size = LAYERS[i][1];
    steps.push([t += 60, layerEvent(i, 0)]);
    for (let done = 0; done < size;) {
      done = Math.min(size, done + 6_000_000);
      steps.push([t += 60, layerEvent(i, done)]);
      if (stopAtFraction < 1 && done >= size * stopAtFraction) return steps;
    }
  }
  steps.push([t += 5000, { type: "status", status: "verifying sha256 digest" }]);
  steps.push([t += 200, { type: "status", status: "writing manifest" }]);
  steps.push([t += 50, { type: "status", status: "removing unused layers" }]);
  steps.push([t += 10, { type: "success" }]);
  return steps;
}

function play(
  reporter: OllamaPullProgressReporter,
  clock: { now: number },
  steps: Step[],
  model = MODEL,
): void {
  for (const [at, event] of steps) {
    clock.now = at;
    void reporter.onEvent(event, model);
  }
}

function width(line: string): number {
  return [...line].length;
}

describe("CliPullProgressReporter, interactive", () => {
  it("16 000 events a second for 3 s: about 31 redraws; cursor hidden and restored once", () => {
    const time = fakeTime();
    const sink = memorySink({ isTerminal: true, columns: 100 });
    const reporter = new CliPullProgressReporter({ sink, now: time.now, schedule: time.schedule });
    time.clock.now = 0;
    reporter.onEvent({ type: "status", status: "pulling model" }, MODEL);
    for (let i = 0; i < 16_000 * 3; i++) {
      time.clock.now = i / 16;
      reporter.onEvent({
        type: "chunk_progress",
        digest: "sha256:model",
        total: 16_000 * 3 * 32768,
        completed: (i + 1) * 32768,
        status: "pulling model",
      }, MODEL);
    }
    time.clock.now = 3000;
    reporter.onEvent({ type: "success" }, MODEL);
    reporter.finish(MODEL, "success");
    const text = sink.text();
    // One redraw per 100 ms slot over 0..3000 ms (31 at most), then the final line.
    const redraws = sink.writes.length - 1;
    assert.ok(redraws <= 31 && redraws >= 29, `${redraws} redraws`);
    assert.equal(count(text, "\x1b[?25l"), 1, "cursor hidden once");
    assert.equal(count(text, "\x1b[?25h"), 1, "cursor restored once");
    assert.ok(text.indexOf("\x1b[?25l") < text.indexOf("\x1b[?25h"));
    assert.ok(text.endsWith("\n"), "the final line is ended");
    const last = sink.writes.at(-1) ?? "";
    assert.match(last, /✔ pulled llama3:latest \(1\.6 GB in 3s\)\x1b\[J\n$/);
    assert.doesNotMatch(text, /\x1b\[[0-9;]*m/, "no colour when color is off");
    for (const line of visibleLines(text)) assert.ok(width(line) <= 100, line);
  });

  it("redraws in place with \\r and erase-line, showing bar, percent, sizes, rate, ETA", () => {
    const time = fakeTime();
    const sink = memorySink({ isTerminal: true, columns: 120 });
    const reporter = new CliPullProgressReporter({ sink, now: time.now, schedule: time.schedule });
    play(reporter, time.clock, llama3Pull(0.35));
    const frame = sink.writes.at(-1) ?? "";
    assert.ok(frame.startsWith("\r\x1b[2K"), JSON.stringify(frame));
    assert.match(
      frame,
      /^\r\x1b\[2K. llama3:latest [█▏▎▍▌▋▊▉░]{30} {2}3[45]% 1\.6 GB\/4\.7 GB {2}100 MB\/s {4}3\ds layer 1 of 5\x1b\[J\r$/,
    );
    assert.ok(!frame.includes("\n"), "a live line is not ended");
    reporter.finish(MODEL, "aborted");
    const final = sink.writes.at(-1) ?? "";
    assert.equal(
      final,
      "\x1b[?25h\r\x1b[2K✘ llama3:latest interrupted at 35% (1.6 GB/4.7 GB)\x1b[J\n",
    );
  });

  it("a full pull ends with ✔ pulled and the size over all layers", () => {
    const time = fakeTime();
    const sink = memorySink({ isTerminal: true });
    const reporter = new CliPullProgressReporter({ sink, now: time.now, schedule: time.schedule });
    const steps = llama3Pull();
    play(reporter, time.clock, steps);
    time.clock.now = steps.at(-1)![0];
    reporter.finish(MODEL, "success");
    const final = visibleLines(sink.writes.at(-1) ?? "").filter(Boolean);
    assert.deepEqual(final, ["✔ pulled llama3:latest (4.7 GB in 52s)"]);
  });

  it("a state change between slots is drawn by the trailing redraw; finish always draws", () => {
    const time = fakeTime();
    const sink = memorySink({ isTerminal: true });
    const reporter = new CliPullProgressReporter({ sink, now: time.now, schedule: time.schedule });
    time.clock.now = 1000;
    reporter.onEvent(layerEvent(1, 0), MODEL);
    const writes = sink.writes.length;
    time.clock.now = 1010;
    reporter.onEvent({ type: "status", status: "verifying sha256 digest" }, MODEL);
    assert.equal(sink.writes.length, writes, "the status waits for the next slot");
    assert.equal(time.due.size, 1, "one trailing redraw is scheduled");
    time.clock.now = 1100;
    time.runDue();
    assert.equal(sink.writes.length, writes + 1);
    assert.match(sink.writes.at(-1) ?? "", /100% 12 KB\/12 KB +verifying sha256 digest/);
    time.clock.now = 1120;
    reporter.onEvent({ type: "status", status: "writing manifest" }, MODEL);
    reporter.finish(MODEL, "error");
    assert.equal(time.due.size, 0, "finish cancels the pending redraw");
    assert.match(sink.writes.at(-1) ?? "", /✘ llama3:latest failed/);
    assert.ok(sink.text().endsWith("\n"));
  });

  it("shows a retry, and an error with a clear marker", () => {
    const time = fakeTime();
    const sink = memorySink({ isTerminal: true, columns: 120 });
    const reporter = new CliPullProgressReporter({ sink, now: time.now, redrawIntervalMs: 0 });
    play(reporter, time.clock, llama3Pull(0.1));
    time.clock.now += 100;
    reporter.onEvent({ type: "error", message: "max retries exceeded: unexpected EOF" }, MODEL);
    assert.match(sink.writes.at(-1) ?? "", /error: max retries exceeded: unexpected EOF/);
    reporter.onEvent({
      type: "retry",
      attempt: 2,
      maxAttempts: 4,
      delayMs: 1200,
      reason: "stalled",
    }, MODEL);
    assert.match(
      sink.writes.at(-1) ?? "",
      /[█░]+ {2}10% 468 MB\/4\.7 GB +retrying \(2\/4\) in 1\.2s: stalled/,
    );
    time.clock.now += 1200;
    reporter.onEvent({ type: "error", message: "unauthorized: access denied" }, MODEL);
    reporter.finish(MODEL, "error");
    assert.match(
      sink.writes.at(-1) ?? "",
      /✘ llama3:latest failed: unauthorized: access denied at 10% \(468 MB\/4\.7 GB\)/,
    );
  });

  it("never wider than the terminal, at any width", () => {
    for (const columns of [8, 20, 33, 40, 60, 80, 132]) {
      const time = fakeTime();
      const sink = memorySink({ isTerminal: true, columns });
      const reporter = new CliPullProgressReporter({ sink, now: time.now, redrawIntervalMs: 0 });
      play(reporter, time.clock, llama3Pull(0.05));
      reporter.onEvent({
        type: "retry",
        attempt: 3,
        maxAttempts: 4,
        delayMs: 4000,
        reason: "the connection was reset by the peer ".repeat(5),
      }, MODEL);
      reporter.finish(MODEL, "error");
      for (const line of visibleLines(sink.text())) {
        assert.ok(width(line) < columns, `${columns}: ${JSON.stringify(line)}`);
      }
    }
  });

  it("colour only as SGR codes around parts, and only when enabled", () => {
    const time = fakeTime();
    const sink = memorySink({ isTerminal: true, columns: 100 });
    const reporter = new CliPullProgressReporter({ sink, now: time.now, color: true });
    play(reporter, time.clock, llama3Pull(0.2));
    reporter.finish(MODEL, "success");
    const text = sink.text();
    assert.match(text, /\x1b\[1mllama3:latest\x1b\[0m/);
    assert.match(text, /\x1b\[32m✔\x1b\[0m/);
    const escapes = text.match(/\x1b(\[[0-9;?]*[A-Za-z])/g) ?? [];
    for (const escape of escapes) {
      assert.match(escape, /^\x1b\[(\d+(;\d+)*m|2K|\?25[lh]|\d*A|J)$/, JSON.stringify(escape));
    }
    for (const line of visibleLines(text)) assert.ok(width(line) < 100, line);
  });

  it("one live line per model when pulls overlap; a finished model's line stays above", () => {
    const time = fakeTime();
    const sink = memorySink({ isTerminal: true });
    const reporter = new CliPullProgressReporter({ sink, now: time.now, redrawIntervalMs: 0 });
    reporter.onEvent({ type: "status", status: "pulling manifest" }, "a:latest");
    reporter.onEvent({ type: "status", status: "pulling manifest" }, "b:latest");
    assert.match(
      sink.writes.at(-1) ?? "",
      /^\r\x1b\[2K. a:latest pulling manifest\n\x1b\[2K. b:latest pulling manifest\n\x1b\[2KΣ 2 pulls .*0 done\x1b\[J\r$/,
    );
    reporter.onEvent({ type: "status", status: "writing manifest" }, "b:latest");
    assert.ok((sink.writes.at(-1) ?? "").startsWith("\x1b[2A\r"), "moves up over the block");
    reporter.finish("a:latest", "success");
    assert.match(
      sink.writes.at(-1) ?? "",
      /^\x1b\[2A\r\x1b\[2K✔ pulled a:latest \(in 0s\)\n\x1b\[2K. b:latest writing manifest\x1b\[J\r$/,
    );
    reporter.finish("b:latest", "success");
    const text = sink.text();
    assert.equal(count(text, "\x1b[?25l"), 1);
    assert.equal(count(text, "\x1b[?25h"), 1);
    assert.ok(text.endsWith("b:latest (in 0s)\x1b[J\n"));
  });

  it("finish with no event at all still ends cleanly", () => {
    const sink = memorySink({ isTerminal: true });
    const reporter = new CliPullProgressReporter({ sink, now: () => 0 });
    reporter.finish(MODEL, "error");
    assert.equal(sink.text(), "\x1b[?25h\r\x1b[2K✘ llama3:latest failed\x1b[J\n");
  });
});

describe("CliPullProgressReporter, plain (not a terminal)", () => {
  function plainRun(steps: Step[], outcome: "success" | "error" | "aborted") {
    const time = fakeTime();
    const sink = memorySink({ isTerminal: false, columns: 80 });
    const reporter = new CliPullProgressReporter({ sink, now: time.now, color: true });
    play(reporter, time.clock, steps);
    reporter.finish(MODEL, outcome);
    return { text: sink.text(), lines: sink.text().split("\n").slice(0, -1), due: time.due };
  }

  it("no escape sequence at all, even with color on", () => {
    const { text, due } = plainRun(llama3Pull(), "success");
    assert.doesNotMatch(text, ESCAPE);
    assert.equal(due.size, 0, "no timers in plain mode");
  });

  it("one line per status change, progress lines bounded, a final line", () => {
    const steps = llama3Pull();
    const { lines } = plainRun(steps, "success");
    const statuses = lines.filter((line) => !/\d+% \(/.test(line)).slice(0, -1);
    assert.deepEqual(statuses, [
      "llama3:latest: manifest: 5 layers, 4.7 GB",
      "llama3:latest: pulling manifest",
      "llama3:latest: pulling 6a0746a1ec1a (layer 1 of 5, 4.7 GB)",
      "llama3:latest: pulling 4fa551d4f938 (layer 2 of 5, 12 KB)",
      "llama3:latest: pulling 8ab4849b038c (layer 3 of 5, 254 B)",
      "llama3:latest: pulling 577073ffcc6c (layer 4 of 5, 110 B)",
      "llama3:latest: pulling 3f8eb4da87fa (layer 5 of 5, 485 B)",
      "llama3:latest: verifying sha256 digest",
      "llama3:latest: writing manifest",
      "llama3:latest: removing unused layers",
    ]);
    const progress = lines.filter((line) => /\d+% \(/.test(line));
    const seconds = steps.at(-1)![0] / 1000;
    assert.ok(progress.length >= 9, `${progress.length} progress lines`);
    assert.ok(progress.length <= 10 + Math.ceil(seconds / 5), `${progress.length} progress lines`);
    assert.match(
      progress[0],
      /^llama3:latest: 10% \(468 MB\/4\.7 GB, layer 1 of 5, 100 MB\/s, 4\ds left\)$/,
    );
    assert.equal(lines.at(-1), "llama3:latest: pulled (4.7 GB in 52s)");
  });

  it("a slow pull still gets a progress line every plainIntervalMs", () => {
    const time = fakeTime();
    const sink = memorySink();
    const reporter = new CliPullProgressReporter({ sink, now: time.now, plainIntervalMs: 5000 });
    time.clock.now = 0;
    reporter.onEvent(LLAMA3_MANIFEST, MODEL);
    reporter.onEvent(layerEvent(0, 0), MODEL);
    for (let t = 1000; t <= 60_000; t += 1000) {
      time.clock.now = t;
      reporter.onEvent(layerEvent(0, t * 1000), MODEL); // 1 MB/s: far from 10% steps
    }
    const progress = sink.text().split("\n").filter((line) => /\d+% \(/.test(line));
    assert.equal(progress.length, 12);
    assert.match(
      progress[0],
      /^llama3:latest: 0% \(5 MB\/4\.7 GB, layer 1 of 5, 1 MB\/s, 1h17m left\)$/,
    );
  });

  it("a line for a retry and for an error; the retry keeps the progress", () => {
    const steps = llama3Pull(0.5);
    const t = steps.at(-1)![0];
    steps.push([t + 1, { type: "error", message: "max retries exceeded: unexpected EOF" }]);
    steps.push([t + 2, {
      type: "retry",
      attempt: 2,
      maxAttempts: 4,
      delayMs: 1200,
      reason: "max retries exceeded",
    }]);
    steps.push([t + 1300, { type: "status", status: "pulling manifest" }]);
    steps.push([t + 1400, layerEvent(0, 100)]);
    const { lines } = plainRun(steps, "aborted");
    const tail = lines.slice(-4);
    assert.deepEqual(tail, [
      "llama3:latest: error: max retries exceeded: unexpected EOF",
      "llama3:latest: retrying (2/4) in 1.2s: max retries exceeded",
      "llama3:latest: pulling manifest",
      "llama3:latest: pull interrupted at 50% (2.3 GB/4.7 GB)",
    ]);
  });
});

describe("control characters from the server never reach the sink", () => {
  const hostile = "\u001b]0;pwned\u0007x";
  const steps: Step[] = [
    [0, { type: "status", status: hostile }],
    [10, {
      type: "chunk_progress",
      digest: `sha256:\u001b[2J${"a".repeat(64)}`,
      total: 1000,
      completed: 10,
      status: `pulling ${hostile}`,
    }],
    [20, { type: "error", message: `bad ${hostile}\r\n\u009b31m` }],
    [30, { type: "retry", attempt: 2, maxAttempts: 4, delayMs: 10, reason: hostile }],
    [40, { type: "status", status: "\u202eevil\u0000" }],
  ];
  const reporters: [
    string,
    boolean,
    (o: ReturnType<typeof memorySink>) => OllamaPullProgressReporter,
  ][] = [
    ["cli interactive", true, (sink) => new CliPullProgressReporter({ sink, redrawIntervalMs: 0 })],
    ["cli plain", false, (sink) => new CliPullProgressReporter({ sink })],
    ["tui interactive", true, (sink) => new TuiPullProgressReporter({ sink, redrawIntervalMs: 0 })],
    ["tui plain", false, (sink) => new TuiPullProgressReporter({ sink })],
    ["json", false, (sink) => new JsonPullProgressReporter({ sink, maxPerSecond: 1000 })],
  ];
  for (const [name, isTerminal, make] of reporters) {
    it(name, () => {
      const sink = memorySink({ isTerminal });
      const reporter = make(sink);
      play(reporter, { now: 0 }, steps, `bad\u0007${MODEL}`);
      void reporter.finish?.(`bad\u0007${MODEL}`, "error");
      const text = sink.text();
      assert.ok(!text.includes("pwned"), text);
      assert.ok(!text.includes("\u0007"));
      assert.ok(!text.includes("\u202e"));
      assert.ok(!text.includes("\x1b]"));
      assert.ok(!text.includes("\x1b[2J"));
      // Our own escapes (CSI) and line breaks aside, no control character at all.
      assert.doesNotMatch(text.replace(CSI, "").replace(/[\r\n]/g, ""), ANY_CONTROL);
      if (!isTerminal) assert.doesNotMatch(text, ESCAPE);
      assert.match(text, /x/);
    });
  }
});

describe("TuiPullProgressReporter", () => {
  it("a frame has one line per layer plus the aggregate, each within the columns", () => {
    const time = fakeTime();
    const sink = memorySink({ isTerminal: true, columns: 72 });
    const reporter = new TuiPullProgressReporter({ sink, now: time.now, schedule: time.schedule });
    const steps = llama3Pull();
    // Stop in the middle of the last layer: all five layers are on screen.
    const lastLayer = steps.findLastIndex(([, event]) => event.type === "chunk_progress");
    play(reporter, time.clock, steps.slice(0, lastLayer));
    time.clock.now += 100;
    reporter.onEvent(layerEvent(4, 100), MODEL);
    const frame = sink.writes.at(-1) ?? "";
    assert.ok(frame.startsWith("\x1b[?2026h") && frame.endsWith("\x1b[?2026l\r"), "synchronized");
    const lines = frame.slice("\x1b[?2026h".length, -"\x1b[?2026l\r".length).split("\n");
    assert.equal(lines.length, LAYERS.length + 1);
    assert.match(lines[0], /^\x1b\[[45]A\r\x1b\[2K/, "moves up over the block");
    const visible = lines.map((line) => line.replace(CSI, "").replace("\r", ""));
    LAYERS.forEach(([hex], i) => assert.ok(visible[i].startsWith(` pulling ${hex.slice(0, 12)} `)));
    assert.match(visible[0], / █{16} 100% 4\.7 GB\/4\.7 GB$/);
    assert.match(visible[4], / {2}20% 100 B\/485 B$/);
    assert.match(visible[5], /^. llama3:latest {7}[█▏▎▍▌▋▊▉]{16} {2}99% 4\.7 GB\/4\.7 GB/);
    // The bars of the layer rows and of the model row start and end in the same columns.
    const bars = visible.map((line) => /[█▏▎▍▌▋▊▉░]+/.exec(line)!);
    for (const bar of bars) {
      assert.equal(bar.index, bars[0].index);
      assert.equal(bar[0].length, bars[0][0].length);
    }
    for (const line of visible) assert.ok(width(line) <= 71, line);

    time.clock.now += 7000;
    reporter.onEvent({ type: "success" }, MODEL);
    reporter.finish(MODEL, "success");
    const text = sink.text();
    assert.equal(count(text, "\x1b[?2026h"), count(text, "\x1b[?2026l"), "markers balanced");
    for (const write of sink.writes) {
      assert.equal(count(write, "\x1b[?2026h"), 1);
      assert.equal(count(write, "\x1b[?2026l"), 1);
    }
    assert.equal(count(text, "\x1b[?25l"), 1);
    assert.equal(count(text, "\x1b[?25h"), 1);
    assert.ok(text.endsWith("\x1b[?2026l\n"), "the final frame is ended with a newline");
    assert.ok(sink.writes.slice(0, -1).every((w) => w.endsWith("\x1b[?2026l\r")), "cursor parked");
    const final = visibleLines(sink.writes.at(-1) ?? "").filter(Boolean);
    assert.equal(final.length, LAYERS.length + 1, "the final frame stays on screen");
    assert.match(final.at(-1) ?? "", /^✔ pulled llama3:latest \(4\.7 GB in \d+s\)$/);
    for (const line of visibleLines(text)) assert.ok(width(line) <= 72, line);
  });

  it("many layers fold into one line so the block stays bounded", () => {
    const sink = memorySink({ isTerminal: true });
    const reporter = new TuiPullProgressReporter({ sink, now: () => 0, maxLayerLines: 4 });
    for (let i = 0; i < 10; i++) {
      reporter.onEvent({
        type: "chunk_progress",
        digest: `sha256:${String(i).repeat(64)}`,
        total: 10,
        completed: 10,
        status: "pulling",
      }, MODEL);
    }
    reporter.finish(MODEL, "success");
    const final = visibleLines(sink.writes.at(-1) ?? "").filter(Boolean);
    assert.equal(final.length, 5);
    assert.equal(final[0], " … 7 earlier layers");
  });

  it("off a terminal it writes exactly what the CLI reporter writes", () => {
    const outputs = [CliPullProgressReporter, TuiPullProgressReporter].map((Reporter) => {
      const time = fakeTime();
      const sink = memorySink({ isTerminal: false });
      const reporter = new Reporter({ sink, now: time.now });
      play(reporter, time.clock, llama3Pull());
      reporter.finish(MODEL, "success");
      return sink.text();
    });
    assert.equal(outputs[1], outputs[0]);
    assert.doesNotMatch(outputs[1], ESCAPE);
  });

  it("throttles redraws like the CLI reporter", () => {
    const time = fakeTime();
    const sink = memorySink({ isTerminal: true });
    const reporter = new TuiPullProgressReporter({ sink, now: time.now, schedule: null });
    for (let i = 0; i < 16_000; i++) {
      time.clock.now = i / 16;
      reporter.onEvent(layerEvent(0, i * 32768), MODEL);
    }
    reporter.finish(MODEL, "aborted");
    assert.ok(sink.writes.length <= 11, `${sink.writes.length} frames`);
  });
});

describe("JsonPullProgressReporter", () => {
  function jsonRun(
    maxPerSecond: number | undefined,
    steps: Step[],
    outcome: "success" | "error" | "aborted" = "success",
  ) {
    const time = fakeTime();
    const sink = memorySink();
    const reporter = new JsonPullProgressReporter({ sink, now: time.now, maxPerSecond });
    play(reporter, time.clock, steps);
    reporter.finish(MODEL, outcome);
    const text = sink.text();
    assert.ok(text.endsWith("\n"));
    return text.split("\n").slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it("every line parses; statuses, progress, success in order", () => {
    const lines = jsonRun(undefined, llama3Pull());
    assert.deepEqual(lines[0], {
      type: "pull_manifest",
      model: MODEL,
      layers: 5,
      total: 4661224676,
    });
    assert.deepEqual(lines[1], { type: "pull_status", model: MODEL, status: "pulling manifest" });
    const types = new Set(lines.map((line) => line.type));
    assert.deepEqual([...types], [
      "pull_manifest",
      "pull_status",
      "pull_progress",
      "pull_success",
      "pull_finished",
    ]);
    assert.deepEqual(lines.slice(-2), [{ type: "pull_success", model: MODEL }, {
      type: "pull_finished",
      model: MODEL,
      outcome: "success",
      downloaded: 4661224676,
      on_disk: 0,
      elapsed_ms: 52420,
    }]);
    const progress = lines.filter((line) => line.type === "pull_progress");
    let previous = 0;
    for (const line of progress) {
      assert.deepEqual(Object.keys(line), [
        "type",
        "model",
        "completed",
        "total",
        "total_is_lower_bound",
        "percent",
        "bytes_per_second",
        "eta_seconds",
        "layers_seen",
        "layers_done",
        "layers_total",
      ]);
      const percent = line.percent as number;
      assert.ok(percent >= previous && percent <= 100, `${previous} then ${percent}`);
      previous = percent;
      assert.equal(line.total, 4661224676, "the manifest's exact total from the first line");
      assert.equal(line.total_is_lower_bound, false);
      assert.equal(line.layers_total, 5);
    }
    assert.equal(progress.at(-1)?.completed, 4661224676, "the held-back last line is flushed");
    assert.equal(progress.at(-1)?.total, 4661224676);
  });

  it("at most maxPerSecond progress lines per model per simulated second", () => {
    for (const maxPerSecond of [1, 4, 10]) {
      const time = fakeTime();
      const perSecond = new Map<string, number>();
      const sink = {
        isTerminal: false,
        write(text: string) {
          const line = JSON.parse(text);
          if (line.type !== "pull_progress") return;
          const key = `${line.model}@${Math.floor(time.clock.now / 1000)}`;
          perSecond.set(key, (perSecond.get(key) ?? 0) + 1);
        },
      };
      const reporter = new JsonPullProgressReporter({ sink, now: time.now, maxPerSecond });
      // Two models pulled at once, their lines interleaved: the bound is per model.
      const merged = [
        ...llama3Pull().map(([t, event]) => [t, event, MODEL] as const),
        ...llama3Pull().map(([t, event]) => [t + 30, event, "qwen3:8b"] as const),
      ].sort((a, b) => a[0] - b[0]);
      for (const [t, event, model] of merged) {
        time.clock.now = t;
        reporter.onEvent(event, model);
      }
      reporter.finish(MODEL, "success");
      reporter.finish("qwen3:8b", "success");
      assert.ok(perSecond.size >= 90, `${perSecond.size} model-seconds`);
      for (const [key, n] of perSecond) {
        assert.ok(n <= maxPerSecond, `${maxPerSecond}/s: ${n} lines in ${key}`);
      }
    }
  });

  it("16 000 events a second: exactly maxPerSecond lines a second, plus the final flush", () => {
    const time = fakeTime();
    const sink = memorySink();
    const reporter = new JsonPullProgressReporter({ sink, now: time.now, maxPerSecond: 4 });
    reporter.onEvent(LLAMA3_MANIFEST, MODEL);
    for (let i = 0; i < 16_000 * 3; i++) {
      time.clock.now = i / 16;
      reporter.onEvent(layerEvent(0, (i + 1) * 32768), MODEL);
    }
    assert.equal(sink.writes.filter((w) => w.includes('"pull_progress"')).length, 12);
    reporter.finish(MODEL, "aborted");
    assert.deepEqual(JSON.parse(sink.writes.at(-1) ?? "{}"), {
      type: "pull_finished",
      model: MODEL,
      outcome: "aborted",
      downloaded: 16_000 * 3 * 32768 - 32768,
      on_disk: 32768,
      elapsed_ms: 3000,
    });
    const last = JSON.parse(sink.writes.at(-2) ?? "{}");
    assert.equal(last.type, "pull_progress");
    assert.equal(last.completed, 16_000 * 3 * 32768, "finish flushes the last numbers");
    assert.ok(last.bytes_per_second > 500e6 && last.bytes_per_second < 550e6);
    assert.equal(last.eta_seconds, null, "an interrupted pull has no time left");
  });

  it("retry and error lines, sanitized; a success with no layer ends at 100%", () => {
    const lines = jsonRun(4, [
      [0, { type: "status", status: "pulling manifest" }],
      [10, { type: "error", message: "pull model manifest: file does not exist\u001b[0m" }],
      [20, { type: "retry", attempt: 2, maxAttempts: 3, delayMs: 500, reason: "reset\u0007" }],
    ], "success");
    assert.deepEqual(lines, [
      { type: "pull_status", model: MODEL, status: "pulling manifest" },
      { type: "pull_error", model: MODEL, message: "pull model manifest: file does not exist" },
      {
        type: "pull_retry",
        model: MODEL,
        attempt: 2,
        max_attempts: 3,
        delay_ms: 500,
        reason: "reset",
      },
      {
        type: "pull_progress",
        model: MODEL,
        completed: 0,
        total: 0,
        total_is_lower_bound: false,
        percent: 100,
        bytes_per_second: 0,
        eta_seconds: null,
        layers_seen: 0,
        layers_done: 0,
        layers_total: 0,
      },
      {
        type: "pull_finished",
        model: MODEL,
        outcome: "success",
        downloaded: 0,
        on_disk: 0,
        elapsed_ms: 20,
      },
    ]);
  });

  it("unknown sizes: total is a flagged lower bound and the ETA is null", () => {
    const lines = jsonRun(4, [[0, layerEvent(0, 0)], [0, {
      type: "chunk_progress",
      digest: "sha256:x",
      total: undefined,
      completed: 500,
      status: "pulling x",
    }]], "aborted");
    const progress = lines.filter((line) => line.type === "pull_progress");
    assert.deepEqual(progress.at(-1), {
      type: "pull_progress",
      model: MODEL,
      completed: 500,
      total: 4661211924,
      total_is_lower_bound: true,
      percent: null,
      bytes_per_second: 0,
      eta_seconds: null,
      layers_seen: 2,
      layers_done: 0,
      layers_total: null,
    });
  });
});

describe("SilentPullProgressReporter and memorySink", () => {
  it("the silent reporter accepts everything and does nothing", () => {
    const reporter = new SilentPullProgressReporter();
    play(reporter, { now: 0 }, llama3Pull(0.01));
    reporter.finish(MODEL, "success");
  });

  it("memorySink records writes and reports what it was told", () => {
    const sink = memorySink({ isTerminal: true, columns: 42 });
    sink.write("a");
    sink.write("b\n");
    assert.deepEqual(sink.writes, ["a", "b\n"]);
    assert.equal(sink.text(), "ab\n");
    assert.equal(sink.isTerminal, true);
    assert.equal(sink.columns, 42);
    sink.clear();
    assert.equal(sink.text(), "");
    assert.equal(memorySink().isTerminal, false);
  });
});
