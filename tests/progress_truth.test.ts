// Progress that tells the truth: models whose layers are announced one by one (a vision model's
// weights, then its projector), the manifest event, one honest summary per outcome. Scripted
// clock, memory sinks: no real time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OllamaPullEvent, OllamaPullProgressReporter } from "../src/events.ts";
import { CliPullProgressReporter } from "../src/progress/cli_reporter.ts";
import { JsonPullProgressReporter } from "../src/progress/json_reporter.ts";
import { plainProgressText } from "../src/progress/line.ts";
import { PullProgress } from "../src/progress/progress_state.ts";
import { memorySink } from "../src/progress/sink.ts";
import { TuiPullProgressReporter } from "../src/progress/tui_reporter.ts";
import { seededRandom } from "./_helpers.ts";
import {
  chunk,
  fakeTime,
  hex,
  type Layer,
  play,
  pullScript,
  type Step,
  visibleLines,
  VISION,
} from "./_progress.ts";

const MODEL = "llava:latest";

/** Every frame a live reporter drew, as the model's row (escapes removed). */
function liveRows(steps: Step[], columns = 120): string[] {
  const time = fakeTime();
  const sink = memorySink({ isTerminal: true, columns });
  const reporter = new CliPullProgressReporter({ sink, now: time.now, schedule: null });
  play(reporter, time.clock, steps, MODEL);
  return sink.writes.flatMap((write) =>
    visibleLines(write).filter((line) => line.includes(MODEL) && !line.startsWith("✔"))
  );
}

function jsonLines(steps: Step[], outcome: "success" | "aborted" = "success") {
  const time = fakeTime();
  const sink = memorySink();
  const reporter = new JsonPullProgressReporter({ sink, now: time.now });
  play(reporter, time.clock, steps, MODEL);
  reporter.finish(MODEL, outcome);
  return sink.text().trim().split("\n").map((line) => JSON.parse(line));
}

function plainLines(steps: Step[], outcome: "success" | "aborted" = "success"): string[] {
  const time = fakeTime();
  const sink = memorySink();
  const reporter = new CliPullProgressReporter({ sink, now: time.now, schedule: null });
  play(reporter, time.clock, steps, MODEL);
  reporter.finish(MODEL, outcome);
  return sink.text().trim().split("\n");
}

/** The percentages and ETAs in a list of rows, in order (absent ones skipped). */
function shown(rows: string[]): { percents: number[]; etas: number[] } {
  const percents: number[] = [];
  const etas: number[] = [];
  for (const row of rows) {
    const percent = / (\d+)% /.exec(row);
    if (percent) percents.push(Number(percent[1]));
    const eta = / (?:(\d+)m)?(\d+)s(?: |$)/.exec(row.replace(/\d+ [KMG]?B\/s/, ""));
    if (eta) etas.push(Number(eta[1] ?? 0) * 60 + Number(eta[2]));
  }
  return { percents, etas };
}

function assertNeverDown(values: number[], what: string): void {
  for (let i = 1; i < values.length; i++) {
    assert.ok(values[i] >= values[i - 1], `${what} went from ${values[i - 1]} to ${values[i]}`);
  }
}

describe("a model whose layers are announced one by one (no manifest)", () => {
  const steps = pullScript(VISION, { bytesPerTick: 6e6 });

  it("live: no percentage or ETA falls back when the projector appears; the total shows +", () => {
    const rows = liveRows(steps);
    const { percents } = shown(rows);
    assertNeverDown(percents, "the percentage");
    const projector = rows.filter((row) => row.includes("layer 2 of ?"));
    assert.ok(projector.length > 10, `${projector.length} rows during the projector`);
    for (const row of projector) {
      assert.match(row, / \d+ MB\/700 MB\+ /, row);
      assert.doesNotMatch(row, /\d+%/, "no percentage of a total that may still grow");
    }
    const weights = rows.filter((row) => row.includes("layer 1 of ?"));
    assert.ok(weights.length > 10);
    for (const row of weights) assert.match(row, /MB\/400 MB\+/, row);
  });

  it("--json: total_is_lower_bound until the server moves past the layers; percent never falls", () => {
    const lines = jsonLines(steps);
    const progress = lines.filter((line) => line.type === "pull_progress");
    const verifying = lines.findIndex((line) => line.status === "verifying sha256 digest");
    assert.ok(verifying > 0);
    let previous = -1;
    for (const line of lines.slice(0, verifying)) {
      if (line.type !== "pull_progress") continue;
      assert.equal(line.total_is_lower_bound, true, JSON.stringify(line));
      assert.equal(line.percent, null);
      assert.equal(line.eta_seconds, null);
    }
    for (const line of progress) {
      if (line.percent === null) continue;
      assert.ok(line.percent >= previous, `${previous} then ${line.percent}`);
      previous = line.percent;
    }
    assert.ok(progress.some((line) => line.total === 700_012_500 && line.percent === 100));
  });

  it("plain: progress lines for every large layer, not only the first", () => {
    const lines = plainLines(steps);
    const start = lines.findIndex((line) => line.includes("pulling bbbbbbbbbbbb"));
    const end = lines.findIndex((line) => line.includes("pulling cccccccccccc"));
    assert.ok(start > 0 && end > start, lines.join("\n"));
    const during = lines.slice(start + 1, end);
    assert.ok(during.length >= 2, `projector lines:\n${during.join("\n")}`);
    for (const line of during) {
      assert.match(line, /^llava:latest: \d+ MB\/700 MB\+ \(layer 2 of \?/);
    }
    assert.equal(lines.at(-1), "llava:latest: pulled (700 MB in 8s)");
  });
});

describe("with the manifest first: the exact total and layer k of n from the first line", () => {
  const steps = pullScript(VISION, { manifest: true });

  it("live", () => {
    const rows = liveRows(steps);
    const first = rows.find((row) => row.includes("MB"));
    assert.match(first ?? "", / 0% 0 B\/700 MB /);
    assert.ok(rows.some((row) => row.includes("layer 1 of 4")));
    assert.ok(rows.some((row) => row.includes("layer 2 of 4")));
    assert.ok(rows.every((row) => !row.includes("+")), "the total is exact throughout");
    const { percents, etas } = shown(rows);
    assertNeverDown(percents, "the percentage");
    assert.ok(percents.length > 50 && etas.length > 50, `${percents.length}, ${etas.length}`);
    // At a steady rate the ETA only counts down.
    assertNeverDown(etas.slice(20).map((eta) => -eta), "the ETA's countdown");
  });

  it("--json and plain", () => {
    const lines = jsonLines(steps);
    assert.deepEqual(lines[0], {
      type: "pull_manifest",
      model: MODEL,
      layers: 4,
      total: 700012500,
    });
    for (const line of lines.filter((line) => line.type === "pull_progress")) {
      assert.equal(line.total, 700012500);
      assert.equal(line.total_is_lower_bound, false);
      assert.equal(line.layers_total, 4);
    }
    const plain = plainLines(steps);
    assert.ok(plain.includes("llava:latest: pulling aaaaaaaaaaaa (layer 1 of 4, 400 MB)"));
    assert.ok(plain.includes("llava:latest: pulling bbbbbbbbbbbb (layer 2 of 4, 300 MB)"));
  });
});

describe("a percentage, once shown, never goes down within a pull", () => {
  it("whatever the server does: rollbacks, retries, sizes that disagree with the manifest", () => {
    const random = seededRandom(7);
    for (let run = 0; run < 200; run++) {
      const progress = new PullProgress();
      const layers: Layer[] = [[hex("1"), 1000], [hex("2"), 500], [hex("3"), 10]];
      let floor = 0;
      let t = 0;
      const check = () => {
        const s = progress.snapshot(t);
        if (s.percent === undefined) return;
        assert.ok(s.percent >= floor, `run ${run}: ${floor} then ${s.percent}`);
        assert.ok(s.percent <= 100);
        floor = s.percent;
      };
      for (let step = 0; step < 60; step++) {
        t += Math.floor(random() * 200);
        const roll = random();
        const [digest, size] = layers[Math.floor(random() * (layers.length + 1)) % layers.length];
        let event: OllamaPullEvent;
        if (roll < 0.1) {
          event = {
            type: "manifest",
            layers: layers.map(([d, s]) => ({ digest: `sha256:${d}`, size: s })),
          };
        } else if (roll < 0.15) {
          event = { type: "retry", attempt: 2, maxAttempts: 4, delayMs: 10, reason: "x" };
        } else if (roll < 0.2) {
          event = { type: "status", status: "verifying sha256 digest" };
        } else if (roll < 0.25) {
          event = chunk(hex(String(step % 10)), Math.floor(random() * 50), 50); // not listed
        } else {
          const total = roll < 0.3 ? size * 2 : roll < 0.35 ? undefined : size;
          event = chunk(digest, Math.floor(random() * size * 1.2), total);
        }
        progress.update(event, t);
        check();
      }
      progress.finish("success", t);
      check();
      assert.equal(progress.snapshot(t).percent, 100);
    }
  });
});

describe("one true summary line per outcome", () => {
  const layers: Layer[] = [[hex("a"), 637e6], [hex("b"), 485]];

  function finals(steps: Step[], outcome: "success" | "aborted" = "success") {
    const result: string[] = [];
    for (const make of [CliPullProgressReporter, TuiPullProgressReporter]) {
      for (const isTerminal of [true, false]) {
        const time = fakeTime();
        const sink = memorySink({ isTerminal, columns: 100 });
        const reporter: OllamaPullProgressReporter = new make({ sink, now: time.now });
        play(reporter, time.clock, steps, MODEL);
        void reporter.finish?.(MODEL, outcome);
        result.push(visibleLines(sink.writes.at(-1) ?? "").filter(Boolean).at(-1) ?? "");
      }
    }
    return result;
  }

  it("a download says what it brought and how long it took", () => {
    const steps = pullScript(layers, { manifest: true, bytesPerTick: 9e6 });
    assert.deepEqual(finals(steps), [
      "✔ pulled llava:latest (637 MB in 5s)",
      "llava:latest: pulled (637 MB in 5s)",
      "✔ pulled llava:latest (637 MB in 5s)",
      "llava:latest: pulled (637 MB in 5s)",
    ]);
  });

  it("a model whose layers were all on disk already says so, and no size 'in 0s'", () => {
    const steps = pullScript([[hex("a"), 4.7e9], [hex("b"), 485]], { onDisk: true });
    assert.deepEqual(finals(steps), [
      "✔ llava:latest was already complete (4.7 GB on disk, nothing downloaded)",
      "llava:latest: already complete (4.7 GB on disk, nothing downloaded)",
      "✔ llava:latest was already complete (4.7 GB on disk, nothing downloaded)",
      "llava:latest: already complete (4.7 GB on disk, nothing downloaded)",
    ]);
  });

  it("a resumed pull counts only what it downloaded", () => {
    const steps: Step[] = [
      [0, { type: "status", status: "pulling manifest" }],
      [60, chunk(hex("a"), 3e9, 4e9)],
      [5060, chunk(hex("a"), 4e9, 4e9)],
      [5500, { type: "status", status: "verifying sha256 digest" }],
      [5600, { type: "success" }],
    ];
    assert.equal(finals(steps)[0], "✔ pulled llava:latest (1 GB in 6s, 3 GB already on disk)");
  });

  it("plain lines never say '0s left' while bytes are still coming", () => {
    const steps = pullScript([[hex("a"), 1e9]], { manifest: true, bytesPerTick: 6e6 });
    const lines = plainLines(steps);
    const left = lines.filter((line) => line.includes(" left)"));
    assert.ok(left.length >= 5, lines.join("\n"));
    for (const line of left) assert.doesNotMatch(line, / 0s left/, line);
    // A few bytes from the end, the ETA rounds up; with nothing left there is no ETA at all.
    const progress = new PullProgress();
    progress.update({ type: "manifest", layers: [{ digest: `sha256:${hex("f")}`, size: 1e9 }] }, 0);
    progress.update(chunk(hex("f"), 0, 1e9), 0);
    progress.update(chunk(hex("f"), 0.5e9, 1e9), 5000);
    progress.update(chunk(hex("f"), 0.99997e9, 1e9), 9999);
    assert.match(plainProgressText(progress.snapshot(9999)), / 1s left\)$/);
    progress.update(chunk(hex("f"), 1e9, 1e9), 10000);
    assert.equal(progress.snapshot(10000).etaSeconds, undefined);
    assert.doesNotMatch(plainProgressText(progress.snapshot(10000)), /left/);
  });

  it("an interruption says where it stopped, with the total as far as known", () => {
    const steps = pullScript(VISION).slice(0, 90);
    assert.deepEqual(finals(steps, "aborted"), [
      "✘ llava:latest interrupted at 520 MB/700 MB+",
      "llava:latest: pull interrupted at 520 MB/700 MB+",
      "✘ llava:latest interrupted at 520 MB/700 MB+",
      "llava:latest: pull interrupted at 520 MB/700 MB+",
    ]);
  });

  it("a success with no layer seen (a cloud model's stub) reads 100%", () => {
    const progress = new PullProgress();
    progress.update({ type: "status", status: "pulling manifest" }, 0);
    progress.update({ type: "success" }, 50);
    const s = progress.snapshot(50);
    assert.equal(s.percent, 100);
    assert.equal(s.totalIsLowerBound, false);
    const lines = jsonLines([[0, { type: "status", status: "pulling manifest" }], [50, {
      type: "success",
    }]]);
    const progressLines = lines.filter((line) => line.type === "pull_progress");
    assert.equal(progressLines.at(-1)?.percent, 100);
  });
});
