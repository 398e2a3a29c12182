/**
 * The line sources of a pull and how faults shape them into a response: a source yields the
 * objects of the stream (doing its own waiting); the stream counts them, interjects the faults'
 * extra lines, cut-offs and stalls, decorates texts, and encodes each line as Ollama does.
 *
 * @module
 */

import { CONTROL_CHARS, ERROR_AFTER_MESSAGE, MULTIBYTE_SUFFIX } from "./faults.ts";
import type { AppliedFaults } from "./fault_plan.ts";
import { encodePullLine, goJson, type PullLineValue } from "./pull_script.ts";
import {
  abandoned,
  type BodyItem,
  type Exchange,
  finish,
  NDJSON_TYPE,
  respond,
  streamed,
} from "./responses.ts";

/** One object of a pull stream, and the bookkeeping that becomes true once it is sent. */
export interface SourceLine {
  value: PullLineValue;
  commit?: () => void;
}

/** The objects of one pull, produced (and paced) by the pull itself. */
export type LineSource = AsyncGenerator<SourceLine, void, undefined>;

/** The phases a client keys on: decorating faults leave them alone. */
const KEY_PHASES = new Set([
  "verifying sha256 digest",
  "writing manifest",
  "removing unused layers",
  "success",
]);
const ENCODER = new TextEncoder();
const HUGE_SLICE = 64 * 1024;

/** A streamed pull (`stream` not false): `application/x-ndjson`, the source's lines, faults applied. */
export function streamPull(
  exchange: Exchange,
  faults: AppliedFaults,
  source: LineSource,
): Response {
  return streamed(exchange, 200, NDJSON_TYPE, pullBody(exchange, faults, source));
}

/**
 * A pull with `stream: false`: the whole pull, then one answer (`application/json`): the last
 * line with 200, or `{"error": ...}` with 500, as Ollama's `waitForStream` does.
 *
 * @param exchange The request.
 * @param faults Its faults (a stall never answers, a reset cuts the connection).
 * @param source The pull's lines.
 * @param watch Starts watching the client (only when there is something to wait for).
 */
export async function answerPull(
  exchange: Exchange,
  faults: AppliedFaults,
  source: LineSource,
  watch: () => void,
): Promise<Response> {
  let latest: PullLineValue = {};
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (let sent = 0;; sent++) {
      const end = faults.terminator;
      if (end !== undefined && end.lines === sent) {
        if (end.kind === "stall_after") {
          watch();
          await exchange.waiter.forever();
          return abandoned(exchange);
        }
        if (end.kind === "reset_after") {
          finish(exchange, "completed");
          throw new TypeError("fake Ollama: connection reset (reset_after fault)");
        }
        if (end.kind === "error_after") {
          return errorAnswer(
            exchange,
            decorate({ error: end.message ?? ERROR_AFTER_MESSAGE }, faults).error!,
          );
        }
        break;
      }
      const next = await iterator.next();
      if (exchange.waiter.stopped !== undefined) return abandoned(exchange);
      if (next.done) break;
      next.value.commit?.();
      const value = decorate(next.value.value, faults);
      if (value.error !== undefined) return errorAnswer(exchange, value.error);
      latest = value;
    }
  } finally {
    await iterator.return();
  }
  return respond(exchange, 200, "application/json", encodePullLine(latest).trimEnd());
}

function errorAnswer(exchange: Exchange, message: string): Response {
  return respond(exchange, 500, "application/json", goJson({ error: message }));
}

/** The bytes of a streamed pull: the source's lines, with the faults' interjections. */
async function* pullBody(
  exchange: Exchange,
  faults: AppliedFaults,
  source: LineSource,
): AsyncGenerator<BodyItem, void, undefined> {
  let sent = 0;
  let notJsonDone = false;
  let hugeDone = false;
  /** The faults due after `sent` lines; true when the stream ends there. */
  const interjections = function* (): Generator<BodyItem, boolean, undefined> {
    if (faults.notJson && !notJsonDone && faults.notJson.afterLines === sent) {
      notJsonDone = true;
      yield ENCODER.encode(`${faults.notJson.line}\n`);
    }
    if (faults.huge && !hugeDone && faults.huge.afterLines === sent) {
      hugeDone = true;
      const bytes = ENCODER.encode(`${hugeLine(faults.huge.bytes)}\n`);
      for (let at = 0; at < bytes.length; at += HUGE_SLICE) {
        yield bytes.subarray(at, at + HUGE_SLICE);
      }
    }
    const end = faults.terminator;
    if (end === undefined || end.lines !== sent) return false;
    if (end.kind === "stall_after") yield "stall";
    if (end.kind === "reset_after") yield "reset";
    if (end.kind === "error_after") {
      const error = end.message ?? ERROR_AFTER_MESSAGE;
      yield ENCODER.encode(encodePullLine(decorate({ error }, faults)));
    }
    return true;
  };
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (yield* interjections()) return;
      const next = await iterator.next();
      if (exchange.waiter.stopped !== undefined || next.done) break;
      next.value.commit?.();
      const value = decorate(next.value.value, faults);
      yield ENCODER.encode(encodePullLine(value));
      sent++;
      if (value.error !== undefined) return;
    }
    if (exchange.waiter.stopped === undefined) yield* interjections();
  } finally {
    await iterator.return();
  }
}

/** A line as the faults change it: texts decorated, `total` left out. */
function decorate(value: PullLineValue, faults: AppliedFaults): PullLineValue {
  const out = { ...value };
  if (out.status !== undefined && !KEY_PHASES.has(out.status)) {
    if (faults.chunking?.kind === "split_chunks") out.status += MULTIBYTE_SUFFIX;
    if (faults.controlChars) out.status += CONTROL_CHARS;
  }
  if (out.error !== undefined && faults.controlChars) out.error += CONTROL_CHARS;
  if (faults.noTotal && out.digest !== undefined) delete out.total;
  return out;
}

/** One valid JSON line of `bytes` bytes. */
function hugeLine(bytes: number): string {
  const frame = '{"status":""}';
  return `{"status":"${"x".repeat(Math.max(0, bytes - frame.length))}"}`;
}
