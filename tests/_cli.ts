// Runs the real command line as a subprocess of the runtime running the tests (Deno or Bun).
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

export const CLI_PATH = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

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

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the child after this long (a hang is a failure, not a stuck suite). */
  timeoutMs?: number;
  /** Called once with the child, e.g. to send SIGINT at the right moment. */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
}

/** The command prefix that runs src/cli.ts under the current runtime. */
export function cliCommand(): [string, string[]] {
  const isDeno = "Deno" in globalThis;
  return isDeno
    ? [process.execPath, ["run", "--quiet", "--allow-net", "--allow-env", "--allow-read", CLI_PATH]]
    : [process.execPath, [CLI_PATH]];
}

export function runCliProcess(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const [command, prefix] = cliCommand();
  // A clean environment: nothing from the machine may point the CLI elsewhere.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    NO_COLOR: "1",
  };
  if (process.env.DENO_DIR) env.DENO_DIR = process.env.DENO_DIR;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
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
