// The startup hook's v2 steps against a scripted Ollama (injected fetch: every request recorded)
// and a FakeRegistry on a loopback port (the registry lookups go over a real socket):
// plan, outdated, --update, concurrent pulls, cloud readiness, the lock, warm-up, fleets.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  checkLock,
  ensureFleet,
  ensureOllamaReady,
  type EnsureOptions,
  fleetExitCode,
  formatLock,
  gpuShare,
  type OllamaPullEvent,
  outdatedOllama,
  parseLock,
  planOllama,
  RegistryClient,
} from "../mod.ts";
import { ConfigError, LockMismatchError } from "../src/errors/mod.ts";
import {
  type BuiltRegistryModel,
  FakeRegistry,
  type ServedFakeOllama,
  serveFakeOllama,
  unusedLoopbackUrl,
} from "../src/testing/mod.ts";
import { json, ndjson, scripted } from "./_helpers.ts";

interface Installed {
  name: string;
  digest: string;
  size?: number;
  capabilities?: string[];
  remote?: boolean;
}

interface OllamaScript {
  installed: Installed[];
  /** Blobs the server has (HEAD /api/blobs answers 200). */
  blobs?: Set<string>;
  /** What a pull installs (by the pulled name). */
  onPull?: (model: string) => Installed | undefined;
  /** Holds each pull's answer until it resolves. */
  gate?: (model: string) => Promise<void>;
  me?: Response | (() => Response);
  cloudDisabled?: boolean;
  load?: (endpoint: string, body: Record<string, unknown>) => Response;
  ps?: { name: string; size: number; size_vram: number }[];
}

/** A scripted Ollama 0.33 for the hook, by path. */
function scriptedOllama(script: OllamaScript) {
  return scripted(async (request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path === "/api/version") return json({ version: "0.33.0" });
    if (path === "/api/tags") {
      return json({
        models: script.installed.map((m) => ({
          name: m.name,
          model: m.name,
          size: m.size ?? 1000,
          digest: m.digest,
          ...(m.capabilities ? { capabilities: m.capabilities } : {}),
          ...(m.remote ? { remote_model: "x", remote_host: "https://ollama.com:443" } : {}),
        })),
      });
    }
    if (path.startsWith("/api/blobs/")) {
      return new Response(null, {
        status: script.blobs?.has(path.slice("/api/blobs/".length)) ? 200 : 404,
      });
    }
    if (path === "/api/pull") {
      const body = await request.json() as { model: string };
      await script.gate?.(body.model);
      const added = script.onPull?.(body.model);
      if (added === undefined) {
        return ndjson([{ status: "pulling manifest" }, {
          error: "pull model manifest: file does not exist",
        }]);
      }
      script.installed = [added, ...script.installed.filter((m) => m.name !== added.name)];
      return ndjson([{ status: "pulling manifest" }, { status: "success" }]);
    }
    if (path === "/api/me") {
      return typeof script.me === "function"
        ? script.me()
        : script.me ?? json({ error: "account unavailable" }, 503);
    }
    if (path === "/api/status") {
      return json({ cloud: { disabled: script.cloudDisabled ?? false, source: "none" } });
    }
    if (path === "/api/generate" || path === "/api/embed") {
      const body = await request.json() as Record<string, unknown>;
      return script.load?.(path, body) ??
        json({ model: body.model, done: true, done_reason: "load" });
    }
    if (path === "/api/ps") return json({ models: script.ps ?? [] });
    return new Response("404 page not found", { status: 404 });
  });
}

const HEX = (c: string) => c.repeat(64);

describe("the hook with a registry", () => {
  let registry: FakeRegistry;
  let served: ServedFakeOllama;
  let host: string;
  const models: Record<string, BuiltRegistryModel> = {};
  const name = (model: string) => `${host}/library/${model}`;
  /** A fresh registry cache per test: lookups are remembered per client. */
  const options = (extra: EnsureOptions = {}): EnsureOptions => ({
    registry: new RegistryClient({ insecure: true, timeoutMs: 3_000 }),
    ...extra,
  });

  before(async () => {
    registry = new FakeRegistry({
      models: [
        { name: "tiny", weightsSize: 4096 },
        { name: "vision", weightsSize: 8192, projectorSize: 2048 },
        { name: "embed", weightsSize: 1024, embedding: true, template: null, params: null },
      ],
    });
    served = await serveFakeOllama(registry.handler);
    host = new URL(served.url).host;
    for (const model of ["tiny", "vision", "embed"]) {
      const built = await registry.model(model);
      assert.ok(built !== undefined);
      models[model] = built;
    }
  });
  after(() => served.close());

  it("plan: present, pull (with the bytes the server lacks) and blocked, exit 4 for blocked", async () => {
    const tiny = models.tiny;
    const vision = models.vision;
    // The server already has vision's template blob: it is not downloaded again.
    const template = vision.layers.find((l) => l.mediaType.endsWith(".template"))!;
    const ollama = scriptedOllama({
      installed: [{ name: name("tiny") + ":latest", digest: tiny.digest.slice(7) }],
      blobs: new Set([template.digest]),
    });
    const report = await planOllama(
      {
        models: [name("tiny"), name("vision"), name("embed")],
        whitelist: [`${host}/library/tiny`, `${host}/library/vision`],
        insecure: true,
      },
      options({ fetch: ollama.fetch }),
    );
    const entries = report.plan?.entries.map((e) => [e.model, e.action, e.downloadBytes, e.reason]);
    assert.deepEqual(entries, [
      [`${host}/library/tiny:latest`, "present", 0, null],
      [`${host}/library/vision:latest`, "pull", vision.size - template.size, null],
      [`${host}/library/embed:latest`, "blocked", models.embed.size, "not in the pull whitelist"],
    ]);
    assert.equal(report.plan?.downloadBytes, vision.size - template.size);
    assert.equal(report.exitCode, 4);
    assert.equal(report.error?.code, "not_whitelisted");
    // It never pulls.
    assert.equal(ollama.requests.filter((r) => r.url.endsWith("/api/pull")).length, 0);
  });

  it("outdated: a moved tag is exit 4 `outdated`; an unreachable registry is a warning, never 'up to date'", async () => {
    const ollama = scriptedOllama({
      installed: [
        { name: name("tiny") + ":latest", digest: HEX("0") },
        { name: name("vision") + ":latest", digest: models.vision.digest.slice(7) },
      ],
    });
    const report = await outdatedOllama({ insecure: true }, options({ fetch: ollama.fetch }));
    assert.deepEqual(report.outdated, [`${host}/library/tiny:latest`]);
    assert.deepEqual(report.unknown, []);
    assert.equal(report.exitCode, 4);
    assert.equal(report.error?.code, "outdated");

    const nowhere = await unusedLoopbackUrl();
    const down = scriptedOllama({
      installed: [{ name: `${new URL(nowhere).host}/library/tiny:latest`, digest: HEX("1") }],
    });
    const unknown = await outdatedOllama({ insecure: true }, options({ fetch: down.fetch }));
    assert.equal(unknown.exitCode, 0, unknown.error?.message);
    assert.deepEqual(unknown.outdated, []);
    assert.equal(unknown.unknown.length, 1);
    assert.match(unknown.warnings.join("\n"), /the registry could not be asked/);
  });

  it("ensure --update pulls a moved tag again (with insecure), missing models get the manifest's layers first", async () => {
    const events: [string, OllamaPullEvent["type"]][] = [];
    const ollama = scriptedOllama({
      installed: [{ name: name("tiny") + ":latest", digest: HEX("0") }],
      onPull: (model) => ({
        name: model.replace(/^http:\/\//, ""),
        digest: (model.includes("tiny") ? models.tiny : models.vision).digest.slice(7),
      }),
    });
    const report = await ensureOllamaReady(
      { models: [name("tiny"), name("vision")], insecure: true },
      options({
        fetch: ollama.fetch,
        update: true,
        reporter: { onEvent: (event, model) => void events.push([model, event.type]) },
      }),
    );
    assert.equal(report.ok, true, report.error?.message);
    assert.deepEqual(report.outdated, [`${host}/library/tiny:latest`]);
    assert.deepEqual(report.pulled.sort(), [
      `${host}/library/tiny:latest`,
      `${host}/library/vision:latest`,
    ]);
    assert.deepEqual(report.present, []);
    const pulls = await Promise.all(
      ollama.requests.filter((r) => r.url.endsWith("/api/pull")).map((r) => r.json()),
    );
    assert.deepEqual(pulls.map((p) => p.insecure).sort(), [true, true]);
    for (const model of [`${host}/library/tiny:latest`, `${host}/library/vision:latest`]) {
      const first = events.find(([m]) => m === model);
      assert.deepEqual(first, [model, "manifest"], `${model}: the manifest event comes first`);
    }
    assert.equal(
      report.digests[`${host}/library/vision:latest`].digest,
      models.vision.digest.slice(7),
    );
  });

  it("--locked: a missing model whose tag moved away from the lock is not even pulled", async () => {
    const ollama = scriptedOllama({
      installed: [],
      onPull: (model) => ({ name: model, digest: HEX("9") }),
    });
    const lock = parseLock(formatLock({ [name("tiny")]: { digest: HEX("7"), size: 1 } }));
    const report = await ensureOllamaReady(
      { models: [name("tiny")], insecure: true },
      options({ fetch: ollama.fetch, lock, locked: true }),
    );
    assert.equal(report.exitCode, 6, report.error?.message);
    assert.match(
      report.error?.message ?? "",
      /tag now points at .*not the locked 777777777777.*nothing was pulled/,
    );
    assert.equal(ollama.requests.filter((r) => r.url.endsWith("/api/pull")).length, 0);
  });

  it("pulls up to pull_concurrency at once, never more", async () => {
    for (const concurrency of [1, 2]) {
      let running = 0;
      let most = 0;
      const ollama = scriptedOllama({
        installed: [],
        gate: async () => {
          most = Math.max(most, ++running);
          await new Promise((resolve) => setTimeout(resolve, 30));
          running--;
        },
        onPull: (model) => ({ name: model, digest: HEX("2") }),
      });
      const report = await ensureOllamaReady(
        { models: ["a", "b", "c"], pullConcurrency: concurrency },
        { fetch: ollama.fetch, registry: false },
      );
      assert.equal(report.ok, true, report.error?.message);
      assert.equal(most, concurrency);
    }
  });
});

describe("cloud readiness", () => {
  const installed: Installed[] = [{ name: "gpt-oss:120b-cloud", digest: HEX("c"), remote: true }];
  const cases: [string, Partial<OllamaScript>, number, RegExp | null][] = [
    ["signed in", { me: () => json({ name: "me" }) }, 0, null],
    [
      "signed out: the sign-in URL",
      {
        me: () =>
          json({ error: "unauthorized", signin_url: "https://ollama.com/connect?key=abc" }, 401),
      },
      4,
      /ollama signin.*https:\/\/ollama\.com\/connect\?key=abc/,
    ],
    [
      "cloud switched off",
      { me: () => json({ name: "me" }), cloudDisabled: true },
      4,
      /switched off/,
    ],
    [
      "503 account unavailable (a closed network) is not 'signed in'",
      {},
      4,
      /could not say/,
    ],
  ];
  for (const [label, script, exit, pattern] of cases) {
    it(label, async () => {
      const ollama = scriptedOllama({ installed, ...script });
      const report = await ensureOllamaReady(
        { models: ["gpt-oss:120b:cloud"] },
        { fetch: ollama.fetch, registry: false },
      );
      assert.equal(report.exitCode, exit, report.error?.message);
      if (pattern !== null) {
        assert.equal(report.error?.code, "cloud_unavailable");
        assert.match(report.error?.message ?? "", pattern);
      }
    });
  }

  it("a local model alone never asks about the cloud", async () => {
    const ollama = scriptedOllama({ installed: [{ name: "llama3:latest", digest: HEX("a") }] });
    const report = await ensureOllamaReady({ models: ["llama3"] }, {
      fetch: ollama.fetch,
      registry: false,
    });
    assert.equal(report.ok, true);
    assert.equal(ollama.requests.some((r) => r.url.includes("/api/me")), false);
  });
});

describe("the lock", () => {
  it("formats stably, one line per model, and parses back", () => {
    const text = formatLock({
      "qwen3:8b": { digest: HEX("b"), size: 2 },
      "LLAMA3": { digest: HEX("a"), size: 1 },
    });
    assert.equal(
      text,
      `{\n  "version": 1,\n  "models": {\n    "LLAMA3:latest": { "digest": "${
        HEX("a")
      }", "size": 1 },\n` +
        `    "qwen3:8b": { "digest": "${HEX("b")}", "size": 2 }\n  }\n}\n`,
    );
    assert.deepEqual(parseLock(text).models["qwen3:8b"], { digest: HEX("b"), size: 2 });
    assert.equal(formatLock(parseLock(text).models), text);
  });

  it("a malformed lock is a config error with its line", () => {
    const broken = `{\n  "version": 1,\n  "models": {\n    "llama3:latest": { "digest": "${
      HEX("a")
    }", "size": 1 }\n    "x": 3\n  }\n}\n`;
    assert.throws(() => parseLock(broken, "ci/ollama.lock"), (caught: unknown) => {
      assert.ok(caught instanceof ConfigError);
      assert.equal(caught.line, 5);
      assert.match(caught.message, /^ci\/ollama\.lock:5: not valid JSON/);
      assert.equal(caught.exitCode, 2);
      return true;
    });
    assert.throws(() => parseLock('{"version": 2, "models": {}}'), /unknown lock version 2/);
    assert.throws(
      () => parseLock(`{"version": 1, "models": {"llama3": {"digest": "xyz", "size": 1}}}`),
      /digest of llama3:latest must be 64 lowercase hex/,
    );
  });

  it("--locked: exit 6 naming both digests, or the model absent from the lock", async () => {
    const lock = parseLock(formatLock({ "llama3": { digest: HEX("a"), size: 1 } }));
    assert.deepEqual(checkLock(lock, [{ model: "LLAMA3", digest: HEX("a") }]), []);
    const ollama = scriptedOllama({
      installed: [
        { name: "llama3:latest", digest: HEX("b") },
        { name: "qwen3:8b", digest: HEX("c") },
      ],
    });
    const report = await ensureOllamaReady(
      { models: ["llama3", "qwen3:8b"] },
      { fetch: ollama.fetch, registry: false, lock, locked: true, lockPath: "ci/ollama.lock" },
    );
    assert.equal(report.exitCode, 6);
    assert.ok(report.error instanceof LockMismatchError);
    assert.match(
      report.error.message,
      /llama3:latest is bbbbbbbbbbbb, the lock says aaaaaaaaaaaa; qwen3:8b is not in the lock/,
    );
    assert.match(report.error.message, /ci\/ollama\.lock/);
    assert.match(report.error.message, /--write-lock/);
  });
});

describe("warm-up", () => {
  it("loads each local model (embed for embedding models), skips cloud models, reports the GPU share", async () => {
    const ollama = scriptedOllama({
      installed: [
        { name: "llama3:latest", digest: HEX("a"), capabilities: ["completion", "tools"] },
        { name: "all-minilm:latest", digest: HEX("b"), capabilities: ["embedding"] },
        { name: "gpt-oss:120b-cloud", digest: HEX("c"), remote: true },
      ],
      me: () => json({ name: "me" }),
      ps: [
        { name: "llama3:latest", size: 1000, size_vram: 410 },
        { name: "all-minilm:latest", size: 50, size_vram: 50 },
      ],
    });
    const report = await ensureOllamaReady(
      { models: ["llama3", "all-minilm", "gpt-oss:120b-cloud"], warm: true, keepAlive: "30m" },
      { fetch: ollama.fetch, registry: false },
    );
    assert.equal(report.ok, true, report.error?.message);
    assert.deepEqual(
      report.warmed.map((w) => [w.model, w.size, w.sizeVram, gpuShare(w.size, w.sizeVram)]),
      [
        ["llama3:latest", 1000, 410, "41% GPU / 59% CPU"],
        ["all-minilm:latest", 50, 50, "100% GPU"],
      ],
    );
    const loads = ollama.requests.filter((r) => /\/api\/(generate|embed)$/.test(r.url));
    assert.deepEqual(
      await Promise.all(loads.map(async (r) => [new URL(r.url).pathname, await r.json()])),
      [
        ["/api/generate", { model: "llama3:latest", keep_alive: "30m" }],
        ["/api/embed", { model: "all-minilm:latest", keep_alive: "30m" }],
      ],
    );
  });

  it("a model that cannot be loaded is exit 7 warm_failed with the server's reason", async () => {
    const ollama = scriptedOllama({
      installed: [{ name: "llama3:latest", digest: HEX("a") }],
      load: () =>
        json(
          { error: "model requires more system memory (9.2 GiB) than is available (3.1 GiB)" },
          500,
        ),
    });
    const report = await ensureOllamaReady(
      { models: ["llama3"] },
      { fetch: ollama.fetch, registry: false, warm: true },
    );
    assert.equal(report.exitCode, 7);
    assert.equal(report.error?.code, "warm_failed");
    assert.match(report.error?.message ?? "", /9\.2 GiB.*3\.1 GiB.*Free memory/);
  });
});

describe("fleets", () => {
  it("exit code: the highest, and an interruption wins", () => {
    assert.equal(fleetExitCode([]), 0);
    assert.equal(fleetExitCode([0, 3, 5]), 5);
    assert.equal(fleetExitCode([7, 130, 5]), 130);
    assert.equal(fleetExitCode([143, 0]), 143);
  });

  it("one host down never stops the others; each has its own report", async () => {
    const ready = scriptedOllama({ installed: [{ name: "llama3:latest", digest: HEX("a") }] });
    const nowhere = await unusedLoopbackUrl();
    const fleet = await ensureFleet(
      ensureOllamaReady,
      ["http://gpu-1:11434", nowhere],
      { models: ["llama3"], timeoutSecs: 2 },
      {
        registry: false,
        fetch: (input, init) =>
          String(input).startsWith("http://gpu-1") ? ready.fetch(input, init) : fetch(input, init),
      },
    );
    assert.deepEqual(fleet.hosts.map((h) => [h.baseUrl, h.exitCode]), [
      ["http://gpu-1:11434", 0],
      [nowhere, 3],
    ]);
    assert.equal(fleet.exitCode, 3);
    assert.equal(fleet.ok, false);
    assert.deepEqual(fleet.missing, ["llama3:latest"]);
    assert.equal(fleet.error?.code, "unreachable");
  });
});

describe("inputs the hook refuses as usage errors, not TypeErrors", () => {
  it("undefined config is the defaults; a string for models is a usage error", async () => {
    const ollama = scriptedOllama({ installed: [] });
    const none = await ensureOllamaReady(undefined, { fetch: ollama.fetch });
    assert.equal(none.exitCode, 0, none.error?.message);
    const wrong = await ensureOllamaReady(
      { models: "llama3" } as unknown as { models: string[] },
      { fetch: ollama.fetch },
    );
    assert.equal(wrong.exitCode, 2);
    assert.equal(wrong.error?.code, "usage");
    assert.deepEqual(wrong.missing, []);
    const nan = await ensureOllamaReady({ pullRetries: NaN }, { fetch: ollama.fetch });
    assert.equal(nan.exitCode, 2);
  });
});
