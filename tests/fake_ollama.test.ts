// The fake Ollama server (src/testing): endpoint shapes, pull streams, resume, every fault (through
// the injected fetch and, for the socket-level ones, over real sockets), fault selection and
// request recording. Runs under `deno test` and `bun test` (node:test API only).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CONTROL_CHARS,
  DEFAULT_CATALOG,
  encodePullLines,
  ERROR_AFTER_MESSAGE,
  FakeOllama,
  type FakeOllamaOptions,
  MULTIBYTE_SUFFIX,
  NOT_JSON_LINE,
  proxyErrorPage,
  pullScript,
  resolveLayers,
  type ServeBackend,
  serveFakeOllama,
  smallCatalog,
  unusedLoopbackUrl,
} from "../src/testing/mod.ts";

const BASE = "http://127.0.0.1:11434";
const TINY = smallCatalog({ "tiny:latest": [4096, 300], "other:1b": [2000, 100] });
const [TINY_WEIGHTS, TINY_CONFIG] = resolveLayers(TINY[0]);
const BACKENDS: ServeBackend[] = [
  "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node",
  "node",
];

function fast(options: FakeOllamaOptions = {}): FakeOllama {
  return new FakeOllama({ catalog: TINY, tickMs: 0, ...options });
}

function pull(fake: FakeOllama, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fake.fetch(`${BASE}/api/pull`, { method: "POST", body: JSON.stringify(body), ...init });
}

/** Reads a body to its end (or its error) as chunks, with a reader (Bun's text() on a cut body throws outside the await). */
async function readChunks(response: Response): Promise<{ chunks: Uint8Array[]; error?: unknown }> {
  const chunks: Uint8Array[] = [];
  const reader = response.body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { chunks };
      chunks.push(value);
    }
  } catch (error) {
    return { chunks, error };
  }
}

function joined(chunks: Uint8Array[]): string {
  const decoder = new TextDecoder();
  return chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join("") + decoder.decode();
}

async function readLines(response: Response): Promise<{ lines: string[]; error?: unknown }> {
  const { chunks, error } = await readChunks(response);
  const text = joined(chunks);
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return { lines, error };
}

/** A line reader that reads one line at a time (for checking state mid-stream). */
function lineReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(): Promise<string | undefined> {
      for (;;) {
        const at = buffer.indexOf("\n");
        if (at !== -1) {
          const line = buffer.slice(0, at);
          buffer = buffer.slice(at + 1);
          return line;
        }
        const { done, value } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function progress(total: number | undefined, completed: number | undefined, digest: string) {
  const value: Record<string, unknown> = { status: `pulling ${digest.slice(7, 19)}`, digest };
  if (total) value.total = total;
  if (completed) value.completed = completed;
  return value;
}

describe("endpoints", () => {
  it("GET and HEAD / say Ollama is running", async () => {
    const fake = fast();
    const get = await fake.fetch(`${BASE}/`);
    assert.equal(get.status, 200);
    assert.equal(get.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await get.text(), "Ollama is running");
    const head = await fake.fetch(`${BASE}/`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body, null);
  });

  it("GET /api/version answers the version", async () => {
    const response = await new FakeOllama({ version: "0.0.0" }).fetch(`${BASE}/api/version`);
    assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(await response.text(), '{"version":"0.0.0"}');
    assert.deepEqual(await (await fast().fetch(`${BASE}/api/version`)).json(), {
      version: "0.33.0",
    });
  });

  it("GET /api/tags lists models in Ollama's exact shape, newest first, [] when empty", async () => {
    assert.equal(await (await fast().fetch(`${BASE}/api/tags`)).text(), '{"models":[]}');
    const fake = new FakeOllama({ models: ["llama3", { name: "hf.co/Org/M:Q4_K_M", size: 7 }] });
    const response = await fake.fetch(`${BASE}/api/tags`);
    assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
    const { models } = await response.json();
    assert.deepEqual(models.map((m: { name: string }) => m.name), [
      "llama3:latest",
      "hf.co/Org/M:Q4_K_M",
    ]);
    const [llama] = models;
    assert.deepEqual(Object.keys(llama), [
      "name",
      "model",
      "modified_at",
      "size",
      "digest",
      "details",
      "capabilities",
    ]);
    assert.deepEqual(llama.capabilities, ["completion"]);
    assert.equal(llama.model, llama.name);
    assert.match(
      llama.modified_at,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/,
    );
    assert.match(llama.modified_at, /\.\d{7,9}/, "nanoseconds, as Go writes them");
    assert.equal(llama.size, 4661211424 + 12403 + 254 + 110 + 485);
    assert.match(llama.digest, /^[0-9a-f]{64}$/);
    assert.deepEqual(llama.details, {
      parent_model: "",
      format: "gguf",
      family: "llama",
      families: ["llama"],
      parameter_size: "8.0B",
      quantization_level: "Q4_0",
    });
    assert.deepEqual(Object.keys(llama.details), [
      "parent_model",
      "format",
      "family",
      "families",
      "parameter_size",
      "quantization_level",
    ]);
    assert.equal(models[1].size, 7);
    // HEAD works too.
    assert.equal((await fake.fetch(`${BASE}/api/tags`, { method: "HEAD" })).status, 200);
  });

  it("GET /v1/models is OpenAI's list, data null when empty", async () => {
    const empty = await fast().fetch(`${BASE}/v1/models`);
    assert.equal(empty.headers.get("content-type"), "application/json");
    assert.equal(await empty.text(), '{"object":"list","data":null}\n');
    const fake = new FakeOllama({ models: ["llama3", "user/m:tag"] });
    const body = await (await fake.fetch(`${BASE}/v1/models`)).json();
    assert.equal(body.object, "list");
    assert.deepEqual(body.data.map((m: { id: string; owned_by: string }) => [m.id, m.owned_by]), [
      ["llama3:latest", "library"],
      ["user/m:tag", "user"],
    ]);
    assert.equal(body.data[0].object, "model");
    assert.equal(typeof body.data[0].created, "number");
  });

  it("GET /api/ps answers no loaded models", async () => {
    assert.equal(await (await fast().fetch(`${BASE}/api/ps`)).text(), '{"models":[]}');
  });

  it("POST /api/show describes a model, 404 in Ollama's words when missing", async () => {
    const fake = new FakeOllama({ models: ["all-minilm"] });
    const show = (body: unknown) =>
      fake.fetch(`${BASE}/api/show`, { method: "POST", body: JSON.stringify(body) });
    const found = await show({ model: "ALL-MINILM" });
    assert.equal(found.status, 200);
    const info = await found.json();
    assert.equal(info.details.family, "bert");
    assert.deepEqual(info.capabilities, ["embedding"]);
    const missing = await show({ model: "x" });
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), `{"error":"model 'x:latest' not found"}`);
    const noBody = await fake.fetch(`${BASE}/api/show`, { method: "POST" });
    assert.equal(noBody.status, 400);
    assert.deepEqual(await noBody.json(), { error: "missing request body" });
  });

  it("DELETE /api/delete removes a model; 404 for a missing one", async () => {
    const fake = new FakeOllama({ models: ["llama3", "qwen3:0.6b"] });
    const remove = (model: string) =>
      fake.fetch(`${BASE}/api/delete`, { method: "DELETE", body: JSON.stringify({ model }) });
    const ok = await remove("llama3");
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "");
    assert.deepEqual(fake.installedModels(), ["qwen3:0.6b"]);
    const missing = await remove("llama3");
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "model 'llama3' not found" });
  });

  it("answers 404 page not found for unknown routes and 405 for a wrong method", async () => {
    const fake = fast();
    const unknown = await fake.fetch(`${BASE}/api/nope`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get("content-type"), "text/plain");
    assert.equal(await unknown.text(), "404 page not found");
    const wrong = await fake.fetch(`${BASE}/api/tags`, { method: "POST", body: "{}" });
    assert.equal(wrong.status, 405);
    assert.equal(await wrong.text(), "405 method not allowed");
    assert.equal((await fake.fetch(`${BASE}/api/pull`)).status, 405);
  });

  it("answers 403 to a non-local Host when asked to, like a loopback-bound server", async () => {
    const fake = fast({ rejectNonLocalHost: true });
    assert.equal((await fake.fetch("http://evil.example/api/version")).status, 403);
    const forged = await fake.fetch(`${BASE}/api/version`, { headers: { host: "evil.example" } });
    assert.equal(forged.status, 403);
    assert.equal(await forged.text(), "");
    for (const host of ["localhost:11434", "127.0.0.1", "[::1]:11434", "box.local", "10.0.0.2"]) {
      const ok = await fake.fetch(`http://${host}/api/version`);
      assert.equal(ok.status, 200, host);
      await ok.body?.cancel();
    }
  });

  it("validates pull requests like Ollama", async () => {
    const fake = fast();
    const noBody = await fake.fetch(`${BASE}/api/pull`, { method: "POST" });
    assert.equal(noBody.status, 400);
    assert.equal(noBody.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(await noBody.text(), '{"error":"missing request body"}');
    for (const model of ["llama3:", "registry.ollama.ai/llama3", "a/b/c/d", "", "-x"]) {
      const bad = await pull(fake, { model });
      assert.equal(bad.status, 400, model);
      assert.deepEqual(await bad.json(), { error: "invalid model name" }, model);
    }
    // Old clients send `name`; a `stream: false` answer is bare `application/json`.
    const old = await pull(fake, { name: "tiny", stream: false });
    assert.equal(old.status, 200);
    assert.equal(old.headers.get("content-type"), "application/json");
    assert.equal(await old.text(), '{"status":"success"}');
    assert.deepEqual(fake.installedModels(), ["tiny:latest"]);
    // `insecure` sends a name without a host to a plain-http registry.ollama.ai, as Ollama does.
    const insecure = await pull(fake, { model: "tiny", insecure: true, stream: false });
    assert.equal(insecure.status, 500);
    assert.deepEqual(await insecure.json(), {
      error:
        'pull model manifest: Get "http://registry.ollama.ai/v2/library/tiny/manifests/latest": ' +
        "dial tcp: lookup registry.ollama.ai: no such host",
    });
    const unknown = await pull(fake, { model: "nope", stream: false });
    assert.equal(unknown.status, 500);
    assert.deepEqual(await unknown.json(), { error: "pull model manifest: file does not exist" });
  });
});

describe("pull stream", () => {
  it("sends Ollama's exact line sequence in fast mode, and lists the model only after success", async () => {
    const fake = fast();
    const response = await pull(fake, { model: "tiny" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/x-ndjson");
    const reader = lineReader(response);
    const lines: unknown[] = [];
    for (;;) {
      const line = await reader.next();
      if (line === undefined) break;
      const value = JSON.parse(line);
      if (value.status === "writing manifest") {
        assert.deepEqual(fake.installedModels(), [], "not listed before success is sent");
      }
      lines.push(value);
    }
    const w = TINY_WEIGHTS.digest;
    const c = TINY_CONFIG.digest;
    assert.deepEqual(lines, [
      { status: "pulling manifest" },
      progress(4096, 0, w), // the first line has total, and omits zero completed
      progress(4096, 1024, w),
      progress(4096, 2048, w),
      progress(4096, 3072, w),
      progress(4096, 4096, w),
      progress(300, 0, c), // a layer under 1 KiB: only its first line (no final tick)
      { status: "verifying sha256 digest" },
      { status: "writing manifest" },
      { status: "success" },
    ]);
    assert.match(w, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(fake.installedModels(), ["tiny:latest"]);
    assert.equal(fake.requests[0].outcome, "completed");
  });

  it("streams exactly the bytes of pullScript, and reports layers already on disk once", async () => {
    const fake = fast({ catalog: DEFAULT_CATALOG, models: ["llama3"] });
    const response = await pull(fake, { model: "llama3:8b" });
    const text = await response.text();
    const layers = resolveLayers(DEFAULT_CATALOG[1]);
    const expected = encodePullLines(
      pullScript(DEFAULT_CATALOG[1], {
        alreadyHave: new Map(layers.map((l) => [l.digest, l.size])),
      }),
    );
    assert.equal(text, new TextDecoder().decode(expected));
    const values = text.trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(
      values.slice(1, 6),
      layers.map((layer) => progress(layer.size, layer.size, layer.digest)),
    );
    assert.deepEqual(fake.installedModels(), ["llama3:8b", "llama3:latest"]);
  });

  it("follows each layer's ending: short of the total, or no line at all", async () => {
    const fake = fast({ catalog: DEFAULT_CATALOG });
    const values = (await (await pull(fake, { model: "all-minilm" })).text()).trim().split("\n")
      .map((line) => JSON.parse(line));
    const layers = resolveLayers(DEFAULT_CATALOG[4]);
    const digests = values.filter((v) => v.digest).map((v) => v.digest);
    assert.ok(!digests.includes(layers[2].digest), "the 16-byte layer gives no line");
    assert.ok(digests.includes(layers[3].digest));
    const llama = (await (await pull(fake, { model: "llama3" })).text()).trim().split("\n")
      .map((line) => JSON.parse(line));
    const license = llama.filter((v) => v.digest === resolveLayers(DEFAULT_CATALOG[0])[1].digest);
    assert.deepEqual(license, [progress(12403, 0, license[0].digest)]);
  });

  it("answers an unknown model with pulling manifest then an error line, status 200", async () => {
    const response = await pull(fast(), { model: "nope:1b" });
    assert.equal(response.status, 200);
    assert.equal(
      await response.text(),
      '{"status":"pulling manifest"}\n{"error":"pull model manifest: file does not exist"}\n',
    );
  });

  it("sends removing unused layers before success when configured", async () => {
    const text = await (await pull(fast({ removeUnusedLayers: true }), { model: "tiny" })).text();
    assert.match(
      text,
      /"writing manifest"}\n{"status":"removing unused layers"}\n{"status":"success"}\n$/,
    );
  });

  it("paces lines with tickMs and bytesPerSecond", async () => {
    const fake = new FakeOllama({ catalog: TINY, tickMs: 1, bytesPerSecond: 1_000_000 });
    const values = (await (await pull(fake, { model: "tiny" })).text()).trim().split("\n")
      .map((line) => JSON.parse(line));
    const completed = values.filter((v) => v.digest === TINY_WEIGHTS.digest).map((v) =>
      v.completed
    );
    // 1 MB/s for 1 ms: 1000 bytes per line.
    assert.deepEqual(completed, [undefined, 1000, 2000, 3000, 4000, 4096]);
  });
});

describe("pullScript", () => {
  const [entry] = TINY;

  it("resumes partial layers: the first line starts high", () => {
    const lines = pullScript(entry, {
      stepBytes: 1000,
      alreadyHave: new Map([[TINY_WEIGHTS.digest, 2500]]),
    });
    assert.deepEqual(lines.slice(1, 4).map((l) => l.value), [
      progress(4096, 2500, TINY_WEIGHTS.digest),
      progress(4096, 3500, TINY_WEIGHTS.digest),
      progress(4096, 4096, TINY_WEIGHTS.digest),
    ]);
    assert.deepEqual(lines[1].blobs, [{ digest: TINY_WEIGHTS.digest, bytes: 2500 }]);
  });

  it("rolls completed back once with backwards, and drops total with omitTotal", () => {
    const values = pullScript(entry, { stepBytes: 1000, backwards: true, omitTotal: true })
      .map((l) => l.value)
      .filter((v) => v.digest === TINY_WEIGHTS.digest);
    assert.deepEqual(values.map((v) => v.completed), [
      undefined,
      1000,
      2000,
      1500,
      2500,
      3500,
      4096,
    ]);
    assert.ok(values.every((v) => v.total === undefined));
  });

  it("waits a tick before progress and a verify before writing the manifest", () => {
    const waits = pullScript(entry, { stepBytes: 4096 }).map((l) => `${l.value.status}:${l.wait}`);
    assert.deepEqual(waits, [
      "pulling manifest:none",
      `pulling ${TINY_WEIGHTS.digest.slice(7, 19)}:tick`,
      `pulling ${TINY_WEIGHTS.digest.slice(7, 19)}:tick`,
      `pulling ${TINY_CONFIG.digest.slice(7, 19)}:tick`,
      "verifying sha256 digest:none",
      "writing manifest:verify",
      "success:none",
    ]);
    assert.throws(() => pullScript(entry, { stepBytes: 0 }), RangeError);
  });
});

describe("resume after the client disconnects mid-pull (real socket)", () => {
  for (const backend of BACKENDS) {
    it(`keeps the partial layer and resumes from it (${backend})`, async () => {
      const catalog = smallCatalog({ "big:latest": [1_000_000, 100] });
      const digest = resolveLayers(catalog[0])[0].digest;
      // 10 000 bytes every 2 ms: the big layer takes 100 ticks.
      const fake = new FakeOllama({ catalog, tickMs: 2, bytesPerSecond: 5_000_000 });
      const server = await serveFakeOllama(fake, { backend });
      try {
        const body = JSON.stringify({ model: "big" });
        const first = await fetch(`${server.url}/api/pull`, { method: "POST", body });
        const reader = lineReader(first);
        let seen = 0;
        while (seen < 3) {
          const line = JSON.parse((await reader.next())!);
          if (line.digest === digest && line.completed) seen++;
        }
        await reader.cancel();
        await until(() => fake.requests[0].outcome === "client_gone");
        const partial = fake.blobs().get(digest)!;
        assert.ok(partial >= 30_000 && partial < 1_000_000, `partial ${partial}`);

        const second = await fetch(`${server.url}/api/pull`, { method: "POST", body });
        const again = lineReader(second);
        assert.deepEqual(JSON.parse((await again.next())!), { status: "pulling manifest" });
        const resumed = JSON.parse((await again.next())!);
        assert.equal(resumed.digest, digest);
        assert.equal(resumed.total, 1_000_000);
        assert.ok(resumed.completed >= partial, `starts high: ${resumed.completed} >= ${partial}`);
        await again.cancel();
        await until(() => fake.requests[1].outcome === "client_gone");
        assert.deepEqual(fake.installedModels(), []);
      } finally {
        await server.close();
      }
    });
  }
});

describe("faults through fake.fetch", () => {
  it("hang: never answers until the client gives up", async () => {
    const fake = fast();
    fake.injectFault({ kind: "hang" });
    await assert.rejects(
      fake.fetch(`${BASE}/api/version`, { signal: AbortSignal.timeout(50) }),
      (error: Error) => error.name === "TimeoutError",
    );
    await until(() => fake.requests[0].outcome === "client_gone");
    assert.equal(fake.requests[0].status, undefined);
  });

  it("hang: close() ends it as a connection closed without a response", async () => {
    const fake = fast();
    fake.injectFault({ kind: "hang" });
    const pending = fake.fetch(`${BASE}/api/tags`);
    fake.close();
    await assert.rejects(pending, TypeError);
    assert.equal(fake.requests[0].outcome, "closed");
    fake.close(); // idempotent
  });

  it("headers_then_silence: 200 and ndjson headers, then no byte", async () => {
    const fake = fast();
    fake.injectFault({ kind: "headers_then_silence" });
    const response = await pull(fake, { model: "tiny" }, { signal: AbortSignal.timeout(80) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/x-ndjson");
    const { chunks, error } = await readChunks(response);
    assert.deepEqual(chunks, []);
    assert.equal((error as Error).name, "TimeoutError");
    await until(() => fake.requests[0].outcome === "client_gone");
  });

  it("stall_after: N lines, then the connection stays open with nothing", async () => {
    const fake = fast();
    fake.injectFault({ kind: "stall_after", lines: 2 });
    const response = await pull(fake, { model: "tiny" }, { signal: AbortSignal.timeout(80) });
    const { lines, error } = await readLines(response);
    assert.equal(lines.length, 2);
    assert.equal((error as Error).name, "TimeoutError");
    await until(() => fake.requests[0].outcome === "client_gone");
    assert.deepEqual(fake.installedModels(), []);
  });

  it("close_after: the body ends cleanly after N lines, without success", async () => {
    const fake = fast();
    fake.injectFault({ kind: "close_after", lines: 3 });
    const { lines, error } = await readLines(await pull(fake, { model: "tiny" }));
    assert.equal(error, undefined);
    assert.equal(lines.length, 3);
    assert.ok(!lines.some((line) => line.includes("success")));
    assert.deepEqual(fake.installedModels(), []);
    assert.equal(fake.requests[0].outcome, "completed");
  });

  it("reset_after: the body errors after N lines", async () => {
    const fake = fast();
    fake.injectFault({ kind: "reset_after", lines: 4 });
    const { lines, error } = await readLines(await pull(fake, { model: "tiny" }));
    assert.equal(lines.length, 4);
    assert.ok(error instanceof TypeError);
  });

  it("error_after: an error line after N lines, status still 200", async () => {
    const fake = fast();
    // At most one fault of a group applies, the first injected: the narrower one goes first.
    fake.injectFault({ kind: "error_after", lines: 1 }, { model: "other:1b" });
    fake.injectFault({ kind: "error_after", lines: 2, message: "unauthorized: access denied" });
    const response = await pull(fake, { model: "tiny" });
    assert.equal(response.status, 200);
    const { lines } = await readLines(response);
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '{"error":"unauthorized: access denied"}');
    const other = await readLines(await pull(fake, { model: "other:1b" }));
    assert.deepEqual(other.lines, [
      '{"status":"pulling manifest"}',
      JSON.stringify({ error: ERROR_AFTER_MESSAGE }),
    ]);
  });

  it("http_error: a non-200 JSON error before any line", async () => {
    const fake = fast();
    fake.injectFault({ kind: "http_error", status: 500, message: "insecure protocol http" });
    const response = await pull(fake, { model: "tiny" });
    assert.equal(response.status, 500);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(await response.text(), '{"error":"insecure protocol http"}');
  });

  it("html: a proxy's HTML page where JSON is expected, on any endpoint", async () => {
    const fake = fast();
    fake.injectFault({ kind: "html" });
    for (const path of ["/api/version", "/api/tags"]) {
      const response = await fake.fetch(`${BASE}${path}`);
      assert.equal(response.status, 502);
      assert.equal(response.headers.get("content-type"), "text/html");
      assert.equal(await response.text(), proxyErrorPage(502));
    }
    assert.match(proxyErrorPage(504), /<title>504 Gateway Timeout<\/title>/);
  });

  it("plain_text: plain text where JSON is expected", async () => {
    const fake = fast();
    fake.injectFault({ kind: "plain_text" }, { times: 1 });
    fake.injectFault({ kind: "plain_text", status: 503, body: "busy" }, { times: 1 });
    const first = await fake.fetch(`${BASE}/api/version`);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await first.text(), "OK");
    const second = await fake.fetch(`${BASE}/api/version`);
    assert.equal(second.status, 503);
    assert.equal(await second.text(), "busy");
  });

  it("not_json_line: a line that is not JSON, then the stream goes on", async () => {
    const fake = fast();
    fake.injectFault({ kind: "not_json_line", afterLines: 1 }, { times: 1 });
    fake.injectFault({ kind: "not_json_line", afterLines: 0, line: "<html>" });
    const { lines } = await readLines(await pull(fake, { model: "tiny" }));
    assert.equal(lines[1], NOT_JSON_LINE);
    assert.throws(() => JSON.parse(lines[1]));
    assert.equal(lines[lines.length - 1], '{"status":"success"}');
    const again = await readLines(await pull(fake, { model: "tiny" }));
    assert.equal(again.lines[0], "<html>");
  });

  it("huge_line: one enormous, valid line", async () => {
    const fake = fast();
    fake.injectFault({ kind: "huge_line", afterLines: 1, bytes: 300_000 });
    const { lines } = await readLines(await pull(fake, { model: "tiny" }));
    assert.equal(lines[1].length, 300_000);
    assert.equal(typeof JSON.parse(lines[1]).status, "string");
    assert.equal(lines[lines.length - 1], '{"status":"success"}');
  });

  it("split_chunks: chunks split lines and UTF-8 characters; the same seed, the same chunks", async () => {
    const run = async (seed: number) => {
      const fake = fast();
      fake.injectFault({ kind: "split_chunks", seed });
      return (await readChunks(await pull(fake, { model: "tiny" }))).chunks;
    };
    const chunks = await run(7);
    const text = joined(chunks);
    const plain = await (await pull(fast(), { model: "tiny" })).text();
    assert.ok(chunks.length > plain.split("\n").length * 2, "many more chunks than lines");
    assert.ok(chunks.every((chunk) => chunk.length >= 1 && chunk.length <= 16));
    const strict = new TextDecoder("utf-8", { fatal: true });
    assert.ok(
      chunks.some((chunk) => {
        try {
          strict.decode(chunk);
          return false;
        } catch {
          return true;
        }
      }),
      "some chunk ends inside a multi-byte character",
    );
    const values = text.trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(values[0].status, `pulling manifest${MULTIBYTE_SUFFIX}`);
    assert.ok(values.some((v) => v.status === "verifying sha256 digest"), "key phases untouched");
    assert.equal(values[values.length - 1].status, "success");
    assert.deepEqual((await run(7)).map((c) => c.length), chunks.map((c) => c.length));
    assert.notDeepEqual((await run(8)).map((c) => c.length), chunks.map((c) => c.length));
  });

  it("trickle: one byte per chunk, on any endpoint", async () => {
    const fake = fast();
    fake.injectFault({ kind: "trickle" });
    const { chunks } = await readChunks(await fake.fetch(`${BASE}/api/version`));
    assert.equal(chunks.length, '{"version":"0.33.0"}'.length);
    assert.ok(chunks.every((chunk) => chunk.length === 1));
    assert.equal(joined(chunks), '{"version":"0.33.0"}');
  });

  it("backwards: completed goes back once mid-layer, then continues", async () => {
    const fake = fast();
    fake.injectFault({ kind: "backwards" });
    const { lines } = await readLines(await pull(fake, { model: "tiny" }));
    const completed = lines.map((line) => JSON.parse(line))
      .filter((v) => v.digest === TINY_WEIGHTS.digest).map((v) => v.completed ?? 0);
    const drops = completed.filter((value, i) => i > 0 && value < completed[i - 1]);
    assert.equal(drops.length, 1, `${completed}`);
    assert.equal(completed[completed.length - 1], 4096);
  });

  it("no_total: progress lines without total", async () => {
    const fake = fast();
    fake.injectFault({ kind: "no_total" });
    const values = (await readLines(await pull(fake, { model: "tiny" }))).lines.map((l) =>
      JSON.parse(l)
    );
    const layerLines = values.filter((v) => v.digest);
    assert.ok(layerLines.length > 0);
    assert.ok(layerLines.every((v) => !("total" in v)));
  });

  it("control_chars: escapes inside status and error texts, key phases untouched", async () => {
    const fake = fast();
    fake.injectFault({ kind: "control_chars" });
    const values = (await readLines(await pull(fake, { model: "tiny" }))).lines.map((l) =>
      JSON.parse(l)
    );
    assert.equal(values[0].status, `pulling manifest${CONTROL_CHARS}`);
    for (
      const sequence of ["\u001b[31m", "\u001b]0;pwned\u0007", "\u001b[2J", "\u0000", "\u202e"]
    ) {
      assert.ok(values[1].status.includes(sequence), JSON.stringify(sequence));
    }
    assert.deepEqual(values.slice(-3).map((v) => v.status), [
      "verifying sha256 digest",
      "writing manifest",
      "success",
    ]);
    const show = await fake.fetch(`${BASE}/api/show`, { method: "POST", body: '{"model":"x"}' });
    assert.equal((await show.json()).error, `model 'x:latest' not found${CONTROL_CHARS}`);
  });

  it("v1_models_null: data is null even with models", async () => {
    const fake = new FakeOllama({ models: ["llama3"] });
    fake.injectFault({ kind: "v1_models_null" });
    assert.deepEqual(await (await fake.fetch(`${BASE}/v1/models`)).json(), {
      object: "list",
      data: null,
    });
    // /api/tags is not affected.
    assert.equal((await (await fake.fetch(`${BASE}/api/tags`)).json()).models.length, 1);
  });

  it("wrong_shape: 200 JSON of the wrong shape, everywhere or on one path", async () => {
    const fake = new FakeOllama({ models: ["llama3"] });
    fake.injectFault({ kind: "wrong_shape", path: "/api/tags" });
    assert.equal(
      await (await fake.fetch(`${BASE}/api/tags`)).text(),
      '{"models":{"llama3:latest":{}}}',
    );
    assert.equal(await (await fake.fetch(`${BASE}/api/version`)).text(), '{"version":"0.33.0"}');
    fake.clearFaults();
    fake.injectFault({ kind: "wrong_shape" });
    assert.equal(await (await fake.fetch(`${BASE}/api/version`)).text(), '{"version":3}');
    const lines = (await readLines(await pull(fake, { model: "llama3" }))).lines;
    assert.deepEqual(JSON.parse(lines[0]), ["pulling manifest"]);
  });

  it("success_not_listed: success, but the model is not added", async () => {
    const fake = fast();
    fake.injectFault({ kind: "success_not_listed" });
    const { lines } = await readLines(await pull(fake, { model: "tiny" }));
    assert.equal(lines[lines.length - 1], '{"status":"success"}');
    assert.deepEqual(fake.installedModels(), []);
  });
});

describe("fault selection", () => {
  it("times: the first pull stalls, the second succeeds", async () => {
    const fake = fast();
    fake.injectFault({ kind: "stall_after", lines: 2 }, { times: 1 });
    const first = await pull(fake, { model: "tiny" }, { signal: AbortSignal.timeout(60) });
    assert.equal((await readLines(first)).lines.length, 2);
    const second = await readLines(await pull(fake, { model: "tiny" }));
    assert.equal(second.lines[second.lines.length - 1], '{"status":"success"}');
    assert.deepEqual(fake.requests.map((r) => r.faults), [["stall_after"], []]);
  });

  it("a fault is spent only by requests it applies to", async () => {
    const fake = fast();
    fake.injectFault({ kind: "error_after", lines: 1 }, { times: 1 });
    await (await fake.fetch(`${BASE}/api/tags`)).text(); // not a pull: not spent
    const { lines } = await readLines(await pull(fake, { model: "tiny" }));
    assert.equal(lines.length, 2);
    assert.deepEqual(JSON.parse(lines[1]), { error: ERROR_AFTER_MESSAGE });
  });

  it("model: compared on the normalized name", async () => {
    const fake = fast({ models: ["llama3"] });
    fake.injectFault({ kind: "http_error", status: 500, message: "boom" }, { model: "TINY" });
    assert.equal(
      (await pull(fake, { model: "registry.ollama.ai/library/tiny:latest" })).status,
      500,
    );
    const other = await pull(fake, { model: "other:1b" });
    assert.equal(other.status, 200);
    await other.body?.cancel();
    assert.equal(
      (await fake.fetch(`${BASE}/api/tags`)).status,
      200,
      "no model named: not selected",
    );
  });

  it("path: only that path", async () => {
    const fake = fast();
    fake.injectFault({ kind: "html", status: 504 }, { path: "/api/tags" });
    assert.equal((await fake.fetch(`${BASE}/api/tags`)).status, 504);
    assert.equal((await fake.fetch(`${BASE}/api/version`)).status, 200);
  });

  it("clearFaults removes them all", async () => {
    const fake = fast();
    fake.injectFault({ kind: "hang" });
    fake.clearFaults();
    assert.equal((await fake.fetch(`${BASE}/api/version`)).status, 200);
  });
});

describe("request recording", () => {
  it("records method, path, query, headers, parsed body, time and outcome", async () => {
    const fake = fast();
    const before = Date.now();
    await (await fake.fetch(`${BASE}/api/tags?verbose=1`, {
      headers: { Authorization: "Bearer secret", "X-Trace": "a" },
    })).text();
    await (await pull(fake, { model: "tiny", stream: true }, {
      headers: { "content-type": "application/json" },
    })).text();
    await (await fake.fetch(`${BASE}/api/show`, { method: "POST", body: "not json" })).text();
    const [tags, pulled, show] = fake.requests;
    assert.equal(tags.method, "GET");
    assert.equal(tags.path, "/api/tags");
    assert.deepEqual(tags.query, { verbose: "1" });
    assert.equal(tags.headers.authorization, "Bearer secret", "nothing redacted");
    assert.equal(tags.headers["x-trace"], "a");
    assert.equal(tags.body, undefined);
    assert.ok(tags.startedAt instanceof Date && tags.startedAt.getTime() >= before);
    assert.equal(tags.outcome, "completed");
    assert.equal(tags.status, 200);
    assert.deepEqual(pulled.body, { model: "tiny", stream: true });
    assert.equal(pulled.outcome, "completed");
    assert.equal(show.body, "not json");
    assert.equal(show.status, 400);
  });

  it("records client_gone when the client cancels a body or aborts mid-stream", async () => {
    const fake = new FakeOllama({ catalog: TINY, tickMs: 1, bytesPerSecond: 100_000 });
    const cancelled = await pull(fake, { model: "tiny" });
    assert.equal(fake.requests[0].outcome, "pending");
    await cancelled.body!.cancel();
    assert.equal(fake.requests[0].outcome, "client_gone");

    const controller = new AbortController();
    const aborted = await pull(fake, { model: "tiny" }, { signal: controller.signal });
    const reader = lineReader(aborted);
    await reader.next();
    controller.abort();
    await assert.rejects(reader.next(), (error: Error) => error.name === "AbortError");
    assert.equal(fake.requests[1].outcome, "client_gone");
    fake.close();
  });
});

describe("over a real socket", () => {
  it("answers connection refused at unusedLoopbackUrl", async () => {
    const url = await unusedLoopbackUrl();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    await assert.rejects(fetch(`${url}/api/version`, { signal: AbortSignal.timeout(2000) }));
  });

  for (const backend of BACKENDS) {
    describe(`backend ${backend}`, () => {
      it("serves the endpoints", async () => {
        const fake = new FakeOllama({ models: ["llama3"], catalog: TINY, tickMs: 0 });
        const server = await serveFakeOllama(fake, { backend });
        try {
          assert.equal(server.backend, backend);
          assert.equal(server.url, `http://127.0.0.1:${server.port}`);
          const root = await fetch(`${server.url}/`);
          assert.equal(await root.text(), "Ollama is running");
          const tags = await (await fetch(`${server.url}/api/tags`)).json();
          assert.equal(tags.models[0].name, "llama3:latest");
          const pulled = await fetch(`${server.url}/api/pull`, {
            method: "POST",
            body: '{"model":"tiny"}',
          });
          assert.equal(pulled.headers.get("content-type"), "application/x-ndjson");
          const { lines } = await readLines(pulled);
          assert.equal(lines[lines.length - 1], '{"status":"success"}');
          assert.deepEqual(fake.installedModels(), ["tiny:latest", "llama3:latest"]);
          assert.equal(fake.requests[0].headers.host, `127.0.0.1:${server.port}`);
        } finally {
          await server.close();
        }
      });

      it("hang: the client times out; the server sees it go", async () => {
        const fake = fast();
        fake.injectFault({ kind: "hang" });
        const server = await serveFakeOllama(fake, { backend });
        try {
          await assert.rejects(
            fetch(`${server.url}/api/version`, { signal: AbortSignal.timeout(150) }),
            (error: Error) => error.name === "TimeoutError" || error.name === "AbortError",
          );
          await until(() => fake.requests[0]?.outcome === "client_gone");
        } finally {
          await server.close();
        }
      });

      it("headers_then_silence and stall_after: headers (and lines), then nothing", async () => {
        const fake = fast();
        fake.injectFault({ kind: "headers_then_silence" }, { times: 1 });
        fake.injectFault({ kind: "stall_after", lines: 2 }, { times: 1 });
        const server = await serveFakeOllama(fake, { backend });
        try {
          for (const expected of [0, 2]) {
            let response: Response;
            try {
              response = await fetch(`${server.url}/api/pull`, {
                method: "POST",
                body: '{"model":"tiny"}',
                signal: AbortSignal.timeout(200),
              });
            } catch (error) {
              // Bun.serve ends its header block only with the first body byte: to a client,
              // headers-then-silence is a hang there (the node backend sends the headers).
              assert.equal(backend, "bun");
              assert.equal(expected, 0);
              assert.equal((error as Error).name, "TimeoutError");
              continue;
            }
            assert.equal(response.status, 200);
            assert.equal(response.headers.get("content-type"), "application/x-ndjson");
            const { lines, error } = await readLines(response);
            assert.equal(lines.length, expected);
            assert.ok(error !== undefined, "the read ends only by the client's timeout");
          }
          await until(() => fake.requests.every((r) => r.outcome === "client_gone"));
        } finally {
          await server.close();
        }
      });

      it("reset_after: the connection is cut after N lines", async () => {
        const fake = fast();
        fake.injectFault({ kind: "reset_after", lines: 3 });
        const server = await serveFakeOllama(fake, { backend });
        try {
          const response = await fetch(`${server.url}/api/pull`, {
            method: "POST",
            body: '{"model":"tiny"}',
          });
          const { lines, error } = await readLines(response);
          assert.equal(lines.length, 3);
          assert.ok(error !== undefined, "the body read fails");
          assert.equal(fake.requests[0].outcome, "completed");
        } finally {
          await server.close();
        }
      });

      it("close() ends pending hangs and stalls and frees the port", async () => {
        const fake = fast();
        fake.injectFault({ kind: "hang" }, { path: "/api/version" });
        fake.injectFault({ kind: "stall_after", lines: 1 });
        const server = await serveFakeOllama(fake, { backend });
        const hung = fetch(`${server.url}/api/version`).then(
          (response) => readChunks(response),
          (error) => ({ chunks: [], error }),
        );
        const stalled = await fetch(`${server.url}/api/pull`, {
          method: "POST",
          body: '{"model":"tiny"}',
        });
        const stalledRead = readLines(stalled);
        await until(() => fake.requests.length === 2);
        await server.close();
        await server.close(); // idempotent
        assert.ok((await hung).error !== undefined, "the hung request fails");
        const { lines, error } = await stalledRead;
        assert.equal(lines.length, 1);
        assert.ok(error !== undefined, "the stalled body is cut");
        assert.deepEqual(fake.requests.map((r) => r.outcome), ["closed", "closed"]);
        // The port is free again.
        const again = await serveFakeOllama(fast(), { backend, port: server.port });
        await again.close();
      });
    });
  }
});
