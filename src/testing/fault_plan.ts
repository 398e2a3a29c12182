/**
 * How injected faults meet requests: which fault can change which request, how faults of one
 * kind of effect exclude each other, which ones a request takes (and so spends), and what they
 * add up to for that request.
 *
 * @module
 */

import type {
  CloseAfterFault,
  ErrorAfterFault,
  ResetAfterFault,
  StallAfterFault,
} from "./faults.ts";
import {
  type FakeFault,
  type FakeFaultKind,
  type FakeFaultSelect,
  NOT_JSON_LINE,
  type RepeatStallFault,
} from "./faults.ts";
import { modelKey } from "./model_name.ts";

/** How faults combine: at most one fault of each group applies to a request. */
type FaultGroup = "response" | "terminator" | "chunking" | FakeFaultKind;

/** Where a pull's layers come from: the catalog (simulated) or a registry (fetched). */
export type PullKind = "catalog" | "registry";

/** What a request is, for fault selection. */
export interface FaultTarget {
  method: string;
  path: string;
  /** The key of the model the body names, if any. */
  model: string | undefined;
  /** For a pull: where its layers come from (`undefined` when it fails before pulling). */
  pull: PullKind | undefined;
}

/** The faults applied to one request, at most one per group. */
export interface AppliedFaults {
  response?: FakeFault;
  terminator?: StallAfterFault | CloseAfterFault | ResetAfterFault | ErrorAfterFault;
  chunking?: FakeFault;
  notJson?: { afterLines: number; line: string };
  huge?: { afterLines: number; bytes: number };
  repeatStall?: RepeatStallFault;
  backwards: boolean;
  noTotal: boolean;
  controlChars: boolean;
  v1Null: boolean;
  notListed: boolean;
}

interface FaultSlot {
  fault: FakeFault;
  model: string | undefined;
  path: string | undefined;
  remaining: number | undefined;
}

/** The JSON routes and their methods, where `wrong_shape` applies. */
const JSON_ROUTES: Readonly<Record<string, string>> = {
  "/api/version": "GET",
  "/api/tags": "GET",
  "/api/ps": "GET",
  "/v1/models": "GET",
  "/api/show": "POST",
  "/api/pull": "POST",
};

/**
 * The group of a fault kind: the faults that replace the whole response, those that end a pull
 * stream early, those that re-chunk the body; every other kind is its own group.
 */
function faultGroup(kind: FakeFaultKind): FaultGroup {
  switch (kind) {
    case "hang":
    case "headers_then_silence":
    case "http_error":
    case "html":
    case "plain_text":
    case "wrong_shape":
      return "response";
    case "stall_after":
    case "repeat_stall":
    case "close_after":
    case "reset_after":
    case "error_after":
      return "terminator";
    case "split_chunks":
    case "trickle":
      return "chunking";
    default:
      return kind;
  }
}

/** Whether a fault can change what a request gets, whatever its selection. */
function faultApplies(fault: FakeFault, target: FaultTarget): boolean {
  const { method, path } = target;
  const pull = method === "POST" && path === "/api/pull";
  switch (fault.kind) {
    case "hang":
    case "headers_then_silence":
    case "http_error":
    case "html":
    case "plain_text":
    case "split_chunks":
    case "trickle":
      return true;
    case "wrong_shape":
      return JSON_ROUTES[path] === method && (fault.path === undefined || fault.path === path);
    case "v1_models_null":
      return method === "GET" && path === "/v1/models";
    case "control_chars":
      return pull || path === "/api/show" || path === "/api/delete";
    case "repeat_stall":
    case "backwards":
      return pull && target.pull === "catalog";
    default:
      return pull;
  }
}

/** The injected faults, in order; each request takes those that apply to it. */
export class FaultBook {
  #slots: FaultSlot[] = [];

  /** Adds a fault. */
  inject(fault: FakeFault, select: FakeFaultSelect): void {
    if (select.times !== undefined && (!Number.isSafeInteger(select.times) || select.times < 1)) {
      throw new RangeError("times must be a whole number >= 1");
    }
    this.#slots.push({
      fault,
      model: select.model === undefined ? undefined : modelKey(select.model),
      path: select.path,
      remaining: select.times,
    });
  }

  /** Removes every fault. */
  clear(): void {
    this.#slots = [];
  }

  /** Takes (and spends) the faults that apply to a request. */
  take(target: FaultTarget): { applied: AppliedFaults; kinds: FakeFaultKind[] } {
    const applied: AppliedFaults = {
      backwards: false,
      noTotal: false,
      controlChars: false,
      v1Null: false,
      notListed: false,
    };
    const kinds: FakeFaultKind[] = [];
    const taken = new Set<string>();
    // A fault replacing the whole response makes the pull-stream faults moot: look for it first.
    const candidates = this.#slots.filter((slot) =>
      faultApplies(slot.fault, target) &&
      (slot.path === undefined || slot.path === target.path) &&
      (slot.model === undefined || slot.model === target.model)
    );
    const replaced = candidates.some((slot) => faultGroup(slot.fault.kind) === "response");
    for (const slot of candidates) {
      const group = faultGroup(slot.fault.kind);
      if (taken.has(group)) continue;
      if (replaced && !["response", "chunking", "control_chars"].includes(group)) continue;
      taken.add(group);
      kinds.push(slot.fault.kind);
      if (slot.remaining !== undefined) slot.remaining--;
      record(applied, slot.fault, group);
    }
    this.#slots = this.#slots.filter((slot) => slot.remaining === undefined || slot.remaining > 0);
    return { applied, kinds };
  }
}

function record(applied: AppliedFaults, fault: FakeFault, group: FaultGroup): void {
  switch (fault.kind) {
    case "not_json_line":
      applied.notJson = { afterLines: fault.afterLines, line: fault.line ?? NOT_JSON_LINE };
      return;
    case "huge_line":
      applied.huge = { afterLines: fault.afterLines, bytes: fault.bytes };
      return;
    case "backwards":
      applied.backwards = true;
      return;
    case "no_total":
      applied.noTotal = true;
      return;
    case "control_chars":
      applied.controlChars = true;
      return;
    case "v1_models_null":
      applied.v1Null = true;
      return;
    case "success_not_listed":
      applied.notListed = true;
      return;
    case "repeat_stall":
      applied.repeatStall = fault;
      return;
    case "stall_after":
    case "close_after":
    case "reset_after":
    case "error_after":
      applied.terminator = fault;
      return;
  }
  if (group === "response") applied.response = fault;
  else applied.chunking = fault;
}
