// How a user tests their own startup code against the fake Ollama, with no Ollama installed.
// Runs under `deno test -A examples/startup.test.ts` and `bun test examples/startup.test.ts`.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ensureOllamaReady } from "../mod.ts";
import { FakeOllama, serveFakeOllama } from "../src/testing/mod.ts";

/** The app's own startup step under test: ready when llama3 is there, pulling is not allowed. */
async function appStartup(host: string) {
  return await ensureOllamaReady({ models: ["llama3"], autoPull: false }, { host });
}

describe("my app's startup", () => {
  it("is ready when the model is installed (under any alias)", async () => {
    const fake = new FakeOllama({ models: ["library/llama3:latest"], tickMs: 0 });
    const server = await serveFakeOllama(fake);
    try {
      const report = await appStartup(server.url);
      assert.equal(report.ok, true);
      assert.deepEqual(report.present, ["llama3:latest"]);
      assert.deepEqual(fake.pullRequests(), []);
    } finally {
      await server.close();
    }
  });

  it("refuses to start, without pulling, when the model is missing", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    const server = await serveFakeOllama(fake);
    try {
      const report = await appStartup(server.url);
      assert.equal(report.ok, false);
      assert.equal(report.exitCode, 4);
      assert.equal(report.error?.code, "model_missing");
      assert.deepEqual(fake.pullRequests(), []);
    } finally {
      await server.close();
    }
  });

  it("works with no socket at all, through the fake's fetch", async () => {
    const fake = new FakeOllama({ models: ["llama3"], tickMs: 0 });
    const report = await ensureOllamaReady({ models: ["llama3"] }, { fetch: fake.fetch });
    assert.equal(report.ok, true);
  });
});
