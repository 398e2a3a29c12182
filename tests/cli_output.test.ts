// A closed or full stdout/stderr (`list | head -1`, `> /dev/full`) never yields a stack trace or
// exit 1: the CLI stops writing to that stream and exits with the outcome's code. Under the
// runtime running the tests, and under Node (the CLI bundled for it, when node and bun exist).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { closeSync, existsSync, openSync } from "node:fs";
import {
  FakeOllama,
  type ServedFakeOllama,
  serveFakeOllama,
  unusedLoopbackUrl,
} from "../src/testing/mod.ts";
import { type CliOptions, nodeCliBundle, runCliProcess } from "./_cli.ts";

const MODELS = Array.from({ length: 40 }, (_, i) => `model-${i}:latest`);
const HAS_DEV_FULL = existsSync("/dev/full");

let server: ServedFakeOllama;
let node: Awaited<ReturnType<typeof nodeCliBundle>>;
before(async () => {
  server = await serveFakeOllama(new FakeOllama({ models: MODELS, tickMs: 0 }));
  node = await nodeCliBundle();
});
after(async () => {
  await server.close();
  await node?.dispose();
});

const runtimes: [string, () => CliOptions | undefined][] = [
  ["this runtime", () => ({})],
  ["node", () => node && { command: node.command }],
];

const noCrash = (stderr: string) => {
  assert.doesNotMatch(stderr, /internal error|^\s+at |EPIPE|BrokenPipe|ENOSPC/m, stderr);
};

for (const [runtime, base] of runtimes) {
  describe(`cli (${runtime}): a closed or full output stream`, () => {
    it("list with stdout closed early: exit 0, no stack trace", async (t) => {
      const options = base();
      if (options === undefined) return t.skip("node or bun not found");
      const run = await runCliProcess(["list", "--host", server.url], {
        ...options,
        stdout: "closed",
      });
      assert.equal(run.code, 0, run.stderr);
      noCrash(run.stderr);
    });

    it("list --json with stdout closed early: exit 0, no stack trace", async (t) => {
      const options = base();
      if (options === undefined) return t.skip("node or bun not found");
      const run = await runCliProcess(["list", "--json", "--host", server.url], {
        ...options,
        stdout: "closed",
      });
      assert.equal(run.code, 0, run.stderr);
      noCrash(run.stderr);
    });

    it("list with stdout to /dev/full: exit 0, no stack trace", async (t) => {
      const options = base();
      if (options === undefined) return t.skip("node or bun not found");
      if (!HAS_DEV_FULL) return t.skip("no /dev/full");
      const full = openSync("/dev/full", "w");
      try {
        const run = await runCliProcess(["list", "--host", server.url], {
          ...options,
          stdout: full,
        });
        assert.equal(run.code, 0, run.stderr);
        noCrash(run.stderr);
      } finally {
        closeSync(full);
      }
    });

    it("stdout and stderr to /dev/full: still the outcome's code (0, and 3 for a dead server)", async (t) => {
      const options = base();
      if (options === undefined) return t.skip("node or bun not found");
      if (!HAS_DEV_FULL) return t.skip("no /dev/full");
      const full = openSync("/dev/full", "w");
      try {
        const ok = await runCliProcess(["list", "--json", "--host", server.url], {
          ...options,
          stdout: full,
          stderr: full,
        });
        assert.equal(ok.code, 0);
        const dead = await runCliProcess(["list", "--host", await unusedLoopbackUrl()], {
          ...options,
          stdout: full,
          stderr: full,
        });
        assert.equal(dead.code, 3);
      } finally {
        closeSync(full);
      }
    });

    it("stderr closed early: the outcome's code, stdout still complete", async (t) => {
      const options = base();
      if (options === undefined) return t.skip("node or bun not found");
      const run = await runCliProcess(["list", "--host", server.url], {
        ...options,
        stderr: "closed",
      });
      assert.equal(run.code, 0);
      assert.equal(run.stdout.trim().split("\n").length, MODELS.length);
    });
  });
}
