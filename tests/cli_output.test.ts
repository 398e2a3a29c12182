// A closed or full stdout/stderr (`list | head -1`, `> /dev/full`) never yields a stack trace or
// exit 1: the CLI stops writing to that stream and exits with the outcome's code. Under the
// runtime running the tests, and under Node (the CLI bundled for it, when node and bun exist).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import {
  FakeOllama,
  type ServedFakeOllama,
  serveFakeOllama,
  unusedLoopbackUrl,
} from "../src/testing/mod.ts";
import { cliCommand, type CliOptions, nodeCliBundle, runCliProcess } from "./_cli.ts";

const MODELS = Array.from({ length: 40 }, (_, i) => `model-${i}:latest`);
// /dev/full (every write fails with ENOSPC) is Linux's. The shell opens it, so the tests need no
// permission for the device (Deno asks --allow-all for it).
const HAS_DEV_FULL = process.platform === "linux";

/** The options that run the CLI with stdout (and stderr, when asked) redirected to /dev/full. */
function toDevFull(options: CliOptions, stderrToo: boolean): CliOptions {
  const [command, prefix] = options.command ?? cliCommand();
  const redirect = stderrToo ? ">/dev/full 2>/dev/full" : ">/dev/full";
  return {
    ...options,
    command: ["/bin/sh", ["-c", `exec "$@" ${redirect}`, "sh", command, ...prefix]],
  };
}

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
    for (const json of [[], ["--json"]]) {
      it(`list ${json.join("")} with stdout closed early: exit 0, no stack trace`, async (t) => {
        const options = base();
        if (options === undefined) return t.skip("node or bun not found");
        const run = await runCliProcess(["list", ...json, "--host", server.url], {
          ...options,
          stdout: "closed",
        });
        assert.equal(run.code, 0, run.stderr);
        noCrash(run.stderr);
      });
    }

    it("list with stdout to /dev/full: exit 0, no stack trace", async (t) => {
      const options = base();
      if (options === undefined) return t.skip("node or bun not found");
      if (!HAS_DEV_FULL) return t.skip("no /dev/full");
      const run = await runCliProcess(["list", "--host", server.url], toDevFull(options, false));
      assert.equal(run.code, 0, run.stderr);
      noCrash(run.stderr);
    });

    it("stdout and stderr to /dev/full: still the outcome's code (0, and 3 for a dead server)", async (t) => {
      const options = base();
      if (options === undefined) return t.skip("node or bun not found");
      if (!HAS_DEV_FULL) return t.skip("no /dev/full");
      const ok = await runCliProcess(
        ["list", "--json", "--host", server.url],
        toDevFull(options, true),
      );
      assert.equal(ok.code, 0);
      const dead = await runCliProcess(
        ["list", "--host", await unusedLoopbackUrl()],
        toDevFull(options, true),
      );
      assert.equal(dead.code, 3);
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
