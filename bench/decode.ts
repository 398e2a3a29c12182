/**
 * Decode throughput, as a report section: runs `deno bench --json bench/decode_bench.ts` and
 * turns its numbers into the ratios issue 5 sets as targets, measured side by side in that one
 * run: ours >= 2x the official client, and >= 50% of the `JSON.parse` floor.
 *
 * Run: `deno run -A bench/decode.ts [--json]`.
 *
 * @module
 */

import { type BenchFigure, report, round } from "./_report.ts";
import { recordPull } from "./fixtures/pull_stream.ts";

interface BenchResult {
  n: number;
  min: number;
  avg: number;
  p75: number;
}

interface BenchEntry {
  name: string;
  group?: string;
  results: { ok?: BenchResult }[];
}

const output = await new Deno.Command(Deno.execPath(), {
  args: ["bench", "--json", "-A", "--no-check", "bench/decode_bench.ts"],
  cwd: new URL("..", import.meta.url),
  stdout: "piped",
  stderr: "inherit",
}).output();
if (!output.success) throw new Error("deno bench failed");
const { benches } = JSON.parse(new TextDecoder().decode(output.stdout)) as {
  benches: BenchEntry[];
};

const recorded = recordPull();
const mb = recorded.bytes / 1e6;

function result(group: string, prefix: string): BenchResult {
  const entry = benches.find((b) => b.group === group && b.name.startsWith(prefix));
  const ok = entry?.results[0]?.ok;
  if (ok === undefined) throw new Error(`no result for "${prefix}" in "${group}"`);
  // deno bench reports nanoseconds; milliseconds from here on.
  return { n: ok.n, min: ok.min / 1e6, avg: ok.avg / 1e6, p75: ok.p75 / 1e6 };
}

const figures: BenchFigure[] = [];
for (const group of ["mixed chunks", "one line per chunk"]) {
  const ours = result(group, "ours: OllamaClient.pullModelStream");
  const decoder = result(group, "ours: decodeJsonLines");
  const official = result(group, "npm:ollama");
  const floor = result(group, "floor:");
  const primary = group === "mixed chunks";
  const spread = (r: BenchResult) =>
    `${group}; min ${round(r.min)}, p75 ${round(r.p75)} ms, n ${r.n}; ` +
    `${round(recorded.lines.length / (r.avg / 1000) / 1000)}k lines/s, ${
      round(mb / (r.avg / 1000))
    } MB/s`;
  figures.push(
    { name: "(a) ours: pullModelStream", value: ours.avg, unit: "ms", detail: spread(ours) },
    {
      name: "(a') ours: decodeJsonLines alone",
      value: decoder.avg,
      unit: "ms",
      detail: spread(decoder),
    },
    {
      name: "(b) npm:ollama@0.6.4 pull({ stream: true })",
      value: official.avg,
      unit: "ms",
      detail: spread(official),
    },
    {
      name: "(c) floor: JSON.parse of pre-split lines",
      value: floor.avg,
      unit: "ms",
      detail: spread(floor),
    },
    {
      name: "(a) speed vs (b): b / a",
      value: official.avg / ours.avg,
      unit: "x",
      ...(primary ? { target: ">= 2x", pass: official.avg / ours.avg >= 2 } : {}),
      detail: `${group}; by minimum times ${round(official.min / ours.min)}x`,
    },
    {
      name: "(a) as a share of the floor's speed: c / a",
      value: (floor.avg / ours.avg) * 100,
      unit: "%",
      ...(primary ? { target: ">= 50%", pass: floor.avg / ours.avg >= 0.5 } : {}),
      detail: `${group}; by minimum times ${round((floor.min / ours.min) * 100)}%`,
    },
  );
}

report({
  title: "Decode throughput",
  command: "deno bench -A bench/decode_bench.ts",
  figures,
  notes: [
    `The stream: ${recorded.lines.length} lines (${recorded.statusLines} status-only), ` +
    `${round(mb)} MB, the fake Ollama's lines for llama3:latest (5 layers, 4.66 GB) with a ` +
    `progress line every 40 kB. "mixed chunks": ${recorded.chunks.length} chunks of seeded ` +
    `log-uniform sizes from 64 B to 16 KiB, cut anywhere; "one line per chunk": a slow ` +
    "server's cadence. Each contender gets a fresh `Response` over the same chunks from an " +
    "injected `fetch`, and counts what it yields; times are averages of 20 runs after 10 " +
    "warm-ups. (a) beats the floor because most lines never reach JSON.parse: a line in " +
    "Go's exact encoding is read by one regex (see src/parser.ts).",
  ],
}, Deno.args);
