/**
 * A pull stream over HTTP, per runtime: our client (`OllamaClient.pullModelStream`) against a
 * naive client (an async generator over `fetch`, `TextDecoderStream`, split, `JSON.parse`) and
 * the floor (the body read, bytes only), on the same bytes from the same server in another
 * process, interleaved in one run, under Deno, Bun and Node (bundled to JavaScript with
 * `deno bundle` for Node 20, which does not run TypeScript). Target: ours never slower than the
 * naive client on any of them; peak RSS on Bun <= 80 MB.
 *
 * Run: `deno run -A bench/pull_stream.ts [--json] [--runs N] [--lines N]`
 *
 * @module
 */

import { type BenchFigure, finishTimed, median, option, round } from "./_report.ts";
import type { PullRun } from "./fixtures/pull_child.ts";
import { startServerProcess } from "./fixtures/server_process.ts";
import { runsArg, spread, versionOf } from "./fixtures/timing.ts";

const RUNS = runsArg(Deno.args, 7);
const LINES = Number(option(Deno.args, "--lines") ?? 300_000);
const RSS_TARGET_MB = 80;
const MB = 1e6;
const CHILD = new URL("./fixtures/pull_child.ts", import.meta.url).pathname;
const SERVER = new URL("./fixtures/stream_server.ts", import.meta.url).pathname;
const MODES = ["ours", "naive", "bytes"] as const;

const started = performance.now();
const figures: BenchFigure[] = [];
const notes: string[] = [];
const failures: string[] = [];

/** How to start the child under one runtime. */
interface Runtime {
  name: string;
  command: (mode: string, url: string) => string[];
}

const scratch = await Deno.makeTempDir({ prefix: "vtcode-bench-pull-" });
const runtimes: Runtime[] = [{
  name: "deno",
  command: (mode, url) => [Deno.execPath(), "run", "-A", CHILD, url, mode],
}];
if ((await versionOf("bun")) !== null) {
  runtimes.push({
    name: "bun",
    command: (mode, url) => ["bun", CHILD, url, mode],
  });
}
if ((await versionOf("node")) !== null) {
  const bundled = `${scratch}/pull_child.mjs`;
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "deno", "-o", bundled, CHILD],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (built.success) {
    runtimes.push({
      name: "node",
      command: (mode, url) => ["node", bundled, url, mode],
    });
  } else {
    notes.push(
      `Node skipped: deno bundle failed: ${new TextDecoder().decode(built.stderr)}`,
    );
  }
}

async function runChild(command: string[]): Promise<PullRun | undefined> {
  const output = await new Deno.Command(command[0], {
    args: command.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    failures.push(
      `${command.join(" ")}: ${new TextDecoder().decode(output.stderr).slice(-300)}`,
    );
    return undefined;
  }
  const last = new TextDecoder().decode(output.stdout).trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as PullRun;
}

const server = await startServerProcess(SERVER, [String(LINES)]);
try {
  for (const runtime of runtimes) {
    const runs = new Map<string, PullRun[]>(MODES.map((mode) => [mode, []]));
    // One warm-up round, then RUNS rounds, contenders interleaved with a rotating start.
    for (let round = 0; round <= RUNS; round++) {
      for (let i = 0; i < MODES.length; i++) {
        const mode = MODES[(round + i) % MODES.length];
        const run = await runChild(runtime.command(mode, server.url));
        if (run !== undefined && round > 0) runs.get(mode)!.push(run);
      }
    }
    const seconds = (mode: string) => runs.get(mode)!.map((r) => r.seconds * 1000);
    const peak = (mode: string) => runs.get(mode)!.map((r) => (r.peakRss ?? NaN) / MB);
    const [ours, naive, bytes] = MODES.map(seconds);
    const label = runs.get("ours")![0]?.runtime ?? runtime.name;
    const ratio = median(ours) / median(naive);
    const paired = median(ours.map((t, i) => t / naive[i]));
    const lines = runs.get("ours")![0]?.items ?? 0;
    figures.push({
      name: `${runtime.name}: ours, a ${LINES}-line pull over HTTP`,
      value: median(ours),
      unit: "ms",
      detail: `${spread(ours)}; ${round(lines / (median(ours) / 1000) / 1000)}k events/s; ${label}`,
    });
    figures.push({
      name: `${runtime.name}: naive client (fetch, TextDecoderStream, split, JSON.parse)`,
      value: median(naive),
      unit: "ms",
      detail: spread(naive),
    });
    figures.push({
      name: `${runtime.name}: floor (the body read, bytes only)`,
      value: median(bytes),
      unit: "ms",
      detail: `${spread(bytes)}; ${round(runs.get("bytes")![0]?.bytes / MB)} MB`,
    });
    figures.push({
      name: `${runtime.name}: ours / naive (time; below 1 is faster)`,
      value: ratio,
      unit: "x",
      target: "<= 1",
      pass: ratio <= 1,
      detail: `median of the paired ratios ${round(paired)}`,
    });
    const oursPeak = median(peak("ours"));
    figures.push({
      name: `${runtime.name}: peak RSS, ours`,
      value: oursPeak,
      unit: "MB",
      ...(runtime.name === "bun" ? { target: `<= ${RSS_TARGET_MB} MB`, pass: oursPeak <= 80 } : {}),
      detail: `max ${round(Math.max(...peak("ours")))} MB; naive ${
        round(median(peak("naive")))
      } MB, bytes only ${round(median(peak("bytes")))} MB`,
    });
  }
} finally {
  await server.stop();
  await Deno.remove(scratch, { recursive: true });
}

notes.push(
  `Method: a ${LINES}-line pull of llama3 (the lines of bench/fixtures/memory_child.ts, Ollama's ` +
    "encoding; the weights layer carries all but a dozen of them) served as fast as it is read " +
    "by bench/fixtures/stream_server.ts, a Deno process of its own (32 KiB writes). Each run is " +
    `a fresh child process; ${RUNS} runs per contender after one warm-up round, interleaved ` +
    "with a rotating start; medians. Time: from the request to the end of the stream, " +
    "counting what each contender yields (ours: typed events; naive: parsed values). Peak " +
    "RSS: the child's VmHWM. The server shares the two cores with the client, so the floor is " +
    "as much the server's speed as the runtime's.",
);

finishTimed(
  {
    title: "Pull stream over HTTP: ours, a naive client, the floor",
    command: "deno run -A bench/pull_stream.ts",
    figures,
    notes,
  },
  failures,
  started,
);
