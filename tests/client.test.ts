// The client's own logic, against scripted responses through an injected fetch (no sockets).
// The same behaviours against the fake Ollama over real sockets are in client_fake.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OllamaClient } from "../src/client.ts";
import {
  InterruptedError,
  InvalidModelNameError,
  NotOllamaError,
  PullFailedError,
  RequestTimeoutError,
  UnreachableError,
  UsageError,
} from "../src/errors/mod.ts";
import type { OllamaPullEvent } from "../src/events.ts";
import {
  collect,
  fixtureBytes,
  type Handler,
  json,
  ndjson,
  rejection,
  scripted,
  streamOf,
} from "./_helpers.ts";

const TAGS = { models: [{ name: "llama3:latest", model: "llama3:latest", size: 1, digest: "ab" }] };

/** A body that sends `lines`, then keeps the connection open with no bytes; records cancel. */
function stallingBody(lines: string[], state: { cancelled: boolean }) {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const line of lines) controller.enqueue(encoder.encode(line + "\n"));
    },
    cancel() {
      state.cancelled = true;
    },
  });
}

describe("health check", () => {
  it("reads the version from /api/version", async () => {
    const { fetch, requests } = scripted(() => json({ version: "0.12.3" }));
    const client = await OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434", { fetch });
    assert.equal(client.serverVersion, "0.12.3");
    assert.deepEqual(requests.map((r) => `${r.method} ${r.url}`), [
      "GET http://127.0.0.1:11434/api/version",
    ]);
  });

  it("accepts a server too old for /api/version that says Ollama is running", async () => {
    const { fetch } = scripted((r) =>
      new URL(r.url).pathname === "/"
        ? new Response("Ollama is running")
        : new Response("404 page not found", { status: 404 })
    );
    const client = await OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434", { fetch });
    assert.equal(client.serverVersion, null);
  });

  it("uses the host root of an OpenAI-compatible /v1 address", async () => {
    const { fetch, requests } = scripted(() => json({ version: "0.12.3" }));
    const client = await OllamaClient.tryFromBaseUrl("http://gpu-box:11434/v1/", { fetch });
    assert.equal(client.openAICompatible, true);
    assert.equal(requests[0].url, "http://gpu-box:11434/api/version");
  });

  const notOllama: [string, Handler, RegExp][] = [
    [
      "an HTML page",
      () =>
        new Response("<html><h1>Welcome</h1></html>", { headers: { "content-type": "text/html" } }),
      /not JSON/,
    ],
    ["404 on both /api/version and /", () => new Response("nope", { status: 404 }), /404/],
    ["JSON of the wrong shape", () => json({ version: 3 }), /wrong shape/],
    [
      "a proxy's 500 page",
      () => new Response("<html>Oops</html>", { status: 500, statusText: "Internal Server Error" }),
      /500 Internal Server Error/,
    ],
    [
      "404 at /api/version and a web server's welcome page at /",
      (r) =>
        new URL(r.url).pathname === "/"
          ? new Response("<html><h1>Welcome to nginx!</h1></html>")
          : new Response("404 page not found", { status: 404 }),
      /404/,
    ],
    [
      "401 from a local address: no OLLAMA_API_KEY advice",
      () => json({ error: "unauthorized" }, 401),
      /^(?![\s\S]*OLLAMA_API_KEY)[\s\S]*refused us/,
    ],
  ];
  for (const [name, handler, pattern] of notOllama) {
    it(`tells "not Ollama" apart: ${name}`, async () => {
      const { fetch } = scripted(handler);
      const error = await rejection(
        OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434", { fetch }),
      );
      assert.ok(error instanceof NotOllamaError, String(error));
      assert.equal(error.code, "not_ollama");
      assert.match(error.message, pattern);
    });
  }

  it("401 from ollama.com says to set OLLAMA_API_KEY", async () => {
    const { fetch } = scripted(() => json({ error: "unauthorized" }, 401));
    const error = await rejection(OllamaClient.tryFromBaseUrl("https://ollama.com", { fetch }));
    assert.ok(error instanceof NotOllamaError, String(error));
    assert.match(error.message, /OLLAMA_API_KEY/);
  });

  it("a network failure is unreachable, with the fix in the message", async () => {
    const fetch = () => Promise.reject(new TypeError("error sending request: Connection refused"));
    const error = await rejection(OllamaClient.tryFromBaseUrl("http://127.0.0.1:9", { fetch }));
    assert.ok(error instanceof UnreachableError);
    assert.match(error.message, /^No running Ollama server detected at http:\/\/127\.0\.0\.1:9 /);
    assert.match(error.message, /ollama serve/);
    assert.match(error.message, /--host/);
    assert.match(error.message, /OLLAMA_HOST/);
    assert.match(error.message, /base_url/);
  });

  it("a server that never answers times out at the bound", async () => {
    const { fetch } = scripted(() => new Promise<Response>(() => {}));
    const error = await rejection(
      OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434", { fetch, timeoutMs: 50 }),
    );
    assert.ok(error instanceof RequestTimeoutError, String(error));
    assert.equal(error.timeoutMs, 50);
  });

  it("the bound covers the body too, not just the headers", async () => {
    const state = { cancelled: false };
    const { fetch } = scripted(() => new Response(stallingBody(['{"version":'], state)));
    const error = await rejection(
      OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434", { fetch, timeoutMs: 50 }),
    );
    assert.ok(error instanceof RequestTimeoutError, String(error));
  });

  it("the caller's signal interrupts", async () => {
    const { fetch } = scripted(() => new Promise<Response>(() => {}));
    const controller = new AbortController();
    const pending = OllamaClient.tryFromBaseUrl("http://127.0.0.1:11434", {
      fetch,
      signal: controller.signal,
    });
    controller.abort();
    const error = await rejection(pending);
    assert.ok(error instanceof InterruptedError, String(error));
    assert.equal(error.exitCode, 130);
  });

  it("sends URL credentials as a header and never shows the password", async () => {
    const { fetch, requests } = scripted(() => new Response("<html>", { status: 500 }));
    const error = await rejection(
      OllamaClient.tryFromBaseUrl("https://alice:s3cret@ollama.example:8443", { fetch }),
    );
    assert.equal(requests[0].url, "https://ollama.example:8443/api/version");
    assert.equal(requests[0].headers.get("authorization"), `Basic ${btoa("alice:s3cret")}`);
    assert.doesNotMatch(String((error as Error).message), /s3cret/);
  });

  it("refuses a response larger than the bound instead of buffering it", async () => {
    const big = new Uint8Array(2048).fill(32);
    const { fetch } = scripted(() => new Response(streamOf([big, big, big])));
    const client = new OllamaClient("http://127.0.0.1:11434", { fetch, maxResponseBytes: 4096 });
    const error = await rejection(client.listModels());
    assert.ok(error instanceof NotOllamaError);
    assert.match(error.message, /larger than 4096 bytes/);
  });
});

describe("listing", () => {
  it("lists entries and names", async () => {
    const { fetch } = scripted(() => json(TAGS));
    const client = new OllamaClient("http://127.0.0.1:11434", { fetch });
    assert.deepEqual(await client.fetchModels(), ["llama3:latest"]);
    assert.deepEqual((await client.listModels())[0], {
      name: "llama3:latest",
      size: 1,
      digest: "ab",
      cloud: false,
    });
  });

  it("hasModel compares normalized names", async () => {
    const { fetch } = scripted(() => json(TAGS));
    const client = new OllamaClient("http://127.0.0.1:11434", { fetch });
    for (
      const alias of [
        "llama3",
        "LLAMA3",
        "library/llama3:latest",
        "registry.ollama.ai/library/llama3:latest",
      ]
    ) {
      assert.equal(await client.hasModel(alias), true, alias);
    }
    assert.equal(await client.hasModel("llama3:8b"), false);
    assert.equal(await client.hasModel("evil.example/library/llama3"), false);
  });

  it("rejects an invalid name before any request", async () => {
    const { fetch, requests } = scripted(() => json(TAGS));
    const client = new OllamaClient("http://127.0.0.1:11434", { fetch });
    assert.ok((await rejection(client.hasModel("llama3:"))) instanceof InvalidModelNameError);
    assert.throws(() => client.pullModelStream("a//b"), InvalidModelNameError);
    assert.equal(requests.length, 0);
  });

  it("models: null (old servers, empty) is an empty list; models: 3 is the wrong shape", async () => {
    const { fetch } = scripted(() => json({ models: null }));
    assert.deepEqual(await new OllamaClient("http://h:1", { fetch }).listModels(), []);
    const wrong = scripted(() => json({ models: 3 }));
    const error = await rejection(
      new OllamaClient("http://h:1", { fetch: wrong.fetch }).listModels(),
    );
    assert.ok(error instanceof NotOllamaError);
  });

  it("falls back to /v1/models behind an OpenAI-compatible address, data: null is empty", async () => {
    const { fetch, requests } = scripted((r) =>
      new URL(r.url).pathname === "/v1/models"
        ? json({ object: "list", data: null })
        : new Response("404 page not found", { status: 404 })
    );
    const client = new OllamaClient("http://h:1/v1", { fetch });
    assert.deepEqual(await client.listModels(), []);
    assert.deepEqual(requests.map((r) => new URL(r.url).pathname), ["/api/tags", "/v1/models"]);
  });
});

describe("pullModelStream", () => {
  it("a consumer slower than the stall bound is not a stall: its time counts as activity", async () => {
    // The first chunk holds half the stream; the consumer spends 40 ms on each of its first
    // events, far longer in all than the 60 ms stall bound, and only then is the second chunk
    // read (the server sent it long ago).
    const bytes = fixtureBytes("pull_llama3.ndjson");
    const half = bytes.indexOf(10, bytes.length >> 1) + 1;
    const { fetch } = scripted(() =>
      new Response(streamOf([bytes.subarray(0, half), bytes.subarray(half)]))
    );
    const client = new OllamaClient("http://127.0.0.1:11434", { fetch, stallTimeoutMs: 60 });
    let events = 0;
    for await (const _ of client.pullModelStream("llama3")) {
      if (++events <= 8) await new Promise((resolve) => setTimeout(resolve, 40));
    }
    assert.equal(events, 839);
  });

  it("yields the recorded multi-layer stream's events and ends after success", async () => {
    const { fetch, requests } = scripted(() => new Response(fixtureBytes("pull_llama3.ndjson")));
    const client = new OllamaClient("http://127.0.0.1:11434", { fetch });
    const events = await collect(client.pullModelStream("llama3"));
    assert.equal(events.length, 839);
    assert.deepEqual(events[0], { type: "status", status: "pulling manifest" });
    assert.deepEqual(events.at(-1), { type: "success" });
    assert.equal(requests[0].method, "POST");
    assert.equal(requests[0].url, "http://127.0.0.1:11434/api/pull");
    assert.deepEqual(await requests[0].json(), { model: "llama3:latest", stream: true });
  });

  it("an error line is yielded, then thrown; an unknown model is not retryable", async () => {
    const { fetch } = scripted(() =>
      ndjson([{ status: "pulling manifest" }, {
        error: "pull model manifest: file does not exist",
      }])
    );
    const seen: OllamaPullEvent[] = [];
    const error = await rejection((async () => {
      for await (const e of new OllamaClient("http://h:1", { fetch }).pullModelStream("nope")) {
        seen.push(e);
      }
    })());
    assert.deepEqual(seen.at(-1), {
      type: "error",
      message: "pull model manifest: file does not exist",
    });
    assert.ok(error instanceof PullFailedError);
    assert.equal(error.reason, "not_found");
    assert.equal(error.retryable, false);
    assert.equal(error.code, "pull_failed");
    assert.doesNotMatch(error.message, /partial download/);
    assert.match(error.message, /ollama\.com\/search/);
  });

  it("a non-200 JSON error before the stream carries status and message", async () => {
    const { fetch } = scripted(() => json({ error: "invalid model name" }, 400));
    const error = await rejection(
      collect(new OllamaClient("http://h:1", { fetch }).pullModelStream("x")),
    );
    assert.ok(error instanceof PullFailedError);
    assert.equal(error.status, 400);
    assert.equal(error.serverMessage, "invalid model name");
    assert.equal(error.retryable, false);
  });

  it("a 502 from a proxy is retryable", async () => {
    const { fetch } = scripted(() => new Response("<html>Bad Gateway</html>", { status: 502 }));
    const error = await rejection(
      collect(new OllamaClient("http://h:1", { fetch }).pullModelStream("x")),
    );
    assert.ok(error instanceof PullFailedError);
    assert.equal(error.reason, "http_status");
    assert.equal(error.retryable, true);
  });

  it("a stream that ends without success is a retryable failure", async () => {
    const { fetch } = scripted(() => ndjson([{ status: "pulling manifest" }]));
    const error = await rejection(
      collect(new OllamaClient("http://h:1", { fetch }).pullModelStream("x")),
    );
    assert.ok(error instanceof PullFailedError);
    assert.equal(error.reason, "ended_without_success");
    assert.equal(error.retryable, true);
  });

  it("a line that is not JSON fails with its line number", async () => {
    const { fetch } = scripted(() => new Response('{"status":"pulling manifest"}\n<html>\n'));
    const error = await rejection(
      collect(new OllamaClient("http://h:1", { fetch }).pullModelStream("x")),
    );
    assert.ok(error instanceof PullFailedError);
    assert.equal(error.reason, "invalid_data");
    assert.match(error.message, /line 2/);
  });

  it("a stall aborts the pull and closes the connection", async () => {
    const state = { cancelled: false };
    const { fetch } = scripted(() =>
      new Response(stallingBody(['{"status":"pulling manifest"}'], state))
    );
    const client = new OllamaClient("http://h:1", { fetch, stallTimeoutMs: 60 });
    const seen: OllamaPullEvent[] = [];
    const error = await rejection((async () => {
      for await (const e of client.pullModelStream("x")) seen.push(e);
    })());
    assert.deepEqual(seen, [{ type: "status", status: "pulling manifest" }]);
    assert.ok(error instanceof PullFailedError, String(error));
    assert.equal(error.reason, "stalled");
    assert.equal(error.retryable, true);
    assert.equal(state.cancelled, true);
  });

  it("a pull that never starts answering fails at timeoutMs", async () => {
    const { fetch } = scripted(() => new Promise<Response>(() => {}));
    const client = new OllamaClient("http://h:1", { fetch, timeoutMs: 50 });
    const error = await rejection(collect(client.pullModelStream("x")));
    assert.ok(error instanceof PullFailedError);
    assert.equal(error.reason, "stalled");
    assert.match(error.message, /did not start answering/);
  });

  it("silence while verifying uses the longer quiet bound, not the stall bound", async () => {
    const encoder = new TextEncoder();
    const { fetch } = scripted(() =>
      new Response(
        new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(encoder.encode('{"status":"verifying sha256 digest"}\n'));
            await new Promise((r) => setTimeout(r, 200));
            controller.enqueue(encoder.encode('{"status":"success"}\n'));
            controller.close();
          },
        }),
      )
    );
    const client = new OllamaClient("http://h:1", {
      fetch,
      stallTimeoutMs: 40,
      quietTimeoutMs: 5_000,
    });
    const events = await collect(client.pullModelStream("x"));
    assert.deepEqual(events.at(-1), { type: "success" });
  });

  it("aborting the signal interrupts and closes the connection", async () => {
    const state = { cancelled: false };
    const { fetch } = scripted(() =>
      new Response(stallingBody(['{"status":"pulling manifest"}'], state))
    );
    const controller = new AbortController();
    // The stall bound is the default 60 s: only the abort can end this within the test's bound.
    const client = new OllamaClient("http://h:1", { fetch });
    const started = performance.now();
    const pending = rejection((async () => {
      for await (const _ of client.pullModelStream("x", { signal: controller.signal })) {
        // Abort while the next read is pending on the open body, not between events.
        setTimeout(() => controller.abort(), 20);
      }
    })());
    const error = await Promise.race([
      pending,
      new Promise((resolve) => setTimeout(() => resolve("still running after 3 s"), 3_000)),
    ]);
    assert.ok(error instanceof InterruptedError, String(error));
    assert.ok(performance.now() - started < 3_000);
    assert.equal(state.cancelled, true);
  });
});

describe("pullModel", () => {
  /** A server whose first `failures` pulls end early; later ones succeed and list the model. */
  function flakyServer(failures: number, failure: () => Response) {
    let pulls = 0;
    let installed = false;
    return scripted((r) => {
      const path = new URL(r.url).pathname;
      if (path === "/api/tags") {
        return json({ models: installed ? [{ name: "qwen3:8b", model: "qwen3:8b" }] : [] });
      }
      pulls++;
      if (pulls <= failures) return failure();
      installed = true;
      return ndjson([{ status: "pulling manifest" }, { status: "success" }]);
    });
  }

  it("retries a transient failure with backoff, reports it, and verifies the model is listed", async () => {
    const { fetch, requests } = flakyServer(2, () => ndjson([{ status: "pulling manifest" }]));
    const delays: number[] = [];
    const events: string[] = [];
    const finished: string[] = [];
    const client = new OllamaClient("http://h:1", {
      fetch,
      retry: { retries: 3, random: () => 0.5, sleep: (ms) => (delays.push(ms), Promise.resolve()) },
    });
    const result = await client.pullModel("qwen3:8b", {
      reporter: {
        onEvent: (e) =>
          void events.push(e.type === "retry" ? `retry ${e.attempt}/${e.maxAttempts}` : e.type),
        finish: (model, outcome) => void finished.push(`${model} ${outcome}`),
      },
    });
    assert.deepEqual(result, { model: "qwen3:8b", attempts: 3 });
    assert.deepEqual(delays, [500, 1000]);
    assert.deepEqual(events, ["status", "retry 2/4", "status", "retry 3/4", "status", "success"]);
    assert.deepEqual(finished, ["qwen3:8b success"]);
    assert.deepEqual(requests.map((r) => new URL(r.url).pathname), [
      "/api/pull",
      "/api/pull",
      "/api/pull",
      "/api/tags",
    ]);
  });

  it("gives up after pull_retries and says how many attempts were made", async () => {
    const { fetch, requests } = flakyServer(10, () => ndjson([{ status: "pulling manifest" }]));
    const client = new OllamaClient("http://h:1", {
      fetch,
      retry: { retries: 2, sleep: () => Promise.resolve() },
    });
    const error = await rejection(client.pullModel("qwen3:8b"));
    assert.ok(error instanceof PullFailedError);
    assert.equal(error.attempts, 3);
    assert.match(error.message, /after 3 attempts/);
    assert.equal(requests.length, 3);
  });

  it("does not retry an unknown model, and suggests close installed names", async () => {
    const { fetch, requests } = scripted((r) =>
      new URL(r.url).pathname === "/api/tags"
        ? json({ models: [{ name: "qwen3:0.6b" }, { name: "llama3:latest" }] })
        : ndjson([{ status: "pulling manifest" }, {
          error: "pull model manifest: file does not exist",
        }])
    );
    const client = new OllamaClient("http://h:1", {
      fetch,
      retry: { sleep: () => Promise.resolve() },
    });
    const error = await rejection(client.pullModel("qwen3:8b"));
    assert.ok(error instanceof PullFailedError);
    assert.equal(error.reason, "not_found");
    assert.equal(error.attempts, 1);
    assert.deepEqual(error.suggestions, ["qwen3:0.6b"]);
    assert.match(error.message, /Did you mean "qwen3:0\.6b" \(installed\)\?/);
    assert.deepEqual(requests.map((r) => new URL(r.url).pathname), ["/api/pull", "/api/tags"]);
  });

  it("success that is not then listed is a failure (no false success)", async () => {
    const { fetch } = scripted((r) =>
      new URL(r.url).pathname === "/api/tags"
        ? json({ models: [] })
        : ndjson([{ status: "success" }])
    );
    const finished: string[] = [];
    const error = await rejection(
      new OllamaClient("http://h:1", { fetch }).pullModel("qwen3:8b", {
        reporter: { onEvent() {}, finish: (_m, outcome) => void finished.push(outcome) },
      }),
    );
    assert.ok(error instanceof PullFailedError);
    assert.equal(error.reason, "not_listed");
    assert.deepEqual(finished, ["error"]);
  });

  it("an abort during the backoff wait is an interruption", async () => {
    const { fetch } = flakyServer(10, () => ndjson([{ status: "pulling manifest" }]));
    const controller = new AbortController();
    const client = new OllamaClient("http://h:1", { fetch });
    const pending = client.pullModel("qwen3:8b", {
      signal: controller.signal,
      reporter: { onEvent: (e) => void (e.type === "retry" && controller.abort()) },
    });
    const error = await rejection(pending);
    assert.ok(error instanceof InterruptedError, String(error));
  });
});

describe("redirects", () => {
  const redirecting = (location: string, status = 307) =>
    new Response(null, { status, headers: { location } });

  it("drops Authorization when a redirect changes origin", async () => {
    const { fetch, requests } = scripted((r) =>
      new URL(r.url).host === "a.example:1"
        ? redirecting("http://b.example:2/api/version")
        : json({ version: "0.12.3" })
    );
    await OllamaClient.tryFromBaseUrl("http://a.example:1", {
      fetch,
      headers: { authorization: "Bearer secret-token" },
    });
    assert.deepEqual(requests.map((r) => [r.url, r.headers.get("authorization")]), [
      ["http://a.example:1/api/version", "Bearer secret-token"],
      ["http://b.example:2/api/version", null],
    ]);
  });

  it("keeps Authorization on a same-origin redirect, and a 307 keeps the POST and its body", async () => {
    const { fetch, requests } = scripted((r) =>
      new URL(r.url).pathname === "/api/pull"
        ? redirecting("/ollama/api/pull")
        : ndjson([{ status: "success" }])
    );
    const client = new OllamaClient("http://a.example:1", {
      fetch,
      headers: { authorization: "Bearer t" },
    });
    await collect(client.pullModelStream("llama3"));
    assert.equal(requests[1].url, "http://a.example:1/ollama/api/pull");
    assert.equal(requests[1].method, "POST");
    assert.equal(requests[1].headers.get("authorization"), "Bearer t");
    assert.deepEqual(await requests[1].json(), { model: "llama3:latest", stream: true });
  });

  it("stops after 5 redirects", async () => {
    const { fetch, requests } = scripted(() => redirecting("/loop", 302));
    const error = await rejection(OllamaClient.tryFromBaseUrl("http://a.example:1", { fetch }));
    assert.ok(error instanceof NotOllamaError);
    assert.equal(requests.length, 6);
  });
});

describe("what a real Ollama v0.33 sends and takes", () => {
  it("keeps the newer /api/tags fields, and tells a cloud stub from local weights", async () => {
    const { fetch } = scripted(() =>
      json({
        models: [
          {
            name: "gpt-oss:120b-cloud",
            model: "gpt-oss:120b-cloud",
            remote_model: "gpt-oss:120b",
            remote_host: "https://ollama.com:443",
            size: 384,
            digest: "d".repeat(64),
            details: { format: "", family: "gptoss", families: null, parameter_size: "116.8B" },
          },
          {
            name: "qwen3:0.6b",
            model: "qwen3:0.6b",
            size: 522653767,
            capabilities: ["completion", "tools", "thinking"],
            details: { family: "qwen3", context_length: 40960, embedding_length: 1024 },
          },
          { model: "no-name-but-model:latest" },
          { size: 3 },
          "junk",
        ],
      })
    );
    const warnings: string[] = [];
    const models = await new OllamaClient("http://h:1", { fetch }).listModels({
      onWarning: (w) => void warnings.push(w),
    });
    assert.deepEqual(models.map((m) => [m.name, m.cloud]), [
      ["gpt-oss:120b-cloud", true],
      ["qwen3:0.6b", false],
      ["no-name-but-model:latest", false],
    ]);
    assert.equal(models[0].remoteModel, "gpt-oss:120b");
    assert.equal(models[0].remoteHost, "https://ollama.com:443");
    assert.deepEqual(models[1].capabilities, ["completion", "tools", "thinking"]);
    assert.equal(models[1].details?.contextLength, 40960);
    assert.equal(models[1].details?.embeddingLength, 1024);
    assert.deepEqual(warnings, [
      "skipped entry 4 of GET /api/tags: no string `name`",
      "skipped entry 5 of GET /api/tags: not an object (string)",
    ]);
  });

  it("sends insecure for a plain-HTTP registry: by option, or by an http:// name", async () => {
    const { fetch, requests } = scripted(() => ndjson([{ status: "success" }]));
    const client = new OllamaClient("http://h:1", { fetch });
    await collect(client.pullModelStream("127.0.0.1:5000/library/tiny"));
    await collect(client.pullModelStream("127.0.0.1:5000/library/tiny", { insecure: true }));
    await collect(client.pullModelStream(" http://127.0.0.1:5000/library/tiny "));
    await collect(client.pullModelStream("https://reg.example/library/tiny", { insecure: true }));
    await collect(
      new OllamaClient("http://h:1", { fetch, insecure: true }).pullModelStream("x:local"),
    );
    await collect(client.pullModelStream("qwen3:8b:cloud"));
    assert.deepEqual(await Promise.all(requests.map((r) => r.json())), [
      { model: "127.0.0.1:5000/library/tiny:latest", stream: true },
      { model: "127.0.0.1:5000/library/tiny:latest", stream: true, insecure: true },
      { model: "http://127.0.0.1:5000/library/tiny:latest", stream: true, insecure: true },
      { model: "reg.example/library/tiny:latest", stream: true },
      // Never for the default registry: Ollama would fetch http://registry.ollama.ai.
      { model: "x:latest", stream: true },
      { model: "qwen3:8b-cloud", stream: true },
    ]);
  });

  it("OLLAMA_HOST=ollama.com is the cloud over https", () => {
    assert.equal(new OllamaClient("ollama.com").baseUrl, "https://ollama.com:443");
  });

  it("a retry count that is not a whole number is a usage error, never 'retry for ever'", async () => {
    assert.throws(() => new OllamaClient("http://h:1", { retry: { retries: NaN } }), UsageError);
    const { fetch, requests } = scripted(() => ndjson([{ status: "success" }]));
    const error = await rejection(
      new OllamaClient("http://h:1", { fetch }).pullModel("x", { retry: { retries: -1 } }),
    );
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(requests.length, 0);
  });

  it("lines after success in the same chunk, even an error line, are ignored: it succeeded", async () => {
    const { fetch } = scripted((r) =>
      new URL(r.url).pathname === "/api/tags"
        ? json({ models: [{ name: "x:latest" }] })
        : new Response('{"status":"success"}\n{"error":"late noise"}\n')
    );
    const events: OllamaPullEvent[] = [];
    const result = await new OllamaClient("http://h:1", { fetch }).pullModel("x", {
      reporter: { onEvent: (e) => void events.push(e) },
    });
    assert.deepEqual(result, { model: "x:latest", attempts: 1 });
    assert.deepEqual(events, [{ type: "success" }]);
  });
});
