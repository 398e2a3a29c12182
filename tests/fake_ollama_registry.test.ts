// The fake Ollama pulling host-qualified models from a registry the way Ollama 0.33 does it:
// through the `registries` option (no socket) and over loopback with fetch; insecure, the
// manifest digest, ticks with the bytes really received, shared downloads, a client leaving,
// resumes, stalls shown by repeated lines and restarted parts, retries, moved tags, close().
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  FakeOllama,
  type FakeOllamaOptions,
  FakeRegistry,
  type FakeRegistryOptions,
  serveFakeOllama,
  unusedLoopbackUrl,
} from "../src/testing/mod.ts";

const HOST = "127.0.0.1:5000";
const KiB = 1024;

interface Setup {
  fake: FakeOllama;
  registry: FakeRegistry;
}

function setup(registry: FakeRegistryOptions = {}, fake: FakeOllamaOptions = {}): Setup {
  const served = new FakeRegistry({
    models: [{ name: "tiny", weightsSize: 64 * KiB }],
    ...registry,
  });
  return {
    registry: served,
    fake: new FakeOllama({ tickMs: 5, registries: { [HOST]: served.handler }, ...fake }),
  };
}

function pull(fake: FakeOllama, body: Record<string, unknown>, signal?: AbortSignal) {
  return fake.fetch("http://fake/api/pull", { method: "POST", body: JSON.stringify(body), signal });
}

async function lines(response: Response): Promise<Record<string, unknown>[]> {
  const text = await response.text();
  return text.trim().split("\n").map((line) => JSON.parse(line));
}

/** A line reader, to act in the middle of a stream. */
function reader(response: Response) {
  const stream = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    async next(): Promise<Record<string, unknown> | undefined> {
      for (;;) {
        const at = buffer.indexOf("\n");
        if (at >= 0) {
          const line = buffer.slice(0, at);
          buffer = buffer.slice(at + 1);
          return JSON.parse(line);
        }
        const { done, value } = await stream.read();
        if (done) return undefined;
        buffer += value;
      }
    },
    cancel: () => stream.cancel().catch(() => {}),
  };
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const requests = (registry: FakeRegistry) =>
  registry.requests().map((r) => `${r.method} ${r.endpoint} ${r.status}`);

describe("registry pulls", () => {
  it("asks the registry as Ollama does, blob by blob, and reports what really arrived", async () => {
    // 10485 bytes (5 ms' worth) at a time, a tick every 5 ms.
    const { fake, registry } = setup({ bytesPerSecond: 2 * 1024 * KiB, chunkMs: 5 });
    const model = (await registry.model("tiny"))!;
    const values = await lines(await pull(fake, { model: `${HOST}/library/tiny`, insecure: true }));
    const weights = model.layers[0];
    assert.deepEqual(values[0], { status: "pulling manifest" });
    const progress = values.filter((v) => v.digest === weights.digest);
    assert.ok(progress.length >= 3, `a line every tick while 64 KiB arrive (${progress.length})`);
    // A line says the bytes that arrived: whole chunks (`completed` is left out while it is 0).
    const completed = progress.map((v) => Number(v.completed ?? 0));
    assert.deepEqual(completed, [...completed].sort((a, b) => a - b), "never backwards");
    assert.ok(completed.every((bytes) => bytes % 10485 === 0), `${completed}`);
    assert.ok(completed.at(-1)! < weights.size, "no line once the blob is done");
    assert.ok(progress.every((v) => v.total === weights.size));
    // The small blobs arrive between two ticks: no line for them.
    assert.equal(
      values.filter((v) => v.digest !== undefined && v.digest !== weights.digest).length,
      0,
    );
    assert.deepEqual(values.slice(-3), [
      { status: "verifying sha256 digest" },
      { status: "writing manifest" },
      { status: "success" },
    ]);
    // One blob at a time, in manifest order, the config last: HEAD, GET (307), ranged GET.
    const blobs = [...model.layers, model.config];
    assert.deepEqual(requests(registry), [
      "GET manifest 200",
      ...blobs.flatMap(() => ["HEAD blob 200", "GET blob 307", "GET data 206"]),
    ]);
    const data = registry.requests("data");
    assert.deepEqual(data.map((r) => r.reference), blobs.map((b) => b.digest));
    assert.deepEqual(data.map((r) => r.range), blobs.map((b) => `bytes=0-${b.size - 1}`));
    assert.match(registry.requests()[0].userAgent ?? "", /^ollama\/0\.33\.0 /);
    // Listed with the manifest's sha256 as its digest, details from the config and the GGUF.
    const { models } = await (await fake.fetch("http://fake/api/tags")).json();
    assert.deepEqual(models[0], {
      name: `${HOST}/library/tiny:latest`,
      model: `${HOST}/library/tiny:latest`,
      modified_at: models[0].modified_at,
      size: model.size,
      digest: model.digest.slice(7),
      details: {
        parent_model: "",
        format: "gguf",
        family: "llama",
        families: ["llama"],
        parameter_size: "1.2M",
        quantization_level: "Q4_0",
        context_length: 4096,
        embedding_length: 256,
      },
      capabilities: ["completion"],
    });
    const blobHead = await fake.fetch(`http://fake/api/blobs/${weights.digest}`, {
      method: "HEAD",
    });
    assert.equal(blobHead.status, 200);
  });

  it("lists a vision model, an embedding model and a cloud stub as Ollama does", async () => {
    const { fake } = setup({
      models: [
        { name: "vision", weightsSize: 8 * KiB, projectorSize: 4 * KiB },
        { name: "embed", weightsSize: 8 * KiB, family: "bert", embedding: true, template: null },
        {
          name: "cloudy:8b-cloud",
          weightsSize: 0,
          template: null,
          params: null,
          remote: { host: "https://ollama.com:443", model: "cloudy:8b", capabilities: ["tools"] },
        },
      ],
    });
    for (const name of ["vision", "embed"]) {
      const values = await lines(
        await pull(fake, { model: `${HOST}/library/${name}`, insecure: true }),
      );
      assert.deepEqual(values.at(-1), { status: "success" });
    }
    const stub = await lines(
      await pull(fake, { model: `${HOST}/library/cloudy:8b:cloud`, insecure: true }),
    );
    assert.deepEqual(stub.map((v) => v.status), [
      "pulling manifest",
      "verifying sha256 digest",
      "writing manifest",
      "success",
    ], "a stub's small blobs give no line");
    const { models } = await (await fake.fetch("http://fake/api/tags")).json();
    const byName = Object.fromEntries(
      models.map((m: Record<string, unknown>) => [String(m.name).split("/").pop(), m]),
    );
    assert.deepEqual(byName["vision:latest"].capabilities, ["completion", "vision"]);
    assert.deepEqual(byName["embed:latest"].capabilities, ["embedding"]);
    const cloud = byName["cloudy:8b-cloud"];
    assert.deepEqual(Object.keys(cloud).slice(0, 4), [
      "name",
      "model",
      "remote_model",
      "remote_host",
    ]);
    assert.deepEqual([cloud.remote_model, cloud.remote_host], [
      "cloudy:8b",
      "https://ollama.com:443",
    ]);
    assert.deepEqual(cloud.capabilities, ["tools"]);
    assert.equal(cloud.details.format, "");
    assert.equal(cloud.details.embedding_length, undefined, "omitted when 0");
  });

  it("shares one download between two pulls of a model", async () => {
    const { fake, registry } = setup({ bytesPerSecond: 512 * KiB, chunkMs: 5 });
    const first = reader(await pull(fake, { model: `${HOST}/library/tiny`, insecure: true }));
    while ((await first.next())?.completed === undefined) { /* until bytes flow */ }
    const second = pull(fake, { model: `${HOST}/library/tiny`, insecure: true });
    const rest: unknown[] = [];
    for (let line = await first.next(); line !== undefined; line = await first.next()) {
      rest.push(line);
    }
    const other = await lines(await second);
    assert.deepEqual(rest.at(-1), { status: "success" });
    assert.deepEqual(other.at(-1), { status: "success" });
    const weights = (await registry.model("tiny"))!.layers[0].digest;
    assert.equal(registry.requests("data").filter((r) => r.reference === weights).length, 1);
  });

  it("cancels the download when its last client leaves; the next pull resumes from the bytes kept", async () => {
    const { fake, registry } = setup({ bytesPerSecond: 256 * KiB, chunkMs: 5 });
    const weights = (await registry.model("tiny"))!.layers[0];
    const name = `${HOST}/library/tiny`;
    const stay = new AbortController();
    const leave = new AbortController();
    const staying = reader(await pull(fake, { model: name, insecure: true }, stay.signal));
    const leaving = reader(await pull(fake, { model: name, insecure: true }, leave.signal));
    // Both wait on the download once each has had a progress line.
    while ((await staying.next())?.digest === undefined) { /* manifest */ }
    while ((await leaving.next())?.digest === undefined) { /* manifest */ }
    leave.abort();
    while (Number((await staying.next())?.completed ?? 0) < 16 * KiB) { /* more bytes */ }
    assert.equal(registry.requests("data")[0].outcome, "pending", "another client still waits");
    stay.abort();
    await until(() => registry.requests("data")[0].outcome === "client_gone");
    const kept = fake.blobs().get(weights.digest)!;
    assert.ok(kept >= 16 * KiB && kept < weights.size, `partial kept: ${kept}`);
    const again = await lines(await pull(fake, { model: name, insecure: true }));
    assert.deepEqual(again.at(-1), { status: "success" });
    const resumed = registry.requests("data")[1];
    assert.equal(resumed.reference, weights.digest);
    assert.equal(resumed.range, `bytes=${kept}-${weights.size - 1}`);
    assert.equal(
      registry.requests("blob").filter((r) => r.method === "HEAD").length,
      1 + 4,
      "no second HEAD for a blob an earlier download sized",
    );
  });

  it("shows a registry stall as the same line every tick, then restarts the part after Ollama's 30 s", async () => {
    const { fake, registry } = setup(
      // 16 KiB take 64 ms to come again after the restart: many ticks show the drop.
      {
        bytesPerSecond: 256 * KiB,
        chunkMs: 2,
        faults: [{ kind: "stall", at: 16 * KiB, times: 1 }],
      },
      { timeScale: 0.005 }, // 30 s -> 150 ms; the tick stays 5 ms
    );
    const values = await lines(await pull(fake, { model: `${HOST}/library/tiny`, insecure: true }));
    const completed = values.filter((v) => v.total === 64 * KiB).map((v) =>
      Number(v.completed ?? 0)
    );
    let longest = 0;
    for (let i = 0, run = 1; i < completed.length; i++) {
      run = i > 0 && completed[i] === completed[i - 1] ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    assert.ok(longest >= 5, `identical lines while stalled (${completed})`);
    assert.ok(
      completed.some((value, i) => i > 0 && value < completed[i - 1]),
      "completed goes back",
    );
    assert.deepEqual(values.at(-1), { status: "success" });
    const data = registry.requests("data").slice(0, 2);
    assert.deepEqual(data.map((r) => [r.range, r.outcome]), [
      ["bytes=0-65535", "client_gone"],
      ["bytes=0-65535", "completed"],
    ], "the part restarts from its start");
  });

  it("gives up after six cut tries with max retries exceeded: unexpected EOF", async () => {
    const { fake, registry } = setup(
      { faults: [{ kind: "cut", at: 16 * KiB }] },
      { timeScale: 0.001 }, // 1 + 2 + 4 + 8 + 16 + 32 s -> 63 ms
    );
    const values = await lines(await pull(fake, { model: `${HOST}/library/tiny`, insecure: true }));
    assert.deepEqual(values.at(-1), { error: "max retries exceeded: unexpected EOF" });
    const data = registry.requests("data");
    assert.equal(data.length, 6);
    assert.deepEqual(
      data.slice(1).map((r) => r.range),
      Array(5).fill(`bytes=${16 * KiB}-${64 * KiB - 1}`),
    );
  });

  it("re-pulls a moved tag: a new digest, and the old blobs removed", async () => {
    const { fake, registry } = setup({}, { tickMs: 0 });
    await lines(await pull(fake, { model: `${HOST}/library/tiny`, insecure: true }));
    const { before, after } = await registry.moveTag("tiny");
    const values = await lines(await pull(fake, { model: `${HOST}/library/tiny`, insecure: true }));
    assert.deepEqual(values.slice(-3).map((v) => v.status), [
      "writing manifest",
      "removing unused layers",
      "success",
    ]);
    const { models } = await (await fake.fetch("http://fake/api/tags")).json();
    assert.equal(models[0].digest, after.slice(7));
    assert.notEqual(before, after);
  });

  it("answers stream: false with one JSON object", async () => {
    const { fake } = setup({}, { tickMs: 0 });
    const ok = await pull(fake, { model: `${HOST}/library/tiny`, insecure: true, stream: false });
    assert.equal(ok.headers.get("content-type"), "application/json");
    assert.equal(await ok.text(), '{"status":"success"}');
    const missing = await pull(fake, {
      model: `${HOST}/library/nope`,
      insecure: true,
      stream: false,
    });
    assert.equal(missing.status, 500);
    assert.deepEqual(await missing.json(), { error: "pull model manifest: file does not exist" });
  });

  it("close() stops the registry downloads", async () => {
    const { fake, registry } = setup({ bytesPerSecond: 64 * KiB });
    const stream = reader(await pull(fake, { model: `${HOST}/library/tiny`, insecure: true }));
    await stream.next();
    await until(() => registry.requests("data").length === 1);
    fake.close();
    await until(() => registry.requests("data")[0].outcome === "client_gone");
    await stream.cancel();
  });
});

describe("registries over loopback", () => {
  it("needs insecure for a plain-http registry, in Ollama's words", async () => {
    const registry = new FakeRegistry({ models: [{ name: "tiny", weightsSize: 4 * KiB }] });
    const served = await serveFakeOllama(registry.handler);
    try {
      const fake = new FakeOllama({ tickMs: 0 });
      const host = new URL(served.url).host;
      const secure = await lines(await pull(fake, { model: `${host}/library/tiny` }));
      assert.deepEqual(secure, [{ status: "pulling manifest" }, {
        error: `pull model manifest: Get "https://${host}/v2/library/tiny/manifests/latest": ` +
          "http: server gave HTTP response to HTTPS client",
      }]);
      // The name's scheme is dropped: only `insecure` chooses plain http.
      const schemed = await lines(await pull(fake, { model: `http://${host}/library/tiny` }));
      assert.equal(schemed[1].error, secure[1].error);
      const insecure = await lines(
        await pull(fake, { model: `${host}/library/tiny`, insecure: true }),
      );
      assert.deepEqual(insecure.at(-1), { status: "success" });
      assert.ok(registry.requests("data").every((r) => r.host === `localhost:${served.port}`));
    } finally {
      await served.close();
    }
  });

  it("says connection refused, no such host, and never leaves loopback on its own", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    const nobody = new URL(await unusedLoopbackUrl()).host;
    const refused = await lines(await pull(fake, { model: `${nobody}/library/x`, insecure: true }));
    assert.deepEqual(refused[1], {
      error: `pull model manifest: Get "http://${nobody}/v2/library/x/manifests/latest": ` +
        `dial tcp ${nobody}: connect: connection refused`,
    });
    const away = await lines(
      await pull(fake, { model: "example.invalid/library/x", insecure: true }),
    );
    assert.deepEqual(away[1], {
      error: 'pull model manifest: Get "http://example.invalid/v2/library/x/manifests/latest": ' +
        "dial tcp: lookup example.invalid: no such host",
    });
  });
});
