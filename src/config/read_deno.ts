/**
 * Reading a config file with Deno's own file API. Deno pays 10-25 ms of start-up for the first
 * `node:` built-in a process loads (measured by `bench/startup.ts`), most of what a `check`
 * takes, so under Deno the loader never touches `node:fs`.
 *
 * Internal to the config modules; not part of the package's API.
 *
 * @module
 */

import { type ConfigFileReader, errorCode, joinPath, kindOfFile, readAtMost } from "./file.ts";
import type { ReadOutcome } from "./file.ts";

/** The part of `Deno.FileInfo` the reader looks at (the device flags are `null` on Windows). */
interface DenoFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
  isFifo?: boolean | null;
  isCharDevice?: boolean | null;
  isBlockDevice?: boolean | null;
  isSocket?: boolean | null;
}

/** The part of `Deno.FsFile` the reader uses. */
interface DenoFile {
  read(buffer: Uint8Array): Promise<number | null>;
  stat(): Promise<DenoFileInfo>;
  close(): void;
}

/** The part of the `Deno` namespace the reader uses. */
export interface DenoFileApi {
  stat(path: string): Promise<DenoFileInfo>;
  open(path: string, options: { read: true }): Promise<DenoFile>;
  cwd(): string;
  errors: {
    NotFound: new (...args: never[]) => Error;
    NotADirectory?: new (...args: never[]) => Error;
    NotCapable?: new (...args: never[]) => Error;
    PermissionDenied: new (...args: never[]) => Error;
  };
}

/** The `Deno` namespace, when this is Deno. */
export function denoFileApi(): DenoFileApi | undefined {
  return (globalThis as { Deno?: DenoFileApi }).Deno;
}

/** A reader on Deno's file API. */
export function denoReader(deno: DenoFileApi): ConfigFileReader {
  return {
    read: (path, maxBytes) => read(deno, path, maxBytes),
    absolute: (path) => joinPath(deno.cwd(), path),
  };
}

async function read(deno: DenoFileApi, path: string, maxBytes: number): Promise<ReadOutcome> {
  let info: DenoFileInfo;
  try {
    info = await deno.stat(path);
  } catch (error) {
    return failure(deno, error);
  }
  if (!info.isFile) return notRegular(info);
  if (info.size > maxBytes) return { kind: "too-large" };
  let file: DenoFile;
  try {
    file = await deno.open(path, { read: true });
  } catch (error) {
    return failure(deno, error);
  }
  try {
    // The path could have been replaced between stat and open; look at what was opened.
    const opened = await file.stat();
    if (!opened.isFile) return notRegular(opened);
    const bytes = await readAtMost(async (buffer) => (await file.read(buffer)) ?? 0, maxBytes);
    return bytes === "too-large" ? { kind: "too-large" } : { kind: "bytes", bytes };
  } catch (error) {
    return failure(deno, error);
  } finally {
    try {
      file.close();
    } catch {
      // Already closed; nothing to release.
    }
  }
}

function notRegular(info: DenoFileInfo): ReadOutcome {
  return {
    kind: "not-regular",
    what: kindOfFile({
      directory: info.isDirectory,
      fifo: info.isFifo,
      charDevice: info.isCharDevice,
      blockDevice: info.isBlockDevice,
      socket: info.isSocket,
    }),
  };
}

function failure(deno: DenoFileApi, error: unknown): ReadOutcome {
  const { errors } = deno;
  if (error instanceof errors.NotFound) return { kind: "missing", cause: error };
  if (errors.NotADirectory !== undefined && error instanceof errors.NotADirectory) {
    return { kind: "missing", cause: error };
  }
  // Deno 2 says NotCapable when its sandbox refuses; Deno 1 said PermissionDenied for both.
  if (errors.NotCapable !== undefined && error instanceof errors.NotCapable) {
    return { kind: "not-allowed", cause: error };
  }
  const code = errorCode(error);
  if (error instanceof errors.PermissionDenied) {
    if (code === undefined && /--allow-read/.test(error.message)) {
      return { kind: "not-allowed", cause: error };
    }
    return { kind: "failed", cause: error, code: code ?? "EACCES" };
  }
  if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing", cause: error };
  return { kind: "failed", cause: error, code };
}
