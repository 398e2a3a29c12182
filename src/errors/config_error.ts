/**
 * A configuration that cannot be used, with where in the file it went wrong.
 *
 * @module
 */

import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/** Where in a configuration file a {@link ConfigError} points. */
export interface ConfigErrorOptions extends OllamaErrorOptions {
  /** The file (or other source) the configuration came from. */
  source?: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
  /** The `[ollama]` key at fault, when there is one. */
  key?: string;
}

/**
 * The configuration cannot be used: malformed TOML, an unknown key, a wrong type or range, or a
 * `--config` path that does not exist.
 *
 * @example
 * ```ts
 * import { ConfigError } from "@vtcode/ollama";
 *
 * const error = new ConfigError("vtcode.toml:3: unknown key `autopull` in [ollama]; did you mean `auto_pull`?", {
 *   source: "vtcode.toml",
 *   line: 3,
 *   key: "autopull",
 * });
 * error.code; // "config"
 * ```
 */
export class ConfigError extends OllamaError {
  /** The file (or other source) the configuration came from. */
  readonly source?: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly column?: number;
  /** The `[ollama]` key at fault, when there is one. */
  readonly key?: string;

  /**
   * Creates the error.
   *
   * @param message What is wrong, where, and how to fix it.
   * @param options Location and cause.
   */
  constructor(message: string, options: ConfigErrorOptions = {}) {
    super("config", message, options);
    this.name = "ConfigError";
    this.source = options.source;
    this.line = options.line;
    this.column = options.column;
    this.key = options.key;
  }
}
