/**
 * The `[ollama]` table of a TOML file (`vtcode.toml` by default): the public names of the
 * config modules, which `mod.ts` re-exports. Each lives in the module of its concept:
 *
 * - `config/schema.ts`: keys, types, defaults, and {@link validateOllamaConfig} for settings
 *   given in code. Pure.
 * - `config/parse.ts`: {@link parseOllamaConfig} and {@link parseOllamaConfigWithWarnings},
 *   TOML text to a validated config. Pure and synchronous.
 * - `config/decode.ts`: {@link decodeConfigBytes}, a file's bytes to text. Pure.
 * - `config/load.ts`: {@link loadOllamaConfig}, the only one that reads files. It loads the
 *   TOML parser only when there is a file, so a program that may not need one imports
 *   `config/load.ts` rather than this module.
 *
 * @module
 */

export {
  DEFAULT_OLLAMA_CONFIG,
  DEFAULT_PULL_CONCURRENCY,
  MAX_PULL_CONCURRENCY,
  MAX_TIMEOUT_SECS,
  OLLAMA_CONFIG_KEYS,
  type OllamaConfig,
  validateOllamaConfig,
} from "./config/schema.ts";
export { type ConfigSourceOptions, decodeConfigBytes } from "./config/decode.ts";
export {
  type ParsedOllamaConfig,
  parseOllamaConfig,
  parseOllamaConfigWithWarnings,
} from "./config/parse.ts";
export {
  DEFAULT_CONFIG_FILE,
  type LoadedOllamaConfig,
  loadOllamaConfig,
  type LoadOllamaConfigOptions,
  MAX_CONFIG_BYTES,
} from "./config/load.ts";
