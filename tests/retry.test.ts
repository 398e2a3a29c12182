import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../src/errors/mod.ts";
import { checkRetryPolicy, classifyPullError, type PullErrorClass } from "../src/retry.ts";

describe("classifyPullError: Ollama's error texts", () => {
  const rows: [string, number | undefined, PullErrorClass][] = [
    ["max retries exceeded: unexpected EOF", undefined, "transient"],
    ["context deadline exceeded", undefined, "transient"],
    ["context canceled", undefined, "transient"],
    ["pull model manifest: 500: internal error", undefined, "transient"],
    ["pull model manifest: 503: Service Unavailable", undefined, "transient"],
    [
      "digest mismatch, file must be downloaded again: want sha256:a, got sha256:b",
      undefined,
      "transient",
    ],
    ["pull model manifest: file does not exist", undefined, "not_found"],
    [
      "pull model manifest: 412: this model requires a newer version of Ollama",
      undefined,
      "permanent",
    ],
    [
      "this model requires MLX support, but the MLX runtime is not available",
      undefined,
      "permanent",
    ],
    ["insecure protocol http", 500, "permanent"],
    ["invalid model name", 400, "permanent"],
    ["use either :local or :cloud, not both", 400, "permanent"],
    ["pull model manifest: 401: unauthorized", undefined, "permanent"],
    ["unauthorized: access denied", undefined, "permanent"],
    ["", 500, "transient"],
    ["", 502, "transient"],
    ["", 404, "permanent"],
    ["something new", 500, "transient"],
    ["something new", 400, "permanent"],
    ["something new", undefined, "permanent"],
  ];
  for (const [message, status, expected] of rows) {
    it(`${JSON.stringify(message)}${status === undefined ? "" : ` (${status})`}: ${expected}`, () => {
      assert.equal(classifyPullError(message, status), expected);
    });
  }
});

describe("checkRetryPolicy", () => {
  it("refuses counts that are not whole numbers from 0 to 100 (NaN used to retry for ever)", () => {
    for (const retries of [NaN, -1, 1.5, Infinity, 101, "3" as unknown as number]) {
      assert.throws(() => checkRetryPolicy({ retries }), UsageError, String(retries));
    }
    for (const retries of [0, 3, 100]) assert.deepEqual(checkRetryPolicy({ retries }), { retries });
    assert.throws(() => checkRetryPolicy({ baseDelayMs: -5 }), UsageError);
    assert.equal(checkRetryPolicy(undefined), undefined);
  });
});
