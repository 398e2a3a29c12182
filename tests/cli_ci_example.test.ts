// examples/ci_ensure.sh (plan, then ensure --locked --warm, exit code checked) against the fake
// Ollama, and `--warm` itself. Warming needs the fake to answer loads (`POST /api/generate`,
// `/api/ps`); where it does not yet, the warm-up's own success is skipped and the example is
// held to passing on the CLI's exit code.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { FakeOllama, unusedLoopbackUrl } from "../src/testing/mod.ts";
import {
  cliCommand,
  DENO_PERMISSIONS,
  jsonArgs,
  requestPaths,
  runCliProcess,
  type ServedFake,
  withFakes,
} from "./_cli.ts";
import { pulledModels } from "./_helpers.ts";

const EXAMPLE = fileURLToPath(new URL("../examples/ci_ensure.sh", import.meta.url));

/** Whether the fake Ollama answers loads (another part of the project is adding them). */
async function fakeLoads(): Promise<boolean> {
  const fake = new FakeOllama({ models: ["llama3"], tickMs: 0 });
  const response = await fake.handler(
    new Request("http://127.0.0.1:11434/api/generate", {
      method: "POST",
      body: JSON.stringify({ model: "llama3" }),
    }),
  );
  const text = await response.text();
  fake.close();
  return !(response.status === 404 && text.includes("404 page not found"));
}

let dir = "";
let loads = false;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vtcode-ollama-cli-ci-"));
  loads = await fakeLoads();
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A project that requires `models`, with its lock written by `ensure --write-lock`. */
async function lockedProject(name: string, s: ServedFake, models: string[]): Promise<string> {
  const cwd = join(dir, name);
  await mkdir(cwd);
  await writeFile(join(cwd, "vtcode.toml"), `[ollama]\nmodels = ${JSON.stringify(models)}\n`);
  const written = await runCliProcess(["ensure", "--write-lock", "--host", s.url], {
    cwd,
    denoPermissions: [...DENO_PERMISSIONS, "--allow-write"],
  });
  assert.equal(written.code, 0, written.stderr);
  return cwd;
}

/** Runs the example with the CLI under test, against `host`. */
function example(cwd: string, host: string) {
  const [runtime, args] = cliCommand();
  return runCliProcess([EXAMPLE], {
    cwd,
    command: ["/bin/sh", []],
    env: { OLLAMA_CLI: [runtime, ...args].join(" "), OLLAMA_HOST: host },
  });
}

describe("examples/ci_ensure.sh", { skip: process.platform === "win32" && "POSIX sh" }, () => {
  it("plan, then ensure --locked --warm: exit 0 when the models match the lock", async () => {
    await withFakes([{ models: ["llama3"] }], async (served) => {
      const [s] = served;
      const cwd = await lockedProject("ready", s, ["llama3"]);
      const run = await example(cwd, s.url);
      assert.match(run.stderr, /^llama3:latest {2}present$/m, "plan ran first");
      assert.match(run.stderr, /^nothing to download$/m);
      if (loads) {
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /^• warmed llama3:latest in /m);
        assert.match(run.stderr, /^ci_ensure: Ollama is ready$/m);
      } else {
        // The fake answers 404 to POST /api/generate for now: the warm-up step fails as against
        // a server that is not Ollama, and the example passes the CLI's code on.
        assert.equal(run.code, 3, run.stderr);
        assert.match(run.stderr, /^ci_ensure: ensure failed \(exit 3\)$/m);
        assert.ok(requestPaths(s.fake).includes("POST /api/generate"));
      }
      assert.deepEqual(pulledModels(s.fake), []);
    });
  });

  it("a model whose digest changed: exit 6 and what to do", async () => {
    await withFakes([{ models: ["llama3"] }], async ([s]) => {
      const cwd = await lockedProject("drifted", s, ["llama3"]);
      s.fake.removeModel("llama3");
      s.fake.addModel({ name: "llama3", digest: "d".repeat(64) });
      const run = await example(cwd, s.url);
      assert.equal(run.code, 6, run.stderr);
      assert.match(run.stderr, /^error: The installed models do not match .*ollama\.lock/m);
      assert.match(run.stderr, /^ci_ensure: the models do not match ollama\.lock/m);
      assert.equal(requestPaths(s.fake).includes("POST /api/generate"), false, "no warm-up");
    });
  });

  it("a server that is down: plan fails with exit 3 and ensure never runs", async () => {
    const cwd = join(dir, "down");
    await mkdir(cwd);
    await writeFile(join(cwd, "vtcode.toml"), '[ollama]\nmodels = ["llama3"]\n');
    const run = await example(cwd, await unusedLoopbackUrl());
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^ci_ensure: plan failed \(exit 3\); nothing was pulled$/m);
    assert.equal((run.stderr.match(/No running Ollama server detected/g) ?? []).length, 1);
  });
});

describe("cli: --warm", () => {
  it("loads each required model after ensure; warmed in the result, a line per model", async (t) => {
    if (!loads) {
      t.skip("the fake Ollama does not answer loads yet");
      return;
    }
    await withFakes([{ models: ["llama3", "tinyllama"] }], async ([s]) => {
      const config = join(dir, "warm.toml");
      await writeFile(config, '[ollama]\nkeep_alive = "30m"\n');
      const run = await runCliProcess(
        jsonArgs(["ensure", "--warm"], { config, host: s.url, models: ["llama3", "tinyllama"] }),
      );
      assert.equal(run.code, 0, run.stderr);
      const warmed = run.result?.warmed as Record<string, unknown>[];
      assert.deepEqual(warmed.map((w) => w.model), ["llama3:latest", "tinyllama:latest"]);
      for (const w of warmed) {
        assert.equal(typeof w.load_ms, "number");
        assert.equal(typeof w.size, "number");
        assert.equal(typeof w.size_vram, "number");
      }
      const loadsSent = s.fake.requests.filter((r) => r.path === "/api/generate");
      assert.deepEqual(
        loadsSent.map((
          r,
        ) => [
          (r.body as { model: string }).model,
          (r.body as { keep_alive?: unknown }).keep_alive,
        ]),
        [["llama3:latest", "30m"], ["tinyllama:latest", "30m"]],
      );
      const without = await runCliProcess([
        "ensure",
        "--json",
        "--host",
        s.url,
        "--model",
        "llama3",
      ]);
      assert.equal("warmed" in without.result!, false);
    });
  });
});
