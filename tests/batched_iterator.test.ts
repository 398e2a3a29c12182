import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BatchedIterator } from "../src/batched_iterator.ts";

describe("BatchedIterator", () => {
  it("serves every item in order, skipping empty batches", async () => {
    async function* batches() {
      yield [1, 2];
      yield [];
      yield [3];
    }
    const seen: number[] = [];
    for await (const n of new BatchedIterator(batches())) seen.push(n);
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it("delivers the items before a failure, then the failure", async () => {
    async function* batches(): AsyncGenerator<number[]> {
      yield [1, 2];
      throw new Error("boom");
    }
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const n of new BatchedIterator(batches())) seen.push(n);
    }, /boom/);
    assert.deepEqual(seen, [1, 2]);
  });

  it("break closes the source (its finally runs) without asking for another batch", async () => {
    const log: string[] = [];
    async function* batches() {
      try {
        log.push("batch 1");
        yield [1, 2, 3];
        log.push("batch 2");
        yield [4];
      } finally {
        log.push("closed");
      }
    }
    for await (const n of new BatchedIterator(batches())) {
      if (n === 2) break;
    }
    assert.deepEqual(log, ["batch 1", "closed"]);
  });

  it("return() while a next() is pending runs onReturn at once, then waits for the source", async () => {
    const log: string[] = [];
    let release: () => void = () => {};
    async function* batches() {
      try {
        yield [1];
        // A pending read that only ends when onReturn aborts it.
        await new Promise<void>((resolve) => (release = resolve));
        yield [2];
      } finally {
        log.push("source closed");
      }
    }
    const iterator = new BatchedIterator(batches(), {
      onReturn: () => {
        log.push("onReturn");
        release();
      },
    });
    assert.deepEqual(await iterator.next(), { value: 1, done: false });
    const pending = iterator.next();
    const closing = iterator.return();
    assert.deepEqual(log, ["onReturn"]);
    await closing;
    await pending;
    assert.deepEqual(log, ["onReturn", "source closed"]);
  });

  it("next() calls made at once are answered in order", async () => {
    async function* batches() {
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield [1];
      yield [2, 3];
    }
    const iterator = new BatchedIterator(batches());
    const results = await Promise.all([
      iterator.next(),
      iterator.next(),
      iterator.next(),
      iterator.next(),
    ]);
    assert.deepEqual(results.map((r) => r.done ? "done" : r.value), [1, 2, 3, "done"]);
  });
});
