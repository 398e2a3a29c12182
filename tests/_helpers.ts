// Shared test utilities: a seeded PRNG and byte-stream builders. Not a test file.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/** mulberry32: a tiny seeded PRNG, so property tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reads a file under tests/fixtures as bytes. */
export function fixtureBytes(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
}

/** Cuts bytes at the given sorted offsets. */
export function splitAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const offset of offsets) {
    if (offset > start && offset < bytes.length) {
      chunks.push(bytes.subarray(start, offset));
      start = offset;
    }
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** `count` distinct random cut points inside `length` bytes, sorted. */
export function randomOffsets(random: () => number, length: number, count: number): number[] {
  const set = new Set<number>();
  while (set.size < Math.min(count, length - 1)) set.add(1 + Math.floor(random() * (length - 1)));
  return [...set].sort((a, b) => a - b);
}

/** A ReadableStream that delivers the given chunks (copied, as a network would). */
export function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++].slice());
      else controller.close();
    },
  });
}

/** Collects an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The error an async function rejects with (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but the promise resolved");
}

/** The exception a function throws (fails the test if it returns). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return assert.fail("expected an exception");
}

/** The models of the pull requests the fake received, in order. */
export function pulledModels(fake: { pullRequests(): { body: unknown }[] }): string[] {
  return fake.pullRequests().map((r) => String((r.body as { model?: unknown }).model));
}

/** A scripted server: answers each request. */
export type Handler = (request: Request) => Response | Promise<Response>;

/** An injected fetch that routes to `handler` and records every request. */
export function scripted(handler: Handler) {
  const requests: Request[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    if (request.signal.aborted) throw request.signal.reason;
    return await new Promise<Response>((resolve, reject) => {
      request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
      Promise.resolve(handler(request)).then(resolve, reject);
    });
  };
  return { fetch, requests };
}

/** A JSON response. */
export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
/** An NDJSON response of the given values, one per line. */
export const ndjson = (lines: unknown[]) =>
  new Response(lines.map((l) => JSON.stringify(l)).join("\n") + "\n", {
    headers: { "content-type": "application/x-ndjson" },
  });
