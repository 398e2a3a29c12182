/**
 * The faults a {@link FakeRegistry} can inject, and how one is picked for a request.
 *
 * @module
 */

import { registryReference } from "./models.ts";

/**
 * Which of the registry's endpoints a request hit:
 * - `"manifest"`: `GET|HEAD /v2/<ns>/<model>/manifests/<tag>`;
 * - `"blob"`: `HEAD|GET /v2/<ns>/<model>/blobs/<digest>` (the size, and the redirect);
 * - `"data"`: the data URL the redirect points at (the bytes, with `Range`);
 * - `"other"`: anything else (`/v2/`, unknown paths).
 *
 * @example
 * ```ts
 * import type { RegistryEndpoint } from "@vtcode/ollama/testing";
 *
 * const endpoint: RegistryEndpoint = "data";
 * ```
 */
export type RegistryEndpoint = "manifest" | "blob" | "data" | "other";

/**
 * What every fault may narrow itself to. A fault with `times` applies to that many matching
 * requests and is then used up; without it, it applies to every matching request.
 *
 * @example
 * ```ts
 * import type { RegistryFaultScope } from "@vtcode/ollama/testing";
 *
 * const scope: RegistryFaultScope = { model: "tiny", times: 1 };
 * ```
 */
export interface RegistryFaultScope {
  /** Only requests for this model (`tiny`, `library/tiny`, `me/m`; a tag narrows manifests only). */
  model?: string;
  /** Only requests for this blob (`sha256:<hex>`); blob and data requests only. */
  digest?: string;
  /** How many matching requests it applies to. Default: all of them. */
  times?: number;
}

/**
 * The endpoint answers `status` with `body` (default: a registry-style JSON error). On
 * `"data"` the status is sent instead of the bytes.
 *
 * @example
 * ```ts
 * import type { RegistryStatusFault } from "@vtcode/ollama/testing";
 *
 * const fault: RegistryStatusFault = { kind: "status", endpoint: "manifest", status: 503, times: 1 };
 * ```
 */
export interface RegistryStatusFault extends RegistryFaultScope {
  /** The fault's kind. */
  kind: "status";
  /** Which endpoint fails. */
  endpoint: Exclude<RegistryEndpoint, "other">;
  /** Only requests with this method (e.g. the blob `GET` but not its `HEAD`). Default: any. */
  method?: "GET" | "HEAD";
  /** The HTTP status, e.g. 500 or 503. */
  status: number;
  /** The body (text). Default: `{"errors":[{"code":"UNAVAILABLE","message":...}]}`. */
  body?: string;
}

/**
 * The manifest answers 412 with the text the real registry sends to a server too old for the
 * model ({@link NEWER_VERSION_TEXT}).
 *
 * @example
 * ```ts
 * import type { RegistryNewerVersionFault } from "@vtcode/ollama/testing";
 *
 * const fault: RegistryNewerVersionFault = { kind: "newer_version", model: "tiny" };
 * ```
 */
export interface RegistryNewerVersionFault extends RegistryFaultScope {
  /** The fault's kind. */
  kind: "newer_version";
}

/**
 * A data request falls silent when it reaches blob offset `at` (for `ms`, or for good), the
 * connection staying open. A part restarted at or after `at` by a later request is silent from
 * its first byte while the fault lasts.
 *
 * @example
 * ```ts
 * import type { RegistryStallFault } from "@vtcode/ollama/testing";
 *
 * const fault: RegistryStallFault = { kind: "stall", at: 1024 * 1024, ms: 8000, times: 1 };
 * ```
 */
export interface RegistryStallFault extends RegistryFaultScope {
  /** The fault's kind. */
  kind: "stall";
  /** The blob offset (bytes from the blob's start) where the silence begins. */
  at: number;
  /** How long, in ms. Default: until the client goes away or the registry closes. */
  ms?: number;
}

/**
 * A data request breaks off (the connection is cut, no more bytes) when it reaches blob offset
 * `at`.
 *
 * @example
 * ```ts
 * import type { RegistryCutFault } from "@vtcode/ollama/testing";
 *
 * const fault: RegistryCutFault = { kind: "cut", at: 512 * 1024, times: 1 };
 * ```
 */
export interface RegistryCutFault extends RegistryFaultScope {
  /** The fault's kind. */
  kind: "cut";
  /** The blob offset where the connection is cut. */
  at: number;
}

/**
 * The blob `GET` answers 200 with the bytes and no `Location` (a registry that does not
 * redirect; Ollama fails with `http: no Location header in response`).
 *
 * @example
 * ```ts
 * import type { RegistryNoLocationFault } from "@vtcode/ollama/testing";
 *
 * const fault: RegistryNoLocationFault = { kind: "no_location" };
 * ```
 */
export interface RegistryNoLocationFault extends RegistryFaultScope {
  /** The fault's kind. */
  kind: "no_location";
}

/**
 * A fault the {@link FakeRegistry} can inject.
 *
 * @example
 * ```ts
 * import type { RegistryFault } from "@vtcode/ollama/testing";
 *
 * const faults: RegistryFault[] = [
 *   { kind: "status", endpoint: "blob", status: 500, times: 1 },
 *   { kind: "cut", at: 1024, times: 1 },
 * ];
 * ```
 */
export type RegistryFault =
  | RegistryStatusFault
  | RegistryNewerVersionFault
  | RegistryStallFault
  | RegistryCutFault
  | RegistryNoLocationFault;

/**
 * The body the real registry sends with 412 to a server too old for a model. Ollama passes it on
 * as `pull model manifest: 412: <this text>`.
 *
 * @example
 * ```ts
 * import { NEWER_VERSION_TEXT } from "@vtcode/ollama/testing";
 *
 * NEWER_VERSION_TEXT.includes("requires a newer version of Ollama"); // true
 * ```
 */
export const NEWER_VERSION_TEXT: string =
  "\nThe model you are attempting to pull requires a newer version of Ollama.\n\n" +
  "Please download the latest version at:\n\n\thttps://ollama.com/download\n";

/** The endpoints a fault kind applies to. */
export function faultEndpoints(fault: RegistryFault): readonly RegistryEndpoint[] {
  switch (fault.kind) {
    case "status":
      return [fault.endpoint];
    case "newer_version":
      return ["manifest"];
    case "stall":
    case "cut":
      return ["data"];
    case "no_location":
      return ["blob"];
  }
}

/** What a request is about, for matching faults. */
export interface FaultTarget {
  endpoint: RegistryEndpoint;
  method: string;
  repository?: string;
  tag?: string;
  digest?: string;
}

/**
 * The injected faults, in order; the first that matches a request applies and uses up one of
 * its `times`.
 */
export class FaultList {
  readonly #faults: { fault: RegistryFault; left: number }[] = [];

  add(fault: RegistryFault): void {
    if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1)) {
      throw new TypeError(`a fault's times must be a whole number >= 1, got ${fault.times}`);
    }
    this.#faults.push({ fault, left: fault.times ?? Infinity });
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** Takes the first fault that matches, counting it; `undefined` when none does. */
  take(target: FaultTarget, accepts: (fault: RegistryFault) => boolean = () => true) {
    const index = this.#faults.findIndex(({ fault }) =>
      faultEndpoints(fault).includes(target.endpoint) && matches(fault, target) && accepts(fault)
    );
    if (index < 0) return undefined;
    const entry = this.#faults[index];
    entry.left -= 1;
    if (entry.left <= 0) this.#faults.splice(index, 1);
    return entry.fault;
  }
}

function matches(fault: RegistryFault, target: FaultTarget): boolean {
  if (fault.kind === "status" && fault.method !== undefined && fault.method !== target.method) {
    return false;
  }
  if (fault.digest !== undefined && fault.digest.toLowerCase() !== target.digest) return false;
  if (fault.model === undefined) return true;
  const { repository, tag } = registryReference(fault.model);
  if (repository !== target.repository) return false;
  const tagged = fault.model.lastIndexOf(":") > fault.model.lastIndexOf("/");
  return !tagged || target.endpoint !== "manifest" || tag === target.tag;
}
