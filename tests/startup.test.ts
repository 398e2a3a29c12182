// The startup hook, against the fake Ollama through its fetch (no sockets).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OllamaClient } from "../src/client.ts";
import { ModelMissingError, NotWhitelistedError, ServerTooOldError } from "../src/errors/mod.ts";
import { ensureModel, ensureOllamaReady, type StartupLogEntry } from "../src/startup.ts";
import { FakeOllama } from "../src/testing/mod.ts";
import { pulledModels, rejection } from "./_helpers.ts";

describe("ensureOllamaReady", () => {
  it("aliases of installed models are present: no pull, names as the server lists them", async () => {
    const fake = new FakeOllama({ models: ["llama3:latest"], tickMs: 0 });
    const report = await ensureOllamaReady(
      { models: ["LLAMA3", "library/llama3", "registry.ollama.ai/library/llama3:latest"] },
      { fetch: fake.fetch },
    );
    assert.equal(report.ok, true);
    assert.equal(report.exitCode, 0);
    assert.deepEqual(report.present, ["llama3:latest"]);
    assert.deepEqual(pulledModels(fake), []);
  });

  it("pulls what is missing and allowed, verifies it, and logs as it goes", async () => {
    const fake = new FakeOllama({ models: ["llama3"], tickMs: 0 });
    const log: StartupLogEntry[] = [];
    const report = await ensureOllamaReady(
      { models: ["llama3", "qwen3:0.6b"], whitelist: ["qwen3:*"] },
      { fetch: fake.fetch, registry: false, onLog: (entry) => log.push(entry) },
    );
    assert.equal(report.ok, true, report.error?.message);
    assert.deepEqual(report.present, ["llama3:latest"]);
    assert.deepEqual(report.pulled, ["qwen3:0.6b"]);
    assert.deepEqual(report.missing, []);
    assert.equal(report.serverVersion, "0.33.0");
    assert.deepEqual(pulledModels(fake), ["qwen3:0.6b"]);
    assert.deepEqual(log.map((l) => l.message.replace(/ in [\d.]+ s$/, "")), [
      "Ollama 0.33.0 is running at http://127.0.0.1:11434",
      "Installed models (1): llama3:latest",
      "Pulling qwen3:0.6b",
    ]);
  });

  it("a server that is down is a report with an error log entry, not a throw", async () => {
    const log: StartupLogEntry[] = [];
    const report = await ensureOllamaReady({ models: ["llama3"] }, {
      fetch: () => Promise.reject(new TypeError("connection refused")),
      onLog: (entry) => log.push(entry),
    });
    assert.equal(report.ok, false);
    assert.equal(report.reachable, false);
    assert.equal(report.exitCode, 3);
    assert.equal(report.error?.code, "unreachable");
    assert.deepEqual(report.missing, ["llama3:latest"]);
    assert.equal(log[0].level, "error");
    assert.match(log[0].message, /^Ollama unavailable: No running Ollama server detected/);
  });

  it("pull failures (exit 5) outrank whitelist refusals (exit 4), and both stay missing", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    const report = await ensureOllamaReady(
      { models: ["mistral", "no-such-model"], whitelist: ["no-such-model"], pullRetries: 0 },
      { fetch: fake.fetch },
    );
    assert.equal(report.exitCode, 5);
    assert.equal(report.error?.code, "pull_failed");
    assert.deepEqual(report.missing, ["mistral:latest", "no-such-model:latest"]);
    assert.deepEqual(pulledModels(fake), ["no-such-model:latest"]);
  });

  it("min_version refuses an older server; a source build (0.0.0) passes", async () => {
    const old = new FakeOllama({ version: "0.4.7", models: ["llama3"], tickMs: 0 });
    const refused = await ensureOllamaReady({ models: ["llama3"], minVersion: "0.5.0" }, {
      fetch: old.fetch,
    });
    assert.ok(refused.error instanceof ServerTooOldError);
    assert.equal(refused.exitCode, 3);
    const source = new FakeOllama({ version: "0.0.0", models: ["llama3"], tickMs: 0 });
    const accepted = await ensureOllamaReady({ models: ["llama3"], minVersion: "0.5.0" }, {
      fetch: source.fetch,
    });
    assert.equal(accepted.ok, true);
  });

  it("OLLAMA_API_KEY goes to ollama.com only", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    await ensureOllamaReady({}, { fetch: fake.fetch, env: { OLLAMA_API_KEY: "sk-secret" } });
    assert.equal(fake.requests[0].headers.authorization, undefined);
    const seen: (string | null)[] = [];
    await ensureOllamaReady({}, {
      env: { OLLAMA_API_KEY: "sk-secret", OLLAMA_HOST: "https://ollama.com" },
      fetch: (input, init) => {
        seen.push(new Request(input, init).headers.get("authorization"));
        return fake.fetch(input, init);
      },
    });
    assert.deepEqual(seen[0], "Bearer sk-secret");
  });

  it("an invalid required name is a report with invalid_model_name, before any request", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    const report = await ensureOllamaReady({ models: ["llama3:"] }, { fetch: fake.fetch });
    assert.equal(report.error?.code, "invalid_model_name");
    assert.equal(report.exitCode, 2);
    assert.equal(fake.requests.length, 0);
  });
});

describe("ensureModel", () => {
  it("two concurrent calls for the same model (under different aliases) share one pull", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    const client = new OllamaClient("http://127.0.0.1:11434", { fetch: fake.fetch });
    const [a, b] = await Promise.all([
      ensureModel(client, "tinyllama"),
      ensureModel(client, "library/tinyllama:latest"),
    ]);
    assert.deepEqual(a, { model: "tinyllama:latest", status: "pulled" });
    assert.deepEqual(b, a);
    assert.deepEqual(pulledModels(fake), ["tinyllama:latest"]);
    // Once done, a later call checks again (and finds it present).
    assert.deepEqual(await ensureModel(client, "tinyllama"), {
      model: "tinyllama:latest",
      status: "present",
    });
  });

  it("auto-pull off and outside the whitelist are typed errors, with no pull", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    const client = new OllamaClient("http://127.0.0.1:11434", { fetch: fake.fetch });
    assert.ok(
      (await rejection(ensureModel(client, "tinyllama", { autoPull: false }))) instanceof
        ModelMissingError,
    );
    assert.ok(
      (await rejection(ensureModel(client, "tinyllama", { whitelist: ["qwen3:*"] }))) instanceof
        NotWhitelistedError,
    );
    assert.deepEqual(pulledModels(fake), []);
  });
});
