// The fake registry: the API a real Ollama pulls from, its made-up models, and its faults.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildRegistryModel,
  DEFAULT_REGISTRY_MODELS,
  FakeRegistry,
  NEWER_VERSION_TEXT,
  REGISTRY_MEDIA_TYPES,
  registryModelName,
  registryReference,
  seededBytes,
  serveFakeOllama,
  sha256Digest,
  throttledBody,
} from "../src/testing/mod.ts";
import { rejection } from "./_helpers.ts";

const BASE = "http://127.0.0.1:5000";
const SMALL = [{ name: "tiny", weightsSize: 64 * 1024 }, {
  name: "me/pair:8b",
  weightsSize: 8192,
  projectorSize: 4096,
}];

function get(registry: FakeRegistry, path: string, init: RequestInit = {}): Promise<Response> {
  return registry.handler(new Request(`${BASE}${path}`, init));
}

async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

/** The manifest of a model as served, parsed, with its digest header. */
async function manifestOf(registry: FakeRegistry, repo: string, tag = "latest") {
  const response = await get(registry, `/v2/${repo}/manifests/${tag}`);
  assert.equal(response.status, 200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const manifest = JSON.parse(new TextDecoder().decode(bytes)) as {
    schemaVersion: number;
    mediaType: string;
    config: { mediaType: string; digest: string; size: number };
    layers: { mediaType: string; digest: string; size: number }[];
  };
  return { bytes, manifest, digest: response.headers.get("docker-content-digest") };
}

/** Polls until `check` is true, failing after `ms`. */
async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("fake registry: made-up models", () => {
  it("makes the same bytes from the same spec, and new weights from a new seed", async () => {
    const a = await buildRegistryModel({ name: "tiny", weightsSize: 4096 });
    const b = await buildRegistryModel({ name: "tiny", weightsSize: 4096 });
    const c = await buildRegistryModel({ name: "tiny", weightsSize: 4096, seed: "other" });
    assert.equal(a.digest, b.digest);
    assert.notEqual(a.digest, c.digest);
    assert.notEqual(a.layers[0].digest, c.layers[0].digest);
    assert.equal(a.layers[1].digest, c.layers[1].digest, "the template is the same blob");
    assert.deepEqual(seededBytes("x", 9), seededBytes("x", 9));
    assert.notDeepEqual(seededBytes("x", 9), seededBytes("y", 9));
  });

  it("starts the weights with a GGUF header and writes a config Ollama lists", async () => {
    const model = await buildRegistryModel({ name: "embed", weightsSize: 2048, embedding: true });
    const weights = model.blobs.get(model.layers[0].digest)!;
    assert.equal(new TextDecoder().decode(weights.subarray(0, 4)), "GGUF");
    assert.ok(new TextDecoder().decode(weights.subarray(0, 300)).includes("llama.pooling_type"));
    const config = JSON.parse(new TextDecoder().decode(model.blobs.get(model.config.digest)));
    assert.deepEqual(
      [config.model_format, config.model_family, config.model_type, config.file_type],
      ["gguf", "llama", "1.2M", "Q4_0"],
    );
    assert.deepEqual(config.rootfs.diff_ids, model.layers.map((layer) => layer.digest));
    assert.equal(model.size, model.layers.reduce((sum, l) => sum + l.size, model.config.size));
  });

  it("serves a vision model with two big layers and cloud stubs with remote fields", async () => {
    const registry = new FakeRegistry();
    const vision = await registry.model("vision");
    assert.deepEqual(vision?.layers.slice(0, 2).map((l) => [l.mediaType, l.size]), [
      [REGISTRY_MEDIA_TYPES.model, 12 * 1024 * 1024],
      [REGISTRY_MEDIA_TYPES.projector, 6 * 1024 * 1024],
    ]);
    const cloud = (await registry.model("cloudy:8b-cloud"))!;
    assert.equal(cloud.layers.some((l) => l.mediaType === REGISTRY_MEDIA_TYPES.model), false);
    const config = JSON.parse(new TextDecoder().decode(cloud.blobs.get(cloud.config.digest)));
    assert.equal(config.remote_host, "https://ollama.com:443");
    assert.equal(config.remote_model, "cloudy:8b");
    assert.deepEqual(DEFAULT_REGISTRY_MODELS.map((m) => m.name), [
      "tiny",
      "vision",
      "embed",
      "cloudy:8b-cloud",
      "cloudy:cloud",
    ]);
  });

  it("splits names by Ollama's defaults and builds the name a real Ollama pulls", () => {
    assert.deepEqual(registryReference("Tiny"), { repository: "library/tiny", tag: "latest" });
    assert.deepEqual(registryReference("me/m:8b"), { repository: "me/m", tag: "8b" });
    assert.throws(() => registryReference("host.io/me/m"), TypeError);
    assert.throws(() => registryReference(""), TypeError);
    assert.equal(
      registryModelName("http://127.0.0.1:5000", "tiny"),
      "127.0.0.1:5000/library/tiny:latest",
    );
    assert.equal(registryModelName("http://localhost:7/", "me/m:8b"), "localhost:7/me/m:8b");
  });
});

describe("fake registry: endpoints", () => {
  it("serves manifests whose digest is the sha256 of the bytes served", async () => {
    const registry = new FakeRegistry({ models: SMALL });
    for (const [repo, tag] of [["library/tiny", "latest"], ["me/pair", "8b"]]) {
      const { bytes, manifest, digest } = await manifestOf(registry, repo, tag);
      assert.equal(digest, await sha256Digest(new Uint8Array(bytes)));
      assert.equal(manifest.schemaVersion, 2);
      assert.equal(manifest.mediaType, REGISTRY_MEDIA_TYPES.manifest);
      assert.equal(digest, (await registry.model(`${repo}:${tag}`))?.digest);
      // By digest too, as registries allow.
      const again = await get(registry, `/v2/${repo}/manifests/${digest}`);
      assert.deepEqual(await bytesOf(again), bytes);
    }
    const head = await get(registry, "/v2/library/tiny/manifests/latest", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body, null);
    assert.equal(Number(head.headers.get("content-length")) > 100, true);
  });

  it("answers 404 MANIFEST_UNKNOWN for an unknown model, tag or repository", async () => {
    const registry = new FakeRegistry({ models: SMALL });
    for (const path of ["library/nope/manifests/latest", "library/tiny/manifests/8b"]) {
      const response = await get(registry, `/v2/${path}`);
      assert.equal(response.status, 404);
      assert.equal((await response.json()).errors[0].code, "MANIFEST_UNKNOWN");
    }
    const digest = (await registry.model("tiny"))!.digest;
    assert.equal((await get(registry, `/v2/me/pair/manifests/${digest}`)).status, 404);
    assert.equal((await get(registry, "/v2/")).status, 200);
    assert.equal((await get(registry, "/elsewhere")).status, 404);
    assert.equal((await get(registry, "/v2/", { method: "POST" })).status, 405);
  });

  it("answers HEAD of each blob with its exact Content-Length, and 404 for unknown blobs", async () => {
    const registry = new FakeRegistry({ models: SMALL });
    const { manifest } = await manifestOf(registry, "me/pair", "8b");
    for (const layer of [...manifest.layers, manifest.config]) {
      const response = await get(registry, `/v2/me/pair/blobs/${layer.digest}`, { method: "HEAD" });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-length"), String(layer.size));
    }
    const unknown = await get(registry, `/v2/me/pair/blobs/sha256:${"0".repeat(64)}`, {
      method: "HEAD",
    });
    assert.equal(unknown.status, 404);
  });

  it("redirects a blob GET with 307 to a data URL on the other host name", async () => {
    const registry = new FakeRegistry({ models: SMALL });
    const { manifest } = await manifestOf(registry, "library/tiny");
    const digest = manifest.layers[0].digest;
    const response = await get(registry, `/v2/library/tiny/blobs/${digest}`);
    assert.equal(response.status, 307);
    assert.equal(
      response.headers.get("location"),
      `http://localhost:5000/_data/library/tiny/${digest}`,
    );
    const byName = await registry.handler(
      new Request(`http://localhost:5000/v2/library/tiny/blobs/${digest}`),
    );
    assert.equal(new URL(byName.headers.get("location")!).host, "127.0.0.1:5000");
    const chosen = new FakeRegistry({ models: SMALL, dataHost: "data.test", redirectStatus: 302 });
    const other = await get(chosen, `/v2/library/tiny/blobs/${digest}`);
    assert.equal(other.status, 302);
    assert.equal(new URL(other.headers.get("location")!).host, "data.test:5000");
  });

  it("answers Range requests with exactly those bytes", async () => {
    const registry = new FakeRegistry({ models: SMALL });
    const model = (await registry.model("tiny"))!;
    const digest = model.layers[0].digest;
    const blob = model.blobs.get(digest)!;
    const data = `/_data/library/tiny/${digest}`;
    const whole = await get(registry, data);
    assert.equal(whole.status, 200);
    assert.deepEqual(await bytesOf(whole), blob);
    const cases: [string, number, number][] = [
      ["bytes=0-99", 0, 100],
      ["bytes=1000-65535", 1000, 65536],
      ["bytes=65000-", 65000, 65536],
      ["bytes=-10", 65526, 65536],
      ["bytes=60000-999999", 60000, 65536],
    ];
    for (const [range, start, end] of cases) {
      const response = await get(registry, data, { headers: { range } });
      assert.equal(response.status, 206, range);
      assert.equal(response.headers.get("content-range"), `bytes ${start}-${end - 1}/65536`);
      assert.equal(response.headers.get("content-length"), String(end - start));
      assert.deepEqual(await bytesOf(response), blob.subarray(start, end), range);
    }
    const beyond = await get(registry, data, { headers: { range: "bytes=65536-" } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get("content-range"), "bytes */65536");
  });

  it("moves a tag to a new manifest and keeps serving the old one by digest", async () => {
    const registry = new FakeRegistry({ models: SMALL });
    const { before, after } = await registry.moveTag("tiny");
    assert.notEqual(before, after);
    const { digest } = await manifestOf(registry, "library/tiny");
    assert.equal(digest, after);
    assert.equal((await get(registry, `/v2/library/tiny/manifests/${before}`)).status, 200);
    const old = (await registry.model("tiny"))!;
    assert.equal(old.digest, after);
    await assert.rejects(registry.moveTag("nope"), TypeError);
    assert.equal(registry.remove("tiny"), true);
    assert.equal((await get(registry, "/v2/library/tiny/manifests/latest")).status, 404);
    await registry.publish({ name: "tiny", weightsSize: 100 });
    assert.equal((await get(registry, "/v2/library/tiny/manifests/latest")).status, 200);
  });
});

describe("fake registry: faults", () => {
  it("answers an injected 5xx on the manifest once, then serves it", async () => {
    const registry = new FakeRegistry({
      models: SMALL,
      faults: [{ kind: "status", endpoint: "manifest", status: 503, times: 1 }],
    });
    const first = await get(registry, "/v2/library/tiny/manifests/latest");
    assert.equal(first.status, 503);
    assert.equal((await first.json()).errors[0].code, "UNAVAILABLE");
    assert.equal((await get(registry, "/v2/library/tiny/manifests/latest")).status, 200);
    assert.deepEqual(registry.requests().map((r) => [r.status, r.fault]), [
      [503, "status"],
      [200, undefined],
    ]);
  });

  it("fails blob and data requests always when no times are given, for the chosen model only", async () => {
    const registry = new FakeRegistry({ models: SMALL });
    registry.injectFault({
      kind: "status",
      endpoint: "blob",
      status: 500,
      body: "boom",
      model: "tiny",
    });
    registry.injectFault({ kind: "status", endpoint: "data", status: 502, model: "me/pair" });
    const tiny = (await registry.model("tiny"))!.layers[0].digest;
    const pair = (await registry.model("me/pair:8b"))!.layers[0].digest;
    for (let i = 0; i < 3; i++) {
      const response = await get(registry, `/v2/library/tiny/blobs/${tiny}`, { method: "HEAD" });
      assert.equal(response.status, 500);
    }
    const text = await get(registry, `/v2/library/tiny/blobs/${tiny}`);
    assert.equal(await text.text(), "boom");
    assert.equal((await get(registry, `/v2/me/pair/blobs/${pair}`)).status, 307);
    assert.equal((await get(registry, `/_data/me/pair/${pair}`)).status, 502);
    assert.equal((await get(registry, `/_data/library/tiny/${tiny}`)).status, 200);
    registry.clearFaults();
    assert.equal((await get(registry, `/v2/library/tiny/blobs/${tiny}`)).status, 307);
    assert.throws(() => registry.injectFault({ kind: "newer_version", times: 0 }), TypeError);
  });

  it("narrows a status fault to one method (the blob GET fails, its HEAD still answers)", async () => {
    const registry = new FakeRegistry({
      models: SMALL,
      faults: [{ kind: "status", endpoint: "blob", method: "GET", status: 502 }],
    });
    const digest = (await registry.model("tiny"))!.layers[0].digest;
    const head = await get(registry, `/v2/library/tiny/blobs/${digest}`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal((await get(registry, `/v2/library/tiny/blobs/${digest}`)).status, 502);
  });

  it("answers 412 with the registry's newer-version text", async () => {
    const registry = new FakeRegistry({ models: SMALL, faults: [{ kind: "newer_version" }] });
    const response = await get(registry, "/v2/library/tiny/manifests/latest");
    assert.equal(response.status, 412);
    const text = await response.text();
    assert.equal(text, NEWER_VERSION_TEXT);
    assert.match(text, /requires a newer version of Ollama/);
  });

  it("answers a blob GET without Location under no_location (HEAD unaffected)", async () => {
    const registry = new FakeRegistry({ models: SMALL, faults: [{ kind: "no_location" }] });
    const model = (await registry.model("tiny"))!;
    const digest = model.layers[0].digest;
    const head = await get(registry, `/v2/library/tiny/blobs/${digest}`, { method: "HEAD" });
    assert.equal(head.status, 200);
    const response = await get(registry, `/v2/library/tiny/blobs/${digest}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("location"), null);
    assert.deepEqual(await bytesOf(response), model.blobs.get(digest));
  });

  it("cuts a data body at a blob offset, once, and a resumed range gets the rest", async () => {
    const registry = new FakeRegistry({
      models: SMALL,
      faults: [{ kind: "cut", at: 40_000, times: 1 }],
    });
    const model = (await registry.model("tiny"))!;
    const digest = model.layers[0].digest;
    const data = `/_data/library/tiny/${digest}`;
    const response = await get(registry, data, { headers: { range: "bytes=0-65535" } });
    const reader = response.body!.getReader();
    let received = 0;
    const error = await rejection((async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received += value.length;
      }
    })());
    assert.ok(error instanceof TypeError);
    assert.equal(received, 40_000);
    const rest = await get(registry, data, { headers: { range: "bytes=40000-65535" } });
    assert.deepEqual(await bytesOf(rest), model.blobs.get(digest)!.subarray(40_000));
    assert.deepEqual(
      registry.requests("data").map((r) => [r.range, r.outcome, r.bytesSent, r.fault]),
      [["bytes=0-65535", "cut", 40_000, "cut"], [
        "bytes=40000-65535",
        "completed",
        25_536,
        undefined,
      ]],
    );
  });

  it("stalls a data body for a while at a blob offset, then sends the rest", async () => {
    const registry = new FakeRegistry({
      models: SMALL,
      faults: [{ kind: "stall", at: 1000, ms: 400 }],
    });
    const model = (await registry.model("tiny"))!;
    const digest = model.layers[0].digest;
    const response = await get(registry, `/_data/library/tiny/${digest}`);
    const reader = response.body!.getReader();
    let received = 0;
    while (received < 1000) received += (await reader.read()).value!.length;
    assert.equal(received, 1000);
    assert.equal(registry.requests("data")[0].outcome, "pending");
    const next = reader.read();
    const quiet = await Promise.race([
      next.then(() => "bytes"),
      new Promise((resolve) => setTimeout(() => resolve("silence"), 150)),
    ]);
    assert.equal(quiet, "silence");
    received += (await next).value!.length;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.length;
    }
    assert.equal(received, 65536);
    assert.equal(registry.requests("data")[0].outcome, "completed");
  });

  it("ends a stall that lasts for good when the client goes away, and logs it", async () => {
    const registry = new FakeRegistry({ models: SMALL, faults: [{ kind: "stall", at: 0 }] });
    const digest = (await registry.model("tiny"))!.layers[0].digest;
    const response = await get(registry, `/_data/library/tiny/${digest}`);
    const reader = response.body!.getReader();
    const read = reader.read();
    await new Promise((resolve) => setTimeout(resolve, 30));
    await reader.cancel();
    assert.equal((await read).done, true);
    const [record] = registry.requests("data");
    assert.equal(record.outcome, "client_gone");
    assert.equal(record.clientGone, true);
    assert.equal(record.bytesSent, 0);
    assert.ok(record.endedAt instanceof Date);
  });

  it("ends a stall for good with an error when the registry closes", async () => {
    const registry = new FakeRegistry({ models: SMALL, faults: [{ kind: "stall", at: 10 }] });
    const digest = (await registry.model("tiny"))!.layers[0].digest;
    const response = await get(registry, `/_data/library/tiny/${digest}`);
    const body = response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 30));
    registry.close();
    assert.ok(await rejection(body) instanceof TypeError);
    assert.equal(registry.requests("data")[0].outcome, "closed");
  });

  it("limits the speed of each data connection", async () => {
    const registry = new FakeRegistry({ models: SMALL, bytesPerSecond: 128 * 1024 });
    const digest = (await registry.model("tiny"))!.layers[0].digest;
    const started = Date.now();
    const response = await get(registry, `/_data/library/tiny/${digest}`, {
      headers: { range: "bytes=0-32767" },
    });
    const reader = response.body!.getReader();
    let chunks = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      assert.ok(value.length <= 128 * 1024 / 20, "a chunk is at most 1/20 s worth");
    }
    assert.ok(chunks >= 5);
    // 32 KiB at 128 KiB/s is 250 ms; only the lower bound can be asserted.
    assert.ok(Date.now() - started >= 200, `took ${Date.now() - started} ms`);
  });

  it("throttledBody sends everything without a limit, and reports how it ended", async () => {
    const ends: [string, number][] = [];
    const body = throttledBody(new Uint8Array(40_000), {
      chunkSize: 10_000,
      onEnd: (outcome, sent) => ends.push([outcome, sent]),
    });
    assert.equal((await bytesOf(new Response(body))).length, 40_000);
    assert.deepEqual(ends, [["completed", 40_000]]);
  });
});

describe("fake registry: request log", () => {
  it("records method, path, host, range, status and user agent of each request", async () => {
    const registry = new FakeRegistry({ models: SMALL });
    const digest = (await registry.model("tiny"))!.layers[1].digest;
    await get(registry, "/v2/library/tiny/manifests/latest", {
      headers: { "user-agent": "ollama/0.33.0" },
    });
    await get(registry, `/v2/library/tiny/blobs/${digest}`, { method: "HEAD" });
    await get(registry, `/v2/library/tiny/blobs/${digest}`);
    await (await registry.handler(
      new Request(`http://localhost:5000/_data/library/tiny/${digest}`, {
        headers: { range: "bytes=0-4" },
      }),
    )).arrayBuffer();
    assert.deepEqual(
      registry.requests().map((r) => [r.method, r.endpoint, r.host, r.range, r.status]),
      [
        ["GET", "manifest", "127.0.0.1:5000", undefined, 200],
        ["HEAD", "blob", "127.0.0.1:5000", undefined, 200],
        ["GET", "blob", "127.0.0.1:5000", undefined, 307],
        ["GET", "data", "localhost:5000", "bytes=0-4", 206],
      ],
    );
    const [manifest] = registry.requests("manifest");
    assert.equal(manifest.userAgent, "ollama/0.33.0");
    assert.equal(manifest.repository, "library/tiny");
    assert.equal(manifest.reference, "latest");
    assert.equal(registry.requests("data")[0].bytesSent, 5);
    registry.clearRequests();
    assert.deepEqual(registry.requests(), []);
  });

  it("notes over a real socket when the client goes away mid-body, and when a cut ends it", async () => {
    const registry = new FakeRegistry({ models: SMALL, bytesPerSecond: 64 * 1024 });
    const served = await serveFakeOllama(registry.handler);
    try {
      const digest = (await registry.model("tiny"))!.layers[0].digest;
      const controller = new AbortController();
      const response = await fetch(`${served.url}/_data/library/tiny/${digest}`, {
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      await reader.read().catch(() => {});
      await until(() => registry.requests("data")[0]?.outcome === "client_gone");
      const [gone] = registry.requests("data");
      assert.equal(gone.clientGone, true);
      assert.ok(gone.bytesSent > 0 && gone.bytesSent < 65536);

      registry.setSpeed(undefined);
      registry.injectFault({ kind: "cut", at: 30_000, times: 1 });
      const cut = await fetch(`${served.url}/_data/library/tiny/${digest}`, {
        headers: { range: "bytes=0-65535" },
      });
      assert.equal(cut.status, 206);
      assert.ok(await rejection(cut.arrayBuffer()) instanceof Error);
      await until(() => registry.requests("data")[1]?.outcome === "cut");
      assert.equal(registry.requests("data")[1].bytesSent, 30_000);
    } finally {
      await served.close();
    }
  });
});
