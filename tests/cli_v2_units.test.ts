// The command line's v2 pieces that need no server: the arguments (--host repeated,
// --concurrency, --locked's conflicts), the servers of a run and their labels, where the lock
// is, VTCODE_OLLAMA_REGISTRY, free disk, and the result line of a fleet.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { COMMANDS } from "../src/cli/commands/mod.ts";
import { CLI_ENV_NAMES, registryOption } from "../src/cli/env.ts";
import { parseCliArgs } from "../src/cli/flags.ts";
import { freeDiskProbe, modelsDirectory } from "../src/cli/free_disk.ts";
import { lockLocation } from "../src/cli/lock_file.ts";
import { resultLine } from "../src/cli/output.ts";
import { runTargets } from "../src/cli/targets.ts";
import { UnreachableError, UsageError } from "../src/errors/mod.ts";
import { thrown } from "./_helpers.ts";

const run = (args: string[]) => {
  const request = parseCliArgs(args, COMMANDS);
  assert.equal(request.kind, "run");
  return (request as Extract<typeof request, { kind: "run" }>).flags;
};
const usage = (args: string[]) => {
  const error = thrown(() => parseCliArgs(args, COMMANDS));
  assert.ok(error instanceof UsageError, String(error));
  return error.message;
};

describe("cli flags: v2", () => {
  it("--host repeated keeps the order, each once; the new options are read", () => {
    const flags = run([
      "ensure",
      "--host",
      "b:1",
      "--host",
      "a:1",
      "--host",
      "b:1",
      "--update",
      "--concurrency",
      " 3 ",
      "--warm",
      "--lock",
      "x.lock",
      "--write-lock",
    ]);
    assert.deepEqual(flags.hosts, ["b:1", "a:1"]);
    assert.deepEqual(
      [flags.update, flags.concurrency, flags.warm, flags.lock, flags.writeLock, flags.locked],
      [true, 3, true, "x.lock", true, false],
    );
  });

  it("--concurrency: a whole number from 1 to 8", () => {
    for (const value of ["0", "9", "-1", "1.5", "two", ""]) {
      assert.match(usage(["--concurrency", value]), /from 1 to 8/, value);
    }
    assert.equal(run(["--concurrency", "8"]).concurrency, 8);
  });

  it("--locked with --update or --write-lock is a usage error that says what to run", () => {
    assert.match(usage(["--locked", "--update"]), /--locked cannot be used with --update:/);
    assert.match(
      usage(["--write-lock", "--locked", "--update"]),
      /with --update or --write-lock: .*`ensure --update --write-lock`/,
    );
    assert.equal(run(["check", "--locked"]).locked, true);
  });

  it("options a command does not take are refused by name", () => {
    assert.match(usage(["check", "--warm"]), /check does not take --warm/);
    assert.match(usage(["outdated", "--update"]), /outdated does not take --update/);
    assert.match(usage(["plan", "--locked"]), /plan does not take --locked/);
    assert.match(usage(["--lock", " "]), /--lock needs a file path/);
  });

  it("list and pull refuse several --host, pointing to ensure", () => {
    for (const command of [["list"], ["pull", "llama3"]]) {
      assert.match(
        usage([...command, "--host", "a", "--host", "b"]),
        /talks to one server, got 2 --host values; .*`ensure --model NAME --host A --host B`/,
      );
    }
    assert.deepEqual(run(["list", "--host", "a", "--host", "a"]).hosts, ["a"]);
  });
});

describe("cli: the servers of a run", () => {
  it("--host beats hosts and base_url; labels are host:port without credentials", () => {
    const config = { hosts: ["gpu-1", "gpu-2:8080"], baseUrl: undefined };
    assert.deepEqual(
      runTargets(["http://alice:secret@gpu-9:11434"], config, {}).map((t) => t.label),
      ["gpu-9:11434"],
    );
    assert.deepEqual(runTargets([], config, {}).map((t) => [t.label, t.url]), [
      ["gpu-1:11434", "http://gpu-1:11434"],
      ["gpu-2:8080", "http://gpu-2:8080"],
    ]);
  });

  it("one address by the usual resolution when neither is given; two spellings count once", () => {
    const [single] = runTargets([], { hosts: undefined, baseUrl: undefined }, {
      OLLAMA_HOST: ":9999",
    });
    assert.deepEqual([single.given, single.url, single.source], [
      undefined,
      "http://127.0.0.1:9999",
      "OLLAMA_HOST",
    ]);
    const twice = runTargets(["gpu-1", "http://gpu-1:11434/"], {
      hosts: undefined,
      baseUrl: undefined,
    }, {});
    assert.equal(twice.length, 1);
  });

  it("a malformed address is kept (the run says what is wrong with it), labelled as given", () => {
    const [bad] = runTargets(["http://"], { hosts: undefined, baseUrl: undefined }, {});
    assert.deepEqual([bad.url, bad.label], [undefined, "http://"]);
  });
});

describe("cli: where the lock is", () => {
  it("--lock, else beside the config file, else ./ollama.lock; relative paths from cwd", () => {
    assert.deepEqual(lockLocation("ci/x.lock", "/p/vtcode.toml", "/w"), {
      path: "/w/ci/x.lock",
      shown: "ci/x.lock",
    });
    assert.deepEqual(lockLocation(undefined, "/p/conf/vtcode.toml", "/w"), {
      path: "/p/conf/ollama.lock",
      shown: "/p/conf/ollama.lock",
    });
    assert.deepEqual(lockLocation(undefined, undefined, "/w"), {
      path: "/w/ollama.lock",
      shown: "ollama.lock",
    });
    assert.deepEqual(lockLocation(undefined, undefined, undefined), {
      path: "ollama.lock",
      shown: "ollama.lock",
    });
  });
});

describe("cli: VTCODE_OLLAMA_REGISTRY", () => {
  it("off turns the registry off; unset, empty or on leave it; anything else is a usage error", () => {
    assert.equal(registryOption({ VTCODE_OLLAMA_REGISTRY: " OFF " }), false);
    for (const value of [undefined, "", "on"]) {
      assert.equal(registryOption({ VTCODE_OLLAMA_REGISTRY: value }), undefined);
    }
    const error = thrown(() => registryOption({ VTCODE_OLLAMA_REGISTRY: "of" }));
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /must be "off" .* got "of"/);
    assert.ok(CLI_ENV_NAMES.includes("VTCODE_OLLAMA_REGISTRY"));
    assert.ok(CLI_ENV_NAMES.includes("OLLAMA_MODELS"));
  });
});

describe("cli: free disk of a local server", () => {
  it("the models directory: OLLAMA_MODELS, else ~/.ollama/models", () => {
    assert.equal(modelsDirectory({ OLLAMA_MODELS: "/data/m", HOME: "/h" }), "/data/m");
    assert.equal(modelsDirectory({ HOME: "/h/" }), "/h/.ollama/models");
    assert.equal(modelsDirectory({ USERPROFILE: "C:\\Users\\a" }), "C:\\Users\\a/.ollama/models");
    assert.equal(modelsDirectory({}), undefined);
  });

  it("measures the nearest existing parent; free bytes are bavail * bsize", async () => {
    const asked: string[] = [];
    const fs = {
      promises: {
        statfs(path: string) {
          asked.push(path);
          if (path !== "/h") {
            return Promise.reject(Object.assign(new Error("no"), { code: "ENOENT" }));
          }
          return Promise.resolve({ bavail: 10n, bsize: 4096 });
        },
      },
    };
    const free = await freeDiskProbe({ HOME: "/h" }, () => Promise.resolve(fs))();
    assert.deepEqual(free, { bytes: 40960, path: "/h" });
    assert.deepEqual(asked, ["/h/.ollama/models", "/h/.ollama", "/h"]);
  });

  it("any doubt is undefined: no statfs, a refusal, nothing known", async () => {
    const refusing = {
      promises: { statfs: () => Promise.reject(Object.assign(new Error("NotCapable"), {})) },
    };
    assert.equal(await freeDiskProbe({ HOME: "/h" }, () => Promise.resolve({}))(), undefined);
    assert.equal(await freeDiskProbe({ HOME: "/h" }, () => Promise.resolve(refusing))(), undefined);
    assert.equal(await freeDiskProbe({}, () => Promise.reject(new Error("x")))(), undefined);
  });

  it("this runtime's node:fs has statfs, and it measures the temp directory", async () => {
    const { tmpdir } = await import("node:os");
    const free = await freeDiskProbe({ OLLAMA_MODELS: `${tmpdir()}/vtcode-none/models` })();
    // Under Deno, statfs needs --allow-sys: without it the probe gives undefined, by design.
    if (free !== undefined) {
      assert.equal(free.path, tmpdir());
      assert.ok(free.bytes > 0);
    }
  });
});

describe("cli: the result line of a fleet", () => {
  it("base_url null, the unions, one object per host shaped like a single result", () => {
    const down = new UnreachableError("http://b:1");
    const line = JSON.parse(resultLine({
      baseUrl: null,
      serverVersion: null,
      present: [],
      pulled: ["m:latest"],
      missing: ["m:latest"],
      error: down,
      plan: [{ model: "m:latest", action: "pull", downloadBytes: 5, reason: null, host: "a:1" }],
      downloadBytes: 5,
      hosts: [
        {
          label: "a:1",
          baseUrl: "http://a:1",
          serverVersion: "0.12.3",
          present: [],
          pulled: ["m:latest"],
          missing: [],
          error: null,
          plan: [{ model: "m:latest", action: "pull", downloadBytes: 5, reason: null }],
          downloadBytes: 5,
        },
        {
          label: "b:1",
          baseUrl: "http://b:1",
          serverVersion: null,
          present: [],
          pulled: [],
          missing: ["m:latest"],
          error: down,
        },
      ],
    }));
    assert.deepEqual(line, {
      type: "result",
      ok: false,
      exit_code: 3,
      base_url: null,
      server_version: null,
      present: [],
      pulled: ["m:latest"],
      missing: ["m:latest"],
      error: { code: "unreachable", message: down.message },
      plan: [{ host: "a:1", model: "m:latest", action: "pull", download_bytes: 5, reason: null }],
      download_bytes: 5,
      hosts: [
        {
          ok: true,
          exit_code: 0,
          base_url: "http://a:1",
          server_version: "0.12.3",
          present: [],
          pulled: ["m:latest"],
          missing: [],
          error: null,
          plan: [{ model: "m:latest", action: "pull", download_bytes: 5, reason: null }],
          download_bytes: 5,
        },
        {
          ok: false,
          exit_code: 3,
          base_url: "http://b:1",
          server_version: null,
          present: [],
          pulled: [],
          missing: ["m:latest"],
          error: { code: "unreachable", message: down.message },
        },
      ],
    });
  });
});
