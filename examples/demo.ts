// The main job, end to end, with no Ollama installed: starts the fake Ollama (a small catalog,
// a realistic download speed) and runs the real command line against it twice. The first run
// finds a missing model and pulls it with live multi-layer progress; the second is instant.
//
//   npx --yes deno@2 run -A examples/demo.ts          or          bun examples/demo.ts
//
// Options: --fast (no pacing), --tui (one bar per layer).
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FakeOllama, serveFakeOllama } from "../src/testing/mod.ts";

let flags;
try {
  ({ values: flags } = parseArgs({
    args: process.argv.slice(2),
    options: { fast: { type: "boolean" }, tui: { type: "boolean" } },
    strict: true,
  }));
} catch (error) {
  console.error((error as Error).message.replace(/\. To specify .*$/s, ""));
  console.error("usage: demo.ts [--fast] [--tui]");
  process.exit(2);
}
const fast = flags.fast === true;
const extra = flags.tui === true ? ["--tui"] : [];
const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const runtime = "Deno" in globalThis
  ? [process.execPath, "run", "--quiet", "--allow-net", "--allow-env", "--allow-read", cli]
  : [process.execPath, cli];

const fake = new FakeOllama({
  models: ["llama3"],
  bytesPerSecond: 150_000_000, // ~150 MB/s: tinyllama's 637 MB in about four seconds
  tickMs: fast ? 0 : 60,
});
const server = await serveFakeOllama(fake);

function run(title: string, args: string[]): Promise<number | null> {
  process.stderr.write(`\n$ cli.ts ${args.join(" ")}    # ${title}\n`);
  return new Promise((resolve) => {
    // The fake's catalog is not in any registry: the command line is told not to ask one.
    const env = { ...process.env, VTCODE_OLLAMA_REGISTRY: "off" };
    const child = spawn(runtime[0], [...runtime.slice(1), ...args], { stdio: "inherit", env });
    child.on("close", (code) => resolve(code));
  });
}

try {
  const args = [
    "ensure",
    "--host",
    server.url,
    "--model",
    "llama3",
    "--model",
    "tinyllama",
    ...extra,
  ];
  const first = await run("llama3 is installed, tinyllama is missing", args);
  process.stderr.write(`exit code ${first}\n`);
  const started = performance.now();
  const second = await run("again: everything is there, nothing to pull", args);
  process.stderr.write(`exit code ${second} in ${Math.round(performance.now() - started)} ms\n`);
  const pulls = fake.pullRequests().length;
  process.stderr.write(
    `\nThe fake server received ${fake.requests.length} requests, ${pulls} of them pulls.\n`,
  );
} finally {
  await server.close();
}
