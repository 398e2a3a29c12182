/**
 * Loading the configuration from a file: the only part of the config modules that does I/O.
 *
 * It never waits on what it reads: the path is looked at before it is opened, and a FIFO, a
 * device, a socket or a directory is a {@link ConfigError} at once; every read is bounded (1 MiB).
 * Under Deno it uses Deno's own file API, elsewhere `node:fs` (Node, Bun). The TOML parser is
 * loaded only once there is a file to parse, so a run without a config file does not pay for it.
 *
 * @module
 */

import { ConfigError } from "../errors/config_error.ts";
import { UsageError } from "../errors/usage_error.ts";
import { sanitizeText } from "../sanitize.ts";
import { describeValue } from "./describe.ts";
import { type ConfigFileReader, joinPath, type ReadOutcome } from "./file.ts";
import type { ParsedOllamaConfig } from "./parse.ts";
import { denoFileApi, denoReader } from "./read_deno.ts";
import { defaultConfig } from "./schema.ts";

/**
 * The file {@link loadOllamaConfig} reads from the working directory when no path is given.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONFIG_FILE } from "@vtcode/ollama";
 *
 * DEFAULT_CONFIG_FILE; // "vtcode.toml"
 * ```
 */
export const DEFAULT_CONFIG_FILE = "vtcode.toml";

/**
 * The largest config file {@link loadOllamaConfig} reads, in bytes (1 MiB).
 *
 * @example
 * ```ts
 * import { MAX_CONFIG_BYTES } from "@vtcode/ollama";
 *
 * MAX_CONFIG_BYTES; // 1048576
 * ```
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Where {@link loadOllamaConfig} looks.
 *
 * @example
 * ```ts
 * import { loadOllamaConfig, type LoadOllamaConfigOptions } from "@vtcode/ollama";
 *
 * const options: LoadOllamaConfigOptions = { path: "vtcode.toml" };
 * await loadOllamaConfig(options).catch(() => undefined);
 * ```
 */
export interface LoadOllamaConfigOptions {
  /**
   * A file to read (the command line's `--config`). Relative paths are taken from `cwd`. When
   * the file does not exist, that is a {@link ConfigError}.
   */
  path?: string;
  /**
   * The directory that holds `vtcode.toml` and that relative paths start from. Default: the
   * process's working directory.
   */
  cwd?: string;
}

/**
 * What {@link loadOllamaConfig} found.
 *
 * @example
 * ```ts
 * import { loadOllamaConfig, type LoadedOllamaConfig } from "@vtcode/ollama";
 *
 * const loaded: LoadedOllamaConfig = await loadOllamaConfig();
 * console.error(loaded.source ?? "built-in defaults");
 * for (const warning of loaded.warnings) console.error(`warning: ${warning}`);
 * ```
 */
export interface LoadedOllamaConfig extends ParsedOllamaConfig {
  /** The file it was read from, or `undefined` when the built-in defaults were used. */
  source: string | undefined;
}

/**
 * Reads and validates the configuration: the file at `path` when one is given (it must exist),
 * else `vtcode.toml` in `cwd` when that exists, else the built-in defaults (with `source`
 * `undefined` and no warnings). Under Deno it needs read permission for that path.
 *
 * A file that does not exist at an explicit `path`; anything but a regular file (a directory, a
 * FIFO, a device: refused before it is opened, so this never waits for a writer); a file the
 * runtime or the system does not let it read (the message says what to change: under Deno the
 * `--allow-read` flag to add); one larger than {@link MAX_CONFIG_BYTES}; bytes that are not
 * UTF-8; and everything {@link parseOllamaConfig} rejects are all a {@link ConfigError} that
 * names the file and the reason. Settings that are read from nowhere (a table named `[olama]`,
 * no `[ollama]` table, `[ollama]` keys at the top level) come back as `warnings`.
 *
 * @param options `path` (an explicit file) and `cwd` (default: the process's directory).
 * @returns The configuration, the file it came from, and warnings to show.
 * @throws {ConfigError} When the file cannot be used.
 * @throws {UsageError} When `options` is not an object or `path`/`cwd` is not a string.
 *
 * @example
 * ```ts
 * import { loadOllamaConfig } from "@vtcode/ollama";
 *
 * // ./vtcode.toml when it exists, else the defaults.
 * const { config, source, warnings } = await loadOllamaConfig();
 * for (const warning of warnings) console.error(`warning: ${warning}`);
 * console.error(`config: ${source ?? "built-in defaults"}; models: ${config.models.join(", ")}`);
 *
 * // An explicit file (the command line's --config) must exist.
 * await loadOllamaConfig({ path: "ci/ollama.toml" }).catch((error) => console.error(error.message));
 * ```
 */
export async function loadOllamaConfig(
  options: LoadOllamaConfigOptions = {},
): Promise<LoadedOllamaConfig> {
  const { path: given, cwd } = checkOptions(options);
  let path: string;
  if (given !== undefined) {
    if (given.trim() === "") {
      throw new ConfigError("config: the config file path is empty; give the path of a TOML file", {
        source: "config",
      });
    }
    path = cwd === undefined ? given : joinPath(cwd, given);
  } else {
    path = joinPath(cwd ?? ".", DEFAULT_CONFIG_FILE);
  }
  const reader = await runtimeReader();
  const outcome = await reader.read(path, MAX_CONFIG_BYTES);
  if (outcome.kind === "missing" && given === undefined) {
    return { config: defaultConfig(), source: undefined, warnings: [] };
  }
  if (outcome.kind !== "bytes") throw readError(path, outcome, reader);
  // The parser (smol-toml and the position scanner) is loaded only now that there is a file.
  const [{ decodeConfigBytes }, { parseOllamaConfigWithWarnings }] = await Promise.all([
    import("./decode.ts"),
    import("./parse.ts"),
  ]);
  const text = decodeConfigBytes(outcome.bytes, { source: path });
  return { ...parseOllamaConfigWithWarnings(text, { source: path }), source: path };
}

function checkOptions(options: unknown): LoadOllamaConfigOptions {
  if (options === undefined || options === null) return {};
  const fail = (what: string, value: unknown) =>
    new UsageError(`loadOllamaConfig: ${what}, got ${describeValue(value, "code")}`);
  if (typeof options !== "object" || Array.isArray(options)) {
    throw fail('options must be an object such as { path: "vtcode.toml" }', options);
  }
  const { path, cwd } = options as Record<string, unknown>;
  if (path !== undefined && typeof path !== "string") {
    throw fail("options.path must be a string (a file path)", path);
  }
  if (cwd !== undefined && typeof cwd !== "string") {
    throw fail("options.cwd must be a string (a directory)", cwd);
  }
  return { path, cwd };
}

/** Deno's file API under Deno; `node:fs` elsewhere, loaded only then. */
async function runtimeReader(): Promise<ConfigFileReader> {
  const deno = denoFileApi();
  if (deno !== undefined) return denoReader(deno);
  return (await import("./read_node.ts")).nodeReader;
}

/**
 * The {@link ConfigError} for an outcome other than bytes: what happened to which file, and what
 * to do. Internal; exported for tests of outcomes a test machine cannot produce (EACCES as root).
 */
export function readError(
  path: string,
  outcome: Exclude<ReadOutcome, { kind: "bytes" }>,
  reader: Pick<ConfigFileReader, "absolute">,
): ConfigError {
  const cannotRead = (reason: string, cause?: unknown) =>
    new ConfigError(`${path}: cannot read the config file: ${reason}`, {
      source: path,
      cause: cause instanceof Error ? cause : undefined,
    });
  switch (outcome.kind) {
    case "missing":
      return new ConfigError(
        `${path}: the config file does not exist (looked for ${absolute(reader, path)}); ` +
          "check the path, or leave it out to use ./vtcode.toml or the built-in defaults",
        { source: path, cause: outcome.cause },
      );
    case "not-regular":
      return cannotRead(
        outcome.what === "a directory"
          ? "it is a directory, not a file"
          : `it is ${outcome.what}, not a regular file; give the path of a TOML file`,
      );
    case "too-large":
      return new ConfigError(
        `${path}: the config file is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB; ` +
          "is it the right file?",
        { source: path },
      );
    case "not-allowed":
      return cannotRead(
        "Deno was not given permission to read it; add --allow-read=" +
          `${shellWord(path)} (or --allow-read) to the deno command`,
        outcome.cause,
      );
    case "failed":
      return cannotRead(failureReason(outcome.code, outcome.cause), outcome.cause);
  }
}

function failureReason(code: string | undefined, cause: unknown): string {
  switch (code) {
    case "EACCES":
    case "EPERM":
      return `permission denied (${code}); make the file readable by the user running this ` +
        "(check its mode and owner, and that every directory above it can be entered)";
    case "ELOOP":
      return "too many levels of symbolic links (ELOOP)";
    default: {
      const message = cause instanceof Error ? sanitizeText(cause.message, { maxLength: 200 }) : "";
      return [message, code === undefined ? "" : `(${code})`].filter(Boolean).join(" ") ||
        "unknown error";
    }
  }
}

function absolute(reader: Pick<ConfigFileReader, "absolute">, path: string): string {
  try {
    return reader.absolute(path);
  } catch {
    return path;
  }
}

/** A path as a shell word: quoted when it holds anything a shell would split or expand. */
function shellWord(path: string): string {
  const shown = sanitizeText(path, { maxLength: 300 });
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, "'\\''")}'`;
}
