// Inputs the CLI must refuse or fold before any request: --timeout out of range or not decimal,
// an empty --host, `pull A --model B`; aliases of one model pulled once; and every --json run,
// whatever happens (help, version, usage errors), ends with a result line.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeOllama, type ServedFakeOllama, serveFakeOllama } from "../src/testing/mod.ts";
import { runCliProcess } from "./_cli.ts";
import { pulledModels } from "./_helpers.ts";

let server: ServedFakeOllama;
let fake: FakeOllama;
before(async () => {
  fake = new FakeOllama({ models: ["llama3"], tickMs: 0 });
  server = await serveFakeOllama(fake);
});
after(async () => {
  await server.close();
});

const checkWithTimeout = (value: string) =>
  runCliProcess(["check", "--json", "--host", server.url, "--timeout", value]);

describe("cli: inputs refused before any request", () => {
  for (const value of ["1e306", "3000000", "0x10", "-1", "", " ", "0", "NaN", "Infinity", "5s"]) {
    it(`--timeout ${JSON.stringify(value)}: usage error naming --timeout, exit 2`, async () => {
      const before = fake.requests.length;
      const run = await checkWithTimeout(value);
      assert.equal(run.code, 2, run.stderr);
      const error = run.result?.error as { code: string; message: string };
      assert.equal(error.code, "usage");
      assert.match(error.message, /^--timeout must be a number of seconds/);
      assert.equal(fake.requests.length, before, "no request was sent");
    });
  }

  for (const value of ["2147483", "0.5", "2.5", ".5", "10"]) {
    it(`--timeout ${value} is accepted`, async () => {
      const run = await checkWithTimeout(value);
      assert.equal(run.code, 0, run.stderr);
    });
  }

  it('--host "": usage error, not a silent fall-through to the default', async () => {
    const run = await runCliProcess(["check", "--json", "--host", ""]);
    assert.equal(run.code, 2, run.stderr);
    const error = run.result?.error as { code: string; message: string };
    assert.equal(error.code, "usage");
    assert.match(error.message, /--host/);
    assert.equal(run.result?.base_url, null);
  });

  it("pull A --model B: usage error that says how to pull several, nothing pulled", async () => {
    const before = fake.requests.length;
    const run = await runCliProcess([
      "pull",
      "tinyllama",
      "--model",
      "qwen3:0.6b",
      "--json",
      "--host",
      server.url,
    ]);
    assert.equal(run.code, 2, run.stderr);
    const error = run.result?.error as { code: string; message: string };
    assert.equal(error.code, "usage");
    assert.match(error.message, /pull A B/);
    assert.equal(fake.requests.length, before);
  });

  it("list --model: usage error (list lists everything)", async () => {
    const run = await runCliProcess(["list", "--model", "x", "--json", "--host", server.url]);
    assert.equal(run.code, 2, run.stderr);
    assert.match((run.result?.error as { message: string }).message, /list does not take --model/);
  });

  it("an option missing its value is named: --host --json", async () => {
    const run = await runCliProcess(["check", "--host", "--json"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^error: --host needs a value/m);
    assert.equal((run.result?.error as { code: string }).code, "usage");
  });
});

describe("cli: aliases never cause a needless pull", () => {
  it("pull qwen3:0.6b QWEN3:0.6B library/qwen3:0.6b pulls once and lists one name", async () => {
    const isolated = new FakeOllama({ models: [], tickMs: 0 });
    const served = await serveFakeOllama(isolated);
    try {
      const run = await runCliProcess([
        "pull",
        "qwen3:0.6b",
        "QWEN3:0.6B",
        "library/qwen3:0.6b",
        "--json",
        "--host",
        served.url,
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.result?.pulled, ["qwen3:0.6b"]);
      assert.deepEqual(pulledModels(isolated), ["qwen3:0.6b"]);
      assert.equal(isolated.requests.filter((r) => r.path === "/api/pull").length, 1);
    } finally {
      await served.close();
    }
  });

  it("check and ensure with aliases in --model and the config: one model, no pull", async () => {
    const before = fake.requests.filter((r) => r.path === "/api/pull").length;
    for (const command of ["check", "ensure"]) {
      const run = await runCliProcess([
        command,
        "--json",
        "--host",
        server.url,
        "--model",
        "llama3",
        "--model",
        "LLAMA3:latest",
        "--model",
        "registry.ollama.ai/library/llama3",
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.result?.present, ["llama3:latest"]);
    }
    assert.equal(fake.requests.filter((r) => r.path === "/api/pull").length, before);
  });
});

describe("cli: every --json run ends with a result line", () => {
  const cases: [string, string[], number, string | null][] = [
    ["--version --json", ["--version", "--json"], 0, null],
    ["--help --json", ["--help", "--json"], 0, null],
    ["--json --version (either order)", ["--json", "-V"], 0, null],
    ["an unknown option", ["--json", "--hots", "x"], 2, "usage"],
    ["an unknown option before --json", ["--hots", "x", "--json"], 2, "usage"],
    ["an unknown command", ["chekc", "--json"], 2, "usage"],
    ["a boolean given a value", ["--json", "--quiet=yes"], 2, "usage"],
  ];
  for (const [name, args, code, errorCode] of cases) {
    it(`${name}: exit ${code}, last stdout line is the result`, async () => {
      const run = await runCliProcess(args);
      assert.equal(run.code, code, run.stderr);
      assert.ok(run.result, `no result line in ${JSON.stringify(run.stdout)}`);
      assert.equal(run.stdout.trimEnd().split("\n").length, 1, "stdout holds only the result");
      assert.equal(run.result.exit_code, code);
      assert.equal((run.result.error as { code: string } | null)?.code ?? null, errorCode);
    });
  }

  it("--version without --json: the version on stderr, stdout empty", async () => {
    const run = await runCliProcess(["--version"]);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /^\d+\.\d+\.\d+\n$/);
    assert.equal(run.stdout, "");
  });
});
