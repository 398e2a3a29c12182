/**
 * How the fake server's answers leave it: a body known at once, or one produced over time that
 * notices the client going away and the fake closing; re-chunked by the `split_chunks` and
 * `trickle` faults; and the end of a request whose client left before the headers.
 *
 * @module
 */

import type { FakeFault } from "./faults.ts";
import type { FakeRequestOutcome, RequestRecordState } from "./request_record.ts";
import type { Waiter } from "./waiter.ts";

/** `application/json; charset=utf-8`, what Ollama's JSON routes answer. */
export const JSON_TYPE = "application/json; charset=utf-8";
/** `application/x-ndjson`, a streamed pull. */
export const NDJSON_TYPE = "application/x-ndjson";
/** `text/plain; charset=utf-8`, `GET /`. */
export const TEXT_TYPE = "text/plain; charset=utf-8";

/** What a streamed body produces: bytes, or an instruction to stall or cut the connection. */
export type BodyItem = Uint8Array | "stall" | "reset";

/** The request a response answers: its record, its waits, and the fault that re-chunks it. */
export interface Exchange {
  record: RequestRecordState;
  waiter: Waiter;
  chunking: FakeFault | undefined;
}

const ENCODER = new TextEncoder();
/** How long a `reset_after` cut waits for the lines before it to leave the server. */
const RESET_FLUSH_MS = 25;

/** Ends a record (the first outcome stays) and its waits. */
export function finish(exchange: Exchange, outcome: FakeRequestOutcome): void {
  if (exchange.record.outcome === "pending") exchange.record.outcome = outcome;
  exchange.waiter.dispose();
}

/** A response whose body is known now (re-chunked through a stream when a fault says so). */
export function respond(
  exchange: Exchange,
  status: number,
  type: string | undefined,
  body: string | null,
): Response {
  const headers = type === undefined ? undefined : { "content-type": type };
  if (body === null || body === "" || exchange.chunking === undefined) {
    exchange.record.status = status;
    finish(exchange, "completed");
    return new Response(body === null || body === "" ? null : body, { status, headers });
  }
  const bytes = ENCODER.encode(body);
  return streamed(
    exchange,
    status,
    type,
    (async function* () {
      yield bytes;
    })(),
  );
}

/** A response whose body is produced over time; tracks the client and the fake's close(). */
export function streamed(
  exchange: Exchange,
  status: number,
  type: string | undefined,
  produce: AsyncGenerator<BodyItem, void, undefined>,
): Response {
  const { record, waiter } = exchange;
  record.status = status;
  const split = chunker(exchange.chunking);
  const queue: Uint8Array[] = [];
  const closeCut = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    finish(exchange, "closed");
    produce.return().catch(() => {});
    controller.error(new TypeError("fake Ollama: connection closed by close()"));
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const queued = queue.shift();
      if (queued !== undefined) {
        controller.enqueue(queued);
        return;
      }
      for (;;) {
        if (waiter.stopped === "client_gone") return;
        if (waiter.stopped === "closed") return closeCut(controller);
        const next = await produce.next();
        if (waiter.stopped === "client_gone") return;
        if (waiter.stopped === "closed") return closeCut(controller);
        if (next.done) {
          finish(exchange, "completed");
          controller.close();
          return;
        }
        const item = next.value;
        if (item === "stall") {
          await waiter.forever();
          continue;
        }
        if (item === "reset") {
          // The fault means "N lines, then the cut": give the HTTP server time to put the
          // lines it already took on the wire, since erroring the body can drop unsent data
          // (Bun.serve under load did: 6 of 25 runs delivered no line at all).
          await waiter.sleep(RESET_FLUSH_MS);
          if (waiter.stopped === "client_gone") return;
          if (waiter.stopped === "closed") return closeCut(controller);
          finish(exchange, "completed");
          controller.error(new TypeError("fake Ollama: connection reset (reset_after fault)"));
          return;
        }
        if (item.length === 0) continue;
        const [first, ...rest] = split(item);
        queue.push(...rest);
        controller.enqueue(first);
        return;
      }
    },
    cancel() {
      // Cancelled after close() began (a server cutting its connections): that is close()'s doing.
      const reason = waiter.stopped === "closed" ? "closed" : "client_gone";
      waiter.stop(reason);
      finish(exchange, reason);
      produce.return().catch(() => {});
    },
  }, { highWaterMark: 0 });
  return new Response(body, {
    status,
    headers: type === undefined ? undefined : { "content-type": type },
  });
}

/** After a wait before headers ended: the client left, or close() cut the connection. */
export function abandoned(exchange: Exchange): Response {
  if (exchange.waiter.stopped === "closed") {
    finish(exchange, "closed");
    throw new TypeError("fake Ollama: connection closed without a response by close()");
  }
  finish(exchange, "client_gone");
  return new Response(null, { status: 499 });
}

/** A body that never sends a byte. */
export async function* silence(): AsyncGenerator<BodyItem, void, undefined> {
  yield "stall";
}

/** The re-chunking of a body by the `split_chunks` and `trickle` faults. */
function chunker(fault: FakeFault | undefined): (bytes: Uint8Array) => Uint8Array[] {
  if (fault?.kind === "trickle") {
    return (bytes) => Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  }
  if (fault?.kind !== "split_chunks") return (bytes) => [bytes];
  const random = seeded(fault.seed ?? 1);
  return (bytes) => {
    const cuts = new Set<number>();
    // One cut inside the first multi-byte character, so a decoder must carry bytes over.
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] >= 0xc0) {
        cuts.add(i + 1);
        break;
      }
    }
    for (
      let at = 1 + Math.floor(random() * 16);
      at < bytes.length;
      at += 1 + Math.floor(random() * 16)
    ) {
      cuts.add(at);
    }
    const sorted = [...cuts].filter((at) => at > 0 && at < bytes.length).sort((a, b) => a - b);
    const pieces: Uint8Array[] = [];
    let start = 0;
    for (const at of sorted) {
      pieces.push(bytes.subarray(start, at));
      start = at;
    }
    pieces.push(bytes.subarray(start));
    return pieces;
  };
}

/** A small seeded generator of numbers in [0, 1): xorshift32 over a scrambled seed. */
function seeded(seed: number): () => number {
  let state = Math.imul((seed | 0) ^ 0x2545f491, 0x9e3779b1) || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}
