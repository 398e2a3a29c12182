// Several pulls through one reporter, their events interleaved (as `ensure` pulls up to
// pull_concurrency models at once), and the label option that names a fleet's host on every line.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OllamaPullProgressReporter } from "../src/events.ts";
import { CliPullProgressReporter } from "../src/progress/cli_reporter.ts";
import { JsonPullProgressReporter } from "../src/progress/json_reporter.ts";
import { TuiPullProgressReporter } from "../src/progress/tui_reporter.ts";
import {
  fakeTime,
  hex,
  interleave,
  type Layer,
  pullScript,
  Terminal,
  terminalSink,
  VISION,
} from "./_progress.ts";

const QWEN: Layer[] = [[hex("e"), 500e6], [hex("f"), 1e4]];
const TINY: Layer[] = [[hex("1"), 200e6]];

/** Two or three models, started at different times, their events merged in time order. */
function scripts(count: 2 | 3) {
  const all: [string, ReturnType<typeof pullScript>][] = [
    ["llava:latest", pullScript(VISION, { bytesPerTick: 4e6 })],
    ["qwen3:8b", pullScript(QWEN, { bytesPerTick: 6e6, manifest: true, start: 500 })],
    ["tinyllama:latest", pullScript(TINY, { bytesPerTick: 3e6, start: 1200 })],
  ];
  return all.slice(0, count);
}

/** Plays the merged events, calling finish for each model right after its success. */
function run(
  reporter: OllamaPullProgressReporter,
  clock: { now: number },
  count: 2 | 3,
  after?: (t: number) => void,
): void {
  for (const [t, event, model] of interleave(scripts(count))) {
    clock.now = t;
    void reporter.onEvent(event, model);
    if (event.type === "success") void reporter.finish?.(model, "success");
    after?.(t);
  }
}

describe("live: one row per active pull plus a total row; finished pulls leave one line above", () => {
  for (const count of [2, 3] as const) {
    for (const Reporter of [CliPullProgressReporter, TuiPullProgressReporter]) {
      it(`${count} models, ${Reporter.name}`, () => {
        const term = new Terminal(110);
        const time = fakeTime();
        const sink = terminalSink(term, time.clock);
        const reporter = new Reporter({ sink, now: time.now, schedule: null });
        const names = scripts(count).map(([name]) => name);
        let checked = 0;
        run(reporter, time.clock, count, (t) => {
          if (t % 1000 !== 0) return;
          // Mid-run: each active model exactly once on screen, a total row while several run.
          const lines = term.lines();
          const active = names.filter((name) =>
            lines.some((line) => line.includes(name) && !/^[✔✘]/.test(line))
          );
          for (const name of names) {
            const rows = lines.filter((line) => line.includes(` ${name} `) || line.endsWith(name));
            assert.ok(rows.length <= 1, `${name} shown ${rows.length} times:\n${lines.join("\n")}`);
          }
          const total = lines.filter((line) => line.startsWith("Σ "));
          assert.equal(total.length, active.length > 1 ? 1 : 0, lines.join("\n"));
          if (active.length > 1) {
            const [, pulls, done] = /^Σ (\d) pulls .* (\d) done$/.exec(total[0]) ?? [];
            assert.equal(Number(pulls) - Number(done), active.length, total[0]);
          }
          checked++;
        });
        assert.ok(checked >= 5);
        const lines = term.lines();
        for (const name of names) {
          const summaries = lines.filter((line) => line.startsWith(`✔ pulled ${name} (`));
          assert.equal(summaries.length, 1, `${name}:\n${lines.join("\n")}`);
        }
        assert.equal(lines.filter((line) => line.startsWith("Σ")).length, 0, "no total at the end");
        assert.ok(term.cursorVisible);
        // At most 10 redraws in any simulated second (finishes draw at once, one per model).
        const perSecond = new Map<number, number>();
        for (const { at } of sink.writes) {
          perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
        }
        for (const [second, frames] of perSecond) {
          assert.ok(frames <= 10 + count, `${frames} frames in second ${second}`);
        }
      });
    }
  }
});

describe("plain and --json: every line names its model", () => {
  for (const count of [2, 3] as const) {
    it(`${count} models, plain`, () => {
      const time = fakeTime();
      const lines: string[] = [];
      const sink = { isTerminal: false, write: (text: string) => void lines.push(text) };
      run(new CliPullProgressReporter({ sink, now: time.now }), time.clock, count);
      const names = scripts(count).map(([name]) => name);
      for (const line of lines) {
        assert.ok(names.some((name) => line.startsWith(`${name}: `)), line);
        assert.ok(line.endsWith("\n") && line.indexOf("\n") === line.length - 1, line);
      }
      for (const name of names) {
        assert.ok(lines.some((line) => line.startsWith(`${name}: pulled (`)));
      }
    });

    it(`${count} models, --json`, () => {
      const time = fakeTime();
      const lines: Record<string, unknown>[] = [];
      const sink = {
        isTerminal: false,
        write: (text: string) => void lines.push(JSON.parse(text)),
      };
      run(new JsonPullProgressReporter({ sink, now: time.now }), time.clock, count);
      const names = scripts(count).map(([name]) => name);
      for (const line of lines) {
        assert.ok(names.includes(line.model as string), JSON.stringify(line));
      }
      for (const name of names) {
        const mine = lines.filter((line) => line.model === name);
        assert.deepEqual(mine.at(-1), {
          type: "pull_finished",
          model: name,
          outcome: "success",
          downloaded: mine.at(-1)?.downloaded,
          on_disk: 0,
          elapsed_ms: mine.at(-1)?.elapsed_ms,
        });
      }
    });
  }
});

describe("a label on every line (a fleet's host)", () => {
  it("live rows, summaries, plain lines and --json objects all carry it", () => {
    const term = new Terminal(100);
    const time = fakeTime();
    const live = new CliPullProgressReporter({
      sink: terminalSink(term),
      now: time.now,
      label: "gpu-1\u001b[31m",
      schedule: null,
    });
    let seen = 0;
    run(live, time.clock, 2, () => {
      for (const line of term.lines()) assert.ok(line.startsWith("gpu-1 "), line);
      seen++;
    });
    assert.ok(seen > 100);
    assert.deepEqual(term.lines().filter((line) => line.includes("✔")).map((l) => l.slice(0, 17)), [
      "gpu-1 ✔ pulled qw",
      "gpu-1 ✔ pulled ll",
    ]);

    const plain: string[] = [];
    const plainSink = { isTerminal: false, write: (text: string) => void plain.push(text) };
    run(new TuiPullProgressReporter({ sink: plainSink, now: time.now, label: "gpu-1" }), {
      now: 0,
    }, 3);
    for (const line of plain) {
      assert.match(line, /^\[gpu-1\] (llava:latest|qwen3:8b|tinyllama:latest): /);
    }

    const json: Record<string, unknown>[] = [];
    const jsonSink = {
      isTerminal: false,
      write: (text: string) => void json.push(JSON.parse(text)),
    };
    run(new JsonPullProgressReporter({ sink: jsonSink, now: time.now, label: "gpu-1" }), {
      now: 0,
    }, 2);
    assert.ok(json.length > 10);
    for (const line of json) assert.equal(line.label, "gpu-1");
  });
});
