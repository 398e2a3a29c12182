// Leak checks with Deno's test sanitizers. Deno runs node:test files without its op and resource
// sanitizers, so these scenarios are registered with Deno.test with the sanitizers switched on: a
// timer, a reader, a socket or a fetch still open when a test ends fails it. Under Bun the file
// registers a skipped test.
import { test } from "node:test";
import { OllamaClient } from "../src/client.ts";
import { ensureOllamaReady } from "../src/startup.ts";
import { CliPullProgressReporter } from "../src/progress/cli_reporter.ts";
import { TuiPullProgressReporter } from "../src/progress/tui_reporter.ts";
import { sleep } from "../src/retry.ts";
import { Watchdog } from "../src/watchdog.ts";
import { FakeOllama, serveFakeOllama } from "../src/testing/mod.ts";

type Scenario = [string, () => Promise<void>];

const expectRejection = async (promise: Promise<unknown>, code: string) => {
  try {
    await promise;
  } catch (error) {
    if ((error as { code?: string }).code === code) return;
    throw error;
  }
  throw new Error(`expected a rejection with code ${code}`);
};

const scenarios: Scenario[] = [
  ["health, list and a pull over a real socket", async () => {
    const server = await serveFakeOllama(new FakeOllama({ tickMs: 0 }));
    try {
      const client = await OllamaClient.tryFromBaseUrl(server.url);
      await client.listModels();
      await client.pullModel("all-minilm");
    } finally {
      await server.close();
    }
  }],
  ["a health check that times out", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    fake.injectFault({ kind: "hang" });
    const server = await serveFakeOllama(fake);
    try {
      await expectRejection(OllamaClient.tryFromBaseUrl(server.url, { timeoutMs: 100 }), "timeout");
    } finally {
      await server.close();
    }
  }],
  ["a stalled pull, retried once, over a real socket", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    fake.injectFault({ kind: "stall_after", lines: 3 }, { path: "/api/pull" });
    const server = await serveFakeOllama(fake);
    try {
      const client = new OllamaClient(server.url, {
        stallTimeoutMs: 100,
        retry: { retries: 1, baseDelayMs: 10 },
      });
      await expectRejection(client.pullModel("all-minilm"), "pull_failed");
    } finally {
      await server.close();
    }
  }],
  ["an aborted pull with a live terminal reporter", async () => {
    const server = await serveFakeOllama(new FakeOllama({ tickMs: 60, bytesPerSecond: 5_000_000 }));
    try {
      const controller = new AbortController();
      const live = new CliPullProgressReporter({ sink: { write() {}, isTerminal: true } });
      await expectRejection(
        new OllamaClient(server.url).pullModel("all-minilm", {
          signal: controller.signal,
          reporter: {
            onEvent(event, model) {
              live.onEvent(event, model);
              if (event.type === "chunk_progress") controller.abort();
            },
            finish: (model, outcome) => live.finish(model, outcome),
          },
        }),
        "interrupted",
      );
    } finally {
      await server.close();
    }
  }],
  ["ensureOllamaReady pulling through the fake's fetch, with the TUI reporter", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    const report = await ensureOllamaReady({ models: ["tinyllama"] }, {
      fetch: fake.fetch,
      reporter: new TuiPullProgressReporter({
        sink: { write() {}, isTerminal: true, columns: 80 },
      }),
    });
    if (!report.ok) throw report.error;
  }],
  ["a watchdog that fires, and one that is stopped", async () => {
    const fired = new Watchdog("stall", 20);
    await new Promise((resolve) => fired.signal.addEventListener("abort", resolve, { once: true }));
    const stopped = new Watchdog("stall", 10_000);
    stopped.stop();
  }],
  ["a backoff sleep cut short by an abort", async () => {
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal);
    controller.abort(new Error("stop"));
    await pending.catch(() => {});
  }],
];

interface DenoTestDefinition {
  name: string;
  fn: () => Promise<void>;
  sanitizeOps: boolean;
  sanitizeResources: boolean;
  sanitizeExit: boolean;
}
const deno = (globalThis as { Deno?: { test(definition: DenoTestDefinition): void } }).Deno;
if (deno !== undefined) {
  // Explicitly on: this Deno's defaults did not flag a leaked timer in a plain Deno.test.
  for (const [name, fn] of scenarios) {
    deno.test({
      name: `sanitizers: ${name}`,
      fn,
      sanitizeOps: true,
      sanitizeResources: true,
      sanitizeExit: true,
    });
  }
} else {
  test.skip("sanitizer checks run under Deno only", () => {});
}
