/**
 * What the fake server remembers of each request it received, and how its answer ended.
 *
 * @module
 */

import type { FakeFaultKind } from "./faults.ts";

/**
 * What happened to a recorded request:
 * - `"pending"`: the response (or its body) is not finished yet;
 * - `"completed"`: the server sent all it meant to send (including a fault that ends, cuts or
 *   errors the response);
 * - `"client_gone"`: the client disconnected or cancelled before the body was finished;
 * - `"closed"`: {@link FakeOllama.close} ended it (a hang or a stall still waiting).
 *
 * @example
 * ```ts
 * import type { FakeRequestOutcome } from "@vtcode/ollama/testing";
 *
 * const outcome: FakeRequestOutcome = "client_gone";
 * ```
 */
export type FakeRequestOutcome = "pending" | "completed" | "client_gone" | "closed";

/**
 * A request the fake received. `outcome` and `status` change while the response goes out.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * const fake = new FakeOllama({ tickMs: 0 });
 * await (await fake.fetch("http://ollama.test/api/version")).text();
 * const [record] = fake.requests;
 * record.method; // "GET"
 * record.path; // "/api/version"
 * record.outcome; // "completed"
 * ```
 */
export interface FakeRequestRecord {
  /** The method, uppercase. */
  readonly method: string;
  /** The URL path, e.g. `/api/pull`. */
  readonly path: string;
  /** The query parameters (the last value of a repeated one). */
  readonly query: Readonly<Record<string, string>>;
  /** The headers, names lowercased, nothing redacted. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body: parsed when it is JSON, else the text, `undefined` when empty. */
  readonly body: unknown;
  /** When the request arrived. */
  readonly startedAt: Date;
  /** What happened to it. */
  readonly outcome: FakeRequestOutcome;
  /** The status answered, once headers went out. */
  readonly status: number | undefined;
  /** The kinds of the faults applied to it. */
  readonly faults: readonly FakeFaultKind[];
}

/** The mutable record behind {@link FakeRequestRecord}. */
export type RequestRecordState =
  & {
    -readonly [K in keyof FakeRequestRecord]: FakeRequestRecord[K];
  }
  & { faults: FakeFaultKind[] };

/** A new record of a request whose body text is `text`. */
export function newRecord(request: Request, url: URL, text: string): RequestRecordState {
  return {
    method: request.method.toUpperCase(),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(request.headers),
    body: parseBody(text),
    startedAt: new Date(),
    outcome: "pending",
    status: undefined,
    faults: [],
  };
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
