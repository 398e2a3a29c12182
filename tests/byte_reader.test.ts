import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ByteReader } from "../src/byte_reader.ts";
import { seededRandom } from "./_helpers.ts";

/** Bytes 0..n-1 (mod 251), cut into the given chunk sizes. */
function chunksOf(sizes: number[]): Uint8Array[] {
  let at = 0;
  return sizes.map((size) => Uint8Array.from({ length: size }, () => at++ % 251));
}

function byteStream(chunks: Uint8Array[], onCancel?: (reason: unknown) => void) {
  let i = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller: ReadableByteStreamController) {
      if (i < chunks.length) {
        controller.enqueue(chunks[i++].slice());
      } else {
        // As the spec asks of a byte source: close, then answer a pending BYOB read with 0.
        controller.close();
        controller.byobRequest?.respond(0);
      }
    },
    cancel: onCancel,
  }) as ReadableStream<Uint8Array>;
}

function defaultStream(chunks: Uint8Array[]) {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++].slice());
      else controller.close();
    },
  });
}

/** Reads to the end, copying each chunk at once (it is valid only until the next read). */
async function readAll(reader: ByteReader): Promise<number[]> {
  const out: number[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    assert.ok(value.byteLength > 0, "no empty chunks");
    out.push(...value);
  }
}

describe("ByteReader", () => {
  const random = seededRandom(0xb10b);
  const sizes = [
    1,
    70_000,
    3,
    16_384,
    16_385,
    ...Array.from({ length: 20 }, () => {
      return 1 + Math.floor(random() * 40_000);
    }),
  ];
  const expected = chunksOf(sizes).flatMap((c) => [...c]);

  it("a byte stream: every byte, in order, through one reused buffer", async () => {
    const reader = new ByteReader(byteStream(chunksOf(sizes)));
    let byob = true;
    try {
      new ReadableStream({ type: "bytes" }).getReader({ mode: "byob" });
    } catch {
      byob = false; // a runtime without BYOB readers: the fallback is tested below anyway
    }
    assert.equal(reader.reusesBuffer, byob);
    assert.deepEqual(await readAll(reader), expected);
  });

  it("a default stream (a constructed Response, Bun's fetch): the default reader", async () => {
    const reader = new ByteReader(defaultStream(chunksOf(sizes)));
    assert.equal(reader.reusesBuffer, false);
    assert.deepEqual(await readAll(reader), expected);
  });

  it("close midway cancels the source and unlocks; close after the end does not cancel", async () => {
    let cancelled: unknown = "not cancelled";
    const midway = byteStream(chunksOf([10, 10]), (reason) => void (cancelled = reason));
    const reader = new ByteReader(midway);
    await reader.read();
    await reader.close();
    await reader.close(); // idempotent
    assert.equal(cancelled, undefined);
    assert.equal(midway.locked, false);

    cancelled = "not cancelled";
    const whole = byteStream(chunksOf([10]), (reason) => void (cancelled = reason));
    const drained = new ByteReader(whole);
    await readAll(drained);
    await drained.close();
    assert.equal(cancelled, "not cancelled");
    assert.equal(whole.locked, false);
  });

  it("an abort cancels the source with its reason and ends a pending read", async () => {
    for (const make of [byteStream, defaultStream]) {
      let cancelled: unknown;
      const stalled = new ReadableStream<Uint8Array>({
        type: make === byteStream ? "bytes" : undefined,
        pull: () => new Promise(() => {}), // never delivers
        cancel: (reason) => void (cancelled = reason),
      } as UnderlyingDefaultSource<Uint8Array>);
      const controller = new AbortController();
      const reader = new ByteReader(stalled, controller.signal);
      const pending = reader.read();
      controller.abort("stop");
      await pending.then(
        (result) => assert.equal(result.done, true),
        (error) => assert.equal(error, "stop"),
      );
      assert.equal(cancelled, "stop");
      await reader.close();
    }
  });
});
