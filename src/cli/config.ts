/**
 * The configuration for a run: the `--config` file, else `./vtcode.toml` when it exists, else
 * the built-in defaults, with the loader's warnings.
 *
 * @module
 */

import type { OllamaConfig } from "../config/schema.ts";

/** What {@link loadCliConfig} found. */
export interface CliConfig {
  /** The settings. */
  config: OllamaConfig;
  /** The file read, `undefined` for the built-in defaults. */
  source: string | undefined;
  /** Settings that are read from nowhere (a misspelt `[olama]` table, …). */
  warnings: readonly string[];
}

/**
 * Loads the configuration.
 *
 * @param path `--config`, when given.
 * @param cwd Where `vtcode.toml` is looked for.
 * @returns The settings, their file and warnings.
 * @throws {ConfigError} When the file cannot be used.
 */
export async function loadCliConfig(
  path: string | undefined,
  cwd: string | undefined,
): Promise<CliConfig> {
  const { loadOllamaConfig } = await import("../config/load.ts");
  return await loadOllamaConfig({ path, cwd });
}
