// Conformance: OUR library and CLI against a REAL Ollama server (OLLAMA_CONFORMANCE_URL), which
// pulls from a fake registry each test starts on loopback. Without the variable every test is
// skipped, visibly. What is asserted is what the contract and the protocol notes promise; the
// recorded traces of the same scenarios are in tests/fixtures/real/ (see record.ts).
import process from "node:process";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  ensureOllamaReady,
  OllamaClient,
  type OllamaConfig,
  type OllamaPullEvent,
  PullFailedError,
  type PullOptions,
} from "../../mod.ts";
import { cloudStub } from "../../src/testing/mod.ts";
import { type CliRun, runCliProcess } from "../_cli.ts";
import { assertListedAsServed, assertTagFields } from "./_expect.ts";
import { getJson, type RegistryHandle, serverUrl, SKIP, until, withRegistry } from "./_harness.ts";

const MiB = 1024 * 1024;
const KiB = 1024;

/** A test that runs only against a real server; the skip reason names the variable. */
function real(name: string, fn: () => Promise<void>): void {
  it(name, { skip: SKIP }, fn);
}

if (SKIP) {
  it(`real Ollama conformance: SKIPPED (${SKIP})`, { skip: SKIP }, () => {});
}

/** The pull options with `insecure` (a v2 option; cast so this file type-checks before it). */
function insecurePull(options: PullOptions = {}): PullOptions {
  return { insecure: true, ...options } as PullOptions;
}

/** `ensureOllamaReady` against the real server, collecting the pull events. */
async function ensure(
  config: Record<string, unknown>,
  timeoutMs = 120_000,
): Promise<{ report: Awaited<ReturnType<typeof ensureOllamaReady>>; events: OllamaPullEvent[] }> {
  const events: OllamaPullEvent[] = [];
  const report = await ensureOllamaReady(config as Partial<OllamaConfig>, {
    host: serverUrl(),
    reporter: { onEvent: (event) => void events.push(event) },
    signal: AbortSignal.timeout(timeoutMs),
    // These tests count the server's own requests at the registry: our plan lookups stay out.
    registry: false,
  });
  return { report, events };
}

/** Runs the CLI against the real server with an `[ollama]` table written to a temp file. */
async function cli(
  args: string[],
  table: Record<string, string | number | boolean> = {},
  options: Parameters<typeof runCliProcess>[1] = {},
): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), "vtcode-conformance-"));
  try {
    const toml = [
      "[ollama]",
      ...Object.entries(table).map(([k, v]) => `${k} = ${JSON.stringify(v)}`),
    ]
      .join("\n");
    writeFileSync(join(dir, "vtcode.toml"), `${toml}\n`);
    return await runCliProcess(
      [...args, "--host", serverUrl(), "--config", join(dir, "vtcode.toml"), "--json"],
      // The models live on this test's own registry: the CLI may ask it (plan, outdated).
      { timeoutMs: 120_000, ...options, env: { VTCODE_OLLAMA_REGISTRY: "on", ...options.env } },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function errorOf(run: CliRun): { code: string; message: string } {
  const error = run.result?.error as { code: string; message: string } | null | undefined;
  assert.ok(error, `a --json result with an error; stderr: ${run.stderr.slice(-500)}`);
  return error;
}

const progressOf = (events: OllamaPullEvent[], digest: string) =>
  events.flatMap((e) => e.type === "chunk_progress" && e.digest === digest ? [e.completed] : []);

/** Publishes a model and returns its full name in the registry, and its weights digest. */
async function model(
  reg: RegistryHandle,
  spec: Parameters<RegistryHandle["publish"]>[0],
): Promise<{ name: string; weights: string; short: string }> {
  const short = await reg.publish(spec);
  const built = (await reg.registry.model(short))!;
  return { name: reg.name(short), weights: built.layers[0].digest, short };
}

describe("real Ollama conformance", { skip: SKIP }, () => {
  real("health: the client reports the server's own version; `check` exits 0", async () => {
    const { version } = await getJson("/api/version") as { version: string };
    const client = await OllamaClient.tryFromBaseUrl(serverUrl());
    assert.equal(client.serverVersion, version);
    const run = await cli(["check"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.result?.server_version, version);
    assert.equal(run.result?.ok, true);
  });

  real(
    "tags: listModels carries the server's name, the registry's manifest digest, size and the v2 fields",
    async () => {
      await withRegistry({}, async (reg) => {
        const m = await model(reg, { name: "tagshape", weightsSize: 64 * KiB });
        const client = new OllamaClient(serverUrl());
        await client.pullModel(m.name, insecurePull());
        const raw = (await getJson("/api/tags") as { models: Record<string, unknown>[] }).models
          .find((entry) => entry.name === `${m.name}`)!;
        assert.ok(raw, "the server lists the model under the name pulled");
        const listed = (await client.listModels()).find((entry) => entry.name === m.name)!;
        assert.ok(listed, "listModels has it under the same short name");
        const manifestDigest = (await reg.registry.model(m.short))!.digest;
        assert.equal(listed.digest, manifestDigest.slice("sha256:".length));
        assertListedAsServed(listed, raw);
        assertTagFields(listed, {
          capabilities: ["completion"],
          contextLength: 4096,
          embeddingLength: 256,
        });
      });
    },
  );

  real(
    "pull: a 2 MiB model gives chunk progress for its weights, ends in success, is listed",
    async () => {
      await withRegistry({ bytesPerSecond: 2 * MiB }, async (reg) => {
        const m = await model(reg, { name: "normal", weightsSize: 2 * MiB });
        const client = new OllamaClient(serverUrl());
        const events: OllamaPullEvent[] = [];
        const result = await client.pullModel(
          m.name,
          insecurePull({
            reporter: { onEvent: (event) => void events.push(event) },
            signal: AbortSignal.timeout(60_000),
          }),
        );
        assert.equal(result.attempts, 1);
        const progress = progressOf(events, m.weights);
        assert.ok(progress.length >= 5, `progress lines for the weights: ${progress.length}`);
        assert.ok(progress.every((c, i) => i === 0 || c >= progress[i - 1]));
        assert.equal(events.at(-1)?.type, "success");
        assert.equal(await client.hasModel(m.name), true);
      });
    },
  );

  real("CLI pull of an http:// name (the scheme implies insecure): exit 0, pulled", async () => {
    await withRegistry({}, async (reg) => {
      const short = await reg.publish({ name: "clipull", weightsSize: 64 * KiB });
      const run = await cli(["pull", reg.schemeName(short)]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.result?.pulled, [reg.name(short)]);
    });
  });

  real(
    "multi-layer: --json progress never goes backwards while two big layers come one after another",
    async () => {
      await withRegistry({ bytesPerSecond: 8 * MiB }, async (reg) => {
        const short = await reg.publish({
          name: "vision",
          weightsSize: 12 * MiB,
          projectorSize: 6 * MiB,
        });
        const run = await cli(["ensure", "--model", reg.name(short)], { insecure: true });
        assert.equal(run.code, 0, run.stderr);
        const progress = run.lines.filter((line) => line.type === "pull_progress");
        assert.ok(progress.length >= 2, `pull_progress lines: ${progress.length}`);
        for (let i = 1; i < progress.length; i++) {
          assert.ok(
            Number(progress[i].completed) >= Number(progress[i - 1].completed),
            `completed went back: ${JSON.stringify(progress[i - 1])} -> ${
              JSON.stringify(progress[i])
            }`,
          );
          assert.ok(Number(progress[i].percent) >= Number(progress[i - 1].percent));
        }
      });
    },
  );

  real(
    "slow pull: steady progress at 128 KiB/s is no stall, even with stall_timeout_secs 2",
    async () => {
      await withRegistry({ bytesPerSecond: 128 * KiB }, async (reg) => {
        const m = await model(reg, { name: "slow", weightsSize: 640 * KiB });
        const { report, events } = await ensure({
          models: [m.name],
          insecure: true,
          stallTimeoutSecs: 2,
          pullRetries: 1,
        });
        assert.equal(report.ok, true, report.error?.message);
        assert.deepEqual(events.filter((e) => e.type === "retry"), []);
      });
    },
  );

  real(
    "stall of 8 s, stall_timeout_secs 3: detected from progress, retried, the server resumes, ready",
    async () => {
      await withRegistry({ bytesPerSecond: MiB }, async (reg) => {
        const m = await model(reg, { name: "stall8", weightsSize: 2 * MiB });
        reg.registry.injectFault({ kind: "stall", at: 512 * KiB, ms: 8000, times: 1 });
        const { report, events } = await ensure({
          models: [m.name],
          insecure: true,
          stallTimeoutSecs: 3,
          pullRetries: 2,
        });
        assert.equal(report.ok, true, report.error?.message);
        assert.equal(events.filter((e) => e.type === "retry").length, 1);
        const data = reg.registry.requests("data").filter((r) => r.reference === m.weights);
        assert.equal(data[0].outcome, "client_gone", "the server dropped the stalled download");
        assert.ok(data.length >= 2);
        assert.match(data[1].range ?? "", /^bytes=[1-9]\d*-/, "the re-pull resumed past 0");
      });
    },
  );

  real(
    "stall for good: the pull fails as stalled within stall_timeout_secs + 10% although the server repeats its line",
    async () => {
      await withRegistry({}, async (reg) => {
        const m = await model(reg, { name: "stuck", weightsSize: 256 * KiB });
        reg.registry.injectFault({ kind: "stall", at: 0 });
        // Time from the last event that showed progress to the failure: the stall bound's own
        // precision, without the set-up before the pull.
        let lastProgressAt = 0;
        let lines = 0;
        const seen = new Map<string, number>();
        const client = new OllamaClient(serverUrl(), { stallTimeoutMs: 3_000 });
        const error = await client.pullModel(
          m.name,
          insecurePull({
            retry: { retries: 0 },
            signal: AbortSignal.timeout(15_000),
            reporter: {
              onEvent(event) {
                lines++;
                if (event.type === "chunk_progress") {
                  if (!seen.has(event.digest) || event.completed > seen.get(event.digest)!) {
                    lastProgressAt = performance.now();
                  }
                  seen.set(event.digest, event.completed);
                } else if (event.type === "status") lastProgressAt = performance.now();
              },
            },
          }),
        ).then(() => assert.fail("pulled despite the stall"), (caught: unknown) => caught);
        const afterProgress = performance.now() - lastProgressAt;
        assert.ok(error instanceof PullFailedError, String(error));
        assert.equal(error.reason, "stalled");
        assert.match(error.message, /repeating the same progress/);
        console.log(
          `stall bound 3000 ms: failed ${Math.round(afterProgress)} ms after the last progress ` +
            `(${lines} events seen, the server kept repeating its line)`,
        );
        assert.ok(afterProgress >= 3000, `failed ${afterProgress} ms after progress: too soon`);
        assert.ok(afterProgress <= 3300, `failed ${afterProgress} ms after progress: over +10%`);
      });
    },
  );

  real(
    "stall longer than Ollama's 30 s part restart: with stall_timeout_secs 60 the pull rides it out",
    async () => {
      await withRegistry({ bytesPerSecond: 2 * MiB }, async (reg) => {
        const m = await model(reg, { name: "stall40", weightsSize: MiB });
        reg.registry.injectFault({ kind: "stall", at: 256 * KiB, times: 1 });
        const client = new OllamaClient(serverUrl());
        const events: OllamaPullEvent[] = [];
        const result = await client.pullModel(
          m.name,
          insecurePull({
            stallTimeoutMs: 60_000,
            reporter: { onEvent: (event) => void events.push(event) },
            signal: AbortSignal.timeout(90_000),
          }),
        );
        assert.equal(result.attempts, 1);
        const data = reg.registry.requests("data").filter((r) => r.reference === m.weights);
        assert.equal(data.length, 2, "Ollama restarted the silent part itself");
        assert.ok(data[1].startedAt.getTime() - data[0].startedAt.getTime() >= 29_000);
      });
    },
  );

  real(
    "cut once: Ollama resumes by itself from the cut offset; our pull needs one attempt",
    async () => {
      await withRegistry({ bytesPerSecond: 2 * MiB }, async (reg) => {
        const m = await model(reg, { name: "cut", weightsSize: 2 * MiB });
        reg.registry.injectFault({ kind: "cut", at: MiB, times: 1 });
        const client = new OllamaClient(serverUrl());
        const result = await client.pullModel(
          m.name,
          insecurePull({
            signal: AbortSignal.timeout(60_000),
          }),
        );
        assert.equal(result.attempts, 1);
        const data = reg.registry.requests("data").filter((r) => r.reference === m.weights);
        assert.deepEqual(data.map((r) => [r.range, r.outcome]), [
          [`bytes=0-${2 * MiB - 1}`, "cut"],
          [`bytes=${MiB}-${2 * MiB - 1}`, "completed"],
        ]);
      });
    },
  );

  real(
    "client leaves: the server cancels its download; a re-pull resumes (completed starts high)",
    async () => {
      await withRegistry({ bytesPerSecond: 512 * KiB }, async (reg) => {
        const m = await model(reg, { name: "leave", weightsSize: 2 * MiB });
        const client = new OllamaClient(serverUrl());
        const controller = new AbortController();
        const first: OllamaPullEvent[] = [];
        await assert.rejects(
          client.pullModel(
            m.name,
            insecurePull({
              signal: controller.signal,
              reporter: {
                onEvent(event) {
                  first.push(event);
                  if (event.type === "chunk_progress" && event.completed >= 512 * KiB) {
                    controller.abort();
                  }
                },
              },
            }),
          ),
          (error: Error & { code?: string }) => error.code === "interrupted",
        );
        await until(
          () => reg.registry.requests("data").some((r) => r.clientGone),
          3000,
          "the registry sees the server drop the download",
        );
        const events: OllamaPullEvent[] = [];
        await client.pullModel(
          m.name,
          insecurePull({
            reporter: { onEvent: (event) => void events.push(event) },
            signal: AbortSignal.timeout(60_000),
          }),
        );
        const progress = progressOf(events, m.weights);
        assert.ok(progress[0] >= 512 * KiB, `the re-pull's first completed: ${progress[0]}`);
      });
    },
  );

  real(
    "CLI interrupted (SIGINT) mid-pull: exit 130, code interrupted, the server drops the download",
    async () => {
      await withRegistry({ bytesPerSecond: 256 * KiB }, async (reg) => {
        const short = await reg.publish({ name: "sigint", weightsSize: 2 * MiB });
        const run = await cli(["ensure", "--model", reg.name(short)], { insecure: true }, {
          onSpawn(child) {
            until(
              () => reg.registry.requests("data").some((r) => r.bytesSent > 128 * KiB),
              30_000,
              "bytes flowing",
              // process.kill, not child.kill: under Deno the latter reports the signal as the
              // outcome even when the child exits with its own code.
            ).then(() => process.kill(child.pid!, "SIGINT"), () => child.kill("SIGKILL"));
          },
        });
        assert.equal(run.code, 130, run.stderr);
        assert.equal(errorOf(run).code, "interrupted");
        await until(
          () => reg.registry.requests("data").some((r) => r.clientGone),
          3000,
          "the registry sees the server drop the download",
        );
      });
    },
  );

  real("two clients pulling one model share one download at the registry", async () => {
    await withRegistry({ bytesPerSecond: MiB }, async (reg) => {
      const m = await model(reg, { name: "twice", weightsSize: 2 * MiB });
      const client = new OllamaClient(serverUrl());
      const signal = AbortSignal.timeout(60_000);
      const results = await Promise.all([
        client.pullModel(m.name, insecurePull({ signal })),
        new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
          client.pullModel(m.name, insecurePull({ signal }))
        ),
      ]);
      assert.deepEqual(results.map((r) => r.attempts), [1, 1]);
      const data = reg.registry.requests("data").filter((r) => r.reference === m.weights);
      assert.equal(data.length, 1);
    });
  });

  real("404: pull_failed with the server's text, not retried; CLI exit 5", async () => {
    await withRegistry({}, async (reg) => {
      const client = new OllamaClient(serverUrl());
      const error = await client.pullModel(reg.name("nope"), insecurePull()).then(
        () => assert.fail("pulled a model the registry does not have"),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof PullFailedError);
      assert.equal(error.serverMessage, "pull model manifest: file does not exist");
      assert.equal(error.retryable, false);
      assert.equal(error.attempts, 1);
      const run = await cli(["pull", reg.name("nope")], { insecure: true });
      assert.equal(run.code, 5, run.stderr);
      assert.equal(errorOf(run).code, "pull_failed");
      assert.match(errorOf(run).message, /file does not exist/);
      assert.equal(reg.registry.requests("manifest").length, 2, "one manifest request per pull");
    });
  });

  real("registry 5xx on the manifest once: retried, succeeds on attempt 2", async () => {
    await withRegistry({}, async (reg) => {
      const m = await model(reg, { name: "flaky", weightsSize: 64 * KiB });
      reg.registry.injectFault({ kind: "status", endpoint: "manifest", status: 503, times: 1 });
      const { report, events } = await ensure({ models: [m.name], insecure: true, pullRetries: 2 });
      assert.equal(report.ok, true, report.error?.message);
      assert.equal(events.filter((e) => e.type === "retry").length, 1);
    });
  });

  real(
    "registry 5xx on the manifest always: fails after pull_retries + 1 attempts, exit 5",
    async () => {
      await withRegistry({}, async (reg) => {
        const m = await model(reg, { name: "down", weightsSize: 64 * KiB });
        reg.registry.injectFault({ kind: "status", endpoint: "manifest", status: 503 });
        const { report } = await ensure({ models: [m.name], insecure: true, pullRetries: 2 });
        assert.equal(report.exitCode, 5);
        assert.ok(report.error instanceof PullFailedError);
        assert.equal(report.error.attempts, 3);
        assert.match(report.error.serverMessage ?? "", /^pull model manifest: 503: /);
        assert.equal(reg.registry.requests("manifest").length, 3);
      });
    },
  );

  real(
    "registry 5xx on a blob's HEAD: the server says `500: `, a registry failure worth a retry",
    async () => {
      await withRegistry({}, async (reg) => {
        const m = await model(reg, { name: "blobdown", weightsSize: 64 * KiB });
        reg.registry.injectFault({ kind: "status", endpoint: "blob", method: "HEAD", status: 500 });
        const client = new OllamaClient(serverUrl());
        const error = await client.pullModel(m.name, insecurePull({ retry: { retries: 1 } })).then(
          () => assert.fail("pulled despite the registry's 500"),
          (caught: unknown) => caught,
        );
        assert.ok(error instanceof PullFailedError);
        assert.equal(error.serverMessage, "500: ");
        assert.equal(error.retryable, true);
        assert.equal(error.attempts, 2);
      });
    },
  );

  real(
    "no insecure for a plain-http registry: exit 5, and the message says to set insecure",
    async () => {
      await withRegistry({}, async (reg) => {
        const short = await reg.publish({ name: "plainhttp", weightsSize: 64 * KiB });
        const run = await cli(["ensure", "--model", reg.name(short)]);
        assert.equal(run.code, 5, run.stderr);
        const error = errorOf(run);
        assert.equal(error.code, "pull_failed");
        assert.match(error.message, /server gave HTTP response to HTTPS client/);
        assert.match(error.message, /insecure/);
      });
    },
  );

  real("x:local: ensure pulls x and succeeds; the server lists x:latest", async () => {
    await withRegistry({}, async (reg) => {
      const short = await reg.publish({ name: "localm", weightsSize: 64 * KiB });
      const { report } = await ensure({
        models: [`${reg.host}/library/${short}:local`],
        insecure: true,
      });
      assert.equal(report.ok, true, report.error?.message);
      assert.equal(report.exitCode, 0);
      const names = await new OllamaClient(serverUrl()).fetchModels();
      assert.ok(names.includes(reg.name(short)), `listed: ${names.join(", ")}`);
    });
  });

  real(
    "x:8b:cloud: the stub is pulled as x:8b-cloud, but a server that cannot reach its account gives exit 4 cloud_unavailable",
    async () => {
      const me = await fetch(`${serverUrl()}/api/me`, { method: "POST" });
      const signedIn = me.status === 200;
      await me.body?.cancel();
      await withRegistry({}, async (reg) => {
        const short = await reg.publish(cloudStub("cloudy:8b-cloud", "cloudy:8b"));
        const base = short.slice(0, short.indexOf(":"));
        const run = await cli(["ensure", "--model", `${reg.host}/library/${base}:8b:cloud`], {
          insecure: true,
        });
        if (signedIn) {
          assert.equal(run.code, 0, run.stderr);
        } else {
          assert.equal(run.code, 4, run.stderr);
          const error = errorOf(run);
          assert.equal(error.code, "cloud_unavailable");
          assert.match(error.message, me.status === 401 ? /signin/i : /account/i);
        }
        const names = await new OllamaClient(serverUrl()).fetchModels();
        assert.ok(names.includes(reg.name(short)), `the stub is listed: ${names.join(", ")}`);
      });
    },
  );

  real("mixing :local and :cloud: exit 2 invalid_model_name before any pull request", async () => {
    await withRegistry({}, async (reg) => {
      const run = await cli(["ensure", "--model", `${reg.host}/library/x:8b:local:cloud`], {
        insecure: true,
      });
      assert.equal(run.code, 2, run.stderr);
      assert.equal(errorOf(run).code, "invalid_model_name");
      assert.deepEqual(reg.registry.requests(), []);
    });
  });

  real(
    "an http:// scheme and surrounding whitespace in a name: ensure succeeds (insecure implied)",
    async () => {
      await withRegistry({}, async (reg) => {
        const short = await reg.publish({ name: "schemed", weightsSize: 64 * KiB });
        const { report } = await ensure({ models: [`  ${reg.schemeName(short)}  `] });
        assert.equal(report.ok, true, report.error?.message);
        assert.deepEqual(report.pulled, [reg.name(short)]);
      });
    },
  );

  real(
    "plan: download_bytes counts only the blobs the server lacks (HEAD /api/blobs)",
    async () => {
      await withRegistry({}, async (reg) => {
        const short = await reg.publish({ name: "planned", weightsSize: 96 * KiB });
        const built = (await reg.registry.model(short))!;
        let expected = 0;
        for (const layer of [...built.layers, built.config]) {
          const head = await fetch(`${serverUrl()}/api/blobs/${layer.digest}`, { method: "HEAD" });
          if (head.status === 404) expected += layer.size;
        }
        const run = await cli(["plan", "--model", reg.name(short)], { insecure: true });
        const plan = run.result?.plan as {
          model: string;
          action: string;
          download_bytes: number;
        }[];
        assert.ok(Array.isArray(plan), `a plan in the result: ${run.stdout.slice(-400)}`);
        assert.deepEqual(plan.map((p) => [p.model, p.action, p.download_bytes]), [
          [reg.name(short), "pull", expected],
        ]);
        assert.deepEqual(reg.registry.requests("data"), [], "plan never pulls");
      });
    },
  );

  real("warm on a server that cannot load: exit 7 warm_failed with the server's text", async () => {
    await withRegistry({}, async (reg) => {
      const m = await model(reg, { name: "warmme", weightsSize: 64 * KiB });
      await new OllamaClient(serverUrl()).pullModel(m.name, insecurePull());
      const probe = await fetch(`${serverUrl()}/api/generate`, {
        method: "POST",
        body: JSON.stringify({ model: m.name }),
      });
      const answer = await probe.json() as { error?: string };
      const run = await cli(["ensure", "--warm", "--model", m.name], { insecure: true });
      if (probe.status === 200) {
        assert.equal(run.code, 0, run.stderr);
      } else {
        assert.equal(run.code, 7, run.stderr);
        assert.equal(errorOf(run).code, "warm_failed");
        assert.ok(
          errorOf(run).message.includes(String(answer.error).slice(0, 40)),
          errorOf(run).message,
        );
      }
    });
  });

  real(
    "tag moved: outdated exits 4 naming it; ensure --update re-pulls it; then outdated exits 0",
    async () => {
      await withRegistry({}, async (reg) => {
        const m = await model(reg, { name: "moving", weightsSize: 64 * KiB });
        await new OllamaClient(serverUrl()).pullModel(m.name, insecurePull());
        await reg.registry.moveTag(m.short);
        const outdated = await cli(["outdated", "--model", m.name], { insecure: true });
        assert.equal(outdated.code, 4, outdated.stderr);
        assert.equal(errorOf(outdated).code, "outdated");
        assert.deepEqual(outdated.result?.outdated, [m.name]);
        const update = await cli(["ensure", "--update", "--model", m.name], { insecure: true });
        assert.equal(update.code, 0, update.stderr);
        assert.deepEqual(update.result?.pulled, [m.name]);
        const listed = (await new OllamaClient(serverUrl()).listModels()).find((x) =>
          x.name === m.name
        );
        assert.equal(`sha256:${listed?.digest}`, (await reg.registry.model(m.short))!.digest);
        const again = await cli(["outdated", "--model", m.name], { insecure: true });
        assert.equal(again.code, 0, again.stderr);
        assert.deepEqual(again.result?.outdated, []);
      });
    },
  );

  real("412 from the registry: pull_failed with the newer-version text, not retried", async () => {
    await withRegistry({}, async (reg) => {
      const m = await model(reg, { name: "future", weightsSize: 64 * KiB });
      reg.registry.injectFault({ kind: "newer_version" });
      const { report } = await ensure({ models: [m.name], insecure: true, pullRetries: 3 });
      assert.equal(report.exitCode, 5);
      assert.ok(report.error instanceof PullFailedError);
      assert.match(report.error.message, /requires a newer version of Ollama/);
      assert.equal(report.error.attempts, 1);
      assert.equal(reg.registry.requests("manifest").length, 1);
    });
  });
});
