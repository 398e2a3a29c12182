/**
 * Time to ready: how long a startup check takes as a process, from spawn to exit, under Deno and
 * under Bun, side by side in one run with
 *
 * - the runtime's floor for the task: a script that makes only the same two requests
 *   (`GET /api/version`, `GET /api/tags`) with the runtime's `fetch`;
 * - an empty script (what starting the runtime costs);
 * - the same check written with the official client (`ollama` on npm: `version()` + `list()`);
 * - the startup hook alone (`ensureOllamaReady` imported from the package's entry point);
 * - our command line, `cli.ts check`;
 *
 * and, under Deno, how fast `check` gives up on a refused connection and on a server that
 * accepts and never answers. The server answers as a real Ollama frames it: a `Content-Length`
 * on bodies under 2 KB (bench/fixtures/go_lengths.ts).
 *
 * Run: `deno run -A bench/startup.ts [--json] [--runs N]`
 *
 * @module
 */

import { FakeOllama, serveFakeOllama, unusedLoopbackUrl } from "../src/testing/mod.ts";
import { type BenchFigure, finishTimed, median, quantile, round } from "./_report.ts";
import { withGoLengths } from "./fixtures/go_lengths.ts";
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

const RUNS = runsArg(Deno.args, 25);
const WARMUPS = 3;
const HANG_RUNS = 3;
/** The `--timeout` given to the check against the hanging server, in seconds. */
const HANG_TIMEOUT_S = 1;
const MODELS = ["llama3:latest", "qwen3:8b"];
/** The issue's target: `check` at most this much over the two-fetch floor. */
const TARGET_MS = 8;

const started = performance.now();
const deno = Deno.execPath();
const cli = `${ROOT}src/cli.ts`;
const fixture = (name: string) => `${ROOT}bench/fixtures/${name}`;
// Every Deno run gets the same flags: bench/deno.json (the `smol-toml` and `ollama` mappings)
// and no lock file, so that nothing is written to a lock and no run pays for a check others skip.
const denoRun = ["run", "--config", `${ROOT}bench/deno.json`, "--no-lock"];
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
const fake = new FakeOllama({ models: MODELS, tickMs: 0 });
const server = await serveFakeOllama(withGoLengths(fake.handler));
const hanging = new FakeOllama({ models: MODELS, tickMs: 0 });
hanging.injectFault({ kind: "hang" }, { path: "/api/version" });
const hangServer = await serveFakeOllama(hanging);
const refusedUrl = await unusedLoopbackUrl();

const figures: BenchFigure[] = [];
const notes: string[] = [];
const failures: string[] = [];
const ok = (s: Samples) => s.failures.length === 0;

/** "paired median 21.3 (p25-p75 19.9-23.0) ms": the per-round differences, a - b. */
function over(a: readonly number[], b: readonly number[]): string {
  const d = a.map((t, i) => t - b[i]);
  return `paired median ${round(pairedMedian(a, b))} (p25-p75 ${round(quantile(d, 0.25))}-${
    round(quantile(d, 0.75))
  }) ms`;
}

/**
 * Times the five contenders of one runtime, interleaved, and adds their figures.
 *
 * @param runtime "deno" or "bun".
 * @param cmd The program.
 * @param prefix Arguments before the script.
 * @param officialScript The npm:ollama check, as this runtime can import it.
 */
async function compare(
  runtime: string,
  cmd: string,
  prefix: string[],
  officialScript: string,
) {
  const args = (...rest: string[]) => [...prefix, ...rest];
  const contenders: Contender[] = [
    { key: "empty", cmd, args: args(fixture("empty.ts")), expect: 0 },
    {
      key: "floor",
      cmd,
      args: args(fixture("two_fetches.ts"), server.url),
      expect: 0,
    },
    {
      key: "official",
      cmd,
      args: args(officialScript, server.url, "llama3", "qwen3:8b"),
      expect: 0,
    },
    {
      key: "hook",
      cmd,
      args: args(fixture("hook_check.ts"), server.url, "llama3", "qwen3:8b"),
      expect: 0,
    },
    { key: "check", cmd, args: args(cli, ...checkArgs(server.url)), expect: 0 },
  ];
  const s = await interleave(contenders, { runs: RUNS, warmups: WARMUPS, cwd });
  for (const v of s.values()) {
    failures.push(...v.failures.map((f) => `${runtime} ${f}`));
  }
  const [empty, floor, official, hook, check] = [
    "empty",
    "floor",
    "official",
    "hook",
    "check",
  ].map((k) => s.get(k)!.times);
  const floorMed = median(floor);
  const checkOver = pairedMedian(check, floor);
  const officialOver = pairedMedian(official, floor);
  figures.push({
    name: `${runtime}: empty script`,
    value: median(empty),
    unit: "ms",
    detail: spread(empty),
  });
  figures.push({
    name: `${runtime}: floor: the two fetches alone, over the empty script`,
    value: pairedMedian(floor, empty),
    unit: "ms",
    detail: `wall ${spread(floor)}; ${over(floor, empty)}`,
  });
  figures.push({
    name: `${runtime}: npm:ollama@0.6.4 (version() + list()), over the floor`,
    value: officialOver,
    unit: "ms",
    detail: `wall ${spread(official)}; ${over(official, floor)}`,
  });
  figures.push({
    name: `${runtime}: ensureOllamaReady alone (from mod.ts), over the floor`,
    value: pairedMedian(hook, floor),
    unit: "ms",
    detail: `wall ${spread(hook)}; ${over(hook, floor)}`,
  });
  figures.push({
    name: `${runtime}: \`cli.ts check\`, 2 models present, over the floor`,
    value: checkOver,
    unit: "ms",
    target: `<= ${TARGET_MS} ms`,
    pass: ok(s.get("check")!) && checkOver <= TARGET_MS,
    detail: `wall ${spread(check)}; ${over(check, floor)}; ${
      checkOver <= TARGET_MS ? "within" : `${round(checkOver - TARGET_MS)} ms over`
    } the target`,
  });
  figures.push({
    name: `${runtime}: \`check\` against npm:ollama: wall time, check / npm:ollama`,
    value: median(check) / median(official),
    unit: "x",
    target: "<= 1",
    pass: median(check) <= median(official),
    detail: `over the floor: ours ${round(checkOver)} ms, npm:ollama ${
      round(officialOver)
    } ms; paired ${round(pairedMedian(check, official))} ms; floor ${round(floorMed)} ms`,
  });
}

/** A directory where Bun finds `ollama` (from Deno's npm cache), with the check copied in. */
async function officialForBun(): Promise<string | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "vtcode-bench-ollama-js-" });
  await Deno.writeTextFile(
    `${dir}/deno.json`,
    JSON.stringify({
      nodeModulesDir: "auto",
      imports: { ollama: "npm:ollama@0.6.4" },
    }),
  );
  const script = `${dir}/ollama_js_check.ts`;
  await Deno.copyFile(fixture("ollama_js_check.ts"), script);
  const installed = await new Deno.Command(deno, {
    args: ["install", "--quiet", "--entrypoint", script],
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!installed.success) {
    notes.push(
      `Bun: npm:ollama not installed (${new TextDecoder().decode(installed.stderr)})`,
    );
    return undefined;
  }
  return script;
}

try {
  // Cache every Deno fixture's imports (npm:ollama included) before anything is timed.
  await new Deno.Command(deno, {
    args: [
      "cache",
      "--config",
      `${ROOT}bench/deno.json`,
      "--no-lock",
      fixture("ollama_js_check.ts"),
      fixture("hook_check.ts"),
      fixture("two_fetches.ts"),
      cli,
    ],
    stdout: "null",
    stderr: "null",
  }).output();

  await compare(
    "deno",
    deno,
    [...denoRun, ...perms],
    fixture("ollama_js_check.ts"),
  );

  const bunVersion = await versionOf("bun");
  const bunOfficial = bunVersion === null ? undefined : await officialForBun();
  if (bunVersion !== null && bunOfficial !== undefined) {
    await compare("bun", "bun", [], bunOfficial);
  } else if (bunVersion === null) {
    notes.push("Bun not found: the Bun figures were skipped.");
  }

  // Giving up, under Deno.
  const refused = await interleave([{
    key: "refused",
    cmd: deno,
    args: [...denoRun, ...perms, cli, ...checkArgs(refusedUrl)],
    expect: 3,
  }, {
    key: "floor",
    cmd: deno,
    args: [...denoRun, fixture("empty.ts")],
    expect: 0,
  }], { runs: 10, warmups: 1, cwd });
  const r = refused.get("refused")!;
  failures.push(...r.failures);
  const refusedOver = pairedMedian(r.times, refused.get("floor")!.times);
  figures.push({
    name: "deno: connection refused: `check` exits 3, over the empty script",
    value: refusedOver,
    unit: "ms",
    target: "<= 50 ms",
    pass: ok(r) && refusedOver <= 50,
    detail: `wall ${spread(r.times)}`,
  });
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
  const h = (await interleave([hang], { runs: HANG_RUNS, warmups: 0, cwd }))
    .get("hang")!;
  failures.push(...h.failures);
  const hangOver = median(h.times) - median(refused.get("floor")!.times);
  const bound = 1.1 * HANG_TIMEOUT_S * 1000;
  figures.push({
    name: `deno: accept, never answer: \`check --timeout ${HANG_TIMEOUT_S}\` exits 3, ` +
      "over the empty script",
    value: hangOver,
    unit: "ms",
    target: `<= ${round(bound)} ms (1.1 T)`,
    pass: ok(h) && hangOver <= bound,
    detail: `= ${round(hangOver / (HANG_TIMEOUT_S * 1000))} T, T = ${HANG_TIMEOUT_S} s; ` +
      `wall ${spread(h.times)}`,
  });

  notes.push(
    `Method: wall time from spawn to exit (performance.now around Deno.Command.output()); ` +
      `per runtime, ${RUNS} rounds after ${WARMUPS} warm-up rounds, the five contenders ` +
      'interleaved round-robin with a rotating start; "over" figures are medians of the ' +
      "per-round differences (the noise of one round falls on both), with their p25-p75. " +
      "The fake Ollama runs in the bench process on loopback, its small answers framed with a " +
      "Content-Length as Go's net/http frames them; cwd is an empty temp dir. Deno runs: " +
      `\`deno ${denoRun.join(" ")}\` (same flags for every contender); Bun runs the same ` +
      "TypeScript files (npm:ollama from a node_modules made by `deno install`). " +
      `${(await versionOf(deno)) ?? "deno"}, bun ${bunVersion ?? "not found"}; ` +
      `${navigator.hardwareConcurrency} cores.`,
  );
} finally {
  await server.close();
  await hangServer.close();
  await Deno.remove(cwd, { recursive: true });
}

finishTimed(
  {
    title: "Time to ready",
    command: "deno run -A bench/startup.ts",
    figures,
    notes,
  },
  failures,
  started,
);
