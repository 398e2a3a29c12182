import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Watchdog, WatchdogTimeout } from "../src/watchdog.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Watchdog (activity sampled, not timed per touch)", () => {
  it("does not fire while touched, however long that lasts", async () => {
    const watchdog = new Watchdog("stall", 100);
    try {
      const until = performance.now() + 400;
      while (performance.now() < until) {
        watchdog.touch();
        await sleep(5);
      }
      assert.equal(watchdog.signal.aborted, false);
    } finally {
      watchdog.stop();
    }
  });

  it("fires once touches stop, never before its bound", async () => {
    const watchdog = new Watchdog("stall", 80);
    try {
      for (let i = 0; i < 10; i++) {
        watchdog.touch();
        await sleep(5);
      }
      const lastTouch = performance.now();
      const reason = await new Promise<unknown>((resolve) =>
        watchdog.signal.addEventListener("abort", () => resolve(watchdog.signal.reason))
      );
      assert.ok(performance.now() - lastTouch >= 80, "fired before the bound");
      assert.ok(reason instanceof WatchdogTimeout);
      assert.equal(reason.phase, "stall");
    } finally {
      watchdog.stop();
    }
  });

  it("a shorter phase takes effect at once (well before the old bound's first sample)", async () => {
    const watchdog = new Watchdog("start", 60_000);
    const started = performance.now();
    watchdog.setPhase("quiet", 30);
    // The 60 s bound samples every 3.75 s: firing within 1.5 s shows the new timer was armed.
    const fired = await Promise.race([
      new Promise((resolve) => watchdog.signal.addEventListener("abort", () => resolve(true))),
      sleep(1_500).then(() => false),
    ]);
    watchdog.stop();
    assert.equal(fired, true, `not fired after ${Math.round(performance.now() - started)} ms`);
    assert.equal((watchdog.signal.reason as WatchdogTimeout).phase, "quiet");
  });

  it("stop() clears its timer (counted through the timer functions, on every runtime)", async () => {
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const live = new Set<unknown>();
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      const id = realSet(() => {
        live.delete(id);
        fn();
      }, ms);
      live.add(id);
      return id;
    }) as typeof setTimeout;
    globalThis.clearTimeout = ((id: Parameters<typeof clearTimeout>[0]) => {
      live.delete(id);
      realClear(id);
    }) as typeof clearTimeout;
    try {
      const watchdog = new Watchdog("stall", 20_000);
      watchdog.setPhase("quiet", 10_000);
      assert.equal(live.size, 1, "one timer at a time");
      watchdog.stop();
      assert.equal(live.size, 0, "stop() must clear the pending timer");
      await sleep(5);
      assert.equal(watchdog.signal.aborted, false);
    } finally {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    }
  });

  it("hold() counts as activity until release(); then the bound runs again", async () => {
    const watchdog = new Watchdog("stall", 60);
    try {
      watchdog.hold();
      await sleep(250);
      assert.equal(watchdog.signal.aborted, false, "fired while held");
      watchdog.release();
      const fired = await Promise.race([
        new Promise((resolve) => watchdog.signal.addEventListener("abort", () => resolve(true))),
        sleep(2_000).then(() => false),
      ]);
      assert.equal(fired, true, "did not fire after release");
    } finally {
      watchdog.stop();
    }
  });
});
