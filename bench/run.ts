/**
 * Every benchmark in one run: time to ready, decode throughput, a pull over HTTP against a naive
 * client, 50,000 installed models, pipelined ensure, import cost, memory, redraw budget. Prints
 * each section's table; with `--write`, also replaces BENCHMARKS.md with them, headed by the
 * date, the machine, the targets missed and bench/notes.md (kept by hand). Each script runs in its own process, one after another,
 * so that none disturbs another's figures.
 *
 * Run: `deno task bench` (= `deno run -A --config bench/deno.json bench/run.ts --write`).
 *
 * @module
 */

import { type BenchSection, round, sectionToMarkdown } from "./_report.ts";

/** The scripts, in report order. */
const SCRIPTS = [
  "startup.ts",
  "decode.ts",
  "pull_stream.ts",
  "list_scale.ts",
  "ensure_pipeline.ts",
  "import_cost.ts",
  "memory.ts",
  "redraw.ts",
];

const root = new URL("..", import.meta.url);
const write = Deno.args.includes("--write");
const started = performance.now();
const sections: BenchSection[] = [];
const failures: string[] = [];

for (const script of SCRIPTS) {
  const t0 = performance.now();
  console.error(`-- bench/${script}`);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", "bench/deno.json", `bench/${script}`, "--json"],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  const last = lines.at(-1) ?? "";
  try {
    if (!output.success) throw new Error(`exit code ${output.code}`);
    const section = JSON.parse(last) as BenchSection;
    sections.push(section);
    console.log(sectionToMarkdown(section));
  } catch (error) {
    failures.push(
      `bench/${script}: ${error instanceof Error ? error.message : String(error)}`,
    );
    console.error(`bench/${script} failed: ${String(error)}`);
  }
  console.error(
    `-- bench/${script}: ${round((performance.now() - t0) / 1000)} s`,
  );
}

const seconds = (performance.now() - started) / 1000;
const missed = sections.flatMap((s) =>
  s.figures.filter((f) => f.pass === false).map((f) => `${s.title}: ${f.name}`)
);
console.log(
  `All figures in ${round(seconds)} s; targets missed: ${missed.length}`,
);
for (const line of missed) console.log(`  missed: ${line}`);

if (write) {
  if (failures.length > 0) {
    console.error(
      "BENCHMARKS.md not written: a script failed:\n  " + failures.join("\n  "),
    );
    Deno.exit(1);
  }
  const header = [
    "# Benchmarks",
    "",
    "Every figure below comes from one run of `deno task bench` (bench/run.ts), which runs each",
    "script in its own process, one after another; ratios compare contenders measured side by",
    "side in that run. The machine is shared and noisy, so read ratios rather than absolute",
    "times, and expect a few percent of drift between runs. Nothing here runs in CI or in tests.",
    "",
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Machine: ${await machine()}`,
    `- Runtimes: ${await runtimes()}`,
    `- Whole run: ${round(seconds)} s`,
    `- Targets missed: ${missed.length === 0 ? "none" : missed.length}`,
    ...missed.map((line) => `  - ${line}`),
    "",
    // The story behind the figures (what was tried, what was kept, why a target is still
    // missed), kept by hand in bench/notes.md.
    (await Deno.readTextFile(new URL("bench/notes.md", root))).trim(),
    "",
  ];
  const body = sections.map(sectionToMarkdown).join("\n");
  await Deno.writeTextFile(
    new URL("BENCHMARKS.md", root),
    header.join("\n") + "\n" + body,
  );
  // The same layout `deno fmt --check` (CI) expects.
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "BENCHMARKS.md"],
    cwd: root,
  }).output();
  console.log("Wrote BENCHMARKS.md");
}

async function machine(): Promise<string> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ??
    "unknown CPU";
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const kb = Number(/MemTotal:\s*(\d+)/.exec(meminfo)?.[1] ?? NaN);
  return `${model}, ${navigator.hardwareConcurrency} cores, ${round(kb / 1024 / 1024)} GiB RAM, ` +
    `${Deno.build.os} ${Deno.build.arch}`;
}

async function runtimes(): Promise<string> {
  const version = async (command: string, args: string[]) => {
    try {
      const out = await new Deno.Command(command, {
        args,
        stdout: "piped",
        stderr: "null",
      })
        .output();
      return new TextDecoder().decode(out.stdout).split("\n")[0].trim();
    } catch {
      return "not found";
    }
  };
  return `Deno ${Deno.version.deno} (V8 ${Deno.version.v8}), Bun ${await version(
    "bun",
    [
      "--version",
    ],
  )}, Node ${await version("node", ["--version"])}`;
}
