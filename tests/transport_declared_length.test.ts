// A body whose length the server declares (Ollama does for every answer under 2 KB) is read whole
// by the runtime instead of through a stream reader: the same answers, the same bounds. And the
// pull machinery, loaded on a stream's first `next()`, is not loaded (nor any request made) for a
// stream closed before it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OllamaClient } from "../src/client.ts";
import { NotOllamaError } from "../src/errors/not_ollama_error.ts";
import { RequestTimeoutError } from "../src/errors/timeout_error.ts";
import { InvalidModelNameError } from "../src/errors/invalid_model_name_error.ts";
import { rejection, scripted, streamOf, thrown } from "./_helpers.ts";

const BASE = "http://127.0.0.1:11434";
const ENCODER = new TextEncoder();

/** A response whose body is `text`, declaring `length` bytes (by default its true length). */
function declared(text: string, headers: Record<string, string> = {}): Response {
  const bytes = ENCODER.encode(text);
  return new Response(streamOf([bytes]), {
    headers: {
      "content-type": "application/json",
      "content-length": `${bytes.length}`,
      ...headers,
    },
  });
}

describe("a declared length", () => {
  it("is read whole: version and models as with a stream", async () => {
    const { fetch } = scripted((request) =>
      request.url.endsWith("/api/version")
        ? declared('{"version":"0.33.0"}')
        : declared('{"models":[{"name":"llama3:latest","model":"llama3:latest"}]}')
    );
    const client = new OllamaClient(BASE, { fetch });
    assert.deepEqual(await client.healthCheck(), { baseUrl: BASE, version: "0.33.0" });
    assert.deepEqual(await client.fetchModels(), ["llama3:latest"]);
  });

  it("over the size bound is refused while reading, never buffered whole", async () => {
    const big = "x".repeat(6000);
    const { fetch } = scripted(() => declared(big));
    const client = new OllamaClient(BASE, { fetch, maxResponseBytes: 4096 });
    const error = await rejection(client.listModels());
    assert.ok(error instanceof NotOllamaError, String(error));
    assert.match(error.message, /larger than 4096 bytes/);
  });

  it("with a Content-Encoding (a small length, a large body once decoded) keeps the bound", async () => {
    const big = " ".repeat(6000);
    const { fetch } = scripted(() =>
      new Response(streamOf([ENCODER.encode(big)]), {
        headers: { "content-length": "20", "content-encoding": "gzip" },
      })
    );
    const client = new OllamaClient(BASE, { fetch, maxResponseBytes: 4096 });
    const error = await rejection(client.listModels());
    assert.ok(error instanceof NotOllamaError, String(error));
    assert.match(error.message, /larger than 4096 bytes/);
  });

  it("whose body never ends still ends at the bound (a fetch that ignores the signal)", async () => {
    // The body is not tied to the request's signal: only the client's own bound can end it.
    const { fetch } = scripted(() =>
      new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), {
        headers: { "content-length": "100" },
      })
    );
    const client = new OllamaClient(BASE, { fetch, timeoutMs: 100 });
    const started = performance.now();
    const outcome = await Promise.race([
      rejection(client.healthCheck()),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 3_000)),
    ]);
    assert.ok(outcome instanceof RequestTimeoutError, String(outcome));
    assert.ok(performance.now() - started < 3_000);
  });
});

describe("a pull stream loads its machinery on its first next()", () => {
  it("an invalid name still throws at once, before any request", () => {
    const { fetch, requests } = scripted(() => new Response(null, { status: 500 }));
    const error = thrown(() => new OllamaClient(BASE, { fetch }).pullModelStream("llama3:"));
    assert.ok(error instanceof InvalidModelNameError, String(error));
    assert.equal(requests.length, 0);
  });

  it("closed before its first next(), it makes no request and yields nothing", async () => {
    const { fetch, requests } = scripted(() => new Response(null, { status: 500 }));
    const stream = new OllamaClient(BASE, { fetch }).pullModelStream("llama3");
    assert.deepEqual(await stream.return?.(), { value: undefined, done: true });
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
    assert.equal(requests.length, 0);
  });
});
