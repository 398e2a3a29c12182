import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pullEventsFromValue } from "../src/parser.ts";
import { ProtocolError } from "../src/errors.ts";
import { decodeJsonLines } from "../src/ndjson.ts";
import { collect, fixtureBytes, streamOf } from "./_helpers.ts";

const DIGEST = "sha256:6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa";

describe("pullEventsFromValue", () => {
  const cases: [string, unknown, unknown[]][] = [
    ["a status line", { status: "pulling manifest" }, [{
      type: "status",
      status: "pulling manifest",
    }]],
    ["success, once (codex also emitted a status for it)", { status: "success" }, [{
      type: "success",
    }]],
    ["a layer's first line: total only, completed omitted as zero", {
      status: "pulling 6a0746a1ec1a",
      digest: DIGEST,
      total: 4661211424,
    }, [{
      type: "chunk_progress",
      digest: DIGEST,
      total: 4661211424,
      completed: 0,
      status: "pulling 6a0746a1ec1a",
    }]],
    ["progress without total (omitted)", { status: "pulling x", digest: DIGEST, completed: 5 }, [{
      type: "chunk_progress",
      digest: DIGEST,
      total: undefined,
      completed: 5,
      status: "pulling x",
    }]],
    ["explicit zero total is unknown", { digest: DIGEST, total: 0, completed: 0 }, [{
      type: "chunk_progress",
      digest: DIGEST,
      total: undefined,
      completed: 0,
      status: "",
    }]],
    ["an error line", { error: "pull model manifest: file does not exist" }, [{
      type: "error",
      message: "pull model manifest: file does not exist",
    }]],
    ["error wins over status", { status: "success", error: "boom" }, [{
      type: "error",
      message: "boom",
    }]],
    ["a non-string error is kept as JSON text", { error: { code: 1 } }, [{
      type: "error",
      message: '{"code":1}',
    }]],
    ["an object with no known field gives no event", { future: true }, []],
    ["an empty digest is not progress", { status: "pulling", digest: "" }, [{
      type: "status",
      status: "pulling",
    }]],
  ];
  for (const [name, value, expected] of cases) {
    it(name, () => assert.deepEqual(pullEventsFromValue(value), expected));
  }

  const invalid: [string, unknown][] = [
    ["null", null],
    ["an array", [{ status: "success" }]],
    ["a number", 42],
    ["a string", "success"],
    ["a non-string status", { status: 3 }],
    ["a non-string digest", { digest: 12, total: 1 }],
    ["a string total", { digest: DIGEST, total: "10" }],
    ["a negative completed", { digest: DIGEST, total: 10, completed: -1 }],
  ];
  for (const [name, value] of invalid) {
    it(`rejects ${name} as invalid_shape, never drops it`, () => {
      assert.throws(
        () => pullEventsFromValue(value),
        (e) =>
          e instanceof ProtocolError && e.reason === "invalid_shape" && e.code === "not_ollama",
      );
    });
  }

  it("a whole recorded multi-layer pull: one success, at the end, and exact per-layer totals", async () => {
    const values = await collect(decodeJsonLines(streamOf([fixtureBytes("pull_llama3.ndjson")])));
    const events = values.flatMap((v) => pullEventsFromValue(v));
    assert.equal(events.length, values.length);
    assert.equal(events.filter((e) => e.type === "success").length, 1);
    assert.deepEqual(events.at(-1), { type: "success" });
    const totals = new Map<string, number | undefined>();
    for (const e of events) if (e.type === "chunk_progress") totals.set(e.digest, e.total);
    assert.equal(totals.size, 5);
    assert.equal([...totals.values()].reduce((a, b) => (a ?? 0) + (b ?? 0), 0), 4661224676);
    assert.deepEqual(
      events.filter((e) => e.type === "status").map((e) => e.type === "status" && e.status),
      [
        "pulling manifest",
        "verifying sha256 digest",
        "writing manifest",
        "removing unused layers",
      ],
    );
  });
});
