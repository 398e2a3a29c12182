// The scenarios of the real-Ollama recordings (tests/fixtures/real/), shared by the recorder
// (record.ts, against a real server) and by the suite that holds the fake to the recordings
// (fake_conformance.test.ts, against FakeOllama). Each scenario drives one server through a
// Context: it publishes models to the fake registry, sets its speed and faults, and sends
// requests. Not a test file.
import { cloudStub, type FakeRegistry } from "../../src/testing/mod.ts";
import type { RegistryFault, RegistryModelSpec } from "../../src/testing/mod.ts";
import type { RecordOptions } from "./_record.ts";
import type { TraceExchange } from "./_trace.ts";

const MiB = 1024 * 1024;
const KiB = 1024;

export interface Context {
  ollama: string;
  registry: FakeRegistry;
  /** `127.0.0.1:<port>` of the registry. */
  host: string;
  /** The name a pull uses for a registry model. */
  name(model: string): string;
  /** Publishes a model with a seed unique to this run (so no blob is on the server yet). */
  publish(spec: RegistryModelSpec): Promise<void>;
  setup: Record<string, unknown>;
  observations: string[];
  exchanges: TraceExchange[];
  t0: number;
  /** Records one request (on the scenario's clock). */
  send(
    label: string,
    method: string,
    path: string,
    body?: unknown,
    options?: RecordOptions,
  ): Promise<TraceExchange>;
  /** Records a streamed pull of `model` (insecure unless said otherwise). */
  pull(
    label: string,
    model: string,
    extra?: Record<string, unknown>,
    options?: RecordOptions,
  ): Promise<TraceExchange>;
  sleep(ms: number): Promise<void>;
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: Context): Promise<void>;
}

export const pullBody = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  insecure: true,
  ...extra,
});

/**
 * A scenario that pulls one model while the registry has one fault (scoped to that model), at an
 * optional speed; `after` may add observations.
 */
function faultScenario(
  name: string,
  description: string,
  spec: RegistryModelSpec,
  fault: RegistryFault,
  bytesPerSecond?: number,
  after?: (ctx: Context) => void,
): Scenario {
  return {
    name,
    description,
    async run(ctx) {
      await ctx.publish(spec);
      ctx.registry.setSpeed(bytesPerSecond);
      const scoped = { ...fault, model: spec.name };
      ctx.registry.injectFault(scoped);
      Object.assign(ctx.setup, { bytes_per_second: bytesPerSecond ?? null, faults: [scoped] });
      await ctx.pull("pull", ctx.name(spec.name));
      after?.(ctx);
    },
  };
}

/** The `completed` of a progress line, or undefined. */
function completedOf(text: string): number | undefined {
  try {
    const value = JSON.parse(text) as { completed?: number };
    return value.completed;
  } catch {
    return undefined;
  }
}

export const SCENARIOS: Scenario[] = [
  {
    name: "health",
    description: "GET /, HEAD /, GET and HEAD /api/version, an unknown route, a wrong method",
    async run(ctx) {
      await ctx.send("root", "GET", "/");
      await ctx.send("root-head", "HEAD", "/");
      await ctx.send("version", "GET", "/api/version");
      await ctx.send("version-head", "HEAD", "/api/version");
      await ctx.send("unknown-route", "GET", "/api/nope");
      await ctx.send("wrong-method", "DELETE", "/api/version");
      await ctx.send("tags-wrong-method", "POST", "/api/tags", {});
    },
  },
  {
    name: "tags-empty",
    description: "the model list of a server with no models: /api/tags, HEAD /api/tags, /v1/models",
    async run(ctx) {
      await ctx.send("tags", "GET", "/api/tags");
      await ctx.send("tags-head", "HEAD", "/api/tags");
      await ctx.send("v1-models", "GET", "/v1/models");
      await ctx.send("ps", "GET", "/api/ps");
    },
  },
  {
    name: "pull-normal",
    description: "a 2 MiB model (weights, template, params, license, config) at 1 MiB/s",
    async run(ctx) {
      await ctx.publish({ name: "normal", weightsSize: 2 * MiB });
      ctx.registry.setSpeed(MiB);
      ctx.setup.bytes_per_second = MiB;
      await ctx.pull("pull", ctx.name("normal"));
      await ctx.send("tags", "GET", "/api/tags");
    },
  },
  {
    name: "pull-multilayer",
    description: "a vision-style model: 12 MiB weights then a 6 MiB projector, at 4 MiB/s",
    async run(ctx) {
      await ctx.publish({ name: "vision", weightsSize: 12 * MiB, projectorSize: 6 * MiB });
      ctx.registry.setSpeed(4 * MiB);
      ctx.setup.bytes_per_second = 4 * MiB;
      const pull = await ctx.pull("pull", ctx.name("vision"));
      const digests = new Set<string>();
      for (const entry of pull.lines) {
        if (!("text" in entry)) continue;
        const digest = (JSON.parse(entry.text) as { digest?: string }).digest;
        if (digest && !digests.has(digest)) {
          digests.add(digest);
          ctx.observations.push(`layer ${digest.slice(7, 19)} first announced at ${entry.ms} ms`);
        }
      }
    },
  },
  {
    name: "pull-slow",
    description: "a 1 MiB model at 128 KiB/s (about 8 s)",
    async run(ctx) {
      await ctx.publish({ name: "slow", weightsSize: MiB });
      ctx.registry.setSpeed(128 * KiB);
      ctx.setup.bytes_per_second = 128 * KiB;
      await ctx.pull("pull", ctx.name("slow"));
    },
  },
  faultScenario(
    "pull-stall-8s",
    "the registry sends no bytes for 8 s at 512 KiB of a 2 MiB blob (1 MiB/s), then the rest",
    { name: "stall8", weightsSize: 2 * MiB },
    { kind: "stall", at: 512 * KiB, ms: 8000, times: 1 },
    MiB,
  ),
  faultScenario(
    "pull-stall-40s",
    "the registry's first data connection falls silent for good at 512 KiB (longer than Ollama's 30 s part restart); later connections are fine",
    { name: "stall40", weightsSize: 2 * MiB },
    { kind: "stall", at: 512 * KiB, times: 1 },
    MiB,
    (ctx) => {
      const data = ctx.registry.requests("data").filter((r) => r.repository === "library/stall40");
      if (data.length >= 2) {
        ctx.observations.push(
          `Ollama opened a new data connection ${
            data[1].startedAt.getTime() - data[0].startedAt.getTime()
          } ms after the stalled one started; the stalled one ended as ${data[0].outcome}`,
        );
      }
    },
  ),
  faultScenario(
    "pull-cut",
    "the registry cuts the data connection once at 1 MiB of a 2 MiB blob (1 MiB/s)",
    { name: "cut", weightsSize: 2 * MiB },
    { kind: "cut", at: MiB, times: 1 },
    MiB,
  ),
  faultScenario(
    "pull-cut-always",
    "every data connection of the weights is cut at 512 KiB (so every retry gets 0 bytes): Ollama's own part retries run out",
    { name: "cutalways", weightsSize: 2 * MiB },
    { kind: "cut", at: 512 * KiB },
  ),
  {
    name: "pull-disconnect-resume",
    description:
      "a client leaves 1.5 s into a 2 MiB pull at 512 KiB/s; what the registry sees; then a re-pull",
    async run(ctx) {
      await ctx.publish({ name: "disc", weightsSize: 2 * MiB });
      ctx.registry.setSpeed(512 * KiB);
      ctx.setup.bytes_per_second = 512 * KiB;
      await ctx.pull("pull-then-leave", ctx.name("disc"), {}, { abortAfterMs: 1500 });
      await ctx.sleep(2000);
      const data = ctx.registry.requests("data").filter((r) => r.repository === "library/disc");
      ctx.observations.push(
        `2 s after the client left, the registry's data requests: ${
          JSON.stringify(data.map((r) => ({ outcome: r.outcome, bytes: r.bytesSent })))
        }`,
      );
      const again = await ctx.pull("re-pull", ctx.name("disc"));
      const first = again.lines.find((entry) => "text" in entry && completedOf(entry.text));
      if (first && "text" in first) {
        ctx.observations.push(`re-pull's first progress line: ${first.text}`);
      }
    },
  },
  {
    name: "pull-concurrent",
    description:
      "two clients pull the same 2 MiB model (1 MiB/s), the second 500 ms after the first",
    async run(ctx) {
      await ctx.publish({ name: "twice", weightsSize: 2 * MiB });
      ctx.registry.setSpeed(MiB);
      ctx.setup.bytes_per_second = MiB;
      const first = ctx.pull("first", ctx.name("twice"));
      await ctx.sleep(500);
      const second = ctx.pull("second", ctx.name("twice"));
      await Promise.all([first, second]);
      const data = ctx.registry.requests("data").filter((r) => r.repository === "library/twice");
      ctx.observations.push(`data requests at the registry: ${data.length}`);
    },
  },
  {
    name: "pull-404",
    description: "a model the registry does not have",
    async run(ctx) {
      await ctx.pull("pull", ctx.name("nope"));
      await ctx.pull("pull-stream-false", ctx.name("nope"), { stream: false });
    },
  },
  faultScenario(
    "pull-manifest-5xx",
    "the registry answers 503 to every manifest request",
    { name: "m5xx", weightsSize: 64 * KiB },
    { kind: "status", endpoint: "manifest", status: 503 },
  ),
  faultScenario(
    "pull-blob-head-5xx",
    "the registry answers 500 to HEAD (and GET) of the weights blob",
    { name: "b5xx", weightsSize: 64 * KiB },
    { kind: "status", endpoint: "blob", status: 500 },
  ),
  faultScenario(
    "pull-blob-get-5xx",
    "the registry answers HEAD of the weights blob but 502 to every GET of it (the redirect request)",
    { name: "g5xx", weightsSize: 64 * KiB },
    { kind: "status", endpoint: "blob", method: "GET", status: 502 },
  ),
  faultScenario(
    "pull-data-5xx",
    "the data URL answers 500 (a short JSON body instead of bytes) to every request",
    { name: "d5xx", weightsSize: 64 * KiB },
    { kind: "status", endpoint: "data", status: 500 },
  ),
  faultScenario(
    "pull-no-location",
    "the registry answers the blob GET with 200 and the bytes, without Location",
    { name: "noloc", weightsSize: 64 * KiB },
    { kind: "no_location" },
  ),
  {
    name: "pull-insecure-missing",
    description: "a pull from the plain-http registry without insecure, and with insecure: false",
    async run(ctx) {
      await ctx.publish({ name: "secure", weightsSize: 64 * KiB });
      await ctx.send("no-insecure", "POST", "/api/pull", { model: ctx.name("secure") });
      await ctx.send("insecure-false", "POST", "/api/pull", {
        model: ctx.name("secure"),
        insecure: false,
      });
      await ctx.send("no-insecure-stream-false", "POST", "/api/pull", {
        model: ctx.name("secure"),
        stream: false,
      });
    },
  },
  {
    name: "pull-local-suffix",
    description:
      "x:local: host-qualified from the registry (then what /api/tags lists), and bare (default registry, closed network)",
    async run(ctx) {
      await ctx.publish({ name: "localm", weightsSize: 64 * KiB });
      await ctx.pull("registry-local", `${ctx.host}/library/localm:local`);
      await ctx.send("tags", "GET", "/api/tags");
      await ctx.pull("bare-local", "localm:local", {}, { maxMs: 60_000 });
      await ctx.pull("bare-default", "localm", {}, { maxMs: 60_000 });
    },
  },
  {
    name: "pull-cloud-suffix",
    description:
      "x:8b:cloud and x:cloud from the registry (stubs with remote_host/remote_model); /api/tags and /api/show of them",
    async run(ctx) {
      await ctx.publish(cloudStub("cloudy:8b-cloud", "cloudy:8b", { parameterSize: "8B" }));
      await ctx.publish(
        cloudStub("cloudy:cloud", "cloudy", {
          quantization: undefined,
          remote: { host: "https://ollama.com:443", model: "cloudy" },
        }),
      );
      await ctx.pull("8b-cloud-suffix", `${ctx.host}/library/cloudy:8b:cloud`);
      await ctx.pull("cloud-tag", `${ctx.host}/library/cloudy:cloud`);
      await ctx.send("tags", "GET", "/api/tags");
      await ctx.send(
        "show",
        "POST",
        "/api/show",
        { model: `${ctx.host}/library/cloudy:8b-cloud` },
        {
          maxMs: 60_000,
        },
      );
      await ctx.send("generate-load", "POST", "/api/generate", {
        model: `${ctx.host}/library/cloudy:8b-cloud`,
      }, { maxMs: 60_000 });
    },
  },
  {
    name: "pull-local-cloud-mix",
    description: "names mixing :local and :cloud",
    async run(ctx) {
      for (
        const name of [
          "x:local:cloud",
          "x:cloud:local",
          "x:8b-cloud:local",
          `${ctx.host}/library/x:8b:local:cloud`,
        ]
      ) {
        await ctx.send(name, "POST", "/api/pull", pullBody(name));
      }
    },
  },
  {
    name: "pull-scheme-whitespace",
    description: "names with an http:// or https:// scheme and surrounding whitespace",
    async run(ctx) {
      await ctx.publish({ name: "schemed", weightsSize: 64 * KiB });
      await ctx.pull("http-scheme-spaces-insecure", `  http://${ctx.host}/library/schemed  `);
      await ctx.send("tags", "GET", "/api/tags");
      await ctx.send("http-scheme-no-insecure", "POST", "/api/pull", {
        model: `http://${ctx.host}/library/schemed`,
      });
      await ctx.send(
        "https-scheme-insecure",
        "POST",
        "/api/pull",
        pullBody(`https://${ctx.host}/library/schemed`),
      );
      await ctx.send("tab-newline", "POST", "/api/pull", pullBody(`\t${ctx.name("schemed")}\n`));
    },
  },
  {
    name: "pull-invalid-names",
    description: "names Ollama rejects, and a missing body",
    async run(ctx) {
      for (
        const name of [
          "",
          "bad name!",
          "registry.ollama.ai/llama3",
          `tiny@sha256:${"a".repeat(64)}`,
          "a/b/c/d",
        ]
      ) {
        await ctx.send(JSON.stringify(name), "POST", "/api/pull", pullBody(name));
      }
      await ctx.send("no-body", "POST", "/api/pull");
      await ctx.send("not-json", "POST", "/api/pull", undefined, { rawBody: "{nope" });
    },
  },
  {
    name: "pull-stream-false",
    description: "stream: false, success",
    async run(ctx) {
      await ctx.publish({ name: "quiet", weightsSize: 64 * KiB });
      await ctx.pull("pull", ctx.name("quiet"), { stream: false });
    },
  },
  faultScenario(
    "pull-newer-version",
    "the registry answers the manifest with 412 and its newer-version text",
    { name: "future", weightsSize: 64 * KiB },
    { kind: "newer_version" },
  ),
  {
    name: "tag-moved",
    description:
      "a model is pulled, its tag moves in the registry (new weights), /api/tags vs the registry's digest, then a re-pull",
    async run(ctx) {
      await ctx.publish({ name: "moved", weightsSize: 256 * KiB });
      await ctx.pull("pull", ctx.name("moved"));
      await ctx.send("tags-before", "GET", "/api/tags");
      const { before, after } = await ctx.registry.moveTag("moved");
      ctx.observations.push(`registry manifest digest before the move ${before}, after ${after}`);
      await ctx.pull("re-pull", ctx.name("moved"));
      await ctx.send("tags-after", "GET", "/api/tags");
    },
  },
  {
    name: "blobs-head",
    description: "HEAD /api/blobs/<digest> for a present and an absent blob, and malformed digests",
    async run(ctx) {
      await ctx.publish({ name: "blobby", weightsSize: 64 * KiB });
      await ctx.pull("pull", ctx.name("blobby"), { stream: false });
      const model = (await ctx.registry.model("blobby"))!;
      const digest = model.layers[0].digest;
      ctx.setup.present_digest = digest;
      await ctx.send("present", "HEAD", `/api/blobs/${digest}`);
      await ctx.send("present-dash", "HEAD", `/api/blobs/${digest.replace(":", "-")}`);
      await ctx.send("absent", "HEAD", `/api/blobs/sha256:${"0".repeat(64)}`);
      await ctx.send("malformed", "HEAD", "/api/blobs/sha256:xyz");
      await ctx.send("present-get", "GET", `/api/blobs/${digest}`);
    },
  },
  {
    name: "load-no-runner",
    description:
      "/api/ps, then loading models on a server with no model runner: /api/generate without prompt, /api/embed without input, keep_alive",
    async run(ctx) {
      await ctx.publish({ name: "loadme", weightsSize: 64 * KiB });
      await ctx.publish({
        name: "embedme",
        weightsSize: 64 * KiB,
        family: "bert",
        embedding: true,
        template: null,
        params: null,
      });
      await ctx.pull("pull-loadme", ctx.name("loadme"), { stream: false });
      await ctx.pull("pull-embedme", ctx.name("embedme"), { stream: false });
      await ctx.send("ps-before", "GET", "/api/ps");
      const opts = { maxMs: 60_000 };
      await ctx.send("generate-load", "POST", "/api/generate", { model: ctx.name("loadme") }, opts);
      await ctx.send("generate-load-keepalive", "POST", "/api/generate", {
        model: ctx.name("loadme"),
        keep_alive: "30m",
      }, opts);
      await ctx.send("generate-embedding-model", "POST", "/api/generate", {
        model: ctx.name("embedme"),
      }, opts);
      await ctx.send("embed-load", "POST", "/api/embed", { model: ctx.name("embedme") }, opts);
      await ctx.send("embed-completion-model", "POST", "/api/embed", {
        model: ctx.name("loadme"),
      }, opts);
      await ctx.send("generate-missing", "POST", "/api/generate", { model: "missing-model" }, opts);
      await ctx.send("generate-unload", "POST", "/api/generate", {
        model: ctx.name("loadme"),
        keep_alive: 0,
      }, opts);
      await ctx.send("ps-after", "GET", "/api/ps");
    },
  },
  {
    name: "me-status",
    description:
      "POST /api/me and GET /api/status on a server that is not signed in, network closed",
    async run(ctx) {
      await ctx.send("me", "POST", "/api/me", undefined, { maxMs: 60_000 });
      await ctx.send("me-get", "GET", "/api/me");
      await ctx.send("status", "GET", "/api/status");
    },
  },
  {
    name: "show",
    description: "/api/show of an installed model, a missing one, and a verbose one",
    async run(ctx) {
      await ctx.publish({ name: "showme", weightsSize: 64 * KiB });
      await ctx.pull("pull", ctx.name("showme"), { stream: false });
      await ctx.send("show", "POST", "/api/show", { model: ctx.name("showme") });
      await ctx.send("show-missing", "POST", "/api/show", { model: "missing-model" });
      await ctx.send("show-name-field", "POST", "/api/show", { name: ctx.name("showme") });
    },
  },
  {
    name: "tags-with-models",
    description: "/api/tags and /v1/models after the other scenarios pulled models of every kind",
    async run(ctx) {
      await ctx.send("tags", "GET", "/api/tags");
      await ctx.send("v1-models", "GET", "/v1/models");
    },
  },
];
