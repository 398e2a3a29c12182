// What OUR client makes of what a REAL Ollama sent: every recorded trace in tests/fixtures/real/
// (see record.ts) is replayed through an injected fetch, its timing compressed, and the outcome
// the contract and the protocol notes promise is asserted. No server, no socket: these run in CI.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ensureOllamaReady,
  JsonPullProgressReporter,
  memorySink,
  OllamaClient,
  type OllamaClientOptions,
  type OllamaConfig,
  type OllamaPullEvent,
  PullFailedError,
} from "../../mod.ts";
import { assertListedAsServed, assertTagFields } from "./_expect.ts";
import { exchange, loadTraces, REPLAY_REGISTRY, replayFetch } from "./_replay.ts";
import type { Trace, TraceExchange } from "./_trace.ts";

const traces = loadTraces();
const trace = (name: string): Trace => {
  const found = traces.get(name);
  assert.ok(found, `tests/fixtures/real/${name}.json is missing`);
  return found;
};
const health = () => exchange(trace("health"), "version");
const model = (name: string) => `${REPLAY_REGISTRY}/library/${name}:latest`;
/** How much faster than recorded the replays run (long traces run faster still). */
const SPEEDUP = 20;
const FAST = 60;

function clientFor(
  exchanges: TraceExchange[],
  options: OllamaClientOptions = {},
  speedup = SPEEDUP,
) {
  const replay = replayFetch(exchanges, speedup);
  const client = new OllamaClient("http://127.0.0.1:11434", {
    fetch: replay.fetch,
    retry: { retries: 0 },
    ...options,
  });
  return { client, replay };
}

/** Pulls once through the replay, collecting events; resolves with the error if it throws. */
async function pullOnce(
  exchanges: TraceExchange[],
  name: string,
  options: { stallSecs?: number; insecure?: boolean; speedup?: number } = {},
): Promise<
  { events: OllamaPullEvent[]; error: unknown; calls: ReturnType<typeof replayFetch>["calls"] }
> {
  // After `success` the client checks the model is listed: the list after all scenarios has
  // every model the recording pulled.
  const tags = exchange(trace("tags-with-models"), "tags");
  const speedup = options.speedup ?? SPEEDUP;
  const { client, replay } = clientFor([...exchanges, tags], {
    // The stall timeout on the replay's clock, as the real-world seconds given.
    stallTimeoutMs: ((options.stallSecs ?? 60) * 1000) / speedup,
  }, speedup);
  const events: OllamaPullEvent[] = [];
  let error: unknown;
  try {
    await client.pullModel(
      name,
      {
        reporter: { onEvent: (event) => void events.push(event) },
        signal: AbortSignal.timeout(30_000),
        ...(options.insecure === false ? {} : { insecure: true }),
      } as Parameters<OllamaClient["pullModel"]>[1],
    );
  } catch (caught) {
    error = caught;
  }
  return { events, error, calls: replay.calls };
}

const completedOf = (events: OllamaPullEvent[]) =>
  events.flatMap((e) => e.type === "chunk_progress" ? [e.completed] : []);

/** The `completed` of every `pull_progress` line the JSON reporter writes for these events. */
function shownProgress(events: OllamaPullEvent[], name: string): number[] {
  const sink = memorySink();
  let now = 0;
  const reporter = new JsonPullProgressReporter({
    sink,
    now: () => (now += 60),
    maxPerSecond: Infinity,
  });
  for (const event of events) reporter.onEvent(event, name);
  reporter.finish?.(name, "success");
  return sink.text().trim().split("\n").map((line) => JSON.parse(line))
    .filter((line) => line.type === "pull_progress").map((line) => Number(line.completed));
}

function assertNeverBack(values: number[], what: string): void {
  for (let i = 1; i < values.length; i++) {
    assert.ok(values[i] >= values[i - 1], `${what} went back: ${values[i - 1]} -> ${values[i]}`);
  }
}

function failure(error: unknown): PullFailedError {
  assert.ok(error instanceof PullFailedError, `expected a PullFailedError, got ${error}`);
  return error;
}

describe("replayed real Ollama traces", () => {
  it("every trace is of the documented format and from a real server", () => {
    assert.ok(traces.size >= 25, `traces: ${traces.size}`);
    for (const t of traces.values()) {
      assert.equal(t.format, "vtcode-ollama-trace/1");
      assert.match(t.ollama_version, /^\d+\.\d+\.\d+$/);
      assert.ok(t.exchanges.length > 0, t.scenario);
    }
  });

  it("health: the version the server gave", async () => {
    const { client } = clientFor([health()]);
    assert.deepEqual(await client.healthCheck(), {
      baseUrl: "http://127.0.0.1:11434",
      version: trace("health").ollama_version,
    });
  });

  it("tags of a server with no models: an empty list", async () => {
    const { client } = clientFor([exchange(trace("tags-empty"), "tags")]);
    assert.deepEqual(await client.listModels(), []);
  });

  it("normal pull: success on the first attempt, progress for the weights, never backwards", async () => {
    const { events, error } = await pullOnce(
      [exchange(trace("pull-normal"), "pull")],
      model("normal"),
    );
    assert.equal(error, undefined);
    assert.equal(events.at(-1)?.type, "success");
    const progress = completedOf(events);
    assert.ok(progress.length >= 20);
    assertNeverBack(progress, "completed");
  });

  it("tags after a pull: digest, size, and the v2 fields (capabilities, context and embedding length)", async () => {
    const recorded = exchange(trace("pull-normal"), "tags");
    const [raw] = JSON.parse((recorded.lines[0] as { text: string }).text).models;
    const { client } = clientFor([recorded]);
    const [listed] = await client.listModels();
    assert.equal(listed.name, model("normal"));
    assertListedAsServed(listed, raw);
    assertTagFields(listed, {
      capabilities: ["completion"],
      contextLength: 4096,
      embeddingLength: 256,
    });
  });

  it("tags with cloud stubs: remoteModel and remoteHost, and entries without capabilities", async () => {
    const { client } = clientFor([exchange(trace("pull-cloud-suffix"), "tags")]);
    const models = await client.listModels();
    const stub = models.find((m) => m.name === `${REPLAY_REGISTRY}/library/cloudy:8b-cloud`);
    assert.ok(stub, models.map((m) => m.name).join(", "));
    assertTagFields(stub, {
      capabilities: ["completion", "tools"],
      contextLength: 4096,
      remoteModel: "cloudy:8b",
      remoteHost: "https://ollama.com:443",
    });
  });

  it("multi-layer pull: two big layers one after another; shown progress never goes back", async () => {
    const name = model("vision");
    const { events, error } = await pullOnce([exchange(trace("pull-multilayer"), "pull")], name);
    assert.equal(error, undefined);
    const digests = [
      ...new Set(events.flatMap((e) => (e.type === "chunk_progress" ? [e.digest] : []))),
    ];
    assert.ok(digests.length >= 2, `layers announced: ${digests.length}`);
    assertNeverBack(shownProgress(events, name), "shown progress");
  });

  it("slow pull: steady progress is no stall, even with a 2 s stall timeout", async () => {
    const { events, error } = await pullOnce(
      [exchange(trace("pull-slow"), "pull")],
      model("slow"),
      {
        stallSecs: 2,
      },
    );
    assert.equal(error, undefined);
    assert.equal(events.at(-1)?.type, "success");
  });

  it("stall of 8 s (the same line every 60 ms): a 3 s stall timeout fails the pull as stalled before the stall ends", async () => {
    const recorded = exchange(trace("pull-stall-8s"), "pull");
    const { events, error } = await pullOnce([recorded], model("stall8"), { stallSecs: 3 });
    const failed = failure(error);
    assert.equal(failed.reason, "stalled");
    assert.equal(failed.retryable, true);
    const progress = completedOf(events);
    assert.ok(Math.max(...progress) <= 524_288, "no progress after the stall began was seen");
  });

  it("stall of 8 s: a 10 s stall timeout rides it out", async () => {
    const recorded = exchange(trace("pull-stall-8s"), "pull");
    const { error } = await pullOnce([recorded], model("stall8"), { stallSecs: 10 });
    assert.equal(error, undefined);
  });

  it("stall past Ollama's 30 s part restart: the default 60 s timeout rides it out; the restart's backward jump is not shown", async () => {
    const name = model("stall40");
    const { events, error } = await pullOnce([exchange(trace("pull-stall-40s"), "pull")], name, {
      speedup: FAST,
    });
    assert.equal(error, undefined);
    const progress = completedOf(events);
    assert.ok(
      progress.some((c, i) => i > 0 && c < progress[i - 1]),
      "the server's completed went back after its part restart (as recorded)",
    );
    assertNeverBack(shownProgress(events, name), "shown progress");
  });

  it("stall past Ollama's 30 s part restart: a 20 s stall timeout fails as stalled first", async () => {
    const recorded = exchange(trace("pull-stall-40s"), "pull");
    const { error } = await pullOnce([recorded], model("stall40"), {
      stallSecs: 20,
      speedup: FAST,
    });
    assert.equal(failure(error).reason, "stalled");
  });

  it("cut once: about 1 s of the same line while Ollama waits to resume, then success", async () => {
    const { error } = await pullOnce([exchange(trace("pull-cut"), "pull")], model("cut"), {
      stallSecs: 5,
    });
    assert.equal(error, undefined);
  });

  it("cut on every try: Ollama's `max retries exceeded: unexpected EOF` is a retryable failure", async () => {
    const { error } = await pullOnce(
      [exchange(trace("pull-cut-always"), "pull")],
      model("cutalways"),
      { speedup: FAST },
    );
    const failed = failure(error);
    assert.equal(failed.serverMessage, "max retries exceeded: unexpected EOF");
    assert.equal(failed.retryable, true);
  });

  it("re-pull after a client left: resumes high, succeeds", async () => {
    const recorded = exchange(trace("pull-disconnect-resume"), "re-pull");
    const { events, error } = await pullOnce([recorded], model("disc"));
    assert.equal(error, undefined);
    assert.ok(completedOf(events)[0] > 0, "the first progress line starts past 0");
  });

  it("two clients on one model: both streams succeed", async () => {
    for (const label of ["first", "second"]) {
      const { error } = await pullOnce([exchange(trace("pull-concurrent"), label)], model("twice"));
      assert.equal(error, undefined, label);
    }
  });

  it("404: not retryable, with the server's exact text", async () => {
    const { error } = await pullOnce([exchange(trace("pull-404"), "pull")], model("nope"));
    const failed = failure(error);
    assert.equal(failed.serverMessage, "pull model manifest: file does not exist");
    assert.equal(failed.retryable, false);
  });

  it("registry 5xx on the manifest: retryable", async () => {
    const { error } = await pullOnce([exchange(trace("pull-manifest-5xx"), "pull")], model("m5xx"));
    const failed = failure(error);
    assert.match(failed.serverMessage ?? "", /^pull model manifest: 503: /);
    assert.equal(failed.retryable, true);
  });

  it("registry 5xx on a blob's HEAD: `500: ` is retryable", async () => {
    const { error } = await pullOnce(
      [exchange(trace("pull-blob-head-5xx"), "pull")],
      model("b5xx"),
    );
    const failed = failure(error);
    assert.equal(failed.serverMessage, "500: ");
    assert.equal(failed.retryable, true);
  });

  it("registry 5xx on a blob's GET: 30 s of `total`-only lines, then `context deadline exceeded`, retryable", async () => {
    const { error } = await pullOnce(
      [exchange(trace("pull-blob-get-5xx"), "pull")],
      model("g5xx"),
      { speedup: FAST },
    );
    const failed = failure(error);
    assert.equal(failed.serverMessage, "context deadline exceeded");
    assert.equal(failed.retryable, true);
  });

  it("registry 5xx on the data URL: 63 s of the same line, then `max retries exceeded: EOF`; a retryable failure either way", async () => {
    const { error } = await pullOnce([exchange(trace("pull-data-5xx"), "pull")], model("d5xx"), {
      speedup: FAST,
    });
    const failed = failure(error);
    // With the default 60 s stall timeout counted from the last progress (the first line), the
    // client may give up as stalled about 3 s before the server's own error arrives.
    assert.ok(["stalled", "server_error"].includes(failed.reason), failed.reason);
    assert.equal(failed.retryable, true);
  });

  it("a registry without Location: the server's text", async () => {
    const { error } = await pullOnce([exchange(trace("pull-no-location"), "pull")], model("noloc"));
    assert.equal(failure(error).serverMessage, "http: no Location header in response");
  });

  it("no insecure for a plain-http registry: the message says to set insecure", async () => {
    const { error } = await pullOnce(
      [exchange(trace("pull-insecure-missing"), "no-insecure")],
      model("secure"),
      { insecure: false },
    );
    const failed = failure(error);
    assert.match(failed.serverMessage ?? "", /server gave HTTP response to HTTPS client/);
    assert.match(failed.message, /insecure/);
  });

  it("an http:// scheme in the name: the pull request says insecure, and succeeds", async () => {
    const recorded = exchange(trace("pull-scheme-whitespace"), "http-scheme-spaces-insecure");
    const { error, calls } = await pullOnce(
      [recorded],
      `  http://${REPLAY_REGISTRY}/library/schemed  `,
      { insecure: false },
    );
    assert.equal(error, undefined);
    const pull = calls.find((call) => call.path === "/api/pull");
    assert.equal((pull?.body as { insecure?: boolean }).insecure, true);
  });

  it("x:local: pulled as x, success", async () => {
    const recorded = exchange(trace("pull-local-suffix"), "registry-local");
    const { error } = await pullOnce([recorded], `${REPLAY_REGISTRY}/library/localm:local`);
    assert.equal(error, undefined);
  });

  it("x:8b:cloud: the stub's pull has no layer lines at all and succeeds", async () => {
    const recorded = exchange(trace("pull-cloud-suffix"), "8b-cloud-suffix");
    const { events, error } = await pullOnce(
      [recorded],
      `${REPLAY_REGISTRY}/library/cloudy:8b:cloud`,
    );
    assert.equal(error, undefined);
    assert.deepEqual(completedOf(events), []);
  });

  it("names the server rejects with 400 are rejected before any request", async () => {
    const mixes = trace("pull-local-cloud-mix").exchanges.map((e) =>
      (e.request.body as { model: string }).model
    );
    const invalid = [
      "bad name!",
      "registry.ollama.ai/llama3",
      `tiny@sha256:${"a".repeat(64)}`,
      "a/b/c/d",
    ];
    for (const name of [...mixes, ...invalid]) {
      const { error, calls } = await pullOnce([], name);
      assert.equal((error as { code?: string })?.code, "invalid_model_name", name);
      assert.deepEqual(calls, [], name);
    }
  });

  it("412: the newer-version text, not retryable", async () => {
    const { error } = await pullOnce(
      [exchange(trace("pull-newer-version"), "pull")],
      model("future"),
    );
    const failed = failure(error);
    assert.match(failed.serverMessage ?? "", /^pull model manifest: 412: /);
    assert.match(failed.message, /requires a newer version of Ollama/);
    assert.equal(failed.retryable, false);
  });

  it("tag moved: the re-pull (with `removing unused layers`) succeeds; the listed digest changed", async () => {
    const moved = trace("tag-moved");
    const { error, events } = await pullOnce([exchange(moved, "re-pull")], model("moved"));
    assert.equal(error, undefined);
    assert.ok(events.some((e) => e.type === "status" && e.status === "removing unused layers"));
    const digestOf = async (label: string) => {
      const { client } = clientFor([exchange(moved, label)]);
      return (await client.listModels()).find((m) => m.name === model("moved"))?.digest;
    };
    const before = await digestOf("tags-before");
    const after = await digestOf("tags-after");
    assert.match(before ?? "", /^[0-9a-f]{64}$/);
    assert.notEqual(before, after);
  });

  it("every model the server listed after all scenarios parses", async () => {
    const recorded = exchange(trace("tags-with-models"), "tags");
    const { client } = clientFor([recorded]);
    const raw = JSON.parse((recorded.lines[0] as { text: string }).text).models as unknown[];
    assert.equal((await client.listModels()).length, raw.length);
  });

  it("a cloud model on a server whose account check answers 503: exit 4 cloud_unavailable", async () => {
    const cloud = trace("pull-cloud-suffix");
    const me = trace("me-status");
    const replay = replayFetch([
      health(),
      exchange(cloud, "tags"),
      exchange(me, "me"),
      exchange(me, "status"),
    ], SPEEDUP);
    const report = await ensureOllamaReady(
      { models: [`${REPLAY_REGISTRY}/library/cloudy:8b-cloud`] },
      { host: "http://127.0.0.1:11434", fetch: replay.fetch, signal: AbortSignal.timeout(10_000) },
    );
    assert.equal(report.exitCode, 4, report.error?.message);
    assert.equal(report.error?.code, "cloud_unavailable");
  });

  it("warm on a server that cannot load: exit 7 warm_failed with the server's text", async () => {
    const load = trace("load-no-runner");
    const tags = exchange(trace("tags-with-models"), "tags");
    const replay = replayFetch([health(), tags, exchange(load, "generate-load")], SPEEDUP);
    const report = await ensureOllamaReady(
      { models: [model("loadme")], warm: true } as Partial<OllamaConfig>,
      { host: "http://127.0.0.1:11434", fetch: replay.fetch, signal: AbortSignal.timeout(10_000) },
    );
    assert.equal(report.exitCode, 7, report.error?.message);
    assert.equal(report.error?.code, "warm_failed");
    assert.match(report.error?.message ?? "", /llama-server binary not found/);
  });
});
