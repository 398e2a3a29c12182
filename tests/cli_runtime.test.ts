// What the runtime refuses or lacks: Deno run with only the permissions the README lists (or
// fewer), and Bun started in a working directory that was deleted.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  FakeOllama,
  type ServedFakeOllama,
  serveFakeOllama,
  unusedLoopbackUrl,
} from "../src/testing/mod.ts";
import { CLI_PATH, IS_BUN, IS_DENO, runCliProcess, which } from "./_cli.ts";

const README_ENV = "--allow-env=OLLAMA_HOST,OLLAMA_BASE_URL,OLLAMA_API_KEY,NO_COLOR";

let server: ServedFakeOllama;
let dir = "";
before(async () => {
  server = await serveFakeOllama(new FakeOllama({ models: ["llama3"], tickMs: 0 }));
  dir = await mkdtemp(join(tmpdir(), "vtcode-ollama-cli-runtime-"));
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** How often `needle` occurs in `text`. */
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("cli under Deno with narrowed permissions", { skip: !IS_DENO }, () => {
  it("--allow-env narrowed to the README's list: list and check work, no NotCapable", async () => {
    const permissions = ["--allow-net", README_ENV, "--allow-read"];
    const list = await runCliProcess(["list", "--host", server.url], {
      denoPermissions: permissions,
    });
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, "llama3:latest\n");
    assert.doesNotMatch(list.stderr, /NotCapable|^\s+at /m);
    const port = new URL(server.url).port;
    const check = await runCliProcess(["check", "--json", "--model", "llama3"], {
      denoPermissions: permissions,
      env: { OLLAMA_HOST: `127.0.0.1:${port}` },
    });
    assert.equal(check.code, 0, check.stderr);
    assert.equal(check.result?.base_url, `http://127.0.0.1:${port}`);
  });

  it("a denied --allow-net names the flag to add, once; exit 2", async () => {
    const port = new URL(server.url).port;
    const run = await runCliProcess(["check", "--json", "--host", server.url], {
      denoPermissions: ["--allow-net=127.0.0.1:1", "--allow-env", "--allow-read"],
    });
    assert.equal(run.code, 2, run.stderr);
    const error = run.result?.error as { code: string; message: string };
    assert.equal(error.code, "usage");
    assert.match(error.message, new RegExp(`--allow-net=127\\.0\\.0\\.1:${port}`));
    assert.equal(count(run.stderr, `--allow-net=127.0.0.1:${port}`), 1, run.stderr);
    assert.doesNotMatch(run.stderr, /NotCapable|^\s+at /m);
  });

  it("a denied --allow-read for the config names the flag to add, once; exit 2", async () => {
    const path = join(dir, "denied.toml");
    await writeFile(path, '[ollama]\nmodels = ["llama3"]\n');
    const run = await runCliProcess(["check", "--json", "--config", path, "--host", server.url], {
      denoPermissions: ["--allow-net", "--allow-env"],
    });
    assert.equal(run.code, 2, run.stderr);
    assert.equal((run.result?.error as { code: string }).code, "config");
    assert.match(run.stderr, /--allow-read=\S*denied\.toml/);
    assert.equal(count(run.stderr, "cannot read the config file"), 1, run.stderr);
    assert.doesNotMatch(run.stderr, /NotCapable|^\s+at /m);
  });

  it("no --allow-env: OLLAMA_HOST cannot be read, and the CLI says which flag to add", async () => {
    const dead = await unusedLoopbackUrl();
    const run = await runCliProcess(["check", "--json"], {
      denoPermissions: ["--allow-net=127.0.0.1", "--allow-read"],
      env: { OLLAMA_HOST: dead },
    });
    assert.match(run.stderr, /^warning: .*OLLAMA_HOST.*--allow-env=OLLAMA_HOST/m);
    assert.doesNotMatch(run.stderr, /NotCapable|^\s+at /m);
    assert.equal(count(run.stderr, "warning:"), 1, run.stderr);
  });

  it("narrowed --allow-env and a proxy it cannot see: a failure on loopback says so", async () => {
    const dead = await unusedLoopbackUrl();
    const run = await runCliProcess(["check", "--json", "--host", server.url], {
      denoPermissions: ["--allow-net", README_ENV, "--allow-read"],
      env: { HTTP_PROXY: dead },
    });
    // Deno reads HTTP_PROXY itself, whatever the permissions, and the CLI may neither read it
    // nor set NO_PROXY: the request goes to the (dead) proxy, and the failure must say why.
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^warning: .*HTTP_PROXY.*NO_PROXY/m);
  });
});

describe("cli under Bun in a deleted working directory", () => {
  const bun = IS_BUN ? process.execPath : which("bun");
  const inDeletedDir = async (args: string[]) => {
    const gone = await mkdtemp(join(dir, "gone-"));
    // cd into the directory, delete it, then exec Bun there.
    return runCliProcess(args, {
      command: ["/bin/sh", ["-c", 'cd "$0" && rmdir "$0" && exec "$@"', gone, bun!, CLI_PATH]],
    });
  };

  it("--help: exit 0", { skip: bun === undefined && "bun not found" }, async () => {
    const run = await inDeletedDir(["--help"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^vtcode-ollama /);
  });

  it("check against a server: exit 0 (no config file there)", {
    skip: bun === undefined && "bun not found",
  }, async () => {
    const run = await inDeletedDir(["check", "--json", "--host", server.url, "--model", "llama3"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.result?.present, ["llama3:latest"]);
  });
});
