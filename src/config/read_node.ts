/**
 * Reading a config file with `node:fs`, which Node and Bun both provide. `load.ts` imports this
 * module only where there is no `Deno`, so Deno never loads `node:fs` for a config file.
 *
 * Internal to the config modules; not part of the package's API.
 *
 * @module
 */

import { constants } from "node:fs";
import { open, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { type ConfigFileReader, errorCode, kindOfFile, readAtMost } from "./file.ts";
import type { ReadOutcome } from "./file.ts";

/** A reader on `node:fs/promises`. */
export const nodeReader: ConfigFileReader = {
  read,
  absolute: (path) => resolve(path),
};

/** What `stat` gives, in the part the reader looks at. */
interface NodeStats {
  size: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}

async function read(path: string, maxBytes: number): Promise<ReadOutcome> {
  let info: NodeStats;
  try {
    info = await stat(path);
  } catch (error) {
    return failure(error);
  }
  if (!info.isFile()) return notRegular(info);
  if (info.size > maxBytes) return { kind: "too-large" };
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the stat, opening it still returns
    // at once (and the fstat below rejects it). It changes nothing for a regular file.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return failure(error);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return notRegular(opened);
    const bytes = await readAtMost(
      async (buffer) => (await handle.read(buffer, 0, buffer.length, null)).bytesRead,
      maxBytes,
    );
    return bytes === "too-large" ? { kind: "too-large" } : { kind: "bytes", bytes };
  } catch (error) {
    return failure(error);
  } finally {
    await handle.close().catch(() => {});
  }
}

function notRegular(info: NodeStats): ReadOutcome {
  return {
    kind: "not-regular",
    what: kindOfFile({
      directory: info.isDirectory(),
      fifo: info.isFIFO(),
      charDevice: info.isCharacterDevice(),
      blockDevice: info.isBlockDevice(),
      socket: info.isSocket(),
    }),
  };
}

function failure(error: unknown): ReadOutcome {
  const code = errorCode(error);
  if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing", cause: error };
  if (code === "EISDIR") return { kind: "not-regular", what: "a directory" };
  return { kind: "failed", cause: error, code };
}
