import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  pullEventFromValue,
  pullEventsFromLine,
  pullEventsFromValue,
  PullLineParser,
} from "../src/parser.ts";
import { ProtocolError } from "../src/errors/mod.ts";
import { decodeJsonLines, parseJsonLine } from "../src/ndjson.ts";
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

describe("PullLineParser (the fast path) agrees with JSON.parse + pullEventFromValue", () => {
  /** What the general path makes of a line: the event, or the error's code. */
  function general(line: string): unknown {
    try {
      return { event: pullEventFromValue(parseJsonLine(line, 7)) };
    } catch (error) {
      return { code: (error as ProtocolError).reason };
    }
  }
  function fast(parser: PullLineParser, line: string): unknown {
    try {
      return { event: parser.parse(line, 7) };
    } catch (error) {
      return { code: (error as ProtocolError).reason };
    }
  }
  const progress = (completed: string, total = "4661211424", digest = DIGEST) =>
    `{"status":"pulling 6a0746a1ec1a","digest":"${digest}","total":${total},"completed":${completed}}`;

  // Each case follows a line that primes the parser's cache with the same layer's prefix, so the
  // short path is exercised on near-misses.
  const cases: [string, string][] = [
    ["the canonical line", progress("123456")],
    ["completed zero written out", progress("0")],
    ["a leading zero (not JSON)", progress("0123")],
    ["a fraction", progress("1.5")],
    ["an exponent", progress("1e3")],
    ["a negative count (a shape error)", progress("-1")],
    ["16 digits (beyond the fast path; same value)", progress("1234567890123456")],
    ["400 digits (Infinity: a shape error)", progress("1" + "0".repeat(400))],
    ["a space before the brace", progress("5 ")],
    ["trailing garbage", progress("5}x").slice(0, -1)],
    ["a second object on the line", progress("5") + "{}"],
    ["a truncated line", progress("5").slice(0, -1)],
    ["a null total", progress("5", "null")],
    ["a zero total (unknown)", progress("5", "0")],
    ["an escaped quote in the status", '{"status":"pul\\"ling","digest":"d","completed":1}'],
    ["a unicode escape in the status", '{"status":"\\u0041","digest":"d","completed":1}'],
    ["a raw control character in the status", '{"status":"a\u0001b","digest":"d","completed":1}'],
    ["a raw tab in the digest", '{"status":"s","digest":"a\tb","completed":1}'],
    ["non-ASCII text", '{"status":"pulling 模型 é","digest":"d","completed":1}'],
    ["an empty digest (no digest)", '{"status":"pulling x","digest":"","completed":3}'],
    ["success", '{"status":"success"}'],
    ["success with a digest", '{"status":"success","digest":"d","completed":1}'],
    ["an error line", '{"error":"pull model manifest: file does not exist"}'],
    ["fields in another order", '{"digest":"d","status":"s","completed":1}'],
    ["a duplicated key", '{"status":"a","status":"b"}'],
    ["an extra field", '{"status":"s","digest":"d","completed":1,"extra":true}'],
    ["spaces after colons", '{"status": "s"}'],
    ["an empty object", "{}"],
    ["not an object", "[1,2]"],
    ["not JSON", "<html>"],
    ["status not a string", '{"status":5}'],
    ["a digest that is a number", '{"status":"s","digest":5}'],
    ["status only, empty", '{"status":""}'],
    ["total without completed", '{"status":"s","digest":"d","total":10}'],
    ["completed without digest", '{"status":"s","completed":10}'],
  ];
  for (const [name, line] of cases) {
    it(name, () => {
      const parser = new PullLineParser();
      parser.parse(progress("1"), 1); // prime the prefix cache
      assert.deepEqual(fast(parser, line), general(line));
      assert.deepEqual(fast(new PullLineParser(), line), general(line));
    });
  }

  it("a layer, then another, then back: each event carries its own layer", () => {
    const other = "sha256:" + "b".repeat(64);
    const lines = [
      progress("1"),
      progress("2"),
      progress("3", "9", other),
      progress("4"),
      progress("5", "9", other),
      progress("6", "4661211424", DIGEST.replace("a", "c")),
    ];
    const parser = new PullLineParser();
    for (const line of lines) assert.deepEqual(fast(parser, line), general(line), line);
  });

  it("5,000 seeded random mutations of real lines give the same events or the same error", () => {
    let seed = 0x5eed;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const alphabet = ['"', "\\", "{", "}", ",", ":", "0", "1", "9", " ", "-", ".", "e", "\u0002"];
    const parser = new PullLineParser();
    for (let i = 0; i < 5_000; i++) {
      let line = progress(String(Math.floor(random() * 1e12)));
      const edits = Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (line.length + 1));
        const kind = random();
        if (kind < 0.4) {
          line = line.slice(0, at) + alphabet[Math.floor(random() * alphabet.length)] +
            line.slice(at);
        } else if (kind < 0.8) line = line.slice(0, at) + line.slice(at + 1);
        else line = line.slice(0, at);
      }
      assert.deepEqual(fast(parser, line), general(line), line);
    }
  });

  it("pullEventsFromLine wraps it: an array of zero or one event", () => {
    assert.deepEqual(pullEventsFromLine('{"status":"success"}'), [{ type: "success" }]);
    assert.deepEqual(pullEventsFromLine('{"total":5}'), []);
    assert.throws(() => pullEventsFromLine("nope", 3), /line 3/);
  });
});
