/**
 * Time to ready: how long `cli.ts check` takes as a process, from spawn to exit, over the floor of
 * starting the runtime with an empty script; against the same check written with the official
 * client (`npm:ollama`); and how fast it gives up on a refused connection and on a server that
 * accepts and never answers.
 *
 * Run: `deno run -A bench/startup.ts [--json] [--runs N]`
 *
 * @module
 */

import { FakeOllama, serveFakeOllama, unusedLoopbackUrl } from "../src/testing/mod.ts";
import { type BenchFigure, finishTimed, median, round } from "./_report.ts";
import {
  type Contender,
  interleave,
  pairedMedian,
  ROOT,
  runsArg,
  type Samples,
  spread,
  versionOf,
} from "./fixtures/timing.ts";

const RUNS = runsArg(Deno.args, 15);
const WARMUPS = 2;
const HANG_RUNS = Math.min(RUNS, 5);
/** The `--timeout` given to the check against the hanging server, in seconds. */
const HANG_TIMEOUT_S = 1;
const MODELS = ["llama3:latest", "qwen3:8b"];

const started = performance.now();
const deno = Deno.execPath();
const cli = `${ROOT}src/cli.ts`;
// Every Deno run gets the same flags: the repository's deno.json (for the `smol-toml` import
// mapping) and no lock file, so that nothing is written to deno.lock and no run pays for a
// lock check the others skip.
const denoRun = ["run", "--config", `${ROOT}deno.json`, "--no-lock"];
const perms = ["--allow-net", "--allow-env", "--allow-read"];
const checkArgs = (host: string, extra: string[] = []) => [
  "check",
  "--host",
  host,
  "--model",
  "llama3",
  "--model",
  "qwen3:8b",
  "--quiet",
  ...extra,
];

// A scratch working directory, so that no ./vtcode.toml is picked up.
const cwd = await Deno.makeTempDir({ prefix: "vtcode-bench-startup-" });
const server = await serveFakeOllama(new FakeOllama({ models: MODELS, tickMs: 0 }));
const hanging = new FakeOllama({ models: MODELS, tickMs: 0 });
hanging.injectFault({ kind: "hang" }, { path: "/api/version" });
const hangServer = await serveFakeOllama(hanging);
const refusedUrl = await unusedLoopbackUrl();

const figures: BenchFigure[] = [];
const notes: string[] = [];
const failures: string[] = [];
const ok = (s: Samples) => s.failures.length === 0;

try {
  // Pre-cache npm:ollama (and make sure every fixture resolves) before anything is timed.
  await new Deno.Command(deno, {
    args: [
      "cache",
      "--config",
      `${ROOT}deno.json`,
      "--no-lock",
      `${ROOT}bench/fixtures/ollama_js_check.ts`,
    ],
    stdout: "null",
    stderr: "null",
  }).output();

  const contenders: Contender[] = [
    { key: "floor", cmd: deno, args: [...denoRun, `${ROOT}bench/fixtures/empty.ts`], expect: 0 },
    {
      key: "ours",
      cmd: deno,
      args: [...denoRun, ...perms, cli, ...checkArgs(server.url)],
      expect: 0,
    },
    {
      key: "ollama-js",
      cmd: deno,
      args: [
        ...denoRun,
        ...perms,
        `${ROOT}bench/fixtures/ollama_js_check.ts`,
        server.url,
        "llama3",
        "qwen3:8b",
      ],
      expect: 0,
    },
    {
      key: "refused",
      cmd: deno,
      args: [...denoRun, ...perms, cli, ...checkArgs(refusedUrl)],
      expect: 3,
    },
  ];
  const s = await interleave(contenders, { runs: RUNS, warmups: WARMUPS, cwd });
  for (const v of s.values()) failures.push(...v.failures);
  const [floor, ours, ojs, refused] = ["floor", "ours", "ollama-js", "refused"].map((k) =>
    s.get(k)!
  );
  const floorMed = median(floor.times);
  const oursOver = median(ours.times) - floorMed;
  const ojsOver = median(ojs.times) - floorMed;
  const refusedOver = median(refused.times) - floorMed;

  figures.push({
    name: "floor: `deno run` of an empty script",
    value: floorMed,
    unit: "ms",
    detail: spread(floor.times),
  });
  figures.push({
    name: "`cli.ts check`, 2 models present, over the floor",
    value: oursOver,
    unit: "ms",
    target: "<= 15 ms",
    pass: ok(ours) && oursOver <= 15,
    detail: `wall ${spread(ours.times)}; paired median over floor ${
      round(pairedMedian(ours.times, floor.times))
    } ms`,
  });
  figures.push({
    name: "the same check with npm:ollama@0.6.4 (`list()`), over the floor",
    value: ojsOver,
    unit: "ms",
    detail: `wall ${spread(ojs.times)}; paired median over floor ${
      round(pairedMedian(ojs.times, floor.times))
    } ms`,
  });
  figures.push({
    name: "npm:ollama over floor / ours over floor",
    value: ojsOver / oursOver,
    unit: "x",
    detail: `raw ratio of wall medians npm:ollama / ours: ${
      round(median(ojs.times) / median(ours.times))
    } x`,
  });
  figures.push({
    name: "connection refused: `check` exits 3, over the floor",
    value: refusedOver,
    unit: "ms",
    target: "<= 50 ms",
    pass: ok(refused) && refusedOver <= 50,
    detail: `wall ${spread(refused.times)}`,
  });

  // A server that accepts and never answers: each run takes the whole timeout, so fewer runs.
  const hang: Contender = {
    key: "hang",
    cmd: deno,
    args: [
      ...denoRun,
      ...perms,
      cli,
      ...checkArgs(hangServer.url, ["--timeout", `${HANG_TIMEOUT_S}`]),
    ],
    expect: 3,
  };
  const h = (await interleave([hang], { runs: HANG_RUNS, warmups: 0, cwd })).get("hang")!;
  failures.push(...h.failures);
  const hangOver = median(h.times) - floorMed;
  const bound = 1.1 * HANG_TIMEOUT_S * 1000;
  figures.push({
    name: `accept, never answer: \`check --timeout ${HANG_TIMEOUT_S}\` exits 3, over the floor`,
    value: hangOver,
    unit: "ms",
    target: `<= ${round(bound)} ms (1.1 T)`,
    pass: ok(h) && hangOver <= bound,
    detail: `= ${round(hangOver / (HANG_TIMEOUT_S * 1000))} T, T = ${HANG_TIMEOUT_S} s; ` +
      `past T once the check's own start-up (the refused case) is taken off: ${
        round(hangOver - refusedOver - HANG_TIMEOUT_S * 1000)
      } ms; wall ${spread(h.times)}`,
  });

  // The same check under Bun, over Bun's own floor (informational).
  const bunVersion = await versionOf("bun");
  if (bunVersion !== null) {
    const bun: Contender[] = [
      { key: "bun-floor", cmd: "bun", args: [`${ROOT}bench/fixtures/empty.ts`], expect: 0 },
      { key: "bun-ours", cmd: "bun", args: [cli, ...checkArgs(server.url)], expect: 0 },
    ];
    const b = await interleave(bun, { runs: RUNS, warmups: WARMUPS, cwd });
    const [bFloor, bOurs] = [b.get("bun-floor")!, b.get("bun-ours")!];
    failures.push(...bFloor.failures, ...bOurs.failures);
    figures.push({
      name: "floor: `bun` of an empty script",
      value: median(bFloor.times),
      unit: "ms",
      detail: spread(bFloor.times),
    });
    figures.push({
      name: "`bun src/cli.ts check`, over Bun's floor",
      value: median(bOurs.times) - median(bFloor.times),
      unit: "ms",
      detail: `wall ${spread(bOurs.times)}; paired median over floor ${
        round(pairedMedian(bOurs.times, bFloor.times))
      } ms`,
    });
  } else {
    notes.push("Bun not found: the Bun figures were skipped.");
  }

  notes.push(
    `Method: wall time from spawn to exit (performance.now around Deno.Command.output()), ` +
      `${RUNS} runs per contender after ${WARMUPS} warm-up rounds, interleaved round-robin ` +
      `(${HANG_RUNS} runs for the hanging server); medians; fake Ollama in the bench process on ` +
      `loopback; cwd is an empty temp dir. Deno runs: \`deno ${denoRun.join(" ")}\` ` +
      `(same flags for every contender). ${(await versionOf(deno)) ?? "deno"}` +
      `${bunVersion ? `, bun ${bunVersion}` : ""}; ${navigator.hardwareConcurrency} cores.`,
  );
} finally {
  await server.close();
  await hangServer.close();
  await Deno.remove(cwd, { recursive: true });
}

finishTimed(
  { title: "Time to ready", command: "deno run -A bench/startup.ts", figures, notes },
  failures,
  started,
);
