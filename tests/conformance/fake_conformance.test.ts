// Holds FakeOllama to the recorded real Ollama 0.33.0 (tests/fixtures/real/): every scenario the
// recorder ran against the real server runs again, the same code (_scenarios.ts), against a fresh
// fake that pulls from a FakeRegistry through its `registries` option; each exchange must match
// its recording in status, content type, pull statuses in order, the fields each kind of line
// carries or omits, the cadence class, exact error texts and JSON shapes, and the registry must
// be asked the same things in the same order. Scenarios that take the real server seconds run
// compressed (the registry's speeds, the fake's tick and Ollama's own timers scaled alike), so
// the whole suite takes a few seconds; timing is only ever compared by coarse class.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildRegistryModel,
  FakeOllama,
  type FakeOllamaOptions,
  FakeRegistry,
  REGISTRY_MEDIA_TYPES,
  type RegistryFault,
  registryModelName,
  serveFakeOllama,
} from "../../src/testing/mod.ts";
import { recordExchange, registryLog } from "./_record.ts";
import { loadTraces, REPLAY_REGISTRY } from "./_replay.ts";
import { type Context, pullBody, type Scenario, SCENARIOS } from "./_scenarios.ts";
import { exchangeShape, type PullShape, registryShape } from "./_shape.ts";
import type { Trace, TraceExchange } from "./_trace.ts";

/** How a scenario is run: `scale` compresses the registry, the sleeps and the tick alike. */
interface Profile {
  /** Wall time of the run / wall time of the recording. */
  scale: number;
  /** Ollama's own timers (30 s part restart, 1-32 s retry waits) / the real ones. Default `scale`. */
  ollamaScale?: number;
}

const INSTANT: Profile = { scale: 1 };
const COMPRESSED: Profile = { scale: 1 / 30 };
/** Minutes of Ollama's retry timers: the tick stays at 2 ms, the timers run 300 times faster. */
const LONG: Profile = { scale: 1 / 30, ollamaScale: 1 / 300 };
/** A 1 s retry wait kept at 100 ms, so that the lines repeated meanwhile stay many on a busy machine. */
const RETRY: Profile = { scale: 1 / 30, ollamaScale: 1 / 10 };

const PROFILES: Readonly<Record<string, Profile>> = {
  "pull-normal": COMPRESSED,
  "pull-multilayer": COMPRESSED,
  "pull-slow": COMPRESSED,
  "pull-stall-8s": COMPRESSED,
  "pull-cut": RETRY,
  "pull-disconnect-resume": COMPRESSED,
  "pull-concurrent": COMPRESSED,
  "pull-stall-40s": LONG,
  "pull-cut-always": LONG,
  "pull-data-5xx": LONG,
  "pull-blob-get-5xx": LONG,
  "tags-with-models": COMPRESSED,
};

/** Scenarios run first on the same fake, so that `tags-with-models` lists models of every kind. */
const BEFORE: Readonly<Record<string, readonly string[]>> = {
  "tags-with-models": ["pull-normal", "pull-multilayer", "pull-cloud-suffix", "load-no-runner"],
};

/**
 * Where the recording itself depended on a race, or on a margin a compressed run cannot keep,
 * both shapes are reduced alike before they are compared.
 */
const TOLERANCES: Readonly<Record<string, (shape: PullShape) => PullShape>> = {
  // One 50 ms chunk of the registry came before Ollama's first 60 ms tick: 10 ms of margin, which
  // the compressed run (a 2 ms tick, a 1.7 ms chunk) cannot hold: its first line may be `total`
  // only.
  "pull-slow": withoutTotalOnly,
  "pull-disconnect-resume": withoutTotalOnly,
  // Which of two clients finds the small blobs the other just downloaded is a race in Ollama.
  "pull-concurrent": withoutSmallLayers,
};

function withoutTotalOnly(shape: PullShape): PullShape {
  const fields = Object.fromEntries(
    Object.entries(shape.fields).map((
      [label, keys],
    ) => [label, keys.filter((set) => set !== "status,digest,total")]),
  );
  return { ...shape, fields };
}

function withoutSmallLayers(shape: PullShape): PullShape {
  const small = (label: string) => /^layer \d+$/.test(label) && Number(label.slice(6)) < 1024;
  const statuses = shape.statuses.filter((label) => !small(label) || /^layer 1[37]$/.test(label));
  const fields = Object.fromEntries(
    Object.entries(shape.fields).filter(([label]) => !small(label) || /^layer 1[37]$/.test(label)),
  );
  return { ...shape, statuses, fields };
}

/** A registry whose speeds and stalls follow the run's scale. */
class ScaledRegistry extends FakeRegistry {
  constructor(readonly scale: number) {
    super({ models: [], chunkMs: 50 * scale });
  }

  override setSpeed(bytesPerSecond: number | undefined): void {
    super.setSpeed(bytesPerSecond === undefined ? undefined : bytesPerSecond / this.scale);
  }

  override injectFault(fault: RegistryFault): void {
    super.injectFault(
      fault.kind === "stall" && fault.ms !== undefined
        ? { ...fault, ms: fault.ms * this.scale }
        : fault,
    );
  }
}

/** What the fake needs beyond the defaults to stand where the recorded server stood. */
function fakeOptions(trace: Trace): FakeOptionsExtra {
  if (trace.scenario !== "load-no-runner" && trace.scenario !== "tags-with-models") return {};
  // The recorded server had no model runner: every load failed with the same text.
  const load = traces.get("load-no-runner")!.exchanges.find((e) => e.label === "generate-load")!;
  const text = "text" in load.lines[0] ? load.lines[0].text : "{}";
  return { runner: { error: (JSON.parse(text) as { error: string }).error } };
}

type FakeOptionsExtra = Pick<FakeOllamaOptions, "runner">;

/** The template and params blobs were on the recorded server before every scenario. */
async function putSharedBlobs(fake: FakeOllama): Promise<void> {
  const model = await buildRegistryModel({ name: "shared", weightsSize: 16 });
  for (const layer of model.layers) {
    if (
      layer.mediaType !== REGISTRY_MEDIA_TYPES.template &&
      layer.mediaType !== REGISTRY_MEDIA_TYPES.params
    ) continue;
    const response = await fake.fetch(`http://fake/api/blobs/${layer.digest}`, {
      method: "POST",
      body: model.blobs.get(layer.digest)!,
    });
    assert.equal(response.status, 201);
  }
}

interface Run {
  exchanges: TraceExchange[];
  registry: string[];
  tickMs: number;
}

/** Runs `scenario` (after `before`) against a fresh fake; its exchanges and registry log. */
async function runOnFake(trace: Trace, names: readonly string[]): Promise<Run> {
  const profile = PROFILES[trace.scenario] ?? INSTANT;
  const { scale } = profile;
  const registry = new ScaledRegistry(scale);
  const tickMs = 60 * scale;
  const fake = new FakeOllama({
    tickMs,
    timeScale: profile.ollamaScale ?? scale,
    registries: { [REPLAY_REGISTRY]: registry.handler },
    ...fakeOptions(trace),
  });
  // The recording's first pull (pull-normal) found them absent; every later one, present.
  if (names[0] !== "pull-normal") await putSharedBlobs(fake);
  const server = await serveFakeOllama(fake);
  try {
    let exchanges: TraceExchange[] = [];
    let t0Epoch = 0;
    for (const name of names) {
      const scenario = SCENARIOS.find((s) => s.name === name)!;
      registry.clearFaults();
      registry.setSpeed(undefined);
      registry.clearRequests();
      t0Epoch = Date.now();
      exchanges = await runScenario(scenario, server.url, registry, scale);
    }
    const rows = registryLog(registry.requests(), t0Epoch);
    return { exchanges, registry: registryShape(rows), tickMs };
  } finally {
    await server.close();
    registry.close();
  }
}

async function runScenario(
  scenario: Scenario,
  url: string,
  registry: ScaledRegistry,
  scale: number,
): Promise<TraceExchange[]> {
  const t0 = performance.now();
  const exchanges: TraceExchange[] = [];
  const ctx: Context = {
    ollama: url,
    registry,
    host: REPLAY_REGISTRY,
    name: (model) => registryModelName(`http://${REPLAY_REGISTRY}`, model),
    publish: async (spec) => {
      await registry.publish({ ...spec, seed: `fake/${spec.name}` });
    },
    setup: {},
    observations: [],
    exchanges,
    t0,
    send: async (label, method, path, body, options = {}) => {
      const exchange = await recordExchange(url, { method, path, body }, {
        ...options,
        label,
        t0,
        abortAfterMs: options.abortAfterMs === undefined ? undefined : options.abortAfterMs * scale,
        maxMs: 10_000,
      });
      exchanges.push(exchange);
      return exchange;
    },
    pull: (label, model, extra = {}, options = {}) =>
      ctx.send(label, "POST", "/api/pull", pullBody(model, extra), options),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms * scale)),
  };
  await scenario.run(ctx);
  return exchanges;
}

/** Compares JSON shapes; lists of models compare the models both lists hold. */
function assertBodyMatches(fake: unknown, real: unknown, where: string): void {
  if (Array.isArray(real) && Array.isArray(fake)) {
    assert.equal(fake.length, real.length, `${where}: items`);
    real.forEach((item, i) => assertBodyMatches(fake[i], item, `${where}[${i}]`));
    return;
  }
  if (isModelList(real) && isModelList(fake)) {
    const common = Object.keys(real).filter((name) => name in fake);
    if (Object.keys(real).length > 0) {
      assert.ok(
        common.length > 0,
        `${where}: no model in common (fake lists ${Object.keys(fake)})`,
      );
    }
    for (const name of common) assert.deepEqual(fake[name], real[name], `${where}: ${name}`);
    return;
  }
  if (isObject(real) && isObject(fake)) {
    assert.deepEqual(Object.keys(fake), Object.keys(real), `${where}: keys`);
    for (const key of Object.keys(real)) assertBodyMatches(fake[key], real[key], `${where}.${key}`);
    return;
  }
  assert.deepEqual(fake, real, where);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isModelList(value: unknown): value is Record<string, unknown> {
  return isObject(value) && !("keys" in value) && !("text" in value);
}

const traces = loadTraces();

// The first pull of a process pays for compiling the fake's code (tens of ms): pay it here, not
// inside a scenario whose lines must come "at once".
await runOnFake(traces.get("pull-stream-false")!, ["pull-stream-false"]);

describe("the fake Ollama against the recorded real Ollama 0.33.0", () => {
  for (const trace of traces.values()) {
    it(trace.scenario, async () => {
      const names = [...(BEFORE[trace.scenario] ?? []), trace.scenario];
      const run = await runOnFake(trace, names);
      // Exchanges are listed as they ended (concurrent ones in either order): match by label.
      const labels = (list: TraceExchange[]) => list.map((e) => e.label).sort();
      assert.deepEqual(labels(run.exchanges), labels(trace.exchanges), "the same exchanges");
      for (const recorded of trace.exchanges) {
        const real = exchangeShape(recorded, 60);
        const ran = run.exchanges.find((e) => e.label === recorded.label)!;
        const fake = exchangeShape(ran, run.tickMs);
        const tolerate = TOLERANCES[trace.scenario];
        if (tolerate && real.pull && fake.pull) {
          real.pull = tolerate(real.pull);
          fake.pull = tolerate(fake.pull);
        }
        const where = `${trace.scenario} / ${recorded.label}`;
        const { body: realBody, ...realRest } = real;
        const { body: fakeBody, ...fakeRest } = fake;
        assert.deepEqual(fakeRest, realRest, where);
        assertBodyMatches(fakeBody, realBody, where);
      }
      if (trace.registry_requests !== undefined) {
        assert.deepEqual(run.registry, registryShape(trace.registry_requests), "registry requests");
      }
    });
  }
});
