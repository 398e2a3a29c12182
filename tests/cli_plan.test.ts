// `plan`, `outdated` and `ensure --update`, end to end: the real CLI as a subprocess against
// the fake Ollama, and (where a registry is asked) the fake registry on loopback, whose models
// are named `127.0.0.1:PORT/library/<model>` and asked over plain HTTP (`insecure = true`).
// Every other run has VTCODE_OLLAMA_REGISTRY=off: no test reaches the network.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shortModelName } from "../src/names.ts";
import {
  type BuiltRegistryModel,
  FakeRegistry,
  registryModelName,
  type ServedFakeOllama,
  serveFakeOllama,
  smallCatalog,
} from "../src/testing/mod.ts";
import { jsonArgs, requestPaths, runCliProcess, withFakes } from "./_cli.ts";
import { pulledModels } from "./_helpers.ts";

let dir = "";
let registry: FakeRegistry;
let served: ServedFakeOllama;
/** Names on the fake registry: `127.0.0.1:PORT/library/tiny:latest`, … */
const names = { tiny: "", small: "", other: "", gone: "" };
let tiny: BuiltRegistryModel;
let small: BuiltRegistryModel;
/** The config that lets the CLI ask the fake registry over plain HTTP. */
let insecure = "";

/**
 * Runs `args --json` against the fake Ollama at `url`, asking the fake registry over plain HTTP
 * (`insecure = true`, VTCODE_OLLAMA_REGISTRY unset: the tests' default is off).
 */
function online(args: string[], url: string, models: string[] = []) {
  return runCliProcess(jsonArgs(args, { config: insecure, host: url, models }), {
    env: { VTCODE_OLLAMA_REGISTRY: undefined },
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vtcode-ollama-cli-plan-"));
  registry = new FakeRegistry({
    models: [
      { name: "tiny", weightsSize: 4096 },
      { name: "small", weightsSize: 8192 },
      { name: "other", weightsSize: 1024 },
    ],
  });
  served = await serveFakeOllama(registry.handler);
  for (const model of Object.keys(names) as (keyof typeof names)[]) {
    names[model] = registryModelName(served.url, model);
  }
  tiny = (await registry.model("tiny"))!;
  small = (await registry.model("small"))!;
  insecure = join(dir, "insecure.toml");
  await writeFile(insecure, "[ollama]\ninsecure = true\n");
});
after(async () => {
  await served.close();
  await rm(dir, { recursive: true, force: true });
});

const hex = (digest: string) => digest.replace(/^sha256:/, "");
const errorCode = (result: Record<string, unknown> | undefined) =>
  (result?.error as { code: string } | null)?.code;

describe("cli: plan", () => {
  it("present / pull / blocked with registry off: sizes null, exit 4 for the blocked one, no pull", async () => {
    await withFakes([{ models: ["llama3"] }], async ([s]) => {
      const config = join(dir, "wl-plan.toml");
      await writeFile(config, `[ollama]\nwhitelist = ["llama3", "tinyllama"]\n`);
      const models = ["llama3", "tinyllama", "qwen3:0.6b"];
      const run = await runCliProcess(jsonArgs(["plan"], { config, host: s.url, models }));
      assert.equal(run.code, 4, run.stderr);
      assert.equal(errorCode(run.result), "not_whitelisted");
      assert.deepEqual(run.result?.plan, [
        { model: "llama3:latest", action: "present", download_bytes: 0, reason: null },
        {
          model: "tinyllama:latest",
          action: "pull",
          download_bytes: null,
          reason: "size unknown: the registry could not be asked",
        },
        {
          model: "qwen3:0.6b",
          action: "blocked",
          download_bytes: null,
          reason: "not in the pull whitelist",
        },
      ]);
      assert.equal(run.result?.download_bytes, null);
      assert.deepEqual(run.result?.present, ["llama3:latest"]);
      assert.deepEqual(requestPaths(s.fake), ["GET /api/version", "GET /api/tags"]);
      assert.match(run.stderr, /^llama3:latest {5}present$/m);
      assert.match(run.stderr, /^tinyllama:latest {2}pull {5}size unknown/m);
      assert.match(run.stderr, /^qwen3:0\.6b +blocked {2}not in the pull whitelist$/m);
      assert.match(run.stderr, /^to download: unknown for 1 model$/m);
      assert.doesNotMatch(run.stderr, /^ready/m);
    });
  });

  it("with a registry: the bytes are the manifest's blobs the server lacks; exit 0", async () => {
    const installed = { name: names.tiny, digest: hex(tiny.digest) };
    await withFakes([{ models: [installed] }], async ([s]) => {
      const run = await online(["plan"], s.url, [names.tiny, names.small]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.result?.plan, [
        { model: shortModelName(names.tiny), action: "present", download_bytes: 0, reason: null },
        {
          model: shortModelName(names.small),
          action: "pull",
          download_bytes: small.size,
          reason: null,
        },
      ]);
      assert.equal(run.result?.download_bytes, small.size);
      // The server was asked for each blob of the missing model, and nothing was pulled.
      const blobs = [small.config, ...small.layers].map((l) => `HEAD /api/blobs/${l.digest}`);
      const paths = requestPaths(s.fake);
      assert.deepEqual(paths.filter((p) => p.startsWith("HEAD /api/blobs/")).sort(), blobs.sort());
      assert.deepEqual(pulledModels(s.fake), []);
      // The registry was asked for manifests only: no blob was downloaded.
      const asked = registry.requests().filter((r) => r.endpoint !== "manifest");
      assert.deepEqual(asked.map((r) => `${r.method} ${r.path}`), []);
      assert.doesNotMatch(run.stderr, /^warning:/m);
    });
  });
});

describe("cli: outdated", () => {
  it("a tag that moved: exit 4 code outdated, the model listed; an up-to-date one is not", async () => {
    const stale = { name: names.tiny, digest: "0".repeat(64) };
    const current = { name: names.small, digest: hex(small.digest) };
    await withFakes([{ models: [stale, current] }], async ([s]) => {
      const run = await online(["outdated"], s.url);
      assert.equal(run.code, 4, run.stderr);
      assert.equal(errorCode(run.result), "outdated");
      assert.deepEqual(run.result?.outdated, [shortModelName(names.tiny)]);
      assert.deepEqual(run.result?.unknown, []);
      assert.match(
        run.stderr,
        new RegExp(`installed 000000000000, registry ${hex(tiny.digest).slice(0, 12)}`),
      );
      assert.match(run.stderr, /up to date$/m);
      assert.deepEqual(pulledModels(s.fake), []);
    });
  });

  it("a model the registry cannot answer for is unknown, a warning, never up to date; exit 0", async () => {
    const current = { name: names.small, digest: hex(small.digest) };
    const gone = { name: names.gone, digest: "1".repeat(64) };
    await withFakes([{ models: [current, gone] }], async ([s]) => {
      const run = await online(["outdated"], s.url, [names.small, names.gone]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.result?.outdated, []);
      assert.deepEqual(run.result?.unknown, [shortModelName(names.gone)]);
      assert.match(run.stderr, /^warning: .*gone.*registry could not be asked/m);
      assert.match(run.stderr, /gone:latest +unknown/);
    });
  });

  it("with the registry off: every model unknown, exit 0", async () => {
    await withFakes([{ models: ["llama3"] }], async ([s]) => {
      const run = await runCliProcess(["outdated", "--json", "--host", s.url]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.result?.unknown, ["llama3:latest"]);
      assert.deepEqual(run.result?.outdated, []);
    });
  });
});

describe("cli: ensure --update", () => {
  const catalog = () => smallCatalog({ [names.tiny]: [2000, 300] });

  it("re-pulls a model whose tag moved, with insecure; result has outdated and download_bytes", async () => {
    const stale = { name: names.tiny, digest: "0".repeat(64) };
    await withFakes([{ models: [stale], catalog: catalog() }], async ([s]) => {
      const run = await online(["ensure", "--update"], s.url, [names.tiny]);
      assert.equal(run.code, 0, run.stderr);
      const short = shortModelName(names.tiny);
      assert.deepEqual(run.result?.outdated, [short]);
      assert.deepEqual(run.result?.unknown, []);
      assert.deepEqual(run.result?.pulled, [short]);
      assert.deepEqual(run.result?.present, []);
      assert.equal(run.result?.download_bytes, tiny.size);
      const [pull] = s.fake.pullRequests();
      assert.deepEqual(
        [s.fake.pullRequests().length, (pull.body as { model: string }).model],
        [1, names.tiny],
      );
      assert.equal((pull.body as { insecure?: boolean }).insecure, true);
    });
  });

  it("without --update the same model is present: no pull, no outdated field", async () => {
    const stale = { name: names.tiny, digest: "0".repeat(64) };
    await withFakes([{ models: [stale], catalog: catalog() }], async ([s]) => {
      const run = await online(["ensure"], s.url, [names.tiny]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.result?.present, [shortModelName(names.tiny)]);
      assert.equal("outdated" in (run.result ?? {}), false);
      assert.equal("download_bytes" in (run.result ?? {}), false);
      assert.deepEqual(pulledModels(s.fake), []);
    });
  });

  it("plan --update says `update` with the bytes; nothing is pulled", async () => {
    const stale = { name: names.tiny, digest: "0".repeat(64) };
    await withFakes([{ models: [stale], catalog: catalog() }], async ([s]) => {
      const run = await online(["plan", "--update"], s.url, [names.tiny]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.result?.plan, [
        {
          model: shortModelName(names.tiny),
          action: "update",
          download_bytes: tiny.size,
          reason: null,
        },
      ]);
      assert.deepEqual(pulledModels(s.fake), []);
    });
  });
});
