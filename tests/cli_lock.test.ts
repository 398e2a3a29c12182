// The lock file, end to end: `ensure --write-lock` records the installed digests (atomically,
// beside the config file in use), `ensure --locked` holds every server to them (exit 6 naming
// both digests), and every way the lock can be absent, malformed or misused.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatLock } from "../src/ensure/lock.ts";
import { DENO_PERMISSIONS, IS_DENO, requestPaths, runCliProcess, withFakes } from "./_cli.ts";
import { pulledModels } from "./_helpers.ts";

/** What --write-lock needs under Deno, beyond the README's permissions. */
const WRITE = { denoPermissions: [...DENO_PERMISSIONS, "--allow-write"] };

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vtcode-ollama-cli-lock-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A project directory with a config in `ci/` that requires `models`. */
async function project(name: string, models: string[]): Promise<{ cwd: string; config: string }> {
  const cwd = join(dir, name);
  await mkdir(join(cwd, "ci"), { recursive: true });
  const config = join(cwd, "ci", "vtcode.toml");
  await writeFile(config, `[ollama]\nmodels = ${JSON.stringify(models)}\n`);
  return { cwd, config };
}

const error = (result: Record<string, unknown> | undefined) =>
  result?.error as { code: string; message: string } | null;

describe("cli: --write-lock and --locked", () => {
  it("writes the lock beside the config; --locked passes; a changed digest is exit 6 naming both", async () => {
    await withFakes([{ models: ["llama3", "tinyllama"] }], async ([s]) => {
      const { cwd, config } = await project("roundtrip", ["tinyllama", "llama3"]);
      const written = await runCliProcess(
        ["ensure", "--json", "--write-lock", "--config", config, "--host", s.url],
        { ...WRITE, cwd },
      );
      assert.equal(written.code, 0, written.stderr);
      const tags = await (await fetch(`${s.url}/api/tags`)).json() as {
        models: { name: string; digest: string; size: number }[];
      };
      const expected = formatLock(Object.fromEntries(
        tags.models.map((m) => [m.name, { digest: m.digest, size: m.size }]),
      ));
      assert.equal(await readFile(join(cwd, "ci", "ollama.lock"), "utf8"), expected);
      // Written atomically: no temporary file left beside it.
      assert.deepEqual((await readdir(join(cwd, "ci"))).sort(), ["ollama.lock", "vtcode.toml"]);
      assert.match(written.stderr, /Wrote .*ollama\.lock \(2 models\)/);

      const locked = await runCliProcess(
        ["ensure", "--json", "--locked", "--config", config, "--host", s.url],
        { cwd },
      );
      assert.equal(locked.code, 0, locked.stderr);
      assert.deepEqual(locked.result?.present, ["tinyllama:latest", "llama3:latest"]);

      const before = tags.models.find((m) => m.name === "tinyllama:latest")!.digest;
      const after = "ab".repeat(32);
      s.fake.removeModel("tinyllama");
      s.fake.addModel({ name: "tinyllama", digest: after });
      const changed = await runCliProcess(
        ["ensure", "--json", "--locked", "--config", config, "--host", s.url],
        { cwd },
      );
      assert.equal(changed.code, 6, changed.stderr);
      assert.equal(changed.result?.exit_code, 6);
      assert.equal(error(changed.result)?.code, "lock_mismatch");
      assert.match(
        error(changed.result)!.message,
        new RegExp(
          `tinyllama:latest is ${after.slice(0, 12)}, the lock says ${before.slice(0, 12)}`,
        ),
      );
      assert.doesNotMatch(error(changed.result)!.message, /llama3:latest is/);
      assert.deepEqual(pulledModels(s.fake), []);
    });
  });

  it("--lock PATH: written and read there", async () => {
    await withFakes([{ models: ["llama3"] }], async ([s]) => {
      const { cwd } = await project("explicit", []);
      const args = ["--json", "--lock", "locks/models.lock", "--host", s.url, "--model", "llama3"];
      await mkdir(join(cwd, "locks"));
      const written = await runCliProcess(["ensure", "--write-lock", ...args], { ...WRITE, cwd });
      assert.equal(written.code, 0, written.stderr);
      assert.match(await readFile(join(cwd, "locks", "models.lock"), "utf8"), /"llama3:latest"/);
      const checked = await runCliProcess(["check", "--locked", ...args], { cwd });
      assert.equal(checked.code, 0, checked.stderr);
    });
  });

  it("no config file: the lock is ./ollama.lock", async () => {
    await withFakes([{ models: ["llama3"] }], async ([s]) => {
      const cwd = join(dir, "bare");
      await mkdir(cwd);
      const run = await runCliProcess(
        ["ensure", "--write-lock", "--host", s.url, "--model", "llama3"],
        { ...WRITE, cwd },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(await readFile(join(cwd, "ollama.lock"), "utf8"), /"llama3:latest"/);
    });
  });

  it("a failed ensure writes no lock", async () => {
    await withFakes([{ models: [] }], async ([s]) => {
      const cwd = join(dir, "failed");
      await mkdir(cwd);
      const run = await runCliProcess(
        ["ensure", "--write-lock", "--no-pull", "--host", s.url, "--model", "llama3"],
        { ...WRITE, cwd },
      );
      assert.equal(run.code, 4, run.stderr);
      assert.deepEqual(await readdir(cwd), []);
    });
  });

  it("a fleet: one lock for every host; hosts that disagree on a digest get none, exit 6", async () => {
    const one = { name: "llama3", digest: "1".repeat(64), size: 1234 };
    const other = { name: "llama3", digest: "2".repeat(64), size: 1234 };
    await withFakes(
      [{ models: [one] }, { models: [one] }, { models: [other] }],
      async ([a, b, c]) => {
        const cwd = join(dir, "fleet");
        await mkdir(cwd);
        const args = ["ensure", "--json", "--write-lock", "--model", "llama3", "--host", a.url];
        const agreed = await runCliProcess([...args, "--host", b.url], { ...WRITE, cwd });
        assert.equal(agreed.code, 0, agreed.stderr);
        assert.equal(
          await readFile(join(cwd, "ollama.lock"), "utf8"),
          formatLock({ "llama3:latest": { digest: one.digest, size: 1234 } }),
        );
        const locked = await runCliProcess(
          ["ensure", "--json", "--locked", "--model", "llama3", "--host", a.url, "--host", c.url],
          { cwd },
        );
        assert.equal(locked.code, 6, locked.stderr);
        const hosts = locked.result?.hosts as Record<string, unknown>[];
        assert.deepEqual(hosts.map((h) => h.exit_code), [0, 6]);
        assert.match(
          locked.stderr,
          new RegExp(`^\\[${c.label}\\] error: .*is 222222222222, the lock says 111111111111`, "m"),
        );

        await rm(join(cwd, "ollama.lock"));
        const split = await runCliProcess([...args, "--host", c.url], { ...WRITE, cwd });
        assert.equal(split.code, 6, split.stderr);
        assert.equal(error(split.result)?.code, "lock_mismatch");
        assert.match(
          error(split.result)!.message,
          new RegExp(
            `different versions of llama3:latest \\(${a.label}: 111111111111, ${c.label}: 222222222222\\)`,
          ),
        );
        assert.match(split.stderr, /^error: --write-lock: the servers have different versions/m);
        assert.deepEqual(await readdir(cwd), []);
      },
    );
  });

  it("--locked without a lock file: exit 6 that says what to run; no request", async () => {
    await withFakes([{ models: ["llama3"] }], async ([s]) => {
      const { cwd, config } = await project("nolock", ["llama3"]);
      const run = await runCliProcess(
        ["ensure", "--json", "--locked", "--config", config, "--host", s.url],
        { cwd },
      );
      assert.equal(run.code, 6, run.stderr);
      assert.equal(error(run.result)?.code, "lock_mismatch");
      assert.match(error(run.result)!.message, /no lock file at .*ollama\.lock/);
      assert.match(error(run.result)!.message, /`ensure --write-lock`/);
      assert.deepEqual(requestPaths(s.fake), []);
    });
  });

  it("--locked with a model the lock does not record: exit 6 before pulling it", async () => {
    await withFakes([{ models: ["llama3"] }], async ([s]) => {
      const { cwd, config } = await project("unlocked", ["llama3", "tinyllama"]);
      const digest = "c".repeat(64);
      await writeFile(
        join(cwd, "ci", "ollama.lock"),
        formatLock({ "llama3:latest": { digest, size: 1 } }),
      );
      const run = await runCliProcess(
        ["ensure", "--json", "--locked", "--config", config, "--host", s.url],
        { cwd },
      );
      assert.equal(run.code, 6, run.stderr);
      assert.match(error(run.result)!.message, /tinyllama:latest is not in the lock/);
      assert.deepEqual(requestPaths(s.fake), []);
    });
  });

  it("a malformed lock: exit 2 with its line; no request", async () => {
    await withFakes([{ models: ["llama3"] }], async ([s]) => {
      const { cwd, config } = await project("malformed", ["llama3"]);
      await writeFile(
        join(cwd, "ci", "ollama.lock"),
        '{\n  "version": 1,\n  "models": {\n    "llama3:latest": { "digest": "xyz", "size": 1 }\n  }\n}\n',
      );
      const run = await runCliProcess(
        ["ensure", "--json", "--locked", "--config", config, "--host", s.url],
        { cwd },
      );
      assert.equal(run.code, 2, run.stderr);
      assert.equal(error(run.result)?.code, "config");
      assert.match(error(run.result)!.message, /ollama\.lock:4: the digest of llama3:latest/);
      assert.deepEqual(requestPaths(s.fake), []);
    });
  });

  for (const other of ["--update", "--write-lock"]) {
    it(`--locked with ${other}: usage error, exit 2, no request`, async () => {
      await withFakes([{ models: ["llama3"] }], async ([s]) => {
        const run = await runCliProcess([
          "ensure",
          "--json",
          "--locked",
          other,
          "--host",
          s.url,
          "--model",
          "llama3",
        ]);
        assert.equal(run.code, 2, run.stderr);
        assert.equal(error(run.result)?.code, "usage");
        assert.match(
          error(run.result)!.message,
          new RegExp(`--locked cannot be used with ${other}`),
        );
        assert.deepEqual(requestPaths(s.fake), []);
      });
    });
  }

  it("under Deno without --allow-write: --write-lock names the flag to add; exit 2", {
    skip: !IS_DENO && "a Deno permission",
  }, async () => {
    await withFakes([{ models: ["llama3"] }], async ([s]) => {
      const cwd = join(dir, "denied");
      await mkdir(cwd);
      const run = await runCliProcess(
        ["ensure", "--json", "--write-lock", "--host", s.url, "--model", "llama3"],
        { cwd },
      );
      assert.equal(run.code, 2, run.stderr);
      assert.equal(error(run.result)?.code, "usage");
      assert.match(error(run.result)!.message, new RegExp(`--allow-write=${cwd} `));
      assert.deepEqual(await readdir(cwd), []);
    });
  });
});
