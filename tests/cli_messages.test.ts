// Issue 10: each outcome is said once, for people, on stderr (plus the result line with --json),
// and the advice fits the command and the config. Config warnings are printed once each.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FakeOllama,
  type ServedFakeOllama,
  serveFakeOllama,
  unusedLoopbackUrl,
} from "../src/testing/mod.ts";
import { runCliProcess } from "./_cli.ts";

let server: ServedFakeOllama;
let dir = "";
before(async () => {
  server = await serveFakeOllama(new FakeOllama({ models: ["qwen3:0.6b"], tickMs: 0 }));
  dir = await mkdtemp(join(tmpdir(), "vtcode-ollama-cli-messages-"));
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const count = (text: string, needle: string | RegExp) =>
  typeof needle === "string"
    ? text.split(needle).length - 1
    : (text.match(new RegExp(needle, "gm")) ?? []).length;

/** The lines of stderr that speak of the outcome (not progress, not the • log). */
const outcomeLines = (stderr: string) =>
  stderr.split("\n").filter((line) => /^(error|interrupted|ready|warning|!|✘)/.test(line));

describe("cli: each outcome once", () => {
  it("server down: one line, no '!' echo", async () => {
    const url = await unusedLoopbackUrl();
    const run = await runCliProcess(["check", "--host", url]);
    assert.equal(run.code, 3);
    assert.equal(count(run.stderr, "No running Ollama server detected"), 1, run.stderr);
    assert.deepEqual(outcomeLines(run.stderr).length, 1, run.stderr);
  });

  it("check with a missing model: one line; advice to run ensure or `ollama pull` the real name", async () => {
    const run = await runCliProcess(["check", "--host", server.url, "--model", "llama3"]);
    assert.equal(run.code, 4);
    const lines = outcomeLines(run.stderr);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0],
      /^error: Required model not installed: llama3:latest \(check never pulls\)/,
    );
    assert.match(lines[0], /`ensure`/);
    assert.match(lines[0], /`ollama pull llama3:latest`/);
    assert.doesNotMatch(lines[0], /<name>|auto_pull/);
  });

  it("--no-pull: advice is to drop it (not to set auto_pull, which is true)", async () => {
    const run = await runCliProcess(["--no-pull", "--host", server.url, "--model", "llama3"]);
    assert.equal(run.code, 4);
    const lines = outcomeLines(run.stderr);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /without --no-pull/);
    assert.doesNotMatch(lines[0], /auto_pull/);
  });

  it("auto_pull = false in the file: advice names the file and the key", async () => {
    const path = join(dir, "nopull.toml");
    await writeFile(path, '[ollama]\nauto_pull = false\nmodels = ["llama3", "tinyllama"]\n');
    const run = await runCliProcess(["--config", path, "--host", server.url]);
    assert.equal(run.code, 4);
    const lines = outcomeLines(run.stderr);
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], new RegExp(`Set auto_pull = true in ${path.replace(/[.]/g, "\\.")}`));
    // Ollama's pull takes one name at a time.
    assert.match(lines[0], /`ollama pull llama3:latest` and `ollama pull tinyllama:latest`/);
  });

  it("not in the whitelist: one line", async () => {
    const path = join(dir, "wl.toml");
    await writeFile(path, '[ollama]\nwhitelist = ["qwen3:*"]\n');
    const run = await runCliProcess(["--config", path, "--host", server.url, "--model", "llama3"]);
    assert.equal(run.code, 4);
    assert.equal(count(run.stderr, "not in the pull whitelist"), 1, run.stderr);
  });

  it("a failed pull: its message once", async () => {
    const run = await runCliProcess(["--host", server.url, "--model", "no-such-model"]);
    assert.equal(run.code, 5);
    assert.equal(count(run.stderr, /^error: /), 1, run.stderr);
    assert.equal(count(run.stderr, "Pulling no-such-model:latest failed"), 1, run.stderr);
  });

  const twoFailures: [string, string[]][] = [
    ["pull", ["pull", "no-such-model", "tinyllama"]],
    ["ensure", ["ensure", "--model", "no-such-model", "--model", "tinyllama"]],
  ];
  for (const [command, args] of twoFailures) {
    it(`${command} of two models that fail differently: each said once, the pull failure decides`, async () => {
      const path = join(dir, `wl-${command}.toml`);
      await writeFile(path, '[ollama]\nwhitelist = ["no-such-model", "qwen3:*"]\n');
      const run = await runCliProcess([...args, "--json", "--config", path, "--host", server.url]);
      assert.equal(run.code, 5, run.stderr);
      assert.equal((run.result?.error as { code: string }).code, "pull_failed");
      assert.equal(count(run.stderr, "Pulling no-such-model:latest failed"), 1, run.stderr);
      assert.equal(count(run.stderr, "tinyllama:latest is not in the pull whitelist"), 1);
      assert.equal(count(run.stderr, /^error: /), 2, run.stderr);
    });
  }

  it("ready: one line", async () => {
    const run = await runCliProcess(["--host", server.url, "--model", "qwen3:0.6b"]);
    assert.equal(run.code, 0);
    assert.deepEqual(outcomeLines(run.stderr), ["ready: qwen3:0.6b"]);
  });
});

describe("cli: config warnings", () => {
  it("a misspelt [olama] table: one 'warning:' line, also a log event with --json", async () => {
    const path = join(dir, "typo.toml");
    await writeFile(path, '[olama]\nmodels = ["llama3"]\n');
    const run = await runCliProcess(["check", "--json", "--config", path, "--host", server.url]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(count(run.stderr, /^warning: .*olama/), 1, run.stderr);
    assert.ok(
      run.lines.some((l) =>
        l.type === "log" && l.level === "warn" && /olama/.test(String(l.message))
      ),
    );
  });

  it("--quiet: no warning", async () => {
    const path = join(dir, "typo2.toml");
    await writeFile(path, '[olama]\nmodels = ["llama3"]\n');
    const run = await runCliProcess(["check", "--quiet", "--config", path, "--host", server.url]);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, "");
  });
});

describe("cli: --help", () => {
  it("lists the [ollama] keys the config has, and the v2 commands", async () => {
    const run = await runCliProcess(["--help"]);
    assert.equal(run.code, 0);
    for (const key of ["hosts", "insecure", "pull_concurrency", "warm", "keep_alive"]) {
      assert.match(run.stderr, new RegExp(`^  ${key} `, "m"), key);
    }
    assert.match(run.stderr, /pull_concurrency .*1 to 8 \(default 2\)/);
    assert.match(run.stderr, /143 on SIGTERM, 129 on SIGHUP/);
    for (const command of ["plan", "outdated"]) {
      assert.match(run.stderr, new RegExp(`^  ${command} `, "m"));
    }
  });
});
