// deno-lint-ignore-file no-control-regex
// The contract, end to end: the real CLI as a subprocess against the fake Ollama on a loopback
// port. Each test asserts the exit code, the --json result line, and what the server received.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeOllama, serveFakeOllama, unusedLoopbackUrl } from "../src/testing/mod.ts";
import { runCliProcess } from "./_cli.ts";
import { pulledModels } from "./_helpers.ts";

interface Served {
  fake: FakeOllama;
  url: string;
}

/** Runs `test` against a fake Ollama (fast mode) on a loopback port, then closes it. */
async function withServer(
  init: ConstructorParameters<typeof FakeOllama>[0],
  test: (served: Served) => Promise<void>,
): Promise<void> {
  const fake = new FakeOllama({ tickMs: 0, ...init });
  const server = await serveFakeOllama(fake);
  try {
    await test({ fake, url: server.url });
  } finally {
    await server.close();
  }
}

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vtcode-ollama-cli-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function config(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe("cli: ensure", () => {
  it("all present: exit 0, no pull, result line lists them in short form", async () => {
    await withServer({ models: ["llama3:latest"] }, async (s) => {
      const run = await runCliProcess([
        "--json",
        "--host",
        s.url,
        "--model",
        "LLAMA3",
        "--model",
        "library/llama3",
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.result, {
        type: "result",
        ok: true,
        exit_code: 0,
        base_url: s.url,
        server_version: "0.33.0",
        present: ["llama3:latest"],
        pulled: [],
        missing: [],
        error: null,
      });
      assert.deepEqual(pulledModels(s.fake), []);
    });
  });

  it("missing and allowed: pulls it, confirms it is listed, exit 0", async () => {
    await withServer({ models: [] }, async (s) => {
      const run = await runCliProcess([
        "ensure",
        "--json",
        "--host",
        s.url,
        "--model",
        "tinyllama",
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.result?.pulled, ["tinyllama:latest"]);
      assert.deepEqual(pulledModels(s.fake), ["tinyllama:latest"]);
      const paths = s.fake.requests.map((r) => `${r.method} ${r.path}`);
      assert.equal(paths.at(-1), "GET /api/tags", "the pull is verified by listing afterwards");
      assert.ok(run.lines.some((l) => l.type === "pull_progress"));
      assert.ok(run.lines.some((l) => l.type === "pull_success"));
    });
  });

  it("--no-pull: exit 4, no pull request, missing listed", async () => {
    await withServer({ models: [] }, async (s) => {
      const run = await runCliProcess([
        "--json",
        "--no-pull",
        "--host",
        s.url,
        "--model",
        "tinyllama",
      ]);
      assert.equal(run.code, 4);
      assert.equal(run.result?.ok, false);
      assert.equal(run.result?.exit_code, 4);
      assert.deepEqual(run.result?.missing, ["tinyllama:latest"]);
      assert.equal((run.result?.error as { code: string }).code, "model_missing");
      assert.deepEqual(pulledModels(s.fake), []);
    });
  });

  it("auto_pull = false in the config: exit 4, no pull request", async () => {
    await withServer({ models: [] }, async (s) => {
      const path = await config(
        "nopull.toml",
        `[ollama]\nauto_pull = false\nmodels = ["tinyllama"]\nbase_url = "${s.url}/v1"\n`,
      );
      const run = await runCliProcess(["--json", "--config", path]);
      assert.equal(run.code, 4);
      assert.deepEqual(pulledModels(s.fake), []);
    });
  });

  it("outside the whitelist: exit 4 not_whitelisted, no pull request", async () => {
    await withServer({ models: [] }, async (s) => {
      const path = await config("wl.toml", `[ollama]\nwhitelist = ["qwen3:*"]\n`);
      const run = await runCliProcess([
        "--json",
        "--config",
        path,
        "--host",
        s.url,
        "--model",
        "tinyllama",
      ]);
      assert.equal(run.code, 4);
      assert.equal((run.result?.error as { code: string }).code, "not_whitelisted");
      assert.deepEqual(pulledModels(s.fake), []);
    });
  });

  it("an alias cannot get around the whitelist", async () => {
    await withServer({ models: [] }, async (s) => {
      const path = await config("wl2.toml", `[ollama]\nwhitelist = ["tinyllama:*"]\n`);
      const run = await runCliProcess([
        "--json",
        "--config",
        path,
        "--host",
        s.url,
        "--model",
        "evil.example/library/tinyllama:latest",
      ]);
      assert.equal(run.code, 4);
      assert.deepEqual(pulledModels(s.fake), []);
    });
  });

  it("a pull that fails: exit 5 pull_failed", async () => {
    await withServer({ models: [] }, async (s) => {
      const run = await runCliProcess(["--json", "--host", s.url, "--model", "no-such-model"]);
      assert.equal(run.code, 5);
      assert.equal((run.result?.error as { code: string }).code, "pull_failed");
      assert.match((run.result?.error as { message: string }).message, /file does not exist/);
      assert.deepEqual(run.result?.missing, ["no-such-model:latest"]);
    });
  });
});

describe("cli: check, list, pull", () => {
  it("check never pulls: exit 4 when missing", async () => {
    await withServer({ models: ["llama3"] }, async (s) => {
      const run = await runCliProcess([
        "check",
        "--json",
        "--host",
        s.url,
        "--model",
        "llama3",
        "--model",
        "qwen3:0.6b",
      ]);
      assert.equal(run.code, 4);
      assert.deepEqual(run.result?.present, ["llama3:latest"]);
      assert.deepEqual(run.result?.missing, ["qwen3:0.6b"]);
      assert.deepEqual(pulledModels(s.fake), []);
    });
  });

  it("list prints installed names on stdout, one per line, nothing else", async () => {
    await withServer({ models: ["llama3", "qwen3:0.6b"] }, async (s) => {
      const run = await runCliProcess(["list", "--host", s.url]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.stdout.trim().split("\n").sort(), ["llama3:latest", "qwen3:0.6b"]);
    });
  });

  it("pull MODEL pulls even when present, and respects the whitelist", async () => {
    await withServer({ models: [] }, async (s) => {
      const path = await config("wl3.toml", `[ollama]\nwhitelist = ["tinyllama"]\n`);
      const run = await runCliProcess([
        "pull",
        "tinyllama",
        "qwen3:0.6b",
        "--json",
        "--config",
        path,
        "--host",
        s.url,
      ]);
      assert.equal(run.code, 4);
      assert.deepEqual(run.result?.pulled, ["tinyllama:latest"]);
      assert.deepEqual(run.result?.missing, ["qwen3:0.6b"]);
      assert.deepEqual(pulledModels(s.fake), ["tinyllama:latest"]);
    });
  });
});

describe("cli: errors before any request", () => {
  const usage: [string, string[], number, string][] = [
    ["an unknown option, with a suggestion", ["--hots", "x"], 2, "usage"],
    ["an unknown command", ["chekc"], 2, "usage"],
    ["pull without a model", ["pull"], 2, "usage"],
    ["a bad --timeout", ["--timeout", "0"], 2, "usage"],
    ["an invalid model name", ["--model", "llama3:"], 2, "invalid_model_name"],
    ["a --config that does not exist", ["--config", "/nonexistent/vtcode.toml"], 2, "config"],
  ];
  for (const [name, args, code, errorCode] of usage) {
    it(`${name}: exit ${code} ${errorCode}`, async () => {
      await withServer({}, async (s) => {
        const run = await runCliProcess([...args, "--json", "--host", s.url]);
        assert.equal(run.code, code, run.stderr);
        assert.equal((run.result?.error as { code: string }).code, errorCode);
        assert.equal(s.fake.requests.length, 0);
      });
    });
  }

  it("--hots suggests --host", async () => {
    const run = await runCliProcess(["--hots", "x"]);
    assert.match(run.stderr, /did you mean --host\?/);
  });

  it("a config with an unknown key names it and the close match", async () => {
    const path = await config("typo.toml", `[ollama]\nautopull = true\n`);
    const run = await runCliProcess(["--json", "--config", path]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /autopull/);
    assert.match(run.stderr, /auto_pull/);
  });

  it("--help lists every command, option, key and exit code; --version prints it", async () => {
    const help = await runCliProcess(["--help"]);
    assert.equal(help.code, 0);
    for (
      const word of [
        "ensure",
        "check",
        "list",
        "pull",
        "--config",
        "--host",
        "--model",
        "--no-pull",
        "--timeout",
        "--json",
        "--quiet",
        "base_url",
        "auto_pull",
        "whitelist",
        "timeout_secs",
        "stall_timeout_secs",
        "pull_retries",
        "130",
      ]
    ) {
      assert.ok(help.stderr.includes(word), word);
    }
    assert.equal(help.stdout, "");
    const version = await runCliProcess(["--version"]);
    assert.match(version.stderr, /^\d+\.\d+\.\d+\n$/);
  });
});

describe("cli: the server", () => {
  it("nothing listening: exit 3 unreachable, with how to fix it", async () => {
    const url = await unusedLoopbackUrl();
    const run = await runCliProcess(["--json", "--host", url]);
    assert.equal(run.code, 3);
    assert.equal((run.result?.error as { code: string }).code, "unreachable");
    assert.match(
      run.stderr,
      new RegExp(`No running Ollama server detected at ${url.replace(/[.]/g, "\\.")}`),
    );
    assert.match(run.stderr, /ollama serve/);
  });

  it("address resolution: OLLAMA_HOST is used when nothing beats it", async () => {
    await withServer({ models: ["llama3"] }, async (s) => {
      const port = new URL(s.url).port;
      const run = await runCliProcess(["--json", "--model", "llama3"], {
        env: { OLLAMA_HOST: `:${port}` },
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.result?.base_url, `http://127.0.0.1:${port}`);
    });
  });

  it("a server that never answers: exit 3 timeout at --timeout", async () => {
    await withServer({}, async (s) => {
      s.fake.injectFault({ kind: "hang" });
      const run = await runCliProcess(["--json", "--timeout", "0.3", "--host", s.url]);
      assert.equal(run.code, 3);
      assert.equal((run.result?.error as { code: string }).code, "timeout");
    });
  });

  it("an HTML page: exit 3 not_ollama", async () => {
    await withServer({}, async (s) => {
      s.fake.injectFault({ kind: "html", status: 200 });
      const run = await runCliProcess(["--json", "--host", s.url]);
      assert.equal(run.code, 3);
      assert.equal((run.result?.error as { code: string }).code, "not_ollama");
    });
  });

  it("server text never reaches stderr with control characters", async () => {
    await withServer({ models: [] }, async (s) => {
      s.fake.injectFault({ kind: "control_chars" });
      const run = await runCliProcess(["--host", s.url, "--model", "tinyllama"], {
        env: { NO_COLOR: "1" },
      });
      assert.doesNotMatch(run.stderr, /[\u0000-\u0008\u000b-\u001f\u007f\u009b]/);
    });
  });

  it("a password in --host never appears in any output", async () => {
    const url = await unusedLoopbackUrl();
    const withPassword = url.replace("http://", "http://alice:hunter2@");
    const run = await runCliProcess(["--json", "--host", withPassword]);
    assert.equal(run.code, 3);
    assert.doesNotMatch(run.stdout + run.stderr, /hunter2/);
  });
});

describe("cli: output and resolution rules", () => {
  it("./vtcode.toml in the working directory is the default config", async () => {
    await withServer({ models: [] }, async (s) => {
      const cwd = join(dir, "project");
      await mkdir(cwd, { recursive: true });
      await writeFile(
        join(cwd, "vtcode.toml"),
        `[ollama]\nmodels = ["tinyllama"]\nauto_pull = false\n`,
      );
      const run = await runCliProcess(["--json", "--host", s.url], { cwd });
      assert.equal(run.code, 4);
      assert.deepEqual(run.result?.missing, ["tinyllama:latest"]);
    });
  });

  it("--host beats base_url, which beats OLLAMA_BASE_URL, which beats OLLAMA_HOST", async () => {
    await withServer({ models: [] }, async (s) => {
      const dead = await unusedLoopbackUrl();
      const withBaseUrl = await config("base.toml", `[ollama]\nbase_url = "${dead}"\n`);
      const env = { OLLAMA_BASE_URL: dead, OLLAMA_HOST: dead };
      const byHost = await runCliProcess(["--json", "--config", withBaseUrl, "--host", s.url], {
        env,
      });
      assert.equal(byHost.code, 0, byHost.stderr);
      const live = await config("live.toml", `[ollama]\nbase_url = "${s.url}/v1"\n`);
      const byConfig = await runCliProcess(["--json", "--config", live], { env });
      assert.equal(byConfig.code, 0, byConfig.stderr);
      assert.equal(byConfig.result?.base_url, s.url);
      const byEnv = await runCliProcess(["--json"], {
        env: { OLLAMA_BASE_URL: s.url, OLLAMA_HOST: dead },
      });
      assert.equal(byEnv.code, 0, byEnv.stderr);
      const wrongEnv = await runCliProcess(["--json"], {
        env: { OLLAMA_BASE_URL: dead, OLLAMA_HOST: s.url },
      });
      assert.equal(wrongEnv.code, 3);
    });
  });

  it("without --json stdout stays empty; stderr has no escape sequences when it is not a terminal", async () => {
    await withServer({ models: [] }, async (s) => {
      const run = await runCliProcess(["--host", s.url, "--model", "tinyllama"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, "");
      assert.doesNotMatch(run.stderr, /\u001b/);
      assert.match(run.stderr, /tinyllama:latest: pulling manifest/);
      assert.match(run.stderr, /^ready: tinyllama:latest$/m);
    });
  });

  it("--quiet prints nothing on stderr but errors", async () => {
    await withServer({ models: [] }, async (s) => {
      const ok = await runCliProcess(["--quiet", "--host", s.url, "--model", "tinyllama"]);
      assert.equal(ok.code, 0);
      assert.equal(ok.stderr, "");
      const failed = await runCliProcess(["--quiet", "--host", s.url, "--model", "nope"]);
      assert.equal(failed.code, 5);
      assert.match(failed.stderr, /^error: Pulling nope:latest failed/);
    });
  });
});
