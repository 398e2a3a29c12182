// Runs the real command line as a subprocess of the runtime running the tests (Deno or Bun), or
// of another runtime (Node, from a bundle), with the standard streams as a test needs them.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, delimiter, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  FakeOllama,
  type FakeOllamaOptions,
  type ServedFakeOllama,
  serveFakeOllama,
} from "../src/testing/mod.ts";

export const CLI_PATH = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const IS_DENO = "Deno" in globalThis;
export const IS_BUN = "Bun" in globalThis;

/** The permissions the README tells Deno users to give. */
export const DENO_PERMISSIONS = ["--allow-net", "--allow-env", "--allow-read"];

export interface CliRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The parsed --json lines (when stdout is NDJSON). */
  lines: Record<string, unknown>[];
  /** The final `result` line, when there is one. */
  result: Record<string, unknown> | undefined;
}

/** Where a standard stream goes: a pipe the test reads, a pipe closed at once, or a file descriptor. */
export type StreamTarget = "pipe" | "closed" | number;

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the child after this long (a hang is a failure, not a stuck suite). */
  timeoutMs?: number;
  /** Called once with the child, e.g. to send SIGINT at the right moment. */
  onSpawn?: (child: ChildProcess) => void;
  /** The command and its leading arguments, instead of the current runtime running src/cli.ts. */
  command?: [string, string[]];
  /** Under Deno, the permission flags (default {@link DENO_PERMISSIONS}). */
  denoPermissions?: string[];
  /** Where stdout goes (default: a pipe). */
  stdout?: StreamTarget;
  /** Where stderr goes (default: a pipe). */
  stderr?: StreamTarget;
}

/** The command prefix that runs src/cli.ts under the current runtime. */
export function cliCommand(denoPermissions = DENO_PERMISSIONS): [string, string[]] {
  return IS_DENO
    ? [process.execPath, ["run", "--quiet", "--no-prompt", ...denoPermissions, CLI_PATH]]
    : [process.execPath, [CLI_PATH]];
}

/**
 * A clean environment: nothing from the machine may point the CLI elsewhere, and no model
 * registry is asked (`VTCODE_OLLAMA_REGISTRY=off`): a test that wants one sets it to `on` and
 * names models on a fake registry (`127.0.0.1:PORT/library/tiny`), so no test reaches the
 * network.
 */
function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    NO_COLOR: "1",
    VTCODE_OLLAMA_REGISTRY: "off",
  };
  if (process.env.DENO_DIR) env.DENO_DIR = process.env.DENO_DIR;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function runCliProcess(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const [command, prefix] = options.command ?? cliCommand(options.denoPermissions);
  const stdio = (target: StreamTarget | undefined) =>
    target === undefined || target === "closed" ? "pipe" : target;
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: cleanEnv(options.env),
      stdio: ["ignore", stdio(options.stdout), stdio(options.stderr)],
    });
    let stdout = "";
    let stderr = "";
    if (options.stdout === "closed") child.stdout?.destroy();
    else child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    if (options.stderr === "closed") child.stderr?.destroy();
    else child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const lines: Record<string, unknown>[] = [];
      for (const line of stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          lines.push(JSON.parse(line));
        } catch {
          // not JSON output
        }
      }
      const result = lines.at(-1)?.type === "result" ? lines.at(-1) : undefined;
      resolve({ code, signal, stdout, stderr, lines, result });
    });
    options.onSpawn?.(child);
  });
}

/** Waits until `condition` holds, checking every 10 ms; fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The path of an executable on PATH, or undefined. `deno test` puts a `node` on PATH that is Deno
 * itself (its Node compatibility shim); that one is skipped.
 */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const path = join(dir, name);
    if (dir === "" || !existsSync(path)) continue;
    if (name !== "deno" && basename(realpathSync(path)).startsWith("deno")) continue;
    return path;
  }
  return undefined;
}

/**
 * The CLI as Node runs it: src/cli.ts bundled by Bun for Node (as scripts/node_smoke.sh bundles
 * the library), behind a one-line entry that calls `main()`. `undefined` when `node` or `bun` is
 * not available; then Node cases are skipped. `dispose` removes the bundle.
 */
export async function nodeCliBundle(): Promise<
  { command: [string, string[]]; dispose: () => Promise<void> } | undefined
> {
  const node = which("node");
  const bun = IS_BUN ? process.execPath : which("bun");
  if (node === undefined || bun === undefined) return undefined;
  const dir = await mkdtemp(join(tmpdir(), "vtcode-ollama-node-cli-"));
  const entry = join(dir, "entry.ts");
  await writeFile(entry, `import { main } from ${JSON.stringify(CLI_PATH)};\nawait main();\n`);
  const out = join(dir, "cli.mjs");
  const built = spawnSync(
    bun,
    ["build", entry, "--target=node", "--format=esm", `--outfile=${out}`],
    { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 },
  );
  if (built.status !== 0) throw new Error(`bun build failed: ${built.stderr}`);
  return {
    command: [node, [out]],
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A fake Ollama served on a loopback port. */
export interface ServedFake {
  fake: FakeOllama;
  url: string;
  /** `127.0.0.1:PORT`, as a fleet labels the host. */
  label: string;
}

/**
 * Runs `test` against fake Ollama servers (fast mode unless told otherwise) on loopback ports,
 * one per options object, then closes them.
 */
export async function withFakes<T>(
  inits: readonly FakeOllamaOptions[],
  test: (served: ServedFake[]) => Promise<T>,
): Promise<T> {
  const servers: { server: ServedFakeOllama; fake: FakeOllama }[] = [];
  try {
    for (const init of inits) {
      const fake = new FakeOllama({ tickMs: 0, ...init });
      servers.push({ fake, server: await serveFakeOllama(fake) });
    }
    return await test(servers.map(({ fake, server }) => ({
      fake,
      url: server.url,
      label: new URL(server.url).host,
    })));
  } finally {
    for (const { server } of servers) await server.close();
  }
}

/** The `METHOD /path` of every request a fake received, in order. */
export function requestPaths(fake: FakeOllama): string[] {
  return fake.requests.map((r) => `${r.method} ${r.path}`);
}

/** `args`, then `--json`, `--config PATH` (when given), `--host URL` and a `--model` each. */
export function jsonArgs(
  args: readonly string[],
  target: { host: string; config?: string; models?: readonly string[] },
): string[] {
  return [
    ...args,
    "--json",
    ...(target.config === undefined ? [] : ["--config", target.config]),
    "--host",
    target.host,
    ...(target.models ?? []).flatMap((model) => ["--model", model]),
  ];
}
