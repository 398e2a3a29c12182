/**
 * What the package costs a program that imports it: the wall time of a process that imports
 * `mod.ts` and does nothing else, over the floor of an empty script, under Deno and Bun; and what
 * `deno publish` would upload (files and size).
 *
 * Run: `deno run -A bench/import_cost.ts [--json] [--runs N]`
 *
 * @module
 */

import { type BenchFigure, finishTimed, median, round } from "./_report.ts";
import {
  CHILD_ENV,
  type Contender,
  interleave,
  pairedMedian,
  ROOT,
  runsArg,
  spread,
  versionOf,
} from "./fixtures/timing.ts";

const RUNS = runsArg(Deno.args, 15);
const WARMUPS = 2;

const started = performance.now();
const deno = Deno.execPath();
const empty = `${ROOT}bench/fixtures/empty.ts`;
const importer = `${ROOT}bench/fixtures/import_mod.ts`;
// The same flags as bench/startup.ts: the repository's deno.json, no lock file.
const denoRun = ["run", "--config", `${ROOT}deno.json`, "--no-lock"];

const figures: BenchFigure[] = [];
const notes: string[] = [];
const failures: string[] = [];

/** Times `importer` against `empty` under one runtime and adds the figures. */
async function importCost(
  runtime: string,
  cmd: string,
  prefix: string[],
  cwd: string,
) {
  const contenders: Contender[] = [
    { key: "floor", cmd, args: [...prefix, empty], expect: 0 },
    { key: "import", cmd, args: [...prefix, importer], expect: 0 },
  ];
  const s = await interleave(contenders, { runs: RUNS, warmups: WARMUPS, cwd });
  const [floor, imported] = [s.get("floor")!, s.get("import")!];
  failures.push(...floor.failures, ...imported.failures);
  figures.push({
    name: `${runtime}: empty script (floor)`,
    value: median(floor.times),
    unit: "ms",
    detail: spread(floor.times),
  });
  figures.push({
    name: `${runtime}: \`import "mod.ts"\`, over the floor`,
    value: median(imported.times) - median(floor.times),
    unit: "ms",
    detail: `wall ${spread(imported.times)}; paired median over floor ${
      round(pairedMedian(imported.times, floor.times))
    } ms`,
  });
}

/** One file of the publish list. */
interface PublishedFile {
  /** Path relative to the repository root. */
  path: string;
  /** Bytes: the file's real size when it can be read, else the size printed (rounded). */
  bytes: number;
}

const UNITS: Record<string, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
};

/**
 * The file list `deno publish --dry-run` prints, one file per line:
 * `   file:///abs/path/mod.ts (1.94KB)` (sizes in units of 1024).
 */
function parsePublishList(output: string): PublishedFile[] {
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
  const files: PublishedFile[] = [];
  for (const line of plain.split(/\r?\n/)) {
    const match = /^\s+(\S.*?)\s+\(([\d.]+)\s*(B|KB|MB|GB)\)\s*$/.exec(line);
    if (!match) continue;
    let path = match[1];
    let bytes = Math.round(Number(match[2]) * UNITS[match[3]]);
    if (path.startsWith("file://")) {
      const absolute = decodeURIComponent(new URL(path).pathname);
      try {
        bytes = Deno.statSync(absolute).size;
      } catch {
        // Keep the printed size.
      }
      path = absolute.startsWith(ROOT) ? absolute.slice(ROOT.length) : absolute;
    }
    files.push({ path, bytes });
  }
  return files;
}

/** "1.94 KB" */
function kb(bytes: number): string {
  return `${round(bytes / 1024)} KB`;
}

/** The gzip size of some files laid end to end: close to the size of the uploaded tarball. */
async function gzipSize(paths: string[]): Promise<number> {
  const blob = new Blob(
    paths.map((path) => Deno.readFileSync(`${ROOT}${path}`)),
  );
  const compressed = blob.stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(compressed).arrayBuffer()).byteLength;
}

const cwd = await Deno.makeTempDir({ prefix: "vtcode-bench-import-" });
try {
  await importCost("deno", deno, denoRun, cwd);
  const bunVersion = await versionOf("bun");
  if (bunVersion !== null) {
    await importCost("bun", "bun", [], cwd);
  } else {
    notes.push("Bun not found: the Bun figures were skipped.");
  }

  const publish = await new Deno.Command(deno, {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: ROOT,
    env: CHILD_ENV,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(publish.stdout) + "\n" +
    new TextDecoder().decode(publish.stderr);
  const files = parsePublishList(text);
  if (!publish.success || files.length === 0) {
    const tail = text.trim().split("\n").slice(-3).join(" / ");
    notes.push(
      `\`deno publish --dry-run --allow-dirty\` ${
        publish.success ? "printed no file list" : `failed (exit ${publish.code})`
      }: ${tail}`,
    );
  }
  if (files.length > 0) {
    const total = files.reduce((sum, file) => sum + file.bytes, 0);
    const code = files.filter((file) => /\.[cm]?[jt]sx?$/.test(file.path));
    figures.push({
      name: "`deno publish`: files",
      value: files.length,
      unit: "files",
      detail: `${code.length} modules, ${kb(code.reduce((sum, file) => sum + file.bytes, 0))}`,
    });
    figures.push({
      name: "`deno publish`: total size",
      value: total / 1024,
      unit: "KB",
      detail: `${total} bytes`,
    });
    try {
      figures.push({
        name: "`deno publish`: gzip of the files (about the upload)",
        value: (await gzipSize(files.map((file) => file.path))) / 1024,
        unit: "KB",
      });
    } catch {
      // A file outside the repository: skip the estimate.
    }
    notes.push(
      `Published files: ${files.map((file) => `${file.path} (${kb(file.bytes)})`).join(", ")}`,
    );
  }

  notes.push(
    `Method: wall time from spawn to exit, ${RUNS} runs each after ${WARMUPS} warm-up rounds, ` +
      'interleaved; medians. `bench/fixtures/import_mod.ts` is one line, `import "../../mod.ts"`; ' +
      `\`bench/fixtures/empty.ts\` does nothing. Deno runs: \`deno ${
        denoRun.join(" ")
      }\`; cwd an ` +
      `empty temp dir. ${(await versionOf(deno)) ?? "deno"}${
        bunVersion ? `, bun ${bunVersion}` : ""
      }.`,
  );
} finally {
  await Deno.remove(cwd, { recursive: true });
}

finishTimed(
  {
    title: "Import cost and publish size",
    command: "deno run -A bench/import_cost.ts",
    figures,
    notes,
  },
  failures,
  started,
);
