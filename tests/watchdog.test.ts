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

  it("a shorter phase takes effect at once; a stopped watchdog never fires", async () => {
    const watchdog = new Watchdog("start", 60_000);
    watchdog.setPhase("quiet", 30);
    await new Promise((resolve) => watchdog.signal.addEventListener("abort", resolve));
    assert.equal((watchdog.signal.reason as WatchdogTimeout).phase, "quiet");
    const stopped = new Watchdog("stall", 20);
    stopped.stop();
    await sleep(60);
    assert.equal(stopped.signal.aborted, false);
  });
});
