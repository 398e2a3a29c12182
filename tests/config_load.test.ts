// loadOllamaConfig: files, and everything that is not a readable regular file. It must answer at
// once (never wait on a FIFO), bound every read, and work under Deno (its own file API), Bun and
// Node (node:fs).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { constants } from "node:fs";
import { chmod, mkdir, open, readFile, truncate, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { loadOllamaConfig, MAX_CONFIG_BYTES } from "../src/config.ts";
import type { ConfigFileReader, ReadOutcome } from "../src/config/file.ts";
import { readError } from "../src/config/load.ts";
import { type DenoFileApi, denoFileApi, denoReader } from "../src/config/read_deno.ts";
import { nodeReader } from "../src/config/read_node.ts";
import { ConfigError } from "../src/errors/mod.ts";
import { configErrorAsync, DEFAULTS, withTempDir } from "./_config.ts";

/** The longest any load may take here: a load that waits on a FIFO fails instead of hanging. */
const BOUND_MS = 5_000;

/** Resolves with what `promise` gave, or rejects when it takes longer than `ms`. */
async function bounded<T>(promise: Promise<T>, ms = BOUND_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Makes a FIFO, or returns false where there is no mkfifo (not Linux, or not installed). */
function mkfifo(path: string): boolean {
  if (process.platform !== "linux") return false;
  const made = spawnSync("mkfifo", [path]);
  return made.error === undefined && made.status === 0;
}

/** Opens a FIFO for writing without blocking, so that a reader stuck on it sees its end. */
async function releaseFifo(path: string): Promise<void> {
  try {
    const handle = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
    await handle.close();
  } catch {
    // No reader was waiting (ENXIO): nothing to release.
  }
}

describe("loadOllamaConfig: files", () => {
  it("gives the defaults, no source and no warnings, when cwd has no vtcode.toml", async () => {
    await withTempDir(async (dir) => {
      assert.deepEqual(await loadOllamaConfig({ cwd: dir }), {
        config: DEFAULTS,
        source: undefined,
        warnings: [],
      });
    });
  });

  it("gives the defaults when cwd does not exist", async () => {
    await withTempDir(async (dir) => {
      const result = await loadOllamaConfig({ cwd: join(dir, "missing") });
      assert.equal(result.source, undefined);
    });
  });

  it("reads <cwd>/vtcode.toml when it exists", async () => {
    await withTempDir(async (dir) => {
      await writeFile(
        join(dir, "vtcode.toml"),
        '[ollama]\nmodels = ["llama3"]\nauto_pull = false\n',
      );
      const { config, source, warnings } = await loadOllamaConfig({ cwd: dir });
      assert.equal(source, join(dir, "vtcode.toml"));
      assert.deepEqual(config, { ...DEFAULTS, models: ["llama3"], autoPull: false });
      assert.deepEqual(warnings, []);
    });
  });

  it("reads an explicit path, relative to cwd or absolute", async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, "ci"));
      await writeFile(join(dir, "ci", "ollama.toml"), "[ollama]\npull_retries = 9\n");
      const relative = await loadOllamaConfig({ cwd: dir, path: join("ci", "ollama.toml") });
      assert.equal(relative.config.pullRetries, 9);
      assert.equal(relative.source, join(dir, "ci", "ollama.toml"));
      const dotted = await loadOllamaConfig({ cwd: `${dir}/`, path: "./ci/ollama.toml" });
      assert.equal(dotted.source, join(dir, "ci", "ollama.toml"));
      const absolute = await loadOllamaConfig({ path: join(dir, "ci", "ollama.toml") });
      assert.equal(absolute.config.pullRetries, 9);
    });
  });

  it("rejects an explicit path that does not exist, saying what was tried", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "nope.toml");
      const error = await configErrorAsync(() => loadOllamaConfig({ path, cwd: dir }));
      assert.equal(error.source, path);
      assert.ok(error.message.startsWith(`${path}: the config file does not exist`), error.message);
      assert.ok(error.message.includes(`looked for ${resolve(path)}`), error.message);
    });
  });

  it("rejects an explicit path under a file (ENOTDIR) as not existing", async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, "file"), "");
      const error = await configErrorAsync(() =>
        loadOllamaConfig({ path: join(dir, "file", "x") })
      );
      assert.match(error.message, /does not exist/);
    });
  });

  it("rejects an empty path", async () => {
    const error = await configErrorAsync(() => loadOllamaConfig({ path: "  " }));
    assert.match(error.message, /path is empty/);
  });

  it("rejects a directory, explicit or in the default place", async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, "vtcode.toml"));
      const byDefault = await configErrorAsync(() => loadOllamaConfig({ cwd: dir }));
      assert.match(byDefault.message, /cannot read the config file: it is a directory/);
      const explicit = await configErrorAsync(() => loadOllamaConfig({ path: dir }));
      assert.ok(
        explicit.message.startsWith(`${dir}: cannot read the config file: it is a directory`),
      );
    });
  });

  it("rejects a file it may not read, with the reason", async () => {
    if (process.platform === "win32") return;
    await withTempDir(async (dir) => {
      const path = join(dir, "vtcode.toml");
      await writeFile(path, "[ollama]\n");
      await chmod(path, 0o000);
      // Root (and some CI sandboxes) read anything; the unit test of readError covers it there.
      if (await readFile(path).then(() => true, () => false)) return;
      const error = await configErrorAsync(() => loadOllamaConfig({ cwd: dir }));
      assert.match(error.message, /cannot read the config file: permission denied/);
    });
  });

  it("rejects a file that is not UTF-8, one too large, and a huge sparse one without reading it", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "latin1.toml");
      await writeFile(path, new Uint8Array([0x23, 0x20, 0xe9, 0x0a]));
      const error = await configErrorAsync(() => loadOllamaConfig({ path }));
      assert.ok(error.message.startsWith(`${path}:1: not UTF-8`), error.message);

      const big = join(dir, "big.toml");
      await writeFile(big, "#".repeat(MAX_CONFIG_BYTES + 1));
      const tooBig = await configErrorAsync(() => loadOllamaConfig({ path: big }));
      assert.match(tooBig.message, /larger than 1 MiB/);

      const exact = join(dir, "exact.toml");
      await writeFile(exact, "#".repeat(MAX_CONFIG_BYTES));
      assert.equal((await loadOllamaConfig({ path: exact })).source, exact);

      const sparse = join(dir, "sparse.toml");
      await writeFile(sparse, "");
      await truncate(sparse, 8 * 1024 * 1024 * 1024);
      const huge = await configErrorAsync(() => bounded(loadOllamaConfig({ path: sparse })));
      assert.match(huge.message, /larger than 1 MiB/);
    });
  });

  it("names the file in validation errors, and accepts a BOM", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "vtcode.toml");
      await writeFile(path, "\uFEFF[ollama]\nauto_pull = false\n");
      assert.equal((await loadOllamaConfig({ cwd: dir })).config.autoPull, false);
      await writeFile(path, "[ollama]\n\nautopull = false\n");
      const error = await configErrorAsync(() => loadOllamaConfig({ cwd: dir }));
      assert.equal(
        error.message,
        `${path}:3:1: unknown key \`autopull\` in [ollama]; did you mean \`auto_pull\`?`,
      );
    });
  });
});

describe("loadOllamaConfig: never waits on what is not a regular file", () => {
  it("refuses a FIFO at once, explicit or as ./vtcode.toml (Linux)", async () => {
    await withTempDir(async (dir) => {
      const fifo = join(dir, "vtcode.toml");
      if (!mkfifo(fifo)) return;
      try {
        for (const options of [{ path: fifo }, { cwd: dir }]) {
          const error = await configErrorAsync(() => bounded(loadOllamaConfig(options)));
          assert.equal(
            error.message,
            `${fifo}: cannot read the config file: it is a FIFO (named pipe), not a regular ` +
              "file; give the path of a TOML file",
          );
        }
      } finally {
        await releaseFifo(fifo);
      }
    });
  });

  it("refuses a character device (/dev/null) instead of reading it as an empty file", async () => {
    if (process.platform === "win32") return;
    const error = await configErrorAsync(() => bounded(loadOllamaConfig({ path: "/dev/null" })));
    assert.equal(
      error.message,
      "/dev/null: cannot read the config file: it is a character device, not a regular file; " +
        "give the path of a TOML file",
    );
  });

  it("follows a symbolic link to a regular file, and refuses one to a FIFO", async () => {
    if (process.platform === "win32") return;
    await withTempDir(async (dir) => {
      await writeFile(join(dir, "real.toml"), "[ollama]\nwarm = true\n");
      spawnSync("ln", ["-s", join(dir, "real.toml"), join(dir, "vtcode.toml")]);
      assert.equal((await loadOllamaConfig({ cwd: dir })).config.warm, true);
      const fifo = join(dir, "fifo");
      if (!mkfifo(fifo)) return;
      try {
        spawnSync("ln", ["-s", fifo, join(dir, "link.toml")]);
        const error = await configErrorAsync(() =>
          bounded(loadOllamaConfig({ cwd: dir, path: "link.toml" }))
        );
        assert.match(error.message, /it is a FIFO \(named pipe\), not a regular file/);
      } finally {
        await releaseFifo(fifo);
      }
    });
  });
});

describe("the file readers, each on its own", () => {
  const deno = denoFileApi();
  const readers: [string, ConfigFileReader][] = [["node:fs", nodeReader]];
  if (deno !== undefined) readers.push(["Deno", denoReader(deno)]);

  for (const [name, reader] of readers) {
    it(`${name}: a regular file, a missing one, a directory, a FIFO, a device, a size bound`, async () => {
      await withTempDir(async (dir) => {
        const file = join(dir, "a.toml");
        await writeFile(file, "[ollama]\n");
        const read = (path: string, max = 1024) => bounded(reader.read(path, max));
        const bytes = await read(file);
        assert.equal(bytes.kind, "bytes");
        assert.equal(
          new TextDecoder().decode((bytes as { bytes: Uint8Array }).bytes),
          "[ollama]\n",
        );
        assert.deepEqual(await read(file, 9), bytes, "exactly the bound is fine");
        assert.deepEqual(await read(file, 8), { kind: "too-large" });
        assert.equal((await read(join(dir, "none"))).kind, "missing");
        assert.equal((await read(join(file, "x"))).kind, "missing");
        assert.deepEqual(await read(dir), { kind: "not-regular", what: "a directory" });
        if (process.platform !== "win32") {
          assert.deepEqual(await read("/dev/null"), {
            kind: "not-regular",
            what: "a character device",
          });
        }
        const fifo = join(dir, "fifo");
        if (mkfifo(fifo)) {
          try {
            assert.deepEqual(await read(fifo), {
              kind: "not-regular",
              what: "a FIFO (named pipe)",
            });
          } finally {
            await releaseFifo(fifo);
          }
        }
      });
    });
  }

  it("Deno: NotCapable (no --allow-read) and PermissionDenied (EACCES) are told apart", async () => {
    class NotFound extends Error {}
    class NotCapable extends Error {}
    class PermissionDenied extends Error {}
    const fake = (error: Error): DenoFileApi => ({
      stat: () => Promise.reject(error),
      open: () => Promise.reject(error),
      cwd: () => "/work",
      errors: { NotFound, NotCapable, PermissionDenied },
    });
    const outcome = (error: Error) => denoReader(fake(error)).read("vtcode.toml", 1024);
    const notCapable = new NotCapable('Requires read access to "vtcode.toml"');
    assert.deepEqual(await outcome(notCapable), { kind: "not-allowed", cause: notCapable });
    const denied = new PermissionDenied("Permission denied (os error 13)");
    assert.deepEqual(await outcome(denied), { kind: "failed", cause: denied, code: "EACCES" });
    const missing = new NotFound("No such file");
    assert.deepEqual(await outcome(missing), { kind: "missing", cause: missing });
    assert.equal(denoReader(fake(missing)).absolute("a/b.toml"), "/work/a/b.toml");
  });
});

describe("readError: every outcome says what happened and what to do", () => {
  const reader = { absolute: (path: string) => `/abs/${path}` };
  const message = (outcome: Exclude<ReadOutcome, { kind: "bytes" }>) => {
    const error = readError("cfg/vtcode.toml", outcome, reader);
    assert.ok(error instanceof ConfigError);
    assert.equal(error.source, "cfg/vtcode.toml");
    return error.message;
  };

  it("permission denied by the system (EACCES, EPERM)", () => {
    for (const code of ["EACCES", "EPERM"]) {
      assert.equal(
        message({ kind: "failed", code, cause: new Error("denied") }),
        `cfg/vtcode.toml: cannot read the config file: permission denied (${code}); make the ` +
          "file readable by the user running this (check its mode and owner, and that every " +
          "directory above it can be entered)",
      );
    }
  });

  it("not allowed by Deno: the --allow-read flag to add, with the path", () => {
    assert.equal(
      message({ kind: "not-allowed", cause: new Error("Requires read access") }),
      "cfg/vtcode.toml: cannot read the config file: Deno was not given permission to read it; " +
        "add --allow-read=cfg/vtcode.toml (or --allow-read) to the deno command",
    );
    const spaced = readError("my dir/it's.toml", { kind: "not-allowed", cause: undefined }, reader);
    assert.match(spaced.message, /add --allow-read='my dir\/it'\\''s\.toml' \(or --allow-read\)/);
  });

  it("other failures keep the system's words and code, without control characters", () => {
    assert.equal(
      message({ kind: "failed", code: "EIO", cause: new Error("i/o error\u001b[2J") }),
      "cfg/vtcode.toml: cannot read the config file: i/o error (EIO)",
    );
    assert.equal(
      message({ kind: "failed", code: "ELOOP", cause: new Error("loop") }),
      "cfg/vtcode.toml: cannot read the config file: too many levels of symbolic links (ELOOP)",
    );
    assert.equal(
      message({ kind: "failed", code: undefined, cause: "?" }),
      "cfg/vtcode.toml: cannot read the config file: unknown error",
    );
  });
});

/** Runs tests/fixtures/load_config.ts with `command`, returning its JSON outcomes. */
function runFixture(
  command: string,
  args: string[],
  cases: unknown[],
): Promise<{ ok: boolean; message?: string; name?: string; code?: string; source?: string }[]> {
  return new Promise((resolveRun, reject) => {
    execFile(
      command,
      [...args, JSON.stringify(cases)],
      { timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} failed: ${error.message}\n${stderr}`));
        else resolveRun(JSON.parse(stdout));
      },
    );
  });
}

const FIXTURE = fileURLToPath(new URL("./fixtures/load_config.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));

describe("loadOllamaConfig in other processes", () => {
  it("under Deno without --allow-read: a config error naming the flag to add", async () => {
    if (!("Deno" in globalThis)) return; // Deno's own sandbox; nothing like it elsewhere
    await withTempDir(async (dir) => {
      const path = join(dir, "ci.toml");
      await writeFile(path, "[ollama]\n");
      // Deno.Command, not node:child_process: Deno's child_process runs a `deno` it spawns with
      // every permission.
      const output = await bounded(
        new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--no-prompt",
            "--no-lock",
            "--quiet",
            "--config",
            join(ROOT, "deno.json"),
            FIXTURE,
            JSON.stringify([{ path }, { cwd: dir }]),
          ],
          stdin: "null",
        }).output(),
        30_000,
      );
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      const outcomes = JSON.parse(new TextDecoder().decode(output.stdout));
      assert.deepEqual(outcomes, [
        {
          ok: false,
          name: "ConfigError",
          code: "config",
          message: `${path}: cannot read the config file: Deno was not given permission to ` +
            `read it; add --allow-read=${path} (or --allow-read) to the deno command`,
        },
        {
          ok: false,
          name: "ConfigError",
          code: "config",
          message: `${dir}/vtcode.toml: cannot read the config file: Deno was not given ` +
            `permission to read it; add --allow-read=${dir}/vtcode.toml (or --allow-read) to the ` +
            "deno command",
        },
      ]);
    });
  });

  it("under Node (bundled by Bun): files, FIFOs, devices and directories", async () => {
    // Node 20 runs JavaScript only: the running Bun bundles the fixture (with the smol-toml that
    // `bun install` put in node_modules).
    if (!("Bun" in globalThis)) return;
    const bun = process.execPath;
    if (spawnSync("node", ["--version"]).status !== 0) return; // no Node on this machine
    await withTempDir(async (dir) => {
      const built = spawnSync(bun, [
        "build",
        FIXTURE,
        "--target=node",
        "--format=esm",
        "--splitting",
        `--outdir=${join(dir, "out")}`,
      ], { cwd: ROOT });
      assert.equal(built.status, 0, String(built.stderr));
      const good = join(dir, "good.toml");
      await writeFile(good, '[ollama]\nmodels = ["llama3"]\n[olama]\n');
      const fifo = join(dir, "fifo.toml");
      const haveFifo = mkfifo(fifo);
      try {
        const outcomes = await runFixture("node", [join(dir, "out", "load_config.js")], [
          { path: good },
          { path: "/dev/null" },
          { path: dir },
          { path: join(dir, "none.toml") },
          { cwd: join(dir, "out") },
          ...(haveFifo ? [{ path: fifo }] : []),
        ]);
        // JSON drops the fields that are undefined.
        const json = (value: unknown) => JSON.parse(JSON.stringify(value));
        assert.deepEqual(outcomes[0], {
          ok: true,
          source: good,
          config: json({ ...DEFAULTS, models: ["llama3"] }),
          warnings: [],
        });
        assert.match(outcomes[1].message ?? "", /it is a character device, not a regular file/);
        assert.match(outcomes[2].message ?? "", /it is a directory, not a file/);
        assert.match(outcomes[3].message ?? "", /the config file does not exist/);
        assert.deepEqual(outcomes[4], { ok: true, config: json(DEFAULTS), warnings: [] });
        if (haveFifo) assert.match(outcomes[5].message ?? "", /it is a FIFO \(named pipe\)/);
      } finally {
        if (haveFifo) await releaseFifo(fifo);
      }
    });
  });
});

describe("what loading a config costs at start-up", () => {
  /** The static imports of a module and of the modules it imports, transitively. */
  async function staticImports(start: URL): Promise<Set<string>> {
    const seen = new Set<string>();
    const queue = [start];
    while (queue.length > 0) {
      const url = queue.shift()!;
      const text = new TextDecoder().decode(await readFile(url));
      // `import ... from "x"` and `export ... from "x"`, but not `import("x")` and not type-only.
      for (
        const match of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+"([^"]+)"/gm)
      ) {
        const specifier = match[1];
        const key = specifier.startsWith(".") ? new URL(specifier, url).href : specifier;
        if (seen.has(key)) continue;
        seen.add(key);
        if (specifier.startsWith(".")) queue.push(new URL(specifier, url));
      }
    }
    return seen;
  }

  it("load.ts imports neither node: built-ins nor the TOML parser until it has a file", async () => {
    const imports = [...await staticImports(new URL("../src/config/load.ts", import.meta.url))];
    assert.deepEqual(imports.filter((i) => i.startsWith("node:")), [], "node: built-ins");
    assert.deepEqual(imports.filter((i) => i === "smol-toml"), [], "the TOML parser");
    assert.ok(!imports.some((i) => i.endsWith("/config/parse.ts")), "parse.ts");
    assert.ok(!imports.some((i) => i.endsWith("/config/read_node.ts")), "read_node.ts");
  });
});
