// The fake Ollama's v2 routes and behaviours, checked against what Ollama 0.33 answers: the cloud
// (`/api/me`, `/api/status`, cloud models), `HEAD`/`POST /api/blobs`, loads through
// `/api/generate` and `/api/embed`, `/api/ps`, Go's JSON error texts, the default catalog's
// vision model and cloud stub, errors that come at once, and the `repeat_stall` fault.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_CATALOG,
  FakeOllama,
  type FakeOllamaOptions,
  resolveLayers,
  smallCatalog,
} from "../src/testing/mod.ts";

const BASE = "http://127.0.0.1:11434";

function post(fake: FakeOllama, path: string, body?: unknown, raw?: string) {
  return fake.fetch(`${BASE}${path}`, {
    method: "POST",
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
}

async function answer(response: Response): Promise<[number, unknown]> {
  return [response.status, await response.json()];
}

async function values(response: Response): Promise<Record<string, unknown>[]> {
  return (await response.text()).trim().split("\n").map((line) => JSON.parse(line));
}

describe("cloud routes", () => {
  it("POST /api/me: 503 account unavailable by default, 401 with signin_url, 200 a user", async () => {
    assert.deepEqual(await answer(await post(new FakeOllama(), "/api/me")), [503, {
      error: "account unavailable",
    }]);
    const out = new FakeOllama({
      cloud: { account: "signed_out", signinUrl: "https://x/connect" },
    });
    assert.deepEqual(await answer(await post(out, "/api/me")), [401, {
      error: "unauthorized",
      signin_url: "https://x/connect",
    }]);
    const signedIn = new FakeOllama({ cloud: { account: { name: "ada" } } });
    const [status, user] = await answer(await post(signedIn, "/api/me"));
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(user as object), ["id", "email", "name", "plan"]);
    assert.deepEqual(user, {
      ...(user as object),
      name: "ada",
      email: "ada@example.com",
      plan: "free",
    });
    const get = await signedIn.fetch(`${BASE}/api/me`);
    assert.deepEqual([get.status, await get.text()], [405, "405 method not allowed"]);
  });

  it("GET /api/status says whether the cloud is disabled and by what", async () => {
    const status = async (options: FakeOllamaOptions) => {
      const response = await new FakeOllama(options).fetch(`${BASE}/api/status`);
      assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
      return await response.text();
    };
    assert.equal(await status({}), '{"cloud":{"disabled":false,"source":"none"}}');
    assert.equal(
      await status({ cloud: { disabled: true } }),
      '{"cloud":{"disabled":true,"source":"env"}}',
    );
  });

  it("a cloud model cannot be used on a closed network, nor with the cloud disabled", async () => {
    const fake = new FakeOllama({ models: ["gpt-oss:120b-cloud"] });
    const [status, body] = await answer(
      await post(fake, "/api/generate", { model: "gpt-oss:120b-cloud" }),
    );
    assert.equal(status, 502);
    assert.match(
      (body as { error: string }).error,
      /^Post "https:\/\/ollama\.com:443\/api\/generate\?ts=\d+": dial tcp: lookup ollama\.com: no such host$/,
    );
    const show = await answer(await post(fake, "/api/show", { model: "gpt-oss:120b:cloud" }));
    assert.equal(show[0], 502);
    const disabled = new FakeOllama({ models: ["gpt-oss:120b-cloud"], cloud: { disabled: true } });
    assert.deepEqual(
      await answer(await post(disabled, "/api/generate", { model: "gpt-oss:120b-cloud" })),
      [
        403,
        { error: "ollama cloud is disabled: remote model is unavailable" },
      ],
    );
    const signedIn = new FakeOllama({
      models: ["gpt-oss:120b-cloud"],
      cloud: { account: { name: "a" } },
    });
    const [ok, loaded] = await answer(
      await post(signedIn, "/api/generate", { model: "gpt-oss:120b-cloud" }),
    );
    assert.equal(ok, 200);
    assert.equal((loaded as { remote_model: string }).remote_model, "gpt-oss:120b");
  });
});

describe("HEAD and POST /api/blobs/<digest>", () => {
  it("says whether a blob is there, in either digest spelling; refuses a malformed one", async () => {
    const fake = new FakeOllama({ models: ["llama3"] });
    const [weights] = resolveLayers(DEFAULT_CATALOG[0]);
    const head = (digest: string) => fake.fetch(`${BASE}/api/blobs/${digest}`, { method: "HEAD" });
    const present = await head(weights.digest);
    assert.deepEqual([present.status, present.headers.get("content-type")], [200, null]);
    assert.equal((await head(weights.digest.replace(":", "-"))).status, 200);
    const absent = await head(`sha256:${"0".repeat(64)}`);
    assert.deepEqual([absent.status, absent.headers.get("content-type"), await absent.text()], [
      404,
      "application/json; charset=utf-8",
      "",
    ]);
    assert.equal((await head("sha256:xyz")).status, 400);
    const get = await fake.fetch(`${BASE}/api/blobs/${weights.digest}`);
    assert.deepEqual([get.status, await get.text()], [405, "405 method not allowed"]);
  });

  it("stores a blob whose bytes match its digest", async () => {
    const fake = new FakeOllama();
    const bytes = new TextEncoder().encode("{{ .Prompt }}");
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const digest = `sha256:${Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    const wrong = await fake.fetch(`${BASE}/api/blobs/sha256:${"1".repeat(64)}`, {
      method: "POST",
      body: bytes,
    });
    assert.equal(wrong.status, 400);
    assert.match(
      (await wrong.json()).error,
      /^digest mismatch, expected "sha256:1{64}", got "sha256:/,
    );
    const created = await fake.fetch(`${BASE}/api/blobs/${digest}`, {
      method: "POST",
      body: bytes,
    });
    assert.equal(created.status, 201);
    assert.equal((await fake.fetch(`${BASE}/api/blobs/${digest}`, { method: "HEAD" })).status, 200);
    assert.equal(fake.blobs().get(digest), bytes.length);
  });
});

describe("loads", () => {
  it("loads with /api/generate, lists it in /api/ps, unloads with keep_alive 0", async () => {
    const fake = new FakeOllama({ models: ["llama3"], runner: { vramShare: 0.25 } });
    assert.deepEqual(await answer(await fake.fetch(`${BASE}/api/ps`)), [200, { models: [] }]);
    const [status, body] = await answer(
      await post(fake, "/api/generate", { model: "llama3", keep_alive: "30m" }),
    );
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body as object), [
      "model",
      "created_at",
      "response",
      "done",
      "done_reason",
    ]);
    assert.deepEqual(body, {
      ...(body as object),
      model: "llama3",
      response: "",
      done: true,
      done_reason: "load",
    });
    const { models } = await (await fake.fetch(`${BASE}/api/ps`)).json();
    assert.equal(models.length, 1);
    const [loaded] = models;
    assert.deepEqual(Object.keys(loaded), [
      "name",
      "model",
      "size",
      "digest",
      "details",
      "expires_at",
      "size_vram",
      "context_length",
    ]);
    assert.equal(loaded.name, "llama3:latest");
    assert.equal(loaded.size_vram, Math.round(loaded.size * 0.25));
    const minutes = (Date.parse(loaded.expires_at) - Date.now()) / 60_000;
    assert.ok(minutes > 29 && minutes <= 30, `expires in ${minutes} min`);
    const unloaded = await answer(
      await post(fake, "/api/generate", { model: "llama3", keep_alive: 0 }),
    );
    assert.deepEqual((unloaded[1] as { done_reason: string }).done_reason, "unload");
    assert.deepEqual(await answer(await fake.fetch(`${BASE}/api/ps`)), [200, { models: [] }]);
    // keep_alive 0 answers unload even for a model that is not loaded.
    assert.equal(
      (await post(fake, "/api/generate", { model: "llama3", keep_alive: 0 })).status,
      200,
    );
  });

  it("refuses generate for an embedding model, which loads through /api/embed", async () => {
    const fake = new FakeOllama({ models: ["all-minilm"] });
    assert.deepEqual(await answer(await post(fake, "/api/generate", { model: "all-minilm" })), [
      400,
      {
        error: '"all-minilm" does not support generate',
      },
    ]);
    assert.deepEqual(await answer(await post(fake, "/api/embed", { model: "all-minilm" })), [200, {
      model: "all-minilm",
      embeddings: [],
    }]);
    const [, embedded] = await answer(
      await post(fake, "/api/embed", { model: "all-minilm", input: ["a", "b"] }),
    );
    const vectors = (embedded as { embeddings: number[][] }).embeddings;
    assert.deepEqual(vectors.map((v) => v.length), [384, 384]);
  });

  it("fails a load with the runner's error, or for want of memory, in Ollama's words", async () => {
    const broken = new FakeOllama({
      models: ["llama3"],
      runner: { error: "llama-server binary not found" },
    });
    assert.deepEqual(await answer(await post(broken, "/api/embed", { model: "llama3" })), [500, {
      error: "llama-server binary not found",
    }]);
    const small = new FakeOllama({
      models: ["llama3", "tinyllama"],
      runner: { memory: 2 * 1024 ** 3 },
    });
    assert.deepEqual(await answer(await post(small, "/api/generate", { model: "llama3" })), [500, {
      error: "model requires more system memory (4.3 GiB) than is available (2.0 GiB)",
    }]);
    assert.equal((await post(small, "/api/generate", { model: "tinyllama" })).status, 200);
  });

  it("answers a missing model with the name as sent, unlike /api/show", async () => {
    const fake = new FakeOllama();
    assert.deepEqual(await answer(await post(fake, "/api/generate", { model: "missing-model" })), [
      404,
      {
        error: "model 'missing-model' not found",
      },
    ]);
    assert.deepEqual(await answer(await post(fake, "/api/show", { model: "missing-model" })), [
      404,
      {
        error: "model 'missing-model:latest' not found",
      },
    ]);
  });
});

describe("request bodies, as Go reads them", () => {
  it("answers Go's decoder texts", async () => {
    const fake = new FakeOllama();
    const cases: [string | undefined, string][] = [
      [undefined, "missing request body"],
      ["  ", "missing request body"],
      ["{nope", "invalid character 'n' looking for beginning of object key string"],
      ["{", "unexpected EOF"],
      ['{"model" "x"}', "invalid character '\"' after object key"],
      ['{"model":"x" "y"}', "invalid character '\"' after object key:value pair"],
      ["[1 2]", "invalid character '2' after array element"],
      ['{"model":tru}', "invalid character '}' in literal true (expecting 'e')"],
      ['{"model":"a\nb"}', "invalid character '\\n' in string literal"],
      ['{"model":-}', "invalid character '}' in numeric literal"],
      [
        '{"model":5}',
        "json: cannot unmarshal number into Go struct field PullRequest.model of type string",
      ],
      [
        '{"stream":"no"}',
        "json: cannot unmarshal string into Go struct field PullRequest.stream of type bool",
      ],
      ["[]", "json: cannot unmarshal array into Go value of type api.PullRequest"],
    ];
    for (const [raw, error] of cases) {
      const response = await fake.fetch(`${BASE}/api/pull`, { method: "POST", body: raw });
      assert.deepEqual(await answer(response), [400, { error }], JSON.stringify(raw));
    }
    assert.deepEqual(
      await answer(await post(fake, "/api/generate", { model: "x", keep_alive: "5d" })),
      [400, {
        error: 'time: unknown unit "d" in duration "5d"',
      }],
    );
    assert.deepEqual(
      await answer(await post(fake, "/api/generate", { model: "x", keep_alive: true })),
      [400, {
        error: "Unsupported type: 'bool'",
      }],
    );
  });
});

describe("the default catalog", () => {
  it("has a vision model with two big layers, listed with its capabilities and lengths", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    const lines = await values(await post(fake, "/api/pull", { model: "llava" }));
    const sizes = [...new Set(lines.filter((v) => v.digest).map((v) => v.total))];
    assert.deepEqual(
      sizes.slice(0, 2),
      [4_113_858_752, 624_434_368],
      "weights, then the projector",
    );
    const { models } = await (await fake.fetch(`${BASE}/api/tags`)).json();
    assert.deepEqual(models[0].capabilities, ["completion", "vision"]);
    assert.equal(models[0].details.context_length, 32_768);
    assert.equal(models[0].details.embedding_length, 4_096);
  });

  it("has a cloud stub, whose pull shows no layer line and which lists remote_model", async () => {
    const fake = new FakeOllama({ tickMs: 5 });
    const lines = await values(await post(fake, "/api/pull", { model: "gpt-oss:120b:cloud" }));
    assert.deepEqual(lines.map((v) => v.status), [
      "pulling manifest",
      "verifying sha256 digest",
      "writing manifest",
      "success",
    ]);
    const { models } = await (await fake.fetch(`${BASE}/api/tags`)).json();
    assert.deepEqual(Object.keys(models[0]).slice(0, 4), [
      "name",
      "model",
      "remote_model",
      "remote_host",
    ]);
    assert.deepEqual([models[0].name, models[0].remote_model], [
      "gpt-oss:120b-cloud",
      "gpt-oss:120b",
    ]);
    assert.equal(models[0].details.format, "");
  });

  it("answers an unknown model at once after pulling manifest, not a tick later", async () => {
    const fake = new FakeOllama({ tickMs: 2000 });
    const started = Date.now();
    const lines = await values(await post(fake, "/api/pull", { model: "nope" }));
    assert.deepEqual(lines[1], { error: "pull model manifest: file does not exist" });
    assert.ok(Date.now() - started < 1000, "well before one tick");
  });

  it("refuses insecure for a name without a host, as Ollama sends it to plain-http registry.ollama.ai", async () => {
    const lines = await values(
      await post(new FakeOllama(), "/api/pull", { model: "llama3", insecure: true }),
    );
    assert.deepEqual(lines, [{ status: "pulling manifest" }, {
      error:
        'pull model manifest: Get "http://registry.ollama.ai/v2/library/llama3/manifests/latest": ' +
        "dial tcp: lookup registry.ollama.ai: no such host",
    }]);
  });
});

describe("the repeat_stall fault", () => {
  const catalog = smallCatalog({ "tiny:latest": [4000, 300] });
  const weights = resolveLayers(catalog[0])[0].digest;
  const pullTiny = async (then?: "resume" | "restart" | "deadline" | "max_retries", lines = 3) => {
    const fake = new FakeOllama({ catalog, tickMs: 1, bytesPerSecond: 1_000_000 });
    fake.injectFault({ kind: "repeat_stall", lines, ms: 10, then });
    return await values(await post(fake, "/api/pull", { model: "tiny" }));
  };
  const completed = (lines: Record<string, unknown>[]) =>
    lines.filter((v) => v.digest === weights).map((v) => v.completed);

  it("repeats the same line every tick, then goes on", async () => {
    const lines = await pullTiny();
    // 1000 bytes a tick: 0 (total only), 1000, then 1000 again for 10 ms, then on.
    const seen = completed(lines);
    assert.deepEqual(seen.slice(0, 2), [undefined, 1000]);
    assert.ok(seen.filter((value) => value === 1000).length >= 5, `${seen}`);
    assert.deepEqual(seen.slice(-3), [2000, 3000, 4000]);
    assert.deepEqual(lines.at(-1), { status: "success" });
  });

  it("shows total only when no byte of the layer came yet", async () => {
    const lines = await pullTiny("resume", 1);
    assert.ok(completed(lines).slice(0, 5).every((value) => value === undefined));
    assert.ok(lines.slice(1, 6).every((v) => v.total === 4000));
  });

  it("restarts the part: completed falls back and climbs again", async () => {
    const seen = completed(await pullTiny("restart"));
    const drop = seen.findIndex((value, i) =>
      i > 0 && Number(value ?? 0) < Number(seen[i - 1] ?? 0)
    );
    assert.ok(drop > 0, `${seen}`);
    assert.deepEqual(seen.slice(drop), [undefined, 1000, 2000, 3000, 4000]);
  });

  it("ends in context deadline exceeded or max retries exceeded", async () => {
    assert.deepEqual((await pullTiny("deadline")).at(-1), { error: "context deadline exceeded" });
    assert.deepEqual((await pullTiny("max_retries")).at(-1), {
      error: "max retries exceeded: unexpected EOF",
    });
  });
});
