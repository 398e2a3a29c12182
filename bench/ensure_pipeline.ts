/**
 * Pipelined `ensure`: four missing models of equal size, each pull's download limited (the fake
 * Ollama's `bytesPerSecond` applies to each pull, as a per-connection registry limit does), made
 * ready by `ensureOllamaReady` at `pull_concurrency` 1, 2 and 4, against one model alone. Target:
 * four at concurrency 2 take at most 2.2 times one pull (two rounds of two, plus overhead).
 *
 * Run: `deno run -A bench/ensure_pipeline.ts [--json] [--runs N]`
 *
 * @module
 */

import { ensureOllamaReady } from "../mod.ts";
import { FakeOllama, serveFakeOllama, smallCatalog } from "../src/testing/mod.ts";
import { type BenchFigure, finishTimed, median, round } from "./_report.ts";
import { runsArg, spread } from "./fixtures/timing.ts";

const RUNS = runsArg(Deno.args, 3);
const MODEL_BYTES = 3_000_000;
const BYTES_PER_SECOND = 6_000_000; // one pull: about half a second of download
const MODELS = ["m1:latest", "m2:latest", "m3:latest", "m4:latest"];
const TARGET = 2.2;

const started = performance.now();
const failures: string[] = [];

/** One `ensure` against a fresh fake (every model missing); its wall time in ms. */
async function ensureOnce(
  models: string[],
  concurrency: number,
): Promise<number> {
  const fake = new FakeOllama({
    models: [],
    catalog: smallCatalog(
      Object.fromEntries(MODELS.map((m) => [m, [MODEL_BYTES, 500]])),
    ),
    bytesPerSecond: BYTES_PER_SECOND,
  });
  const server = await serveFakeOllama(fake);
  try {
    const t0 = performance.now();
    const report = await ensureOllamaReady({
      models,
      pullConcurrency: concurrency,
    }, {
      env: {},
      host: server.url,
      registry: false,
    });
    const ms = performance.now() - t0;
    if (!report.ok || report.pulled.length !== models.length) {
      failures.push(
        `${models.length} at ${concurrency}: ${report.error?.message ?? "not pulled"}`,
      );
    }
    return ms;
  } finally {
    await server.close();
  }
}

const cases = [
  { key: "one", models: MODELS.slice(0, 1), concurrency: 1 },
  { key: "four at 1", models: MODELS, concurrency: 1 },
  { key: "four at 2", models: MODELS, concurrency: 2 },
  { key: "four at 4", models: MODELS, concurrency: 4 },
];
const times = new Map<string, number[]>(cases.map((c) => [c.key, []]));
for (let r = 0; r < RUNS; r++) {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[(r + i) % cases.length];
    times.get(c.key)!.push(await ensureOnce(c.models, c.concurrency));
  }
}

const one = median(times.get("one")!);
const figures: BenchFigure[] = [{
  name: "one model alone (the unit)",
  value: one,
  unit: "ms",
  detail: spread(times.get("one")!),
}];
for (const c of cases.slice(1)) {
  const t = times.get(c.key)!;
  const ratio = median(t) / one;
  figures.push({
    name: `four models, pull_concurrency ${c.concurrency}: wall / one pull`,
    value: ratio,
    unit: "x",
    ...(c.concurrency === 2 ? { target: `<= ${TARGET}`, pass: ratio <= TARGET } : {}),
    detail: `${round(median(t))} ms; ${spread(t)}; ideal ${4 / c.concurrency}x`,
  });
}

finishTimed(
  {
    title: "Pipelined ensure",
    command: "deno run -A bench/ensure_pipeline.ts",
    figures,
    notes: [
      `Method: the fake Ollama (bench process, loopback HTTP), models of ${
        round(MODEL_BYTES / 1e6)
      } MB + 500 B, each pull limited to ${round(BYTES_PER_SECOND / 1e6)} MB/s (its default ` +
      "60 ms progress lines), a fresh fake per run so that every model is missing; " +
      "`ensureOllamaReady` with the registry off; wall time of the whole call (health check, " +
      "list, pulls, the listing check after each, the final list). " +
      `${RUNS} runs per case, interleaved; medians.`,
    ],
  },
  failures,
  started,
);
