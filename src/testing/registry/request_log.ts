/**
 * What the fake registry records about each request it received.
 *
 * @module
 */

import type { RegistryEndpoint, RegistryFault } from "./faults.ts";

/**
 * How a request to the fake registry ended:
 * - `"pending"`: its body is still being sent (or stalled);
 * - `"completed"`: answered in full;
 * - `"client_gone"`: the client went away before the whole body was sent;
 * - `"cut"`: a `cut` fault broke the connection off;
 * - `"closed"`: the registry was closed while the body was still being sent.
 *
 * @example
 * ```ts
 * import type { RegistryRequestOutcome } from "@vtcode/ollama/testing";
 *
 * const outcome: RegistryRequestOutcome = "client_gone";
 * ```
 */
export type RegistryRequestOutcome = "pending" | "completed" | "client_gone" | "cut" | "closed";

/**
 * One request the fake registry received (a snapshot; see `FakeRegistry.requests()`).
 *
 * @example
 * ```ts
 * import { FakeRegistry } from "@vtcode/ollama/testing";
 *
 * const registry = new FakeRegistry();
 * await registry.handler(new Request("http://127.0.0.1:5000/v2/library/tiny/manifests/latest"));
 * const [record] = registry.requests();
 * record.endpoint; // "manifest"
 * record.status; // 200
 * ```
 */
export interface RegistryRequestRecord {
  /** The HTTP method. */
  readonly method: string;
  /** The URL's path, e.g. `/v2/library/tiny/blobs/sha256:...`. */
  readonly path: string;
  /** The `Host` the client used, e.g. `localhost:5000` for a data URL. */
  readonly host: string;
  /** Which endpoint it hit. */
  readonly endpoint: RegistryEndpoint;
  /** `namespace/model`, when the path names one. */
  readonly repository: string | undefined;
  /** The tag (manifests) or digest (blobs and data), when the path names one. */
  readonly reference: string | undefined;
  /** The `Range` header as sent, e.g. `bytes=0-2097151`. */
  readonly range: string | undefined;
  /** The `User-Agent` header as sent. */
  readonly userAgent: string | undefined;
  /** The status answered. */
  readonly status: number;
  /** Body bytes sent so far. */
  readonly bytesSent: number;
  /** How it ended, so far. */
  readonly outcome: RegistryRequestOutcome;
  /** Whether the client went away before the whole body was sent. */
  readonly clientGone: boolean;
  /** The kind of the injected fault that shaped the answer, if any. */
  readonly fault: RegistryFault["kind"] | undefined;
  /** When the request arrived. */
  readonly startedAt: Date;
  /** When its answer ended (the body sent, cut or abandoned); `undefined` while pending. */
  readonly endedAt: Date | undefined;
}

/** The mutable record behind a snapshot. */
export type RegistryRequestState = {
  -readonly [K in keyof RegistryRequestRecord]: RegistryRequestRecord[K];
};
