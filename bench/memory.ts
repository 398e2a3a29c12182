/**
 * Memory of a long pull: a 1,000,000-line pull stream through `OllamaClient.pullModel` and the
 * CLI reporter redrawing live, in a fresh child process (`bench/fixtures/memory_child.ts`) so
 * that only the pull is measured. Target: peak RSS <= 80 MB, and flat (RSS at 10%, 50% and 100%
 * of the lines; growth from 10% to 100% <= 10 MB).
 *
 * Beside the measured run, informational runs say where the memory goes: the same pull with a
 * full GC before each sample (the live heap: is anything retained per line?), in plain mode, the
 * generated stream alone (the fake server's share), paced like a server at 100,000 lines/s,
 * under `--v8-flags=--optimize-for-size`, and under Bun.
 *
 * Run: `deno run -A bench/memory.ts [--json] [--lines N]`. MB here are 10^6 bytes.
 *
 * @module
 */

import { type BenchFigure, type BenchSection, option, report, round } from "./_report.ts";
import type { ChildResult } from "./fixtures/memory_child.ts";
import { startServerProcess } from "./fixtures/server_process.ts";

const CHILD = new URL("./fixtures/memory_child.ts", import.meta.url).pathname;
const SERVER = new URL("./fixtures/stream_server.ts", import.meta.url).pathname;
const MB = 1e6;
const PEAK_TARGET_MB = 80;
const GROWTH_TARGET_MB = 10;
const PACED_LINES_PER_SECOND = 100_000;

/** One child run. */
interface Run {
  label: string;
  command: string[];
  result: ChildResult;
}

/** Runs the child; `null` when the runtime is not installed. */
async function runChild(
  label: string,
  command: string[],
  env: Record<string, string> = {},
): Promise<Run | null> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command[0], {
      args: command.slice(1),
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const stdout = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    throw new Error(
      `${label}: ${command.join(" ")} exited with ${output.code}\n` +
        new TextDecoder().decode(output.stderr),
    );
  }
  const last = stdout.split("\n").at(-1) ?? "";
  return { label, command, result: JSON.parse(last) as ChildResult };
}

function mb(bytes: number | null | undefined): number {
  return bytes === null || bytes === undefined ? NaN : bytes / MB;
}

/** RSS at 10%, 50%, 100% of the lines (samples 2, 10 and 20 of 20). */
function at(series: readonly number[], percent: 10 | 50 | 100): number {
  return mb(series[percent / 5 - 1]);
}

function growth(series: readonly number[]): number {
  return at(series, 100) - at(series, 10);
}

function seriesText(series: readonly number[]): string {
  return series.map((value) => round(mb(value))).join(", ");
}

function shape(run: Run): string {
  const r = run.result;
  return `${round(mb(r.baselineRss))} MB at start, ${round(at(r.rss, 10))} / ` +
    `${round(at(r.rss, 50))} / ${round(at(r.rss, 100))} MB at 10/50/100%, ` +
    `growth ${round(growth(r.rss))} MB, ${round(r.seconds)} s, ${r.runtime}`;
}

function informational(
  name: string,
  run: Run | null,
  what: string,
): BenchFigure[] {
  if (run === null) return [];
  return [{
    name: `${name}: peak RSS`,
    value: mb(run.result.peakRss),
    unit: "MB",
    detail: `${what}; ${shape(run)}`,
  }];
}

async function main(): Promise<void> {
  const args = Deno.args;
  const lines = Number(option(args, "--lines") ?? 1_000_000);
  if (!Number.isSafeInteger(lines) || lines < 20) {
    throw new RangeError("--lines: a whole number >= 20");
  }
  const deno = Deno.execPath();
  const child = (
    mode: string,
    ...extra: string[]
  ) => [CHILD, String(lines), mode, ...extra];
  const started = performance.now();

  // The main rows: the stream comes over loopback HTTP from a server in another process, as
  // from Ollama, so that the measured process holds only the client and the reporter.
  const server = await startServerProcess(SERVER, [String(lines)]);
  const http = { SERVER_URL: server.url };
  let main: Run | null;
  let gc: Run | null;
  let bun: Run | null;
  try {
    // One at a time: two children at once would share the two cores and each other's cache.
    main = await runChild(
      "deno http",
      [deno, "run", "-A", ...child("http")],
      http,
    );
    gc = await runChild("deno http, full GC before each sample", [
      deno,
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      ...child("http", "0", "--gc"),
    ], http);
    // Bun is optional here: without it on PATH the row is left out.
    bun = await runChild(
      "bun http",
      ["bun", CHILD, String(lines), "http"],
      http,
    )
      .catch(() => null);
  } finally {
    await server.stop();
  }
  if (main === null) throw new Error("cannot run deno");
  const inProcess = await runChild("deno live, in-process stream", [
    deno,
    "run",
    "-A",
    ...child("live"),
  ]);
  const plain = await runChild("deno plain", [
    deno,
    "run",
    "-A",
    ...child("plain"),
  ]);
  const stream = await runChild("deno stream only", [
    deno,
    "run",
    "-A",
    ...child("stream"),
  ]);
  const paced = await runChild("deno live paced", [
    deno,
    "run",
    "-A",
    ...child("live", String(PACED_LINES_PER_SECOND)),
  ]);
  const small = await runChild("deno live optimize-for-size", [
    deno,
    "run",
    "-A",
    "--v8-flags=--optimize-for-size",
    ...child("live"),
  ]);
  const totalSeconds = (performance.now() - started) / 1000;

  const r = main.result;
  if (r.events !== lines) {
    throw new Error(`the reporter saw ${r.events} events, not ${lines}`);
  }
  const peak = mb(r.peakRss);
  const grew = growth(r.rss);
  const figures: BenchFigure[] = [
    {
      name: "RSS at start (after imports, before the pull)",
      value: mb(r.baselineRss),
      unit: "MB",
      detail: `${r.runtime}; an empty deno script is about 36 MB`,
    },
    { name: "RSS at 10% of the lines", value: at(r.rss, 10), unit: "MB" },
    { name: "RSS at 50% of the lines", value: at(r.rss, 50), unit: "MB" },
    { name: "RSS at 100% of the lines", value: at(r.rss, 100), unit: "MB" },
    {
      name: "peak RSS (VmHWM)",
      value: peak,
      unit: "MB",
      target: `<= ${PEAK_TARGET_MB} MB`,
      pass: peak <= PEAK_TARGET_MB,
      detail: `${lines.toLocaleString("en")} lines, ${
        round(mb(inProcess?.result.streamBytes))
      } MB of stream`,
    },
    {
      name: "RSS growth from 10% to 100%",
      value: grew,
      unit: "MB",
      target: `flat: <= ${GROWTH_TARGET_MB} MB`,
      pass: grew <= GROWTH_TARGET_MB,
      detail: `every 5%: ${seriesText(r.rss)} MB`,
    },
    {
      name: "throughput, unpaced",
      value: r.lines / r.seconds,
      unit: "lines/s",
      detail: `${round(r.seconds)} s for the pull, ${r.sinkWrites} redraws ` +
        `(${r.sinkChars} characters) written`,
    },
    {
      name: "events delivered to the reporter",
      value: r.events,
      unit: "events",
    },
  ];
  if (gc !== null) {
    const heap = gc.result.heapUsed;
    figures.push({
      name: "live heap after a full GC: growth from 10% to 100%",
      value: at(heap, 100) - at(heap, 10),
      unit: "MB",
      detail: `${round(((heap[19] - heap[1]) / (0.9 * lines)) * 100) / 100} bytes retained per ` +
        `line; heap every 5%: ${seriesText(heap)} MB; peak RSS ${round(mb(gc.result.peakRss))} MB`,
    });
  }
  figures.push(
    ...informational(
      "bun",
      bun,
      "the same child under Bun, over HTTP (Bun's fetch body has no BYOB reader)",
    ),
    ...informational(
      "stream generated in the same process (injected fetch)",
      inProcess,
      "the generator's garbage counts too; informational from here on",
    ),
    ...informational(
      "plain mode (not a terminal)",
      plain,
      "CLI reporter writing log lines",
    ),
    ...informational(
      "the generated stream alone (no client)",
      stream,
      "the fake server's own share of the same process",
    ),
    ...informational(
      `paced at ${PACED_LINES_PER_SECOND.toLocaleString("en")} lines/s`,
      paced,
      "a server sending at that rate",
    ),
    ...informational(
      "deno --v8-flags=--optimize-for-size",
      small,
      "the same pull, V8 sized for memory",
    ),
  );
  const notes = [
    "Method: each figure comes from a fresh child process (`bench/fixtures/memory_child.ts`) " +
    "that pulls llama3's real pull lines (five layers; the weights layer carries all but 12 " +
    "of the lines) through `OllamaClient.pullModel` into the CLI reporter in live mode (a " +
    "sink claiming a 100-column terminal; output counted, then dropped). In the main rows " +
    "the lines come over loopback HTTP from `bench/fixtures/stream_server.ts`, a separate " +
    "process as Ollama is; in the informational rows from an injected `fetch` in the same " +
    "process. The body is generated lazily, one 32 KiB chunk per read, so the stream is " +
    "never held in memory. RSS is sampled each time another 5% of the lines has reached the " +
    "reporter; the peak is the kernel's `VmHWM`. Unpaced: the stream is produced as fast as " +
    "the client reads it, the worst case for the garbage collector. MB = 10^6 bytes.",
    "The client reads a fetch body into one reused 16 KiB buffer where the runtime allows " +
    "(Deno, Node: a BYOB reader), so network chunks are not left for the garbage collector " +
    "(with a new buffer per chunk this pull peaked at 78-82 MB). " +
    "Reading: the live heap after a full GC tells whether anything is retained " +
    "per line; RSS above it is garbage the runtime has not collected yet: V8 grows its young " +
    "and old generations with the allocation rate, so the same pull peaks lower when paced " +
    "or under `--v8-flags=--optimize-for-size` (informational rows).",
    `All runs took ${round(totalSeconds)} s.` +
    (bun === null ? " Bun is not installed." : ""),
  ];
  const section: BenchSection = {
    title: "Memory: a 1M-line pull through the client and the CLI reporter",
    command: "deno run -A bench/memory.ts" +
      (lines === 1_000_000 ? "" : ` --lines ${lines}`),
    figures,
    notes,
  };
  report(section, args);
}

await main();
