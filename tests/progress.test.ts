// The arithmetic of pull progress (PullProgress) and the text formatting, with a scripted clock.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OllamaPullEvent } from "../src/events.ts";
import { PullProgress } from "../src/progress/progress_state.ts";
import {
  formatByteProgress,
  formatBytes,
  formatDuration,
  formatEta,
  formatPercent,
  formatRate,
  renderBar,
} from "../src/progress/format.ts";
import { fitToWidth, padToWidth, textWidth } from "../src/progress/text_width.ts";

const HEX = [
  "6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa",
  "4fa551d4f938f68b8c1e6afa9d28befb70e3f33f75d0753248d530364aeea40f",
  "8ab4849b038cf0abc5b1c9b8ee1443dca6b93a045c2272180d985126eb40bf6f",
  "577073ffcc6ce95b9981eacc77d1039568639e5638e83044994560d9ef82ce1b",
  "3f8eb4da87fa7a3c9da615036b0dc418d31fef2a30b115ff33562588b32c691d",
];
const SIZES = [4661211424, 12403, 254, 110, 485];

function chunk(layer: number, completed: number, total?: number): OllamaPullEvent {
  return {
    type: "chunk_progress",
    digest: `sha256:${HEX[layer]}`,
    total,
    completed,
    status: `pulling ${HEX[layer].slice(0, 12)}`,
  };
}

const status = (text: string): OllamaPullEvent => ({ type: "status", status: text });

/** The registry's manifest for the first `n` layers. */
function manifest(n = HEX.length): OllamaPullEvent {
  return {
    type: "manifest",
    layers: HEX.slice(0, n).map((hex, i) => ({ digest: `sha256:${hex}`, size: SIZES[i] })),
  };
}

function assertSane(progress: PullProgress, now: number): void {
  const s = progress.snapshot(now);
  for (const value of [s.completed, s.total, s.bytesPerSecond, s.downloaded, s.onDisk]) {
    assert.ok(Number.isFinite(value), `finite: ${value}`);
    assert.ok(value >= 0, `non-negative: ${value}`);
  }
  if (s.percent !== undefined) assert.ok(s.percent >= 0 && s.percent <= 100, `${s.percent}`);
  assert.ok(s.completed <= s.total || s.total === 0, `${s.completed} <= ${s.total}`);
  if (s.etaSeconds !== undefined) assert.ok(Number.isFinite(s.etaSeconds) && s.etaSeconds >= 0);
}

describe("PullProgress: totals over layers", () => {
  it("sums the sizes of all layers (the codex bug: totals of one layer only)", () => {
    const progress = new PullProgress();
    progress.update(status("pulling manifest"), 0);
    let expected = 0;
    SIZES.forEach((size, i) => {
      progress.update(chunk(i, 0, size), 100 + i);
      expected += size;
      assert.equal(progress.snapshot(100 + i).total, expected, `after layer ${i + 1}`);
    });
    let s = progress.snapshot(200);
    assert.equal(s.total, 4661224676);
    assert.equal(s.totalIsLowerBound, true, "more layers may come");
    assert.equal(s.percent, undefined);
    assert.equal(s.layerCount, 5);
    assert.deepEqual(progress.layers().map((l) => l.shortDigest), HEX.map((h) => h.slice(0, 12)));
    assert.deepEqual(progress.layers(2).map((l) => l.position), [4, 5]);
    progress.update(status("verifying sha256 digest"), 300);
    s = progress.snapshot(300);
    assert.equal(s.totalIsLowerBound, false, "the server moved past the layers");
    assert.equal(s.layersTotal, 5);
    assert.equal(s.percent, 100);
  });

  it("sums completed bytes over layers and computes an exact percentage", () => {
    const progress = new PullProgress();
    progress.update(manifest(2), 0);
    progress.update(chunk(0, 2_000_000_000, SIZES[0]), 0);
    progress.update(chunk(1, 12403, 12403), 1);
    const s = progress.snapshot(1);
    assert.equal(s.completed, 2_000_012_403);
    assert.equal(s.total, SIZES[0] + 12403);
    assert.ok(Math.abs(s.percent! - (2_000_012_403 / (SIZES[0] + 12403)) * 100) < 1e-9);
    assert.equal(s.onDisk, 2_000_012_403, "first sightings are what was on disk");
    assert.equal(s.downloaded, 0);
  });

  it("a layer already on disk (one line, completed == total) is done and not transfer", () => {
    const progress = new PullProgress();
    progress.update(chunk(1, 12403, 12403), 0);
    const s = progress.snapshot(0);
    const [layer] = progress.layers();
    assert.equal(layer.done, true);
    assert.equal(layer.percent, 100);
    assert.equal(s.transferred, 0);
    assert.equal(s.layersDone, 1);
  });

  it("an omitted total makes the layer unknown-size: a flagged lower bound, no ETA", () => {
    const progress = new PullProgress();
    progress.update(chunk(0, 0, SIZES[0]), 0);
    progress.update(chunk(1, 5000), 10);
    let s = progress.snapshot(10);
    assert.equal(s.totalIsLowerBound, true);
    assert.equal(s.total, SIZES[0] + 5000, "the unknown layer counts for what was seen of it");
    assert.equal(progress.layers()[1].total, undefined);
    assert.equal(progress.layers()[1].percent, undefined);
    assert.equal(s.etaSeconds, undefined);
    assertSane(progress, 10);
    progress.update(chunk(1, 6000, 12403), 20);
    s = progress.snapshot(20);
    assert.equal(s.totalIsLowerBound, true, "still no manifest");
    assert.equal(s.total, SIZES[0] + 12403);
  });

  it("nothing known yet: no percent, lower bound, no NaN", () => {
    const progress = new PullProgress();
    const s = progress.snapshot(0);
    assert.equal(s.percent, undefined);
    assert.equal(s.total, 0);
    assert.equal(s.totalIsLowerBound, true);
    assert.equal(s.bytesPerSecond, 0);
    assert.equal(s.etaSeconds, undefined);
    assert.equal(s.elapsedMs, 0);
    assert.equal(s.status, "");
  });

  it("absurd numbers never give NaN, a negative or more than 100%", () => {
    const progress = new PullProgress();
    const weird: OllamaPullEvent[] = [
      chunk(0, 900, 100),
      chunk(1, -5, 10),
      chunk(2, Number.NaN, Number.NaN),
      chunk(3, Infinity, 0),
      chunk(4, 10, -1),
    ];
    weird.forEach((event, i) => {
      progress.update(event, i * 1000);
      assertSane(progress, i * 1000);
    });
    assert.equal(progress.layers()[0].completed, 100, "capped at the layer's size");
  });
});

describe("PullProgress: completed going backwards, retries, endings", () => {
  it("the display keeps the highest completed seen; bars never jump back", () => {
    const progress = new PullProgress();
    progress.update(chunk(0, 0, 1000), 0);
    const seen: number[] = [];
    for (const [t, done] of [[100, 100], [200, 500], [300, 300], [400, 450], [500, 600]]) {
      progress.update(chunk(0, done, 1000), t);
      seen.push(progress.snapshot(t).completed);
    }
    assert.deepEqual(seen, [100, 500, 500, 500, 600]);
    assert.equal(
      progress.snapshot(500).transferred,
      600,
      "bytes re-sent after a rollback count once",
    );
  });

  it("a retry keeps the progress; a resumed pull does not show 0%", () => {
    const progress = new PullProgress();
    progress.update({
      type: "manifest",
      layers: [{ digest: `sha256:${HEX[0]}`, size: 1000 }],
    }, 0);
    progress.update(status("pulling manifest"), 0);
    progress.update(chunk(0, 0, 1000), 10);
    progress.update(chunk(0, 700, 1000), 20);
    const before = progress.snapshot(20);
    const changes = before.statusChanges;
    progress.update({
      type: "retry",
      attempt: 2,
      maxAttempts: 4,
      delayMs: 1200,
      reason: "stalled\u001b[31m",
    }, 30);
    let s = progress.snapshot(30);
    assert.equal(s.phase, "retrying");
    assert.deepEqual(s.retry, { attempt: 2, maxAttempts: 4, delayMs: 1200, reason: "stalled" });
    assert.equal(s.completed, 700);
    assert.equal(s.percent, 70);
    assert.equal(s.percent, before.percent);
    assert.ok(s.statusChanges > changes, "a retry is a status change");
    // The new attempt announces its statuses again, and resumes from a lower point.
    progress.update(status("pulling manifest"), 1300);
    assert.equal(progress.snapshot(1300).statusChanges, s.statusChanges + 1);
    progress.update(chunk(0, 650, 1000), 1400);
    s = progress.snapshot(1400);
    assert.equal(s.completed, 700);
    assert.equal(s.phase, "downloading");
    assert.equal(s.retry, undefined);
  });

  it("a layer whose last line stays below its total is complete once verifying starts", () => {
    const progress = new PullProgress();
    progress.update(chunk(0, 0, 1000), 0);
    progress.update(chunk(0, 990, 1000), 60);
    assert.equal(progress.layers()[0].done, false);
    progress.update(status("verifying sha256 digest"), 120);
    const s = progress.snapshot(120);
    assert.equal(s.phase, "finishing");
    assert.equal(progress.layers()[0].done, true);
    assert.equal(s.percent, 100);
    assert.equal(s.downloaded, 1000, "the bytes of the missing last tick were downloaded too");
  });

  it("success: finished, 100%, elapsed time frozen at the end", () => {
    const progress = new PullProgress();
    progress.update(status("pulling manifest"), 1000);
    progress.update(chunk(0, 0, 1000), 1100);
    progress.update({ type: "success" }, 4000);
    const s = progress.snapshot(9000);
    assert.equal(s.finished, true);
    assert.equal(s.phase, "success");
    assert.equal(s.percent, 100);
    assert.equal(s.elapsedMs, 3000);
  });

  it("an in-stream error is kept (sanitized) while the phase is error", () => {
    const progress = new PullProgress();
    progress.update({ type: "error", message: "max retries exceeded\u0007: EOF" }, 0);
    const s = progress.snapshot(0);
    assert.equal(s.phase, "error");
    assert.equal(s.error, "max retries exceeded: EOF");
    assert.equal(s.finished, false);
    progress.finish("error", 10);
    assert.equal(progress.snapshot(10).finished, true);
  });

  it("statuses and digests are sanitized; a repeated status is not a change", () => {
    const progress = new PullProgress();
    progress.update(status("\u001b]0;pwned\u0007x"), 0);
    progress.update(status("\u001b]0;pwned\u0007x"), 1);
    progress.update({
      type: "chunk_progress",
      digest: "sha256:\u001b[2Jabc",
      total: 5,
      completed: 1,
      status: "pulling \u009b31mabc",
    }, 2);
    const s = progress.snapshot(2);
    assert.equal(s.statusChanges, 2);
    assert.equal(s.status, "pulling abc");
    assert.equal(progress.layers()[0].digest, "sha256:abc");
    assert.equal(progress.layers()[0].shortDigest, "abc");
  });
});

describe("PullProgress: rate over a sliding window, ETA", () => {
  // 10 MB every 100 ms on one layer of 10 GB: 100 MB/s.
  function steady(progress: PullProgress, fromMs: number, toMs: number, start: number): number {
    let done = start;
    for (let t = fromMs; t <= toMs; t += 100) {
      progress.update(chunk(0, done, 10e9), t);
      done += 10e6;
    }
    return done - 10e6;
  }

  it("a steady stream gives its rate, and the ETA follows (with a manifest)", () => {
    const progress = new PullProgress();
    progress.update({ type: "manifest", layers: [{ digest: `sha256:${HEX[0]}`, size: 10e9 }] }, 0);
    const done = steady(progress, 0, 20_000, 0);
    const s = progress.snapshot(20_000);
    assert.ok(Math.abs(s.bytesPerSecond - 100e6) < 1e6, `rate ${s.bytesPerSecond}`);
    assert.ok(s.etaSeconds !== undefined);
    assert.ok(Math.abs(s.etaSeconds - (10e9 - done) / 100e6) < 1, `eta ${s.etaSeconds}`);
  });

  it("the window forgets: half a window of silence halves the rate, a whole one zeroes it", () => {
    const progress = new PullProgress();
    steady(progress, 0, 20_000, 0);
    const half = progress.snapshot(25_000).bytesPerSecond;
    assert.ok(Math.abs(half - 50e6) < 2e6, `rate after 5 s idle: ${half}`);
    const none = progress.snapshot(31_000);
    assert.equal(none.bytesPerSecond, 0);
    assert.equal(none.etaSeconds, undefined, "no ETA at rate 0");
  });

  it("the rate is over the last 10 s, not the whole pull", () => {
    const progress = new PullProgress();
    const slow = steady(progress, 0, 20_000, 0); // 100 MB/s
    // then 300 MB/s for 15 s
    let done = slow;
    for (let t = 20_100; t <= 35_000; t += 100) {
      done += 30e6;
      progress.update(chunk(0, done, 10e9), t);
    }
    const rate = progress.snapshot(35_000).bytesPerSecond;
    assert.ok(Math.abs(rate - 300e6) < 3e6, `rate ${rate}`);
  });

  it("bursts: thousands of lines in one instant, then a steady pace, stay finite", () => {
    const progress = new PullProgress();
    for (let i = 0; i < 5000; i++) progress.update(chunk(0, i * 1000, 10e9), 0);
    assert.equal(progress.snapshot(0).bytesPerSecond, 0, "no rate from a zero time span");
    assertSane(progress, 0);
    for (let t = 1; t <= 3000; t++) progress.update(chunk(0, 5e6 + t * 32768, 10e9), t);
    assertSane(progress, 3000);
    const rate = progress.snapshot(3000).bytesPerSecond;
    assert.ok(rate > 0 && Number.isFinite(rate));
  });

  it("a resumed layer's high first line is not counted as transfer", () => {
    const progress = new PullProgress();
    progress.update(chunk(0, 4e9, SIZES[0]), 0);
    progress.update(chunk(0, 4e9 + 1e6, SIZES[0]), 1000);
    const s = progress.snapshot(1000);
    assert.equal(s.transferred, 1e6);
    assert.ok(Math.abs(s.bytesPerSecond - 1e6) < 1, `rate ${s.bytesPerSecond}`);
  });

  it("the rate stays exact at 16 000 lines a second for 30 s", () => {
    const progress = new PullProgress({ rateWindowMs: 10_000 });
    for (let i = 0; i < 16_000 * 30; i++) {
      progress.update(chunk(0, i * 32768, 1e12), i / 16);
    }
    const rate = progress.snapshot(30_000).bytesPerSecond;
    assert.ok(Math.abs(rate - 16_000 * 32768) / (16_000 * 32768) < 0.02, `rate ${rate}`);
  });
});

describe("format", () => {
  it("bytes in decimal units like ollama pull", () => {
    const table: [number, string][] = [
      [0, "0 B"],
      [254, "254 B"],
      [999, "999 B"],
      [1000, "1 KB"],
      [1500, "1.5 KB"],
      [12_403, "12 KB"],
      [999_999, "999 KB"],
      [586_000_000, "586 MB"],
      [586_999_999, "586 MB"],
      [1_700_000_000, "1.7 GB"],
      [4_661_224_676, "4.7 GB"],
      [9_960_000, "10 MB"],
      [2_000_000_000_000, "2 TB"],
      [-5, "0 B"],
      [Number.NaN, "0 B"],
      [12.7, "12 B"],
    ];
    for (const [bytes, text] of table) assert.equal(formatBytes(bytes), text, String(bytes));
  });

  it("completed/total, rates", () => {
    assert.equal(formatByteProgress(586_000_000, 1_700_000_000), "586 MB/1.7 GB");
    assert.equal(formatByteProgress(5, undefined), "5 B");
    assert.equal(formatByteProgress(5, 0), "5 B");
    assert.equal(formatByteProgress(5, 10, { totalIsLowerBound: true }), "5 B/10 B+");
    assert.equal(formatByteProgress(10, 10, { totalIsLowerBound: true }), "10 B/10 B+");
    assert.equal(formatRate(45_200_000), "45 MB/s");
    assert.equal(formatRate(Number.POSITIVE_INFINITY), "0 B/s");
  });

  it("durations and ETAs", () => {
    const table: [number, string][] = [
      [0, "0s"],
      [400, "0s"],
      [8_000, "8s"],
      [59_400, "59s"],
      [59_600, "1m0s"],
      [80_000, "1m20s"],
      [92_000, "1m32s"],
      [3_599_000, "59m59s"],
      [7_380_000, "2h3m"],
      [-1, "0s"],
      [Number.NaN, "0s"],
    ];
    for (const [ms, text] of table) assert.equal(formatDuration(ms), text, String(ms));
    assert.equal(formatDuration(1200, { fractional: true }), "1.2s");
    assert.equal(formatDuration(2000, { fractional: true }), "2s");
    assert.equal(formatDuration(12_000, { fractional: true }), "12s");
    // An ETA rounds up and never reads 0s while something is left.
    assert.deepEqual([0, 0.2, 0.99, 1, 1.01, 59.5, 79.1].map(formatEta), [
      "1s",
      "1s",
      "1s",
      "1s",
      "2s",
      "1m0s",
      "1m20s",
    ]);
  });

  it("percentages round down and clamp", () => {
    assert.equal(formatPercent(35.9), "35%");
    assert.equal(formatPercent(99.999), "99%");
    assert.equal(formatPercent(100), "100%");
    assert.equal(formatPercent(250), "100%");
    assert.equal(formatPercent(-3), "0%");
    assert.equal(formatPercent(Number.NaN), "0%");
  });

  it("bars are exactly as wide as asked, whatever the fraction", () => {
    for (const width of [0, 1, 7, 10, 31]) {
      for (const fraction of [-1, 0, 0.01, 0.333, 0.5, 0.999, 1, 2, Number.NaN]) {
        assert.equal(textWidth(renderBar(fraction, width)), width, `${fraction}@${width}`);
        assert.equal(textWidth(renderBar(fraction, width, { ascii: true })), width);
      }
    }
    assert.equal(renderBar(0.5, 10), "█████     ");
    assert.equal(renderBar(0.55, 10), "█████▌    ");
    assert.equal(renderBar(1, 4), "████");
    assert.equal(renderBar(0.5, 10, { ascii: true }), "=====     ");
    assert.equal(renderBar(0.55, 10, { track: "░" }), "█████▌░░░░");
    assert.equal(renderBar(0.01, 10, { track: "░" }), "░░░░░░░░░░");
  });

  it("fitting to a width never exceeds it and marks the cut", () => {
    const texts = [
      "",
      "a",
      "pulling 6a0746a1ec1a",
      "✔ pulled llama3:latest (4.7 GB in 1m32s)",
      "█▌▕▏…",
    ];
    for (const text of texts) {
      for (let width = -1; width <= 50; width++) {
        const fitted = fitToWidth(text, width);
        assert.ok(textWidth(fitted) <= Math.max(0, width), `${JSON.stringify(text)}@${width}`);
        if (textWidth(text) <= width) assert.equal(fitted, text);
        else if (width > 0) assert.ok(fitted.endsWith("…"));
      }
    }
    assert.equal(fitToWidth("pulling 6a0746a1ec1a", 10), "pulling 6…");
    assert.equal(textWidth("⠋ █▌"), 4);
  });

  it("widths are terminal columns: wide characters take two, combining marks none", () => {
    assert.equal(textWidth("模型"), 4);
    assert.equal(textWidth("e\u0301"), 1);
    assert.equal(textWidth("👍🏽"), 2);
    assert.equal(textWidth("✔ ✘ Σ … ░▒"), 10);
    for (const text of ["模型模型模型", "a模b型c", "👍👍👍", "e\u0301e\u0301e\u0301"]) {
      for (let width = 0; width <= 12; width++) {
        const fitted = fitToWidth(text, width);
        assert.ok(textWidth(fitted) <= width, `${JSON.stringify(text)}@${width}: ${fitted}`);
        if (textWidth(text) <= width) assert.equal(fitted, text);
      }
    }
    assert.equal(fitToWidth("模型模型", 5), "模型…");
    assert.equal(padToWidth("模", 4), "模  ");
    assert.equal(padToWidth("5%", 4, true), "  5%");
  });
});
