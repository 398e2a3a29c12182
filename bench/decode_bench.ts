/**
 * Decode throughput: one recorded pull stream (about 129 000 lines, 19 MB) read by
 *
 * - our client's `pullModelStream` (an injected `fetch` answering with the bytes),
 * - our decoder alone (`decodeJsonLines`),
 * - the official client, `npm:ollama`, run for real (`new Ollama({ fetch }).pull({ stream: true })`),
 * - a hand-written client (`TextDecoderStream`, split, `JSON.parse`, an async generator),
 * - the floor: the same body read to its end, bytes only,
 * - and, for scale, `JSON.parse` of the lines already split (no I/O, no decoding, no splitting;
 *   not a floor: a decoder that skips `JSON.parse` for most lines can beat it).
 *
 * Run: `deno bench -A bench/decode_bench.ts` (or `deno task bench` for every figure). The ratios
 * in BENCHMARKS.md come from one such run. `npm:ollama` is a dependency of this file only.
 *
 * @module
 */

// A dependency of this benchmark only, pinned inline so that it never enters deno.json (whose
// imports a user of the package sees).
// deno-lint-ignore no-import-prefix
import { Ollama } from "npm:ollama@0.6.4";
import { decodeJsonLines, type FetchLike, OllamaClient } from "../mod.ts";
import { naiveValues } from "./fixtures/naive_client.ts";
import { bodyOf, recordPull } from "./fixtures/pull_stream.ts";

const recorded = recordPull();
const HOST = "http://127.0.0.1:11434";
const BENCH = { n: 20, warmup: 10 } as const;

/** A fetch that answers every request with the recorded stream, cut as given. */
function fetchServing(chunks: readonly Uint8Array[]): FetchLike {
  return () =>
    Promise.resolve(
      new Response(bodyOf(chunks), {
        headers: { "content-type": "application/x-ndjson" },
      }),
    );
}

async function ours(chunks: readonly Uint8Array[]): Promise<number> {
  const client = new OllamaClient(HOST, { fetch: fetchServing(chunks) });
  let events = 0;
  for await (const _ of client.pullModelStream("llama3")) events++;
  return events;
}

async function decoderAlone(chunks: readonly Uint8Array[]): Promise<number> {
  let values = 0;
  for await (const _ of decodeJsonLines(bodyOf(chunks))) values++;
  return values;
}

async function official(chunks: readonly Uint8Array[]): Promise<number> {
  const fetchImpl = fetchServing(chunks);
  const ollama = new Ollama({
    host: HOST,
    fetch: (input, init) => fetchImpl(input, init),
  });
  let values = 0;
  for await (const _ of await ollama.pull({ model: "llama3", stream: true })) {
    values++;
  }
  return values;
}

/** The true floor: the same body read to its end, bytes only (no decoding, no lines). */
async function bytesOnly(chunks: readonly Uint8Array[]): Promise<number> {
  const reader = bodyOf(chunks).getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

async function naive(chunks: readonly Uint8Array[]): Promise<number> {
  let values = 0;
  for await (const _ of naiveValues(bodyOf(chunks))) values++;
  return values;
}

function floor(lines: readonly string[]): number {
  let values = 0;
  for (let i = 0; i < lines.length; i++) {
    if (JSON.parse(lines[i]) !== null) values++;
  }
  return values;
}

// Each contender must read the whole stream, or its time means nothing.
const expectedLines = recorded.lines.length;
for (
  const [name, count] of [
    ["ours", await ours(recorded.chunks)],
    ["decoder", await decoderAlone(recorded.chunks)],
    ["official", await official(recorded.chunks)],
    ["naive", await naive(recorded.chunks)],
    ["floor", floor(recorded.lines)],
  ] as const
) {
  if (count !== expectedLines) {
    throw new Error(`${name} read ${count} values, expected ${expectedLines}`);
  }
}

if ((await bytesOnly(recorded.chunks)) !== recorded.bytes) {
  throw new Error("bytes: short read");
}

for (
  const [group, chunks] of [
    ["one line per chunk", recorded.lineChunks],
    ["mixed chunks", recorded.chunks],
  ] as const
) {
  Deno.bench({
    name: `ours: OllamaClient.pullModelStream (${group})`,
    group,
    baseline: true,
    ...BENCH,
    fn: async () => void await ours(chunks),
  });
  Deno.bench({
    name: `ours: decodeJsonLines alone (${group})`,
    group,
    ...BENCH,
    fn: async () => void await decoderAlone(chunks),
  });
  Deno.bench({
    name: `npm:ollama@0.6.4: pull({ stream: true }) (${group})`,
    group,
    ...BENCH,
    fn: async () => void await official(chunks),
  });
  Deno.bench({
    name: `naive client: TextDecoderStream, split, JSON.parse (${group})`,
    group,
    ...BENCH,
    fn: async () => void await naive(chunks),
  });
  Deno.bench({
    name: `floor: the body read, bytes only (${group})`,
    group,
    ...BENCH,
    fn: async () => void await bytesOnly(chunks),
  });
  Deno.bench({
    name: `JSON.parse of pre-split lines (${group})`,
    group,
    ...BENCH,
    fn: () => void floor(recorded.lines),
  });
}
