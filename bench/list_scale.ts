/**
 * A server with 50,000 installed models: what finding one model in `GET /api/tags` costs, per
 * listed model. Ours (`OllamaClient.hasModel`, which compares normalized names; the startup
 * hook, which indexes every listed name by its normalized form) against the official client
 * (`ollama` on npm: `list()`, then an exact `name ===`, which does less) and the floor
 * (`JSON.parse` of the same body). Each contender gets a fresh `Response` over the same bytes
 * from an injected `fetch`; times are medians of interleaved runs in one process.
 *
 * Run: `deno run -A bench/list_scale.ts [--json] [--models N] [--runs N]`
 *
 * @module
 */

// A dependency of this benchmark only, pinned inline (as in decode_bench.ts).
// deno-lint-ignore no-import-prefix
import { Ollama } from "npm:ollama@0.6.4";
import { ensureOllamaReady, OllamaClient } from "../mod.ts";
import { type BenchFigure, median, option, report, round } from "./_report.ts";
import { runsArg, spread } from "./fixtures/timing.ts";

const MODELS = Number(option(Deno.args, "--models") ?? 50_000);
const RUNS = runsArg(Deno.args, 11);
const HOST = "http://127.0.0.1:11434";
const started = performance.now();

/** The installed models, as a real Ollama lists them (newest first); the wanted one is last. */
function tagsBody(count: number): string {
  const models = [];
  for (let i = 0; i < count; i++) {
    const name = i === count - 1 ? "llama3:latest" : `team${i % 97}/model-${i}:q${i % 8}`;
    models.push({
      name,
      model: name,
      modified_at: "2026-11-02T10:11:12.123456789Z",
      size: 4_661_224_676 + i,
      digest: (i.toString(16) + "0".repeat(64)).slice(0, 64),
      details: {
        parent_model: "",
        format: "gguf",
        family: "llama",
        families: ["llama"],
        parameter_size: "8.0B",
        quantization_level: "Q4_0",
      },
    });
  }
  return JSON.stringify({ models });
}

const body = new TextEncoder().encode(tagsBody(MODELS));
const fetchTags = () =>
  Promise.resolve(
    new Response(body, {
      headers: {
        "content-type": "application/json",
        "content-length": `${body.length}`,
      },
    }),
  );
// The hook also asks for the version first.
const fetchBoth = (input: string | URL | Request) =>
  String(input instanceof Request ? input.url : input).endsWith("/api/version")
    ? Promise.resolve(Response.json({ version: "0.33.0" }))
    : fetchTags();

const contenders: Record<string, () => Promise<unknown>> = {
  "floor: JSON.parse of the body": async () => {
    const parsed = await (await fetchTags()).json() as {
      models: { name: string }[];
    };
    if (parsed.models.length !== MODELS) throw new Error("floor: wrong count");
  },
  "npm:ollama list() + exact name": async () => {
    const { models } = await new Ollama({ host: HOST, fetch: fetchTags })
      .list();
    if (models.find((m) => m.name === "llama3:latest") === undefined) {
      throw new Error("ollama-js");
    }
  },
  "ours: client.hasModel (normalized names)": async () => {
    if (
      !(await new OllamaClient(HOST, { fetch: fetchTags }).hasModel("llama3"))
    ) {
      throw new Error("hasModel");
    }
  },
  "ours: client.listModels": async () => {
    const models = await new OllamaClient(HOST, { fetch: fetchTags })
      .listModels();
    if (models.length !== MODELS) throw new Error("listModels");
  },
  "ours: ensureOllamaReady, check (version + list + index)": async () => {
    const report = await ensureOllamaReady({
      models: ["llama3"],
      autoPull: false,
    }, {
      env: {},
      host: HOST,
      fetch: fetchBoth,
      registry: false,
    });
    if (!report.ok) throw new Error(`hook: ${report.error?.message}`);
  },
};

const times = new Map<string, number[]>(
  Object.keys(contenders).map((name) => [name, []]),
);
const names = Object.keys(contenders);
for (let round = 0; round <= RUNS; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(round + i) % names.length];
    const t0 = performance.now();
    await contenders[name]();
    if (round > 0) times.get(name)!.push(performance.now() - t0);
  }
}

const floor = median(times.get(names[0])!);
const official = median(times.get(names[1])!);
const figures: BenchFigure[] = [];
for (const name of names) {
  const t = times.get(name)!;
  const perModelUs = (median(t) * 1000) / MODELS;
  const overFloorUs = ((median(t) - floor) * 1000) / MODELS;
  figures.push({
    name: `${name}, ${MODELS} models`,
    value: median(t),
    unit: "ms",
    detail: `${spread(t)}; ${round(perModelUs)} µs per model, ${
      round(overFloorUs)
    } µs over the floor; ${round(median(t) / official)}x npm:ollama`,
  });
}
const ours = median(times.get("ours: client.hasModel (normalized names)")!);
figures.push({
  name: "hasModel / npm:ollama (time; below 1 is faster)",
  value: ours / official,
  unit: "x",
  detail: "informational: npm:ollama compares exact names, ours normalized ones",
});

report({
  title: `Finding a model among ${MODELS} installed`,
  command: "deno run -A bench/list_scale.ts",
  figures,
  notes: [
    `The body: ${round(body.length / 1e6)} MB of \`GET /api/tags\` in Ollama's shape, the wanted ` +
    "model listed last. " +
    `${RUNS} runs per contender after one warm-up round, interleaved; medians. npm:ollama ` +
    "matches the exact listed name; ours normalizes both sides (`LLAMA3`, `llama3` and " +
    "`registry.ollama.ai/library/llama3:latest` are one model), and the hook also indexes every " +
    "listed model by its normalized name. " +
    `Total bench time: ${round((performance.now() - started) / 1000)} s.`,
  ],
}, Deno.args);
