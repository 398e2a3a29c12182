// Records what a REAL Ollama server does in each conformance scenario, as JSON traces in
// tests/fixtures/real/ (format: _trace.ts). It needs only the address of a running server; it
// starts its own fake registry on loopback, and the server pulls from it (`insecure`).
//
//   deno run -A tests/conformance/record.ts --url http://127.0.0.1:11434 [--only a,b] [--out DIR]
//   bun tests/conformance/record.ts --url ...
//
// Use a server with an empty model directory (some scenarios record the empty list) whose
// network is closed or which at least cannot reach ollama.com (what /api/me etc. answer depends
// on it). Pulls take about five minutes in all, mostly waiting for Ollama's own retry timers.
import { mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";
import { FakeRegistry, registryModelName, serveFakeOllama } from "../../src/testing/mod.ts";
import { recordExchange, registryLog } from "./_record.ts";
import { type Context, pullBody, SCENARIOS } from "./_scenarios.ts";
import { substitute, type Trace, TRACE_FORMAT, type TraceExchange } from "./_trace.ts";

function lastText(exchange: TraceExchange): string | undefined {
  const lines = exchange.lines.filter((entry) => "text" in entry) as { text: string }[];
  return lines.at(-1)?.text;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      only: { type: "string" },
      out: { type: "string" },
    },
  });
  const ollama = (values.url ?? process.env.OLLAMA_CONFORMANCE_URL ?? "").replace(/\/+$/, "");
  if (ollama === "") {
    console.error("usage: record.ts --url http://127.0.0.1:11434 [--only a,b] [--out DIR]");
    process.exit(2);
  }
  const out = values.out ?? new URL("../fixtures/real/", import.meta.url).pathname;
  mkdirSync(out, { recursive: true });
  const only = values.only?.split(",").map((name) => name.trim());
  const version = ((await (await fetch(`${ollama}/api/version`)).json()) as { version: string })
    .version;
  const registry = new FakeRegistry({ models: [] });
  const served = await serveFakeOllama(registry.handler);
  const host = new URL(served.url).host;
  const dataHost = `localhost:${served.port}`;
  const run = Date.now().toString(36);
  console.error(`recording Ollama ${version} at ${ollama}; registry ${served.url}; run ${run}`);
  try {
    for (const scenario of SCENARIOS) {
      if (only && !only.includes(scenario.name)) continue;
      registry.clearFaults();
      registry.setSpeed(undefined);
      registry.clearRequests();
      const t0 = performance.now();
      const t0Epoch = Date.now();
      const exchanges: TraceExchange[] = [];
      const ctx: Context = {
        ollama,
        registry,
        host,
        name: (model) => registryModelName(served.url, model),
        publish: async (spec) => {
          await registry.publish({ ...spec, seed: `${run}/${spec.name}` });
        },
        setup: {},
        observations: [],
        exchanges,
        t0,
        send: async (label, method, path, body, options = {}) => {
          const exchange = await recordExchange(ollama, { method, path, body }, {
            label,
            t0,
            ...options,
          });
          exchanges.push(exchange);
          return exchange;
        },
        pull: (label, model, extra = {}, options = {}) =>
          ctx.send(label, "POST", "/api/pull", pullBody(model, extra), options),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      };
      const started = Date.now();
      await scenario.run(ctx);
      const trace: Trace = {
        format: TRACE_FORMAT,
        scenario: scenario.name,
        description: scenario.description,
        ollama_version: version,
        recorded_at: new Date().toISOString(),
        setup: ctx.setup,
        exchanges,
        registry_requests: registryLog(registry.requests(), t0Epoch),
        observations: ctx.observations,
      };
      if (trace.registry_requests?.length === 0) delete trace.registry_requests;
      if (trace.observations?.length === 0) delete trace.observations;
      const stable = substitute(trace, [[host, "{registry}"], [dataHost, "{data}"], [
        run,
        "{run}",
      ]]);
      writeFileSync(`${out}/${scenario.name}.json`, JSON.stringify(stable, null, 2) + "\n");
      const summary = exchanges.map((e) => `${e.label}:${e.status}/${e.end.how}`).join(" ");
      console.error(
        `${scenario.name} (${((Date.now() - started) / 1000).toFixed(1)} s): ${summary}; ${
          lastText(exchanges.at(-1)!)?.slice(0, 120) ?? ""
        }`,
      );
    }
  } finally {
    await served.close();
  }
}

await main();
