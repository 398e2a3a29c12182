// The fake Ollama server as a program (src/testing/standalone.ts): its flags (pure), the server in
// this process, and `deno run -A src/testing/mod.ts` / `bun src/testing/mod.ts` as a subprocess.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { DEFAULT_CATALOG, FAKE_FAULT_KINDS, FakeOllama } from "../src/testing/mod.ts";
import {
  defaultFault,
  parseByteSize,
  parseFakeServerArgs,
  runFakeServer,
} from "../src/testing/standalone.ts";
import { thrown } from "./_helpers.ts";

const MOD = fileURLToPath(new URL("../src/testing/mod.ts", import.meta.url));

describe("parseFakeServerArgs", () => {
  it("defaults: Ollama's port on loopback, no models, the default catalog, no faults", () => {
    const settings = parseFakeServerArgs([]);
    assert.equal(settings.port, 11434);
    assert.equal(settings.hostname, "127.0.0.1");
    assert.deepEqual(settings.models, []);
    assert.equal(settings.catalog, DEFAULT_CATALOG);
    assert.deepEqual(settings.faults, []);
    assert.equal(settings.bytesPerSecond, undefined);
    assert.equal(settings.tickMs, undefined);
    assert.equal(settings.help, false);
  });

  it("reads every option", () => {
    const settings = parseFakeServerArgs([
      "--port=0",
      "--host",
      "::1",
      "--model",
      "llama3",
      "--model",
      "qwen3:0.6b",
      "--catalog",
      "tiny=40MB,300",
      "--catalog",
      "tinyllama",
      "--speed",
      "2.5MiB",
      "--tick-ms",
      "0",
      "--fault",
      "stall_after",
      "--fault",
      "trickle",
      "--fault-model",
      "tiny",
      "--fault-times",
      "2",
      "--ollama-version",
      "0.13.0",
      "--verbose",
    ]);
    assert.equal(settings.port, 0);
    assert.equal(settings.hostname, "::1");
    assert.deepEqual(settings.models, ["llama3", "qwen3:0.6b"]);
    assert.deepEqual(settings.catalog.map((entry) => entry.name), ["tiny", "tinyllama:latest"]);
    assert.deepEqual(settings.catalog[0].layers, [{ size: 40_000_000 }, { size: 300 }]);
    assert.equal(settings.bytesPerSecond, Math.round(2.5 * 1024 * 1024));
    assert.equal(settings.tickMs, 0);
    assert.deepEqual(settings.faults, [{ kind: "stall_after", lines: 3 }, { kind: "trickle" }]);
    assert.deepEqual(settings.faultSelect, { model: "tiny", times: 2 });
    assert.equal(settings.version, "0.13.0");
    assert.equal(settings.verbose, true);
  });

  it("usage errors name the problem and, for a typo, the option meant", () => {
    const message = (args: string[]) => {
      const error = thrown(() => parseFakeServerArgs(args));
      assert.equal((error as { code?: string }).code, "usage", String(error));
      return (error as Error).message;
    };
    assert.equal(message(["--prot", "1"]), "unknown option --prot; did you mean --port?");
    assert.match(message(["--port"]), /--port/);
    assert.match(message(["--port", "70000"]), /--port "70000": give a whole number, 0 to 65535/);
    assert.match(message(["--port", "-1"]), /--port/);
    assert.match(message(["serve"]), /Unexpected argument 'serve'/);
    assert.match(message(["--fault", "stal"]), /unknown fault "stal"; did you mean stall_after\?/);
    assert.match(message(["--model", "bad name!"]), /"bad name!" is not a valid model name/);
    assert.match(message(["--catalog", "nowhere"]), /not in the default catalog.*nowhere=40MB/);
    assert.match(message(["--catalog", "x=0"]), /--catalog "0" is not a size/);
    assert.match(message(["--speed", "fast"]), /--speed "fast" is not a size/);
    assert.match(message(["--fault-times", "0"]), /--fault-times "0": give a whole number, 1/);
  });
});

describe("parseByteSize", () => {
  it("takes bytes and decimal or binary units", () => {
    assert.equal(parseByteSize("4096", "--x"), 4096);
    assert.equal(parseByteSize("40MB", "--x"), 40_000_000);
    assert.equal(parseByteSize("4.7 gb", "--x"), 4_700_000_000);
    assert.equal(parseByteSize("512KiB", "--x"), 524_288);
    assert.equal(parseByteSize("1k", "--x"), 1000);
  });

  it("rejects what is not a positive size", () => {
    for (const text of ["", "0", "-5", "1.5.2", "10 parsecs", "0.1"]) {
      assert.throws(() => parseByteSize(text, "--x"), /is not a size/, text);
    }
  });
});

describe("defaultFault", () => {
  it("gives every fault kind a fault the fake accepts", () => {
    for (const kind of FAKE_FAULT_KINDS) {
      const fault = defaultFault(kind);
      assert.equal(fault.kind, kind);
      new FakeOllama().injectFault(fault);
    }
  });
});

/** Runs the server in this process until `stop` aborts; resolves with its URL as printed. */
function startInProcess(args: string[]) {
  const stop = new AbortController();
  let stdout = "";
  let stderr = "";
  let printed: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (printed = resolve));
  const exit = runFakeServer(args, {
    stdout: (text) => {
      stdout += text;
      printed(text.trim());
    },
    stderr: (text) => (stderr += text),
    signal: stop.signal,
  });
  return { url, exit, stop, output: () => ({ stdout, stderr }) };
}

describe("runFakeServer", () => {
  it("prints the URL as the one line on stdout, serves, and closes when signalled", async () => {
    const server = startInProcess(["--port", "0", "--model", "llama3", "--verbose"]);
    const url = await server.url;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const tags = await (await fetch(`${url}/api/tags`)).json();
    assert.deepEqual(tags.models.map((m: { name: string }) => m.name), ["llama3:latest"]);
    server.stop.abort();
    assert.equal(await server.exit, 0);
    const { stdout, stderr } = server.output();
    assert.equal(stdout, `${url}\n`);
    assert.match(stderr, /installed: llama3:latest/);
    assert.match(stderr, /^GET \/api\/tags 200$/m);
    assert.match(stderr, /closed after 1 requests/);
    const after = await fetch(`${url}/api/version`).then(() => "answered", () => "refused");
    assert.equal(after, "refused");
  });

  it("injects the faults for the requests selected", async () => {
    const server = startInProcess([
      "--port=0",
      "--fault",
      "http_error",
      "--fault-times",
      "1",
    ]);
    const url = await server.url;
    try {
      const first = await fetch(`${url}/api/version`);
      assert.equal(first.status, 500);
      assert.deepEqual(await first.json(), { error: "fake internal server error" });
      const second = await fetch(`${url}/api/version`);
      assert.equal(second.status, 200);
      await second.body?.cancel();
    } finally {
      server.stop.abort();
      assert.equal(await server.exit, 0);
    }
  });

  it("exits 2 with the usage on a bad flag, and 0 with the help on --help", async () => {
    const bad = startInProcess(["--modle", "llama3"]);
    assert.equal(await bad.exit, 2);
    assert.equal(bad.output().stdout, "");
    assert.match(bad.output().stderr, /unknown option --modle; did you mean --model\?/);
    assert.match(bad.output().stderr, /^Usage: vtcode-ollama-fake /m);
    const help = startInProcess(["--help"]);
    assert.equal(await help.exit, 0);
    assert.match(help.output().stdout, /--fault KIND/);
  });

  it("exits 1 with a hint when the port is taken", async () => {
    const first = startInProcess(["--port", "0"]);
    const port = new URL(await first.url).port;
    try {
      const second = startInProcess(["--port", port]);
      assert.equal(await second.exit, 1);
      assert.match(second.output().stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
      assert.match(second.output().stderr, /--port \(0 picks a free one\)/);
    } finally {
      first.stop.abort();
      await first.exit;
    }
  });
});

describe("src/testing/mod.ts as a program", () => {
  const isDeno = "Deno" in globalThis;
  const command = isDeno ? ["run", "-A", MOD] : [MOD];

  /** Spawns the program; `url` resolves with its first stdout line (bounded). */
  function spawnServer(args: string[]) {
    const child = spawn(process.execPath, [...command, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.on("close", (code, signal) => {
        clearTimeout(killer);
        resolve({ code, signal });
      });
    });
    const url = new Promise<string>((resolve, reject) => {
      child.stdout!.setEncoding("utf8").on("data", (data: string) => {
        stdout += data;
        if (stdout.includes("\n")) resolve(stdout.split("\n")[0]);
      });
      exited.then(() => reject(new Error(`exited before printing a URL: ${stderr}`)));
    });
    url.catch(() => {}); // awaited by the tests that expect a URL
    child.stderr!.setEncoding("utf8").on("data", (data: string) => (stderr += data));
    return { child, url, exited, output: () => ({ stdout, stderr }) };
  }

  it("serves /api/version and /api/tags, and exits 0 on SIGTERM after closing", async () => {
    const server = spawnServer(["--port", "0", "--model", "llama3", "--model", "all-minilm"]);
    try {
      const url = await server.url;
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const version = await (await fetch(`${url}/api/version`)).json();
      assert.deepEqual(version, { version: "0.33.0" });
      const tags = await (await fetch(`${url}/api/tags`)).json();
      assert.deepEqual(
        tags.models.map((m: { name: string }) => m.name),
        ["llama3:latest", "all-minilm:latest"],
      );
    } finally {
      // process.kill, not child.kill: Deno's child.kill() makes `close` report the signal sent
      // even when the child handled it and exited 0.
      process.kill(server.child.pid!, "SIGTERM");
    }
    assert.deepEqual(await server.exited, { code: 0, signal: null }, server.output().stderr);
    const { stdout, stderr } = server.output();
    assert.equal(stdout.split("\n").filter(Boolean).length, 1, "one line on stdout");
    assert.match(stderr, /closed after 2 requests/);
  });

  it("exits 2 with a usage message on a typo'd flag, serving nothing", async () => {
    const server = spawnServer(["--prot", "0"]);
    assert.deepEqual(await server.exited, { code: 2, signal: null });
    const { stdout, stderr } = server.output();
    assert.equal(stdout, "");
    assert.match(stderr, /unknown option --prot; did you mean --port\?/);
    assert.match(stderr, /^Usage: vtcode-ollama-fake /m);
  });
});
