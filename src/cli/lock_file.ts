/**
 * The lock file on disk: where it is (`--lock`, else `ollama.lock` beside the config file in
 * use, else in the working directory), reading it for `--locked`, and writing it for
 * `--write-lock` atomically: a temporary file in the same directory, then a rename, so that a
 * reader (or a crash) never sees half a lock. Under Deno with Deno's own file API, elsewhere with
 * `node:fs`. Reading goes through the config file readers (bounded, never blocking on a FIFO).
 *
 * @module
 */

import { type ConfigFileReader, joinPath, type ReadOutcome } from "../config/file.ts";
import { denoFileApi, denoReader } from "../config/read_deno.ts";
import { DEFAULT_LOCK_FILE, type OllamaLock, parseLock } from "../ensure/lock.ts";
import { ConfigError } from "../errors/config_error.ts";
import { OllamaError } from "../errors/ollama_error.ts";
import { PermissionDeniedError } from "../errors/permission_error.ts";
import { sanitizeText } from "../sanitize.ts";

/** A lock is a few lines per model; anything larger is not one. */
const MAX_LOCK_BYTES = 1024 * 1024;

/** Where the lock file is. */
export interface LockLocation {
  /** The path to read and write (taken from the working directory when relative). */
  path: string;
  /** The path as the user knows it, for messages. */
  shown: string;
}

/**
 * Where the lock file is.
 *
 * @param given `--lock`, when given.
 * @param configSource The config file in use, `undefined` for the built-in defaults.
 * @param cwd The working directory, when the CLI was given one.
 * @returns The location.
 */
export function lockLocation(
  given: string | undefined,
  configSource: string | undefined,
  cwd: string | undefined,
): LockLocation {
  const shown = given ??
    (configSource === undefined
      ? DEFAULT_LOCK_FILE
      : joinPath(directoryOf(configSource), DEFAULT_LOCK_FILE));
  return { path: cwd === undefined ? shown : joinPath(cwd, shown), shown };
}

/**
 * Reads and parses the lock file.
 *
 * @param location Where it is.
 * @returns The lock, or `undefined` when there is no file there.
 * @throws {ConfigError} When it cannot be read, or is not a lock (the message names the line).
 * @throws {PermissionDeniedError} When the runtime refused to read it (names the Deno flag).
 */
export async function readLockFile(location: LockLocation): Promise<OllamaLock | undefined> {
  const reader = await runtimeReader();
  const outcome = await reader.read(location.path, MAX_LOCK_BYTES);
  if (outcome.kind === "missing") return undefined;
  if (outcome.kind !== "bytes") throw readFailure(location, outcome);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(outcome.bytes);
  } catch {
    throw new ConfigError(`${location.shown}: not UTF-8 text; is it a lock file?`, {
      source: location.shown,
    });
  }
  return parseLock(text, location.shown);
}

/**
 * Writes the lock file atomically: a temporary file beside it, then a rename over it.
 *
 * @param location Where it goes.
 * @param text The lock's text (`formatLock`).
 * @throws {PermissionDeniedError} When the runtime refused (names the Deno flag for the directory).
 * @throws {OllamaError} (code `config`) When the system refused (the reason and the path).
 */
export async function writeLockFile(location: LockLocation, text: string): Promise<void> {
  const directory = directoryOf(location.path);
  const temporary = joinPath(
    directory,
    `.${baseName(location.path)}.${crypto.randomUUID().slice(0, 8)}.tmp`,
  );
  const files = await runtimeWriter();
  try {
    await files.write(temporary, text);
    await files.rename(temporary, location.path);
  } catch (error) {
    await files.remove(temporary).catch(() => {});
    if (files.notAllowed(error)) {
      // The temporary file is written beside the lock: the whole directory must be writable.
      throw new PermissionDeniedError("write", directoryOf(location.path), {
        cause: error instanceof Error ? error : undefined,
      });
    }
    const code = (error as { code?: unknown } | null)?.code;
    const reason = error instanceof Error ? sanitizeText(error.message, { maxLength: 200 }) : "";
    throw new OllamaError(
      "config",
      `--write-lock: cannot write ${location.shown}: ${reason || "unknown error"}` +
        `${typeof code === "string" && !reason.includes(code) ? ` (${code})` : ""}; ` +
        "make its directory writable, or give another path with --lock",
      { cause: error instanceof Error ? error : undefined },
    );
  }
}

function readFailure(
  location: LockLocation,
  outcome: Exclude<ReadOutcome, { kind: "bytes" | "missing" }>,
): OllamaError {
  const { shown } = location;
  switch (outcome.kind) {
    case "not-allowed":
      return new PermissionDeniedError("read", shown, {
        cause: outcome.cause instanceof Error ? outcome.cause : undefined,
      });
    case "not-regular":
      return new ConfigError(`${shown}: the lock file is ${outcome.what}, not a file`, {
        source: shown,
      });
    case "too-large":
      return new ConfigError(`${shown}: larger than 1 MiB; is it the lock file?`, {
        source: shown,
      });
    case "failed": {
      const reason = outcome.cause instanceof Error
        ? sanitizeText(outcome.cause.message, { maxLength: 200 })
        : outcome.code ?? "unknown error";
      return new ConfigError(`${shown}: cannot read the lock file: ${reason}`, { source: shown });
    }
  }
}

/** The directory of a path (`.` for a bare name). */
function directoryOf(path: string): string {
  const at = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (at < 0) return ".";
  return at === 0 ? path.slice(0, 1) : path.slice(0, at);
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

async function runtimeReader(): Promise<ConfigFileReader> {
  const deno = denoFileApi();
  if (deno !== undefined) return denoReader(deno);
  return (await import("../config/read_node.ts")).nodeReader;
}

/** What writing the lock needs from the runtime. */
interface LockWriter {
  write(path: string, text: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** The runtime's sandbox refused (Deno's `NotCapable`). */
  notAllowed(error: unknown): boolean;
}

/** The part of the `Deno` namespace the writer uses. */
interface DenoWriteApi {
  writeTextFile(path: string, text: string, options: { createNew: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  errors: { NotCapable?: new (...args: never[]) => Error };
}

async function runtimeWriter(): Promise<LockWriter> {
  const deno = (globalThis as { Deno?: DenoWriteApi }).Deno;
  if (deno !== undefined) {
    return {
      write: (path, text) => deno.writeTextFile(path, text, { createNew: true }),
      rename: (from, to) => deno.rename(from, to),
      remove: (path) => deno.remove(path),
      notAllowed: (error) =>
        deno.errors.NotCapable !== undefined && error instanceof deno.errors.NotCapable,
    };
  }
  const fs = await import("node:fs/promises");
  return {
    write: (path, text) => fs.writeFile(path, text, { flag: "wx" }),
    rename: (from, to) => fs.rename(from, to),
    remove: (path) => fs.rm(path, { force: true }),
    notAllowed: () => false,
  };
}
