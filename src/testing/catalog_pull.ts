/**
 * A pull of a catalog model: the lines of {@link pullScript}, paced by the fake's tick and
 * speed, the blobs' bytes recorded as lines go out (so an interrupted pull resumes), the model
 * installed once `success` is sent; and the `repeat_stall` fault, which holds the stream on one
 * line the way a real Ollama shows a stuck registry.
 *
 * @module
 */

import type { FakeCatalogEntry, ResolvedLayer } from "./catalog.ts";
import type { RepeatStallFault } from "./faults.ts";
import type { FakeSettings } from "./fake_options.ts";
import type { LineSource } from "./pull_lines.ts";
import type { FakeModelName } from "./model_name.ts";
import type { CatalogItem, ModelStore } from "./model_store.ts";
import {
  iteratePullScript,
  type PullBlobState,
  type PullLine,
  type PullLineValue,
  type PullLineWait,
} from "./pull_script.ts";
import type { Waiter } from "./waiter.ts";

/** What a catalog pull needs. */
export interface CatalogPull {
  /** The entry, or `undefined` when the catalog has no such model. */
  item: CatalogItem | undefined;
  name: FakeModelName;
  store: ModelStore;
  settings: FakeSettings;
  waiter: Waiter;
  /** Whether the fake was closed (then nothing waits). */
  closed: () => boolean;
  /** The `backwards` fault. */
  backwards: boolean;
  /** The `repeat_stall` fault. */
  repeatStall: RepeatStallFault | undefined;
  /** The `success_not_listed` fault. */
  notListed: boolean;
}

/** Times a stalled line repeats in fast mode (no timers). */
const FAST_REPEATS = 3;

/** The lines of a catalog pull, with their waits done and their bookkeeping attached. */
export async function* catalogPullLines(pull: CatalogPull): LineSource {
  const { item, waiter } = pull;
  if (item === undefined) {
    yield { value: { status: "pulling manifest" } };
    yield { value: { error: "pull model manifest: file does not exist" } };
    return;
  }
  const script = iteratePullScript(item.entry, {
    alreadyHave: pull.store.liveBytes(),
    stepBytes: stepBytes(pull, item.layers),
    removeUnusedLayers: pull.settings.removeUnusedLayers,
    backwards: pull.backwards,
  });
  const lines = pull.repeatStall === undefined
    ? script
    : withRepeatStall(script, pull.repeatStall, item.entry, pull);
  for (const line of lines) {
    await waiter.sleep(waitMs(pull, line.wait));
    if (waiter.stopped !== undefined) return;
    yield { value: line.value, commit: () => commit(pull, line) };
  }
}

/** Bookkeeping once a line is sent: blob sizes, and the model installed on `success`. */
function commit(pull: CatalogPull, line: PullLine): void {
  const sizes = new Map(pull.item!.layers.map((layer) => [layer.digest, layer.size]));
  for (const blob of line.blobs) {
    pull.store.setBytes(blob.digest, blob.bytes, sizes.get(blob.digest));
  }
  if (line.value.status === "success" && !pull.notListed) {
    const { entry, layers } = pull.item!;
    pull.store.installCatalog(pull.name, entry, layers, new Date());
  }
}

function stepBytes(pull: CatalogPull, layers: readonly ResolvedLayer[]): number {
  const { tickMs, bytesPerSecond } = pull.settings;
  if (tickMs > 0 && !pull.closed()) {
    return Math.max(1, Math.round(bytesPerSecond * tickMs / 1000));
  }
  const largest = layers.reduce((max, layer) => Math.max(max, layer.size), 0);
  return Math.max(1, Math.ceil(largest / 4));
}

function waitMs(pull: CatalogPull, wait: PullLineWait): number {
  if (pull.closed()) return 0;
  if (wait === "tick") return pull.settings.tickMs;
  return wait === "verify" ? pull.settings.verifyMs : 0;
}

/** A line that goes out at once or a tick later, without bookkeeping. */
function plain(value: PullLineValue, wait: PullLineWait, blobs: PullBlobState[] = []): PullLine {
  return { value, wait, blobs };
}

/**
 * The script with the `repeat_stall` fault: after `fault.lines` lines, the current layer's line
 * again every tick, then what `fault.then` says.
 */
function* withRepeatStall(
  script: Generator<PullLine, void, undefined>,
  fault: RepeatStallFault,
  entry: FakeCatalogEntry,
  pull: CatalogPull,
): Generator<PullLine, void, undefined> {
  /** What each layer had on disk when the pull began (its first line's `completed`). */
  const started = new Map<string, number>();
  let sent = 0;
  let current: PullLineValue | undefined;
  for (let next = script.next(); !next.done; next = script.next()) {
    if (sent === fault.lines) {
      let peeked: PullLine | undefined = next.value;
      if (current === undefined || peeked.value.digest !== undefined) {
        // No byte of the coming layer yet: its line with `total` only.
        if (current === undefined || current.digest !== peeked.value.digest) {
          const { completed: _none, ...first } = peeked.value;
          if (first.digest !== undefined) {
            started.set(first.digest, peeked.value.completed ?? 0);
            current = first;
          }
        }
      }
      const repeats = pull.settings.tickMs > 0 && fault.ms !== undefined
        ? Math.max(1, Math.floor(fault.ms / pull.settings.tickMs))
        : pull.settings.tickMs > 0
        ? Infinity
        : FAST_REPEATS;
      const line = current ?? peeked.value;
      for (let i = 0; i < repeats; i++) yield plain(line, "tick");
      const then = fault.then ?? "resume";
      if (then === "deadline") return yield plain({ error: "context deadline exceeded" }, "none");
      if (then === "max_retries") {
        return yield plain({ error: "max retries exceeded: unexpected EOF" }, "none");
      }
      if (then === "restart" && line.digest !== undefined) {
        // The part starts over: skip the rest of this layer's lines and send it again.
        const digest = line.digest;
        const carried: PullBlobState[] = [];
        while (!next.done && next.value.value.digest === digest) {
          carried.push(...next.value.blobs.filter((blob) => blob.digest !== digest));
          next = script.next();
        }
        const left = yield* restartedLayer(entry, digest, started.get(digest) ?? 0, pull, carried);
        if (next.done) return;
        peeked = { ...next.value, blobs: [...left, ...next.value.blobs] };
      }
      sent++;
      yield peeked;
      current = peeked.value.digest !== undefined ? peeked.value : current;
      continue;
    }
    const value = next.value.value;
    if (value.digest !== undefined && !started.has(value.digest)) {
      started.set(value.digest, value.completed ?? 0);
    }
    if (value.digest !== undefined) current = value;
    sent++;
    yield next.value;
  }
}

/**
 * One layer's lines from `from` bytes again (the layer's lines of a one-layer script); returns
 * the bookkeeping still to do with the next line (a completion the layer's last line did not
 * show).
 */
function* restartedLayer(
  entry: FakeCatalogEntry,
  digest: string,
  from: number,
  pull: CatalogPull,
  carried: PullBlobState[],
): Generator<PullLine, PullBlobState[], undefined> {
  const index = pull.item!.layers.findIndex((layer) => layer.digest === digest);
  const layer = { ...entry.layers[index], digest, ending: pull.item!.layers[index].ending };
  const pending = [...carried];
  for (
    const line of iteratePullScript({ ...entry, layers: [layer] }, {
      alreadyHave: new Map([[digest, from]]),
      stepBytes: stepBytes(pull, pull.item!.layers),
    })
  ) {
    if (line.value.digest === digest) {
      yield { ...line, blobs: [...pending.splice(0), ...line.blobs] };
    } else pending.push(...line.blobs);
  }
  return pending;
}
