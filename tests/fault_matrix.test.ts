// deno-lint-ignore-file no-control-regex
// The fault matrix: every fault in the protocol notes (and a few more), driven through the fake
// Ollama on a real loopback socket, once through the library (`ensureOllamaReady`) and once
// through the CLI as a subprocess. Each row asserts the exact outcome (error code and pull failure
// reason / exit code), how many pull requests the server saw, and — with generous margins, only to
// catch hangs — that it ended in bounded time. README's reliability table is this table.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type OllamaErrorCode,
  PullFailedError,
  type PullFailureReason,
} from "../src/errors/mod.ts";
import { ensureOllamaReady } from "../src/startup.ts";
import {
  type FakeFault,
  type FakeFaultSelect,
  FakeOllama,
  serveFakeOllama,
  unusedLoopbackUrl,
} from "../src/testing/mod.ts";
import { OllamaClient } from "../src/client.ts";
import type { OllamaClientOptions } from "../src/client_options.ts";
import { runCliProcess } from "./_cli.ts";

const MODEL = "all-minilm";
/** Bounds in the matrix: 0.3 s for requests and stalls, so a stall costs little. */
const BOUND_SECS = 0.3;
/** A hang is anything slower than this (generous: the machine is shared and noisy). */
const HANG_MS = 15_000;

interface Row {
  name: string;
  /** Faults to inject, each with its selection. */
  faults?: [FakeFault, FakeFaultSelect?][];
  /** Nothing listens at the address. */
  refused?: true;
  /** The fake's tick, when the fault needs real time (a line repeated every tick). Default 0. */
  tickMs?: number;
  retries: number;
  /** `null` for ready. */
  code: OllamaErrorCode | null;
  reason?: PullFailureReason;
  exit: number;
  pulls: number;
}

const pull = { path: "/api/pull" };
const once = { path: "/api/pull", times: 1 };

export const MATRIX: Row[] = [
  { name: "connection refused", refused: true, retries: 0, code: "unreachable", exit: 3, pulls: 0 },
  {
    name: "accept, never answer",
    faults: [[{ kind: "hang" }, { path: "/api/version" }]],
    retries: 0,
    code: "timeout",
    exit: 3,
    pulls: 0,
  },
  {
    name: "HTML page (a proxy's 502) until the bound: a busy gateway",
    faults: [[{ kind: "html", status: 502 }, { path: "/api/version" }]],
    retries: 0,
    code: "unreachable",
    exit: 3,
    pulls: 0,
  },
  {
    name: "HTML page (200) instead of JSON",
    faults: [[{ kind: "html", status: 200 }, { path: "/api/version" }]],
    retries: 0,
    code: "not_ollama",
    exit: 3,
    pulls: 0,
  },
  {
    name: "plain text where JSON is expected",
    faults: [[{ kind: "plain_text" }, { path: "/api/tags" }]],
    retries: 0,
    code: "not_ollama",
    exit: 3,
    pulls: 0,
  },
  {
    name: "200 JSON of the wrong shape",
    faults: [[{ kind: "wrong_shape" }, { path: "/api/tags" }]],
    retries: 0,
    code: "not_ollama",
    exit: 3,
    pulls: 0,
  },
  {
    name: "pull: headers, then never a line",
    faults: [[{ kind: "headers_then_silence" }, pull]],
    retries: 0,
    code: "pull_failed",
    reason: "stalled",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: stall mid-stream (no retries)",
    faults: [[{ kind: "stall_after", lines: 3 }, pull]],
    retries: 0,
    code: "pull_failed",
    reason: "stalled",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: the same progress line repeated, nothing growing (a stuck registry download)",
    faults: [[{ kind: "repeat_stall", lines: 3 }, pull]],
    tickMs: 20,
    retries: 0,
    code: "pull_failed",
    reason: "stalled",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: stall once, then retry resumes",
    faults: [[{ kind: "stall_after", lines: 3 }, once]],
    retries: 1,
    code: null,
    exit: 0,
    pulls: 2,
  },
  {
    name: "pull: stall on every attempt",
    faults: [[{ kind: "stall_after", lines: 3 }, pull]],
    retries: 2,
    code: "pull_failed",
    reason: "stalled",
    exit: 5,
    pulls: 3,
  },
  {
    name: "pull: stream closes without success",
    faults: [[{ kind: "close_after", lines: 3 }, pull]],
    retries: 0,
    code: "pull_failed",
    reason: "ended_without_success",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: connection cut mid-stream",
    faults: [[{ kind: "reset_after", lines: 3 }, pull]],
    retries: 0,
    code: "pull_failed",
    reason: "ended_without_success",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: transient error after progress, then retry",
    faults: [[{
      kind: "error_after",
      lines: 3,
      message: "max retries exceeded: unexpected EOF",
    }, once]],
    retries: 2,
    code: null,
    exit: 0,
    pulls: 2,
  },
  {
    name: "pull: permanent error after progress (not retried)",
    faults: [[{ kind: "error_after", lines: 2, message: "unauthorized: access denied" }, pull]],
    retries: 3,
    code: "pull_failed",
    reason: "server_error",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: 500 with a JSON error before the stream",
    faults: [[{ kind: "http_error", status: 500, message: "insecure protocol http" }, pull]],
    retries: 0,
    code: "pull_failed",
    reason: "server_error",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: 400 invalid model name (not retried)",
    faults: [[{ kind: "http_error", status: 400, message: "invalid model name" }, pull]],
    retries: 3,
    code: "pull_failed",
    reason: "server_error",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: proxy 504 HTML page",
    faults: [[{ kind: "html", status: 504 }, pull]],
    retries: 0,
    code: "pull_failed",
    reason: "http_status",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: a line that is not JSON",
    faults: [[{ kind: "not_json_line", afterLines: 2 }, pull]],
    retries: 0,
    code: "pull_failed",
    reason: "invalid_data",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: one enormous line (2 MiB)",
    faults: [[{ kind: "huge_line", afterLines: 1, bytes: 2 * 1024 * 1024 }, pull]],
    retries: 0,
    code: "pull_failed",
    reason: "invalid_data",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: unknown model (manifest does not exist)",
    faults: [[{
      kind: "error_after",
      lines: 1,
      message: "pull model manifest: file does not exist",
    }, pull]],
    retries: 3,
    code: "pull_failed",
    reason: "not_found",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: success, but the model is not listed",
    faults: [[{ kind: "success_not_listed" }, pull]],
    retries: 0,
    code: "pull_failed",
    reason: "not_listed",
    exit: 5,
    pulls: 1,
  },
  {
    name: "pull: chunks split inside lines and UTF-8 characters",
    faults: [[{ kind: "split_chunks", seed: 7 }, pull]],
    retries: 0,
    code: null,
    exit: 0,
    pulls: 1,
  },
  {
    name: "pull: slow trickle, one byte per chunk",
    faults: [[{ kind: "trickle" }, pull]],
    retries: 0,
    code: null,
    exit: 0,
    pulls: 1,
  },
  {
    name: "pull: completed goes backwards",
    faults: [[{ kind: "backwards" }, pull]],
    retries: 0,
    code: null,
    exit: 0,
    pulls: 1,
  },
  {
    name: "pull: progress lines without total",
    faults: [[{ kind: "no_total" }, pull]],
    retries: 0,
    code: null,
    exit: 0,
    pulls: 1,
  },
  {
    name: "pull: control characters and escapes in status text",
    faults: [[{ kind: "control_chars" }, pull]],
    retries: 0,
    code: null,
    exit: 0,
    pulls: 1,
  },
];

async function serveRow(
  row: Row,
): Promise<{ url: string; fake?: FakeOllama; close(): Promise<void> }> {
  if (row.refused) return { url: await unusedLoopbackUrl(), close: () => Promise.resolve() };
  const fake = new FakeOllama({ tickMs: row.tickMs ?? 0 });
  for (const [fault, select] of row.faults ?? []) fake.injectFault(fault, select);
  const server = await serveFakeOllama(fake);
  return { url: server.url, fake, close: () => server.close() };
}

function pullCount(fake: FakeOllama | undefined): number {
  return fake?.pullRequests().length ?? 0;
}

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vtcode-ollama-faults-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The same fault with no socket: the fake's own fetch (a refused connection is a TypeError). */
function fetchRow(row: Row): { fake?: FakeOllama; fetch: OllamaClientOptions["fetch"] } {
  if (row.refused) return { fetch: () => Promise.reject(new TypeError("connection refused")) };
  const fake = new FakeOllama({ tickMs: row.tickMs ?? 0 });
  for (const [fault, select] of row.faults ?? []) fake.injectFault(fault, select);
  return { fake, fetch: fake.fetch };
}

for (const transport of ["socket", "fetch"] as const) {
  describe(`fault matrix: library, over ${transport === "socket" ? "a real socket" : "an injected fetch"}`, () => {
    for (const row of MATRIX) {
      it(row.name, async () => {
        const served = transport === "socket"
          ? await serveRow(row)
          : { url: "http://127.0.0.1:11434", ...fetchRow(row), close: () => Promise.resolve() };
        await checkLibraryRow(row, served);
      });
    }
  });
}

async function checkLibraryRow(
  row: Row,
  served: {
    url: string;
    fake?: FakeOllama;
    fetch?: OllamaClientOptions["fetch"];
    close(): Promise<void>;
  },
): Promise<void> {
  const started = performance.now();
  try {
    const report = await ensureOllamaReady({
      models: [MODEL],
      timeoutSecs: BOUND_SECS,
      stallTimeoutSecs: BOUND_SECS,
      pullRetries: row.retries,
    }, {
      host: served.url,
      fetch: served.fetch,
      registry: false,
      retry: { sleep: () => Promise.resolve() },
    });
    assert.equal(report.error?.code ?? null, row.code, report.error?.message);
    assert.equal(report.exitCode, row.exit);
    if (row.reason !== undefined) {
      assert.ok(report.error instanceof PullFailedError);
      assert.equal(report.error.reason, row.reason);
      assert.equal(
        report.error.attempts,
        row.retries + 1 > row.pulls ? row.pulls : row.retries + 1,
      );
    }
    assert.deepEqual(report.missing, row.code === null ? [] : ["all-minilm:latest"]);
    assert.equal(pullCount(served.fake), row.pulls);
    assert.ok(performance.now() - started < HANG_MS, "ended in bounded time");
  } finally {
    await served.close();
    served.fake?.close();
  }
}

describe("fault matrix: library, client going away", () => {
  it("a stalled pull is abandoned and the server sees the client go away", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    fake.injectFault({ kind: "stall_after", lines: 3 }, pull);
    const server = await serveFakeOllama(fake);
    try {
      const client = new OllamaClient(server.url, { stallTimeoutMs: 200, retry: { retries: 0 } });
      await assert.rejects(client.pullModel(MODEL), PullFailedError);
      assert.equal(await outcomeOfPull(fake), "client_gone");
    } finally {
      await server.close();
    }
  });

  it("aborting a pull closes the connection: the server sees the client go away", async () => {
    const fake = new FakeOllama({ tickMs: 60, bytesPerSecond: 5_000_000 });
    const server = await serveFakeOllama(fake);
    try {
      const controller = new AbortController();
      const client = new OllamaClient(server.url);
      const pending = client.pullModel(MODEL, {
        signal: controller.signal,
        reporter: { onEvent: (e) => void (e.type === "chunk_progress" && controller.abort()) },
      });
      await assert.rejects(pending, (e: Error & { code?: string }) => e.code === "interrupted");
      assert.equal(await outcomeOfPull(fake), "client_gone");
    } finally {
      await server.close();
    }
  });

  it("a resumed pull continues from the partial download instead of starting over", async () => {
    const fake = new FakeOllama({ tickMs: 0 });
    fake.injectFault({ kind: "stall_after", lines: 4 }, once);
    const server = await serveFakeOllama(fake);
    const firstCompleted: number[] = [];
    try {
      const client = new OllamaClient(server.url, {
        stallTimeoutMs: 200,
        retry: { retries: 1, sleep: () => Promise.resolve() },
      });
      let attempt = 1;
      const seen = new Set<number>();
      await client.pullModel(MODEL, {
        reporter: {
          onEvent(event) {
            if (event.type === "retry") attempt = event.attempt;
            if (event.type === "chunk_progress" && !seen.has(attempt)) {
              seen.add(attempt);
              firstCompleted.push(event.completed);
            }
          },
        },
      });
      assert.equal(firstCompleted.length, 2);
      assert.equal(firstCompleted[0], 0);
      assert.ok(firstCompleted[1] > 0, `the second attempt starts high, got ${firstCompleted[1]}`);
    } finally {
      await server.close();
    }
  });

  it("/v1/models with data: null behind an OpenAI-compatible address is an empty list", async () => {
    const fake = new FakeOllama({ models: ["llama3"], tickMs: 0 });
    fake.injectFault({ kind: "http_error", status: 404, message: "not found" }, {
      path: "/api/tags",
    });
    fake.injectFault({ kind: "v1_models_null" });
    const server = await serveFakeOllama(fake);
    try {
      const client = new OllamaClient(`${server.url}/v1`);
      assert.deepEqual(await client.listModels(), []);
    } finally {
      await server.close();
    }
  });
});

describe("fault matrix: command line", () => {
  for (const row of MATRIX) {
    it(row.name, async () => {
      const served = await serveRow(row);
      const config = join(dir, `${MATRIX.indexOf(row)}.toml`);
      await writeFile(
        config,
        `[ollama]\ntimeout_secs = ${BOUND_SECS}\nstall_timeout_secs = ${BOUND_SECS}\npull_retries = ${row.retries}\n`,
      );
      const started = performance.now();
      try {
        const run = await runCliProcess([
          "ensure",
          "--json",
          "--config",
          config,
          "--host",
          served.url,
          "--model",
          MODEL,
        ], {
          timeoutMs: HANG_MS,
        });
        assert.equal(run.code, row.exit, run.stderr);
        assert.equal((run.result?.error as { code?: string } | null)?.code ?? null, row.code);
        assert.equal(run.result?.exit_code, row.exit);
        assert.equal(pullCount(served.fake), row.pulls);
        // Server text never reaches the terminal or the JSON raw.
        assert.doesNotMatch(run.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
        assert.doesNotMatch(run.stdout, /\\u001b|\\u0007|\\u009b/);
        assert.ok(performance.now() - started < HANG_MS, "ended in bounded time");
      } finally {
        await served.close();
      }
    });
  }

  it("Ctrl-C during a pull: exit 130, the pull request is aborted, the terminal line is ended", async () => {
    const fake = new FakeOllama({ tickMs: 60, bytesPerSecond: 5_000_000 });
    const server = await serveFakeOllama(fake);
    try {
      const run = await runCliProcess(
        ["ensure", "--json", "--host", server.url, "--model", MODEL],
        {
          onSpawn(child) {
            const poll = setInterval(() => {
              if (fake.pullRequests().length > 0) {
                clearInterval(poll);
                setTimeout(() => child.kill("SIGINT"), 200);
              }
            }, 20);
            child.on("close", () => clearInterval(poll));
          },
        },
      );
      // Deno's node:child_process reports a child it sent a signal to as killed by it (code
      // null) even when the child handled it and exited 130 (Node and Bun parents see 130), so
      // under Deno the exit status is read from the result line the process printed last.
      if ("Deno" in globalThis && run.code === null) assert.equal(run.signal, "SIGINT");
      else assert.equal(run.code, 130, run.stderr);
      assert.equal(run.result?.exit_code, 130);
      assert.equal((run.result?.error as { code: string }).code, "interrupted");
      assert.equal(await outcomeOfPull(fake), "client_gone");
    } finally {
      await server.close();
    }
  });
});

/** The pull request's final outcome, once the server has noticed (it may take a moment). */
async function outcomeOfPull(fake: FakeOllama): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    const outcome = fake.pullRequests()[0]?.outcome;
    if (outcome !== undefined && outcome !== "pending") return outcome;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return fake.pullRequests()[0]?.outcome;
}
