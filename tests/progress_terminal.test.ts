// Terminal hygiene of the live reporters, checked on what a screen would show: a small terminal
// emulator (tests/_progress.ts) takes the reporters' output, is resized, gets a ^C echoed into it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OllamaPullProgressReporter } from "../src/events.ts";
import { CliPullProgressReporter } from "../src/progress/cli_reporter.ts";
import type { ProgressSink } from "../src/progress/sink.ts";
import { TuiPullProgressReporter } from "../src/progress/tui_reporter.ts";
import { seededRandom } from "./_helpers.ts";
import {
  chunk,
  CSI,
  fakeTime,
  hex,
  play,
  pullScript,
  type Step,
  Terminal,
  terminalSink,
  VISION,
} from "./_progress.ts";

const MODEL = "llava-vision:latest";

/** The two live reporters, by name. */
const LIVE_REPORTERS = [
  ["cli", (sink: ProgressSink, now: () => number) => new CliPullProgressReporter({ sink, now })],
  ["tui", (sink: ProgressSink, now: () => number) => new TuiPullProgressReporter({ sink, now })],
] as const;

/** Columns a string takes, counting East Asian wide characters as two (independent of src/). */
function columnsOf(text: string): number {
  let width = 0;
  for (const char of text) width += /[\u3000-\u9fff\uac00-\ud7a3\uff00-\uff60]/.test(char) ? 2 : 1;
  return width;
}

describe("a terminal made narrower mid-pull", () => {
  for (const [name, make] of LIVE_REPORTERS) {
    it(`${name}: the next frame leaves no stale copy of the old rows, and fits the new width`, () => {
      const term = new Terminal(110);
      for (let i = 0; i < 3; i++) term.write(`$ earlier output ${i}\n`);
      const time = fakeTime();
      const reporter: OllamaPullProgressReporter = make(terminalSink(term), time.now);
      const steps = pullScript(VISION, { manifest: true });
      play(reporter, time.clock, steps.slice(0, 40), MODEL);
      play(reporter, time.clock, steps.slice(0, 40).map(([t, e]) => [t, e]), "qwen3:8b");
      const before = term.lines();
      assert.ok(before.some((line) => columnsOf(line) > 60), "rows wider than the new width");
      term.resize(60);
      play(reporter, time.clock, steps.slice(40, 60), MODEL);
      const lines = term.lines();
      assert.deepEqual(lines.slice(0, 3), [
        "$ earlier output 0",
        "$ earlier output 1",
        "$ earlier output 2",
      ]);
      assert.equal(
        lines.filter((line) => line.includes("llava-vision")).length,
        1,
        lines.join("\n"),
      );
      assert.equal(lines.filter((line) => line.includes("qwen3:8b")).length, 1, lines.join("\n"));
      for (const line of lines) assert.ok(columnsOf(line) < 60, `${columnsOf(line)}: ${line}`);
      reporter.finish?.(MODEL, "success");
      reporter.finish?.("qwen3:8b", "success");
      assert.equal(term.lines().filter((line) => line.includes("llava-vision")).length, 1);
      assert.ok(term.cursorVisible);
    });
  }

  it("whatever the width does between frames, every row fits it (wide characters count two)", () => {
    const random = seededRandom(3);
    const time = fakeTime();
    const sink = {
      isTerminal: true,
      columns: 80,
      frames: [] as [number, string][],
      write(text: string) {
        this.frames.push([this.columns, text]);
      },
    };
    const reporter = new CliPullProgressReporter({ sink, now: time.now, redrawIntervalMs: 0 });
    const steps = pullScript(VISION);
    steps.splice(30, 0, [steps[29][0], {
      type: "status",
      status: "模型模型模型模型模型模型模型模型",
    }]);
    steps.splice(60, 0, [steps[59][0], {
      type: "retry",
      attempt: 2,
      maxAttempts: 4,
      delayMs: 100,
      reason: "连接被重置连接被重置连接被重置连接被重置",
    }]);
    for (const [t, event] of steps) {
      time.clock.now = t;
      sink.columns = 8 + Math.floor(random() * 140);
      reporter.onEvent(event, "模型:latest");
    }
    reporter.finish("模型:latest", "error");
    for (const [columns, frame] of sink.frames) {
      for (const line of frame.replace(CSI, "").split(/[\r\n]/)) {
        assert.ok(columnsOf(line) < columns, `${columns}: ${line}`);
      }
    }
  });
});

describe("Ctrl-C", () => {
  it("the ^C the terminal echoes and the live row are gone once finish(…, 'aborted') ran", () => {
    for (const columns of [40, 60, 61, 62, 80, 100]) {
      const term = new Terminal(columns);
      const time = fakeTime();
      const reporter = new CliPullProgressReporter({ sink: terminalSink(term), now: time.now });
      play(
        reporter,
        time.clock,
        pullScript([[hex("e"), 500e6]], { manifest: true }).slice(0, 30),
        "qwen3:8b",
      );
      term.write("^C"); // what a tty with echoctl prints at the cursor on SIGINT
      time.clock.now += 5;
      reporter.finish("qwen3:8b", "aborted");
      const lines = term.lines();
      assert.equal(lines.length, 1, `${columns} columns:\n${lines.join("\n")}`);
      assert.match(lines[0], /^✘ qwen3:8b interrupted /);
      assert.doesNotMatch(lines[0], /\^C/);
      assert.ok(term.cursorVisible);
    }
  });
});

describe("stable layout", () => {
  it("the bar keeps its columns while the rate and the ETA appear in the first second", () => {
    const time = fakeTime();
    const sink = {
      isTerminal: true,
      columns: 100,
      seen: [] as string[],
      write(text: string) {
        this.seen.push(
          ...text.replace(CSI, "").split(/[\r\n]/).filter(Boolean),
        );
      },
    };
    const reporter = new CliPullProgressReporter({ sink, now: time.now, schedule: null });
    play(
      reporter,
      time.clock,
      pullScript([[hex("e"), 500e6]], { manifest: true }).slice(0, 40),
      "qwen3:8b",
    );
    const bars = sink.seen.map((row) => /[█▏▎▍▌▋▊▉░▕]+/.exec(row)).filter((bar) => bar !== null);
    assert.ok(bars.length >= 15, `${bars.length} frames with a bar`);
    assert.ok(sink.seen.some((row) => / \d+ MB\/s +\d+s( |$)/.test(row)), "rate and ETA appeared");
    for (const bar of bars) {
      assert.equal(bar.index, bars[0].index, "the bar starts in the same column");
      assert.equal(bar[0].length, bars[0][0].length, "the bar is as wide in every frame");
    }
  });

  it("a partial block never stands next to a glyph that looks like the bar's end", () => {
    const time = fakeTime();
    const rows: string[] = [];
    const sink = { isTerminal: true, columns: 80, write: (text: string) => void rows.push(text) };
    const reporter = new CliPullProgressReporter({ sink, now: time.now, redrawIntervalMs: 0 });
    reporter.onEvent(
      { type: "manifest", layers: [{ digest: `sha256:${hex("e")}`, size: 2400 }] },
      "m",
    );
    for (let done = 0; done <= 2400; done += 10) {
      time.clock.now += 60;
      reporter.onEvent(chunk(hex("e"), done, 2400), "m");
    }
    for (const row of rows.filter((row) => row.includes("%"))) {
      // The bar is one run of cells (fill, a partial cell, track): no cap glyphs around it that a
      // thin partial block (▏) could be mistaken for.
      const runs = row.match(/[█▏▎▍▌▋▊▉░▕]+/g) ?? [];
      assert.equal(runs.length, 1, JSON.stringify(row));
      assert.doesNotMatch(runs[0], /▕/);
      assert.match(runs[0], /^█*[▏▎▍▌▋▊▉]?░*$/, JSON.stringify(row));
    }
  });

  it("--tui: layer bars and the model's bar line up, before and after a resize", () => {
    const term = new Terminal(110);
    const time = fakeTime();
    const reporter = new TuiPullProgressReporter({ sink: terminalSink(term), now: time.now });
    const steps: Step[] = pullScript(VISION, { manifest: true });
    play(reporter, time.clock, steps.slice(0, 90), "llava:latest");
    const check = (width: number) => {
      const lines = term.lines();
      const bars = lines.map((line) => /[█▏▎▍▌▋▊▉░▕]+/.exec(line)).filter((bar) => bar !== null);
      assert.equal(bars.length, 3, lines.join("\n"));
      for (const bar of bars) {
        assert.equal(bar.index, bars[0].index, `${width}: same start\n${lines.join("\n")}`);
        assert.equal(bar[0].length, bars[0][0].length, `${width}: same width\n${lines.join("\n")}`);
      }
    };
    check(110);
    term.resize(72);
    play(reporter, time.clock, steps.slice(90, 95), "llava:latest");
    check(72);
  });
});

describe("a line printed while the live display is up", () => {
  for (const [name, make] of LIVE_REPORTERS) {
    it(`${name}: goes above the block, on a line of its own, and the block is drawn again below`, () => {
      const term = new Terminal(100);
      const time = fakeTime();
      const reporter = make(terminalSink(term), time.now);
      const steps = pullScript(VISION, { manifest: true });
      play(reporter, time.clock, steps.slice(0, 30), MODEL);
      reporter.print("• Pulling qwen3:8b");
      play(reporter, time.clock, steps.slice(30, 40), MODEL);
      const lines = term.lines();
      const at = lines.indexOf("• Pulling qwen3:8b");
      assert.ok(at >= 0, `the line is not on a line of its own:\n${lines.join("\n")}`);
      assert.ok(
        lines.slice(at + 1).some((line) => line.includes(MODEL)),
        `no live row below it:\n${lines.join("\n")}`,
      );
      assert.equal(lines.filter((line) => line.includes(MODEL)).length, 1, lines.join("\n"));
      reporter.finish?.(MODEL, "success");
    });
  }
});
