// Smoke test of the npm package on plain Node (20.3+), as a user gets it: run from a directory
// where the packed tarball is installed (scripts/npm_smoke.sh copies this file there), it imports
// `@vtcode/ollama`, `@vtcode/ollama/testing` and `@vtcode/ollama/cli` by name, serves the fake
// Ollama with `node:http` on a loopback port in this process and talks to it with Node's own
// `fetch`. Prints one line per check; stops at the first failure and exits 1. Takes a few seconds.
//
//   node node_smoke.mjs

import assert from "node:assert/strict";
import process from "node:process";

/** Whole-run bound: a hang (a stream never ending, a handle left open) is a failure too. */
const RUN_TIMEOUT_MS = 30_000;

const hardStop = setTimeout(() => {
  console.error(`FAIL  the smoke test did not finish within ${RUN_TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, RUN_TIMEOUT_MS);
hardStop.unref();

const started = performance.now();
let failed = false;
let server;
let fake;

/** Runs one check (unless one failed already) and prints `ok` or `FAIL` with its name. */
async function check(name, fn) {
  if (failed) return;
  try {
    const detail = await fn();
    console.log(`ok    ${name}${detail ? `: ${detail}` : ""}`);
  } catch (error) {
    failed = true;
    console.log(`FAIL  ${name}`);
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    if (error instanceof Error && error.cause !== undefined) console.error("cause:", error.cause);
  }
}

/** A reporter that keeps every event and the `finish` outcome. */
function collector() {
  return {
    events: [],
    outcome: undefined,
    onEvent(event, model) {
      this.events.push({ ...event, model });
    },
    finish(_model, outcome) {
      this.outcome = outcome;
    },
  };
}

/** Checks a pull's events: phases in order, per-layer progress that ends at the layer totals. */
function checkPullEvents(events, expectedBytes) {
  const types = events.map((event) => event.type);
  assert.equal(types.at(-1), "success", "the last event is success");
  assert.equal(types.filter((type) => type === "success").length, 1, "one success event");
  assert.ok(types.includes("status"), "status events");
  const layers = new Map();
  for (const event of events) {
    if (event.type !== "chunk_progress") continue;
    const seen = layers.get(event.digest);
    if (seen !== undefined) assert.ok(event.completed >= seen.completed, "progress goes forward");
    layers.set(event.digest, event);
  }
  assert.ok(layers.size > 1, "several layers");
  const total = [...layers.values()].reduce((sum, event) => sum + (event.total ?? 0), 0);
  assert.equal(total, expectedBytes, "the layer totals add up to the catalog entry's size");
  return `${events.length} events, ${layers.size} layers, ${total} bytes`;
}

let pkg;
let testing;
let cli;

await check("runtime is plain Node", () => {
  assert.equal(typeof globalThis.Deno, "undefined", "no Deno global");
  assert.equal(typeof globalThis.Bun, "undefined", "no Bun global");
  assert.ok(process.versions.node, "process.versions.node");
  const [major] = process.versions.node.split(".").map(Number);
  assert.ok(major >= 20, `Node ${process.versions.node} is 20 or newer`);
  return `node ${process.version}`;
});

await check("web APIs the client uses", () => {
  const apis = {
    fetch: globalThis.fetch,
    "AbortSignal.any": AbortSignal.any,
    "AbortSignal.timeout": AbortSignal.timeout,
    ReadableStream: globalThis.ReadableStream,
    TransformStream: globalThis.TransformStream,
    TextDecoder: globalThis.TextDecoder,
    TextDecoderStream: globalThis.TextDecoderStream,
    DOMException: globalThis.DOMException,
  };
  for (const [name, value] of Object.entries(apis)) {
    assert.equal(typeof value, "function", `${name} is a function`);
  }
  return "fetch, AbortSignal.any/timeout, web streams, TextDecoder(Stream)";
});

await check("the package loads by name", async () => {
  pkg = await import("@vtcode/ollama");
  testing = await import("@vtcode/ollama/testing");
  cli = await import("@vtcode/ollama/cli");
  for (const name of ["OllamaClient", "ensureOllamaReady", "UnreachableError", "JsonLinesStream"]) {
    assert.equal(typeof pkg[name], "function", `@vtcode/ollama exports ${name}`);
  }
  for (const name of ["FakeOllama", "serveFakeOllama", "unusedLoopbackUrl"]) {
    assert.equal(typeof testing[name], "function", `@vtcode/ollama/testing exports ${name}`);
  }
  assert.equal(typeof cli.runCli, "function", "@vtcode/ollama/cli exports runCli");
  // The TOML parser is the smol-toml dependency, installed from the registry beside the package.
  const config = pkg.parseOllamaConfig('[ollama]\nmodels = ["llama3"]\nauto_pull = false\n');
  assert.deepEqual(config.models, ["llama3"]);
  assert.equal(config.autoPull, false);
  return `${Object.keys(pkg).length} + ${Object.keys(testing).length} exports, TOML parses`;
});

try {
  await check("fake server on node:http", async () => {
    fake = new testing.FakeOllama({ tickMs: 0, models: ["llama3", "all-minilm"] });
    server = await testing.serveFakeOllama(fake);
    assert.equal(server.backend, "node");
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    return server.url;
  });

  let client;
  await check("health check (tryFromBaseUrl)", async () => {
    client = await pkg.OllamaClient.tryFromBaseUrl(server.url, { timeoutMs: 5_000 });
    assert.equal(client.serverVersion, fake.version);
    assert.equal(client.baseUrl, server.url);
    return `Ollama ${client.serverVersion}`;
  });

  await check("list models", async () => {
    const models = await client.listModels();
    assert.deepEqual(models.map((model) => model.name), ["llama3:latest", "all-minilm:latest"]);
    assert.equal(models[0].details?.family, "llama");
    assert.ok(models.every((model) => typeof model.size === "number" && model.size > 0));
    assert.deepEqual(await client.fetchModels(), ["llama3:latest", "all-minilm:latest"]);
    return (await client.fetchModels()).join(", ");
  });

  await check("hasModel by alias", async () => {
    for (const alias of ["llama3", "llama3:latest", "library/llama3:latest", "LLAMA3"]) {
      assert.equal(await client.hasModel(alias), true, alias);
    }
    assert.equal(await client.hasModel("tinyllama"), false, "tinyllama is not installed");
    return "llama3 = llama3:latest = library/llama3:latest = LLAMA3; tinyllama missing";
  });

  await check("pull tinyllama with a reporter", async () => {
    const reporter = collector();
    const result = await client.pullModel("tinyllama", { reporter });
    assert.deepEqual(result, { model: "tinyllama:latest", attempts: 1 });
    assert.equal(reporter.outcome, "success");
    assert.ok(reporter.events.every((event) => event.model === "tinyllama:latest"));
    const entry = testing.DEFAULT_CATALOG.find((e) => e.name === "tinyllama:latest");
    return checkPullEvents(reporter.events, testing.catalogEntrySize(entry));
  });

  await check("pulled model is listed", async () => {
    const names = await client.fetchModels();
    assert.ok(names.includes("tinyllama:latest"), `listed: ${names.join(", ")}`);
    assert.equal(await client.hasModel("tinyllama"), true);
    return names.join(", ");
  });

  await check("fake recorded the pull", () => {
    const pulls = fake.pullRequests();
    assert.equal(pulls.length, 1, "one /api/pull");
    assert.equal(pulls[0].method, "POST");
    // The client may send the name as given or normalized; either is tinyllama:latest.
    const { model, ...rest } = pulls[0].body;
    assert.equal(pkg.normalizeModelName(model), pkg.normalizeModelName("tinyllama:latest"));
    assert.deepEqual(rest, { stream: true });
    assert.equal(pulls[0].status, 200);
    assert.equal(pulls[0].outcome, "completed");
    const { status, outcome } = pulls[0];
    return `${fake.requests.length} requests, POST /api/pull ${status} ${outcome}`;
  });

  await check("stalled pull is aborted and retried", async () => {
    fake.injectFault({ kind: "stall_after", lines: 3 }, { model: "qwen3:0.6b", times: 1 });
    const reporter = collector();
    const t0 = performance.now();
    const result = await client.pullModel("qwen3:0.6b", {
      reporter,
      stallTimeoutMs: 250,
      retry: { retries: 2, sleep: () => Promise.resolve() },
    });
    assert.deepEqual(result, { model: "qwen3:0.6b", attempts: 2 });
    const retries = reporter.events.filter((event) => event.type === "retry");
    assert.equal(retries.length, 1, "one retry event");
    assert.match(retries[0].reason, /stalled/);
    const pulls = fake.requests.filter((r) => r.body?.model === "qwen3:0.6b");
    assert.deepEqual(pulls.map((r) => r.outcome), ["client_gone", "completed"]);
    return `2 attempts in ${Math.round(performance.now() - t0)} ms, first one ${pulls[0].outcome}`;
  });

  await check("raw stream: TextDecoderStream + JsonLinesStream", async () => {
    const response = await fetch(`${server.url}/api/pull`, {
      method: "POST",
      body: JSON.stringify({ model: "all-minilm", stream: true }),
    });
    assert.equal(response.status, 200);
    const values = [];
    const lines = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new pkg.JsonLinesStream());
    for await (const value of lines) values.push(value);
    assert.deepEqual(values.at(-1), { status: "success" });
    return `${values.length} lines`;
  });

  await check("ensureOllamaReady", async () => {
    const logs = [];
    const reporter = collector();
    const report = await pkg.ensureOllamaReady(
      { baseUrl: server.url, models: ["llama3", "all-minilm:latest", "llama3:8b"], autoPull: true },
      { reporter, onLog: (entry) => logs.push(entry), registry: false },
    );
    assert.equal(report.error, null);
    assert.equal(report.ok, true);
    assert.equal(report.exitCode, 0);
    assert.equal(report.reachable, true);
    assert.deepEqual(report.present, ["llama3:latest", "all-minilm:latest"]);
    assert.deepEqual(report.pulled, ["llama3:8b"]);
    assert.deepEqual(report.missing, []);
    assert.equal(reporter.outcome, "success");
    assert.ok(logs.some((entry) => entry.message.includes(`is running at ${server.url}`)));
    return `present ${report.present.join(", ")}; pulled ${report.pulled.join(", ")}`;
  });

  await check("runCli check --json (@vtcode/ollama/cli)", async () => {
    let stdout = "";
    let stderr = "";
    const io = {
      stdout: (text) => (stdout += text),
      stderr: { write: (text) => (stderr += text), isTerminal: false, columns: 80 },
      env: {},
      cwd: process.cwd(),
    };
    const args = ["check", "--host", server.url, "--model", "llama3", "--json"];
    const code = await cli.runCli(args, io);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout.trim().split("\n").at(-1));
    assert.equal(result.type, "result");
    assert.equal(result.ok, true);
    assert.deepEqual(result.present, ["llama3:latest"]);
    return `exit ${code}, present ${result.present.join(", ")}`;
  });

  await check("refused connection is UnreachableError", async () => {
    const url = await testing.unusedLoopbackUrl();
    const t0 = performance.now();
    const error = await pkg.OllamaClient.tryFromBaseUrl(url, { timeoutMs: 5_000 }).then(
      () => assert.fail("the health check succeeded"),
      (error) => error,
    );
    const ms = performance.now() - t0;
    assert.ok(error instanceof pkg.UnreachableError, `got ${error?.name}: ${error?.message}`);
    assert.equal(error.code, "unreachable");
    assert.equal(error.exitCode, 3);
    assert.ok(
      error.message.startsWith(`No running Ollama server detected at ${url}`),
      error.message,
    );
    assert.ok(ms < 2_500, `failed at once, not at the timeout (${Math.round(ms)} ms)`);
    const report = await pkg.ensureOllamaReady({ baseUrl: url, models: ["llama3"] }, {
      registry: false,
    });
    assert.equal(report.reachable, false);
    assert.equal(report.exitCode, 3);
    assert.deepEqual(report.missing, ["llama3:latest"]);
    return `${Math.round(ms)} ms: ${error.message.split(". ")[0]}`;
  });
} finally {
  if (server !== undefined) {
    await check("close the server", async () => {
      await server.close();
      assert.equal(fake.closed, true);
      const error = await fetch(`${server.url}/api/version`).then(() => undefined, (e) => e);
      assert.ok(error instanceof TypeError, "the port no longer answers");
    });
    if (failed) await server.close();
  }
}

if (failed) {
  console.log(`node smoke test FAILED (${Math.round(performance.now() - started)} ms)`);
  process.exit(1);
}
console.log(`node smoke test passed (${Math.round(performance.now() - started)} ms)`);
// No process.exit: the process ends only if nothing (socket, timer) was left open.
