/**
 * The configuration for a run: the `--config` file, else `./vtcode.toml` when it exists, else
 * the built-in defaults, with the loader's warnings.
 *
 * The loader (and, under Bun and Node, `node:fs`, about 3 ms of Bun's start-up) is loaded only
 * when there is a file to read: without `--config`, a cheap look at `./vtcode.toml` comes first.
 * Anything but "nothing there" (a file, a directory, a permission refused) goes to the loader,
 * which says what is wrong with it.
 *
 * @module
 */

import { defaultConfig, type OllamaConfig } from "../config/schema.ts";

/** What {@link loadCliConfig} found. */
export interface CliConfig {
  /** The settings. */
  config: OllamaConfig;
  /** The file read, `undefined` for the built-in defaults. */
  source: string | undefined;
  /** Settings that are read from nowhere (a misspelt `[olama]` table, …). */
  warnings: readonly string[];
}

/** The file looked for in the working directory (the loader's `DEFAULT_CONFIG_FILE`). */
const DEFAULT_FILE = "vtcode.toml";

/**
 * Loads the configuration.
 *
 * @param path `--config`, when given.
 * @param cwd Where `vtcode.toml` is looked for (default: the process's directory).
 * @returns The settings, their file and warnings.
 * @throws {ConfigError} When the file cannot be used.
 */
export async function loadCliConfig(
  path: string | undefined,
  cwd: string | undefined,
): Promise<CliConfig> {
  if (path === undefined && await nothingAt(joinDir(cwd, DEFAULT_FILE))) {
    return { config: defaultConfig(), source: undefined, warnings: [] };
  }
  const { loadOllamaConfig } = await import("../config/load.ts");
  return await loadOllamaConfig({ path, cwd });
}

function joinDir(directory: string | undefined, file: string): string {
  if (directory === undefined) return file;
  return /[\\/]$/.test(directory) ? `${directory}${file}` : `${directory}/${file}`;
}

/** The error codes that mean nothing is at a path. */
const ABSENT = new Set(["ENOENT", "ENOTDIR", "NotFound", "NotADirectory"]);

/** `true` only when the runtime says nothing is at `path`; any doubt goes to the loader. */
async function nothingAt(path: string): Promise<boolean> {
  const absent = (error: unknown) => {
    const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
    return ABSENT.has(String(code)) || ABSENT.has(String(name));
  };
  const runtime = globalThis as {
    Deno?: { statSync(path: string): unknown };
    Bun?: { file(path: string): { stat(): Promise<unknown> } };
    process?: { getBuiltinModule?(id: string): unknown };
  };
  try {
    if (runtime.Deno !== undefined) runtime.Deno.statSync(path);
    else if (runtime.Bun !== undefined) await runtime.Bun.file(path).stat();
    else {
      const fs = runtime.process?.getBuiltinModule?.("node:fs") as
        | { statSync(path: string): unknown }
        | undefined;
      if (fs === undefined) return false;
      fs.statSync(path);
    }
    return false;
  } catch (error) {
    return absent(error);
  }
}
