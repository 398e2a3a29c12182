// SIGINT, SIGTERM and SIGHUP during a pull that never ends: the CLI aborts the request (the
// server sees the client go), finishes its output (the reporter's last line, the --json result
// line with code `interrupted`) and exits 130 / 143 / 129.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import process from "node:process";
import { FakeOllama, serveFakeOllama } from "../src/testing/mod.ts";
import { runCliProcess, waitFor } from "./_cli.ts";

const EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Runs `pull tinyllama` against a fake whose pull stalls after two lines; signals it mid-pull. */
async function interruptedPull(signals: NodeJS.Signals[], json: boolean) {
  const fake = new FakeOllama({ models: [], tickMs: 0 });
  fake.injectFault({ kind: "stall_after", lines: 2 }, { path: "/api/pull" });
  const server = await serveFakeOllama(fake);
  try {
    let child: ChildProcess | undefined;
    const running = runCliProcess(
      ["--host", server.url, "--model", "tinyllama", ...(json ? ["--json"] : [])],
      { onSpawn: (spawned) => child = spawned, timeoutMs: 20_000 },
    );
    const pull = () => fake.requests.find((r) => r.path === "/api/pull");
    // The pull is under way: the server answered, and the CLI is waiting for more lines.
    await waitFor("the pull to start", () => pull()?.status === 200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // process.kill, not child.kill: Deno's node:child_process reports a child it signalled
    // itself as killed by the signal even when the child handled it and exited with a code.
    for (const signal of signals) process.kill(child!.pid!, signal);
    const run = await running;
    await waitFor("the server to see the client go", () => pull()?.outcome !== "pending", 5_000);
    return { run, pull: pull()! };
  } finally {
    await server.close();
  }
}

describe("cli: signals abort the pull and finish the output", () => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`${signal}: exit ${EXIT[signal]}, result line 'interrupted', the server sees the client go`, async () => {
      const { run, pull } = await interruptedPull([signal], true);
      assert.equal(run.signal, null, `killed by ${run.signal}: the signal was not handled`);
      assert.equal(run.code, EXIT[signal], run.stderr);
      assert.equal(run.result?.ok, false);
      assert.equal(run.result?.exit_code, EXIT[signal]);
      assert.deepEqual(run.result?.missing, ["tinyllama:latest"]);
      const error = run.result?.error as { code: string; message: string };
      assert.equal(error.code, "interrupted");
      assert.match(error.message, new RegExp(`\\(${signal}\\)`));
      assert.equal(pull.outcome, "client_gone");
      // Said once, for people.
      assert.equal(run.stderr.match(/^interrupted: /gm)?.length, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /Interrupted: /);
    });
  }

  it("the reporter finishes its line (plain output)", async () => {
    const { run, pull } = await interruptedPull(["SIGTERM"], false);
    assert.equal(run.code, 143, run.stderr);
    assert.match(run.stderr, /^tinyllama:latest: pull interrupted/m);
    assert.match(run.stderr, /^interrupted: .*\(SIGTERM\)/m);
    assert.equal(pull.outcome, "client_gone");
  });

  it("a second signal does not wait: still the signal's exit code, no crash", async () => {
    const { run } = await interruptedPull(["SIGINT", "SIGINT"], true);
    assert.equal(run.signal, null);
    assert.equal(run.code, 130, run.stderr);
    assert.doesNotMatch(run.stderr, /internal error|^\s+at /m);
  });
});
