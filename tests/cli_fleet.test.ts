// Several servers (`--host` repeated, or `hosts` in the config) and pulls at once
// (`--concurrency`), end to end: the real CLI as a subprocess against fake Ollama servers on
// loopback ports, and an address where nothing listens.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { smallCatalog, unusedLoopbackUrl } from "../src/testing/mod.ts";
import { requestPaths, runCliProcess, withFakes } from "./_cli.ts";
import { pulledModels } from "./_helpers.ts";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vtcode-ollama-cli-fleet-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const errorCode = (result: Record<string, unknown> | undefined) =>
  (result?.error as { code: string } | null)?.code;

describe("cli: a fleet", () => {
  it("two servers and one down: exit 3, the others made ready, one result per host in order", async () => {
    await withFakes([{ models: ["tinyllama"] }, { models: [] }], async ([a, b]) => {
      const dead = await unusedLoopbackUrl();
      const deadLabel = new URL(dead).host;
      const run = await runCliProcess([
        "ensure",
        "--json",
        "--host",
        a.url,
        "--host",
        dead,
        "--host",
        b.url,
        "--model",
        "tinyllama",
      ]);
      assert.equal(run.code, 3, run.stderr);
      const result = run.result!;
      assert.equal(result.ok, false);
      assert.equal(result.exit_code, 3);
      assert.equal(result.base_url, null);
      assert.equal(errorCode(result), "unreachable");
      assert.deepEqual(result.pulled, ["tinyllama:latest"]);
      assert.deepEqual(result.missing, ["tinyllama:latest"]);
      assert.deepEqual(result.present, []);
      const hosts = result.hosts as Record<string, unknown>[];
      assert.deepEqual(hosts.map((h) => [h.base_url, h.exit_code, h.ok]), [
        [a.url, 0, true],
        [dead, 3, false],
        [b.url, 0, true],
      ]);
      assert.deepEqual(hosts[0], {
        ok: true,
        exit_code: 0,
        base_url: a.url,
        server_version: "0.33.0",
        present: ["tinyllama:latest"],
        pulled: [],
        missing: [],
        error: null,
      });
      assert.deepEqual(hosts[2].pulled, ["tinyllama:latest"]);
      assert.equal(errorCode(hosts[1]), "unreachable");
      // Only the server that lacked the model pulled it.
      assert.deepEqual(pulledModels(a.fake), []);
      assert.deepEqual(pulledModels(b.fake), ["tinyllama:latest"]);
      assert.equal(requestPaths(b.fake).at(-1), "GET /api/tags");
      // Exactly one result line, last; every event names its host.
      assert.equal(run.lines.filter((l) => l.type === "result").length, 1);
      const events = run.lines.slice(0, -1).filter((l) => l.type === "health" || l.type === "log");
      assert.ok(events.length > 0);
      for (const event of events) {
        assert.ok([a.label, deadLabel, b.label].includes(event.host as string), String(event.type));
      }
      // Every line for people names its host.
      for (const line of run.stderr.trimEnd().split("\n")) {
        assert.match(line, /^\[127\.0\.0\.1:\d+\] /, line);
      }
      assert.match(
        run.stderr,
        new RegExp(`^\\[${deadLabel}\\] error: No running Ollama server detected`, "m"),
      );
      assert.match(run.stderr, new RegExp(`^\\[${b.label}\\] ready: tinyllama:latest$`, "m"));
    });
  });

  it("`hosts` in the config makes a fleet; --host given once beats it", async () => {
    await withFakes([{ models: ["llama3"] }, { models: ["llama3"] }], async ([a, b]) => {
      const dead = await unusedLoopbackUrl();
      const config = join(dir, "fleet.toml");
      await writeFile(config, `[ollama]\nhosts = ["${a.url}", "${b.url}"]\nmodels = ["llama3"]\n`);
      const fleet = await runCliProcess(["check", "--json", "--config", config]);
      assert.equal(fleet.code, 0, fleet.stderr);
      assert.deepEqual((fleet.result?.hosts as unknown[]).length, 2);
      assert.deepEqual(fleet.result?.present, ["llama3:latest"]);

      const one = await runCliProcess(["check", "--json", "--config", config, "--host", dead]);
      assert.equal(one.code, 3, one.stderr);
      assert.equal(one.result?.base_url, dead);
      assert.equal("hosts" in one.result!, false);
      // Each server of `hosts` was asked once, by the fleet run: not by the run with --host.
      assert.deepEqual(requestPaths(a.fake), ["GET /api/version", "GET /api/tags"]);
      assert.deepEqual(requestPaths(b.fake), ["GET /api/version", "GET /api/tags"]);
    });
  });

  it("plan across two servers: each row names its host; the total adds both", async () => {
    await withFakes([{ models: ["llama3"] }, { models: [] }], async ([a, b]) => {
      const run = await runCliProcess([
        "plan",
        "--json",
        "--host",
        a.url,
        "--host",
        b.url,
        "--model",
        "llama3",
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        (run.result?.plan as Record<string, unknown>[]).map((r) => [r.host, r.action]),
        [[a.label, "present"], [b.label, "pull"]],
      );
      assert.equal(run.result?.download_bytes, null);
      assert.deepEqual(
        (run.result?.hosts as Record<string, unknown>[]).map((h) => h.download_bytes),
        [0, null],
      );
      assert.match(run.stderr, new RegExp(`^\\[${b.label}\\] llama3:latest  pull`, "m"));
      assert.deepEqual([...pulledModels(a.fake), ...pulledModels(b.fake)], []);
    });
  });

  it("list and pull with several hosts: a usage error that points to ensure, no request", async () => {
    await withFakes([{ models: [] }, { models: [] }], async ([a, b]) => {
      for (const args of [["list"], ["pull", "tinyllama"]]) {
        const run = await runCliProcess([...args, "--json", "--host", a.url, "--host", b.url]);
        assert.equal(run.code, 2, run.stderr);
        assert.equal(errorCode(run.result), "usage");
        assert.match(run.stderr, /talks to one server.*`ensure --model NAME --host A --host B`/);
      }
      const config = join(dir, "fleet-list.toml");
      await writeFile(config, `[ollama]\nhosts = ["${a.url}", "${b.url}"]\n`);
      const fromConfig = await runCliProcess(["list", "--json", "--config", config]);
      assert.equal(fromConfig.code, 2, fromConfig.stderr);
      assert.match(fromConfig.stderr, /the config lists 2 in `hosts`: pick one with --host/);
      assert.equal(a.fake.requests.length + b.fake.requests.length, 0);
    });
  });
});

describe("cli: --concurrency", () => {
  // Each pull takes at least 300 ms (the fake's silence while it "verifies"), so pulls that run
  // at once are seen pending together.
  const slow = { catalog: smallCatalog({ "a:1": 1000, "b:1": 1000 }), verifyMs: 300 };

  /** Runs ensure while sampling how many pulls are pending at once; returns the peak too. */
  async function ensureSampling(
    url: string,
    fake: { pullRequests(): { outcome: string }[] },
    concurrency: { flag: string; config: number },
  ) {
    const config = join(dir, `concurrency-${concurrency.config}.toml`);
    await writeFile(config, `[ollama]\npull_concurrency = ${concurrency.config}\n`);
    let peak = 0;
    let done = false;
    const running = runCliProcess([
      "ensure",
      "--json",
      "--config",
      config,
      "--concurrency",
      concurrency.flag,
      "--host",
      url,
      "--model",
      "a:1",
      "--model",
      "b:1",
    ]).finally(() => done = true);
    while (!done) {
      peak = Math.max(peak, fake.pullRequests().filter((r) => r.outcome === "pending").length);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { run: await running, peak };
  }

  const cases = [
    { flag: "2", config: 1, peak: 2, what: "two models pulled at once" },
    { flag: "1", config: 2, peak: 1, what: "one pull at a time" },
  ];
  for (const { flag, config, peak, what } of cases) {
    it(`--concurrency ${flag} beats pull_concurrency = ${config}: ${what}`, async () => {
      await withFakes([slow], async ([s]) => {
        const sampled = await ensureSampling(s.url, s.fake, { flag, config });
        assert.equal(sampled.run.code, 0, sampled.run.stderr);
        assert.deepEqual(pulledModels(s.fake).sort(), ["a:1", "b:1"]);
        assert.equal(sampled.peak, peak);
      });
    });
  }

  for (const value of ["0", "9", "2.5", "x"]) {
    it(`--concurrency ${value}: usage error, no request`, async () => {
      await withFakes([{}], async ([s]) => {
        const run = await runCliProcess([
          "ensure",
          "--json",
          "--concurrency",
          value,
          "--host",
          s.url,
        ]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /--concurrency must be a whole number from 1 to 8/);
        assert.equal(s.fake.requests.length, 0);
      });
    });
  }
});
