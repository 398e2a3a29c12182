// The examples run, against the fake server, under the runtime they are written for.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { FakeOllama, serveFakeOllama } from "../src/testing/mod.ts";

const isDeno = "Deno" in globalThis;
const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

function run(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        VTCODE_OLLAMA_REGISTRY: "off",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("examples", () => {
  it("each rejects a typo'd flag: exit 2, the parser's message and a usage line", async () => {
    const cases = [
      ["custom_reporter.ts", "--fsat"],
      ["demo.ts", "--fsat"],
      isDeno ? ["deno_startup_check.ts", "--hots"] : ["bun_ensure_models.ts", "--modle"],
    ];
    for (const [name, flag] of cases) {
      const args = isDeno ? ["run", "-A", example(name), flag] : [example(name), flag];
      const { code, stdout, stderr } = await run(args, { env: { OLLAMA_HOST: "127.0.0.1:9" } });
      assert.equal(code, 2, `${name} ${flag}: ${stderr}`);
      assert.equal(stdout, "", name);
      assert.match(stderr, new RegExp(`^Unknown option '${flag}'$`, "m"), name);
      assert.match(stderr, /^usage: /m, name);
      assert.doesNotMatch(stderr, /TypeError|\bat .*:\d+:\d+/, `${name}: no stack trace`);
    }
  });

  it("custom_reporter.ts logs each layer and the outcome", async () => {
    const args = isDeno
      ? ["run", "-A", example("custom_reporter.ts")]
      : [example("custom_reporter.ts")];
    const { code, stdout, stderr } = await run(args);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /tinyllama:latest: pulling manifest/);
    assert.match(stdout, /tinyllama:latest: success, 4 layers, 637 MB/);
  });

  it("demo.ts --fast: first run pulls, second run is instant, both exit 0", async () => {
    const args = isDeno
      ? ["run", "-A", example("demo.ts"), "--fast"]
      : [example("demo.ts"), "--fast"];
    const { code, stderr } = await run(args);
    assert.equal(code, 0, stderr);
    assert.deepEqual([...stderr.matchAll(/^exit code (\d+)/gm)].map((m) => m[1]), ["0", "0"]);
    assert.match(stderr, /received \d+ requests, 1 of them pulls/);
  });

  if (isDeno) {
    it("deno_startup_check.ts runs with only the narrow permissions it documents", async () => {
      const fake = new FakeOllama({ models: ["llama3"], tickMs: 0 });
      const server = await serveFakeOllama(fake);
      const dir = await mkdtemp(join(tmpdir(), "vtcode-ollama-example-"));
      try {
        await writeFile(join(dir, "vtcode.toml"), `[ollama]\nmodels = ["llama3", "tinyllama"]\n`);
        const host = `127.0.0.1:${server.port}`;
        const { code, stderr } = await run([
          "run",
          `--allow-net=${host}`,
          "--allow-env=OLLAMA_HOST,OLLAMA_BASE_URL,OLLAMA_API_KEY",
          "--allow-read=vtcode.toml",
          example("deno_startup_check.ts"),
        ], { cwd: dir, env: { OLLAMA_HOST: host } });
        assert.equal(code, 0, stderr);
        assert.match(stderr, /present {2}llama3:latest/);
        assert.match(stderr, /pulled {3}tinyllama:latest/);
      } finally {
        await server.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  } else {
    it("bun_ensure_models.ts ensures the models, then starts the app with its exit code", async () => {
      const fake = new FakeOllama({ tickMs: 0 });
      const server = await serveFakeOllama(fake);
      try {
        const { code, stderr } = await run([
          example("bun_ensure_models.ts"),
          "--model",
          "all-minilm",
          "--",
          process.execPath,
          "-e",
          "process.exit(7)",
        ], { env: { OLLAMA_HOST: server.url } });
        assert.equal(code, 7, stderr);
        assert.match(stderr, /Ollama ready: all-minilm:latest/);
        assert.equal(fake.installedModels().includes("all-minilm:latest"), true);
      } finally {
        await server.close();
      }
    });
  }
});
