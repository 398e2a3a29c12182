// Stall detection as a real Ollama needs it: its server writes the same progress line every 60 ms
// while its own download is stuck, so a stall is "no layer's completed grew", not "no bytes".
// Driven through an injected fetch with streams of our own making; bounds are small and every
// wait has an upper bound, so a watchdog that never fires fails the test instead of hanging it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OllamaClient } from "../src/client.ts";
import { InterruptedError, PullFailedError, RequestTimeoutError } from "../src/errors/mod.ts";
import type { OllamaPullEvent } from "../src/events.ts";
import { PullActivity } from "../src/pull_activity.ts";
import { collect, rejection, scripted } from "./_helpers.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A progress line as Ollama writes it. */
const progress = (completed: number, total = 1_000) =>
  JSON.stringify({ status: "pulling abababababab", digest: DIGEST, total, completed }) + "\n";

/**
 * A body that writes `lines()` every `everyMs` until cancelled (or the generator ends), and
 * records when the client went away.
 */
function tickingBody(
  lines: Iterator<string>,
  everyMs: number,
  state: { cancelledAt?: number; writes: number },
) {
  let timer: ReturnType<typeof setInterval> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setInterval(() => {
        const next = lines.next();
        if (next.done) {
          clearInterval(timer);
          controller.close();
          return;
        }
        state.writes++;
        controller.enqueue(encoder.encode(next.value));
      }, everyMs);
    },
    cancel() {
      clearInterval(timer);
      state.cancelledAt = performance.now();
    },
  });
}

/** Runs a pull with the given body and bounds, timing it; never waits more than `capMs`. */
async function timedPull(
  body: () => ReadableStream<Uint8Array>,
  bounds: { stallTimeoutMs: number; quietTimeoutMs?: number },
  capMs = 10_000,
) {
  const { fetch } = scripted(() => new Response(body()));
  const client = new OllamaClient("http://127.0.0.1:11434", { fetch, ...bounds });
  const started = performance.now();
  const events: OllamaPullEvent[] = [];
  const cap = AbortSignal.timeout(capMs);
  const outcome = await (async () => {
    try {
      for await (const event of client.pullModelStream("tiny", { signal: cap })) events.push(event);
      return "success";
    } catch (error) {
      return error;
    }
  })();
  return { outcome, events, elapsed: performance.now() - started };
}

describe("PullActivity: progress, not lines", () => {
  it("a new layer, growth, a new status and the end count; repeats and roll-backs do not", () => {
    const activity = new PullActivity();
    const line = (completed: number, digest = DIGEST): OllamaPullEvent => ({
      type: "chunk_progress",
      digest,
      total: 100,
      completed,
      status: "pulling abababababab",
    });
    const seen = [
      activity.observe({ type: "status", status: "pulling manifest" }),
      activity.observe({ type: "status", status: "pulling manifest" }),
      activity.observe(line(0)),
      activity.observe(line(0)),
      activity.observe(line(10)),
      activity.observe(line(10)),
      activity.observe(line(5)), // a failed part rolled back
      activity.observe(line(6)), // and downloading again: progress
      activity.observe(line(0, `sha256:${"cd".repeat(32)}`)),
      activity.observe({ type: "status", status: "verifying sha256 digest" }),
      activity.observe({ type: "success" }),
    ];
    assert.deepEqual(seen, [true, false, true, false, true, false, false, true, true, true, true]);
  });
});

describe("stall detection", () => {
  it("trips on a server that repeats the same progress line (a stuck registry download)", async () => {
    const state = { writes: 0 } as { cancelledAt?: number; writes: number };
    function* lines() {
      yield '{"status":"pulling manifest"}\n';
      for (let i = 0; i < 5; i++) yield progress(i * 100);
      for (;;) yield progress(400); // stuck at 40%: the same line, every tick
    }
    const stallTimeoutMs = 300;
    const { outcome, elapsed } = await timedPull(
      () => tickingBody(lines(), 10, state),
      { stallTimeoutMs },
    );
    assert.ok(outcome instanceof PullFailedError, String(outcome));
    assert.equal(outcome.reason, "stalled");
    assert.equal(outcome.retryable, true);
    assert.match(outcome.message, /no layer's download grew for 0\.3 s/);
    assert.match(outcome.message, /repeating the same progress/);
    // Not before its bound (the last growth was ~50 ms in), and well before the 10 s cap.
    assert.ok(elapsed >= stallTimeoutMs, `fired after ${elapsed} ms`);
    assert.ok(elapsed < 3_000, `fired only after ${elapsed} ms`);
    assert.ok(state.cancelledAt !== undefined, "the connection was not closed");
    assert.ok(state.writes > 20, "the server kept writing lines all along");
  });

  it("slow but growing progress is not a stall, however long it lasts", async () => {
    const state = { writes: 0 };
    function* lines() {
      yield '{"status":"pulling manifest"}\n';
      // 60 lines 10 ms apart = 600 ms, twice the stall bound; one byte more each time.
      for (let i = 1; i <= 60; i++) yield progress(i, 60);
      yield '{"status":"success"}\n';
    }
    const { outcome, events } = await timedPull(
      () => tickingBody(lines(), 10, state),
      { stallTimeoutMs: 300 },
    );
    assert.equal(outcome, "success", String(outcome));
    assert.deepEqual(events.at(-1), { type: "success" });
  });

  it("after verifying, repeated lines are held to the stall bound, not the long quiet bound", async () => {
    const state = { writes: 0 };
    function* lines() {
      yield progress(1_000);
      yield '{"status":"verifying sha256 digest"}\n';
      for (;;) yield progress(1_000); // lines again, but nothing moves
    }
    const { outcome, elapsed } = await timedPull(
      () => tickingBody(lines(), 10, state),
      { stallTimeoutMs: 300, quietTimeoutMs: 60_000 },
    );
    assert.ok(outcome instanceof PullFailedError, String(outcome));
    assert.equal(outcome.reason, "stalled");
    assert.ok(elapsed < 3_000, `held to the quiet bound: ${elapsed} ms`);
  });

  it("silence after verifying is held to the quiet bound (the server hashes a large blob)", async () => {
    const body = () =>
      new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode('{"status":"verifying sha256 digest"}\n'));
          await sleep(500); // longer than the stall bound, shorter than the quiet bound
          controller.enqueue(encoder.encode('{"status":"writing manifest"}\n'));
          controller.enqueue(encoder.encode('{"status":"success"}\n'));
          controller.close();
        },
      });
    const { outcome } = await timedPull(body, { stallTimeoutMs: 100, quietTimeoutMs: 5_000 });
    assert.equal(outcome, "success", String(outcome));
  });

  it("silence with no line at all is a stall too", async () => {
    const body = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode('{"status":"pulling manifest"}\n'));
        },
      });
    const { outcome, elapsed } = await timedPull(body, { stallTimeoutMs: 200 });
    assert.ok(outcome instanceof PullFailedError, String(outcome));
    assert.match(outcome.message, /nothing arrived for 0\.2 s/);
    assert.ok(elapsed < 3_000, `${elapsed} ms`);
  });
});

describe("ending a pull early", () => {
  it("return() while a next() is pending closes the connection at once, not at the stall bound", async () => {
    const state: { cancelledAt?: number } = {};
    // One line, then the body stays open.
    const body = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode('{"status":"pulling manifest"}\n'));
        },
        cancel() {
          state.cancelledAt = performance.now();
        },
      });
    const { fetch } = scripted(() => new Response(body()));
    const client = new OllamaClient("http://127.0.0.1:11434", {
      fetch,
      stallTimeoutMs: 60_000,
    });
    const iterator = client.pullModelStream("tiny");
    assert.deepEqual(await iterator.next(), {
      value: { type: "status", status: "pulling manifest" },
      done: false,
    });
    const pending = iterator.next(); // waits on the open body
    const started = performance.now();
    await Promise.race([iterator.return!(), sleep(2_000)]);
    assert.ok(state.cancelledAt !== undefined, "the body was not cancelled within 2 s");
    assert.ok(state.cancelledAt - started < 2_000);
    assert.deepEqual(await pending, { value: undefined, done: true });
  });

  it("the caller's abort interrupts at once (the stall bound is 60 s)", async () => {
    const body = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode('{"status":"pulling manifest"}\n'));
        },
      });
    const { fetch } = scripted(() => new Response(body()));
    const client = new OllamaClient("http://127.0.0.1:11434", { fetch, stallTimeoutMs: 60_000 });
    const controller = new AbortController();
    const started = performance.now();
    const pending = collect(client.pullModelStream("tiny", { signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    const error = await Promise.race([rejection(pending), sleep(3_000).then(() => "hung")]);
    assert.ok(error instanceof InterruptedError, String(error));
    assert.ok(performance.now() - started < 3_000);
  });

  it("a caller's AbortSignal.timeout() is reported as a timeout, not as an interruption", async () => {
    const { fetch } = scripted(() => new Promise<Response>(() => {}));
    const client = new OllamaClient("http://127.0.0.1:11434", { fetch });
    const error = await rejection(client.listModels({ signal: AbortSignal.timeout(30) }));
    assert.ok(error instanceof RequestTimeoutError, String(error));
    assert.equal(error.code, "timeout");
    assert.equal(error.exitCode, 3);
    const pullError = await rejection(
      client.pullModel("tiny", { signal: AbortSignal.timeout(30) }),
    );
    assert.ok(pullError instanceof RequestTimeoutError, String(pullError));
  });
});
