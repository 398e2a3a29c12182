/**
 * The environment variables the command line reads, and nothing else: the README's list
 * (`OLLAMA_HOST`, `OLLAMA_BASE_URL`, `OLLAMA_API_KEY`, `NO_COLOR`) and the proxy variables, so
 * that a narrowed Deno `--allow-env` is enough. Pure.
 *
 * @module
 */

import { PROXY_ENV_NAMES } from "../proxy.ts";
import type { OllamaEnv } from "../startup.ts";

/** The variables the README tells Deno users to allow. */
export const REQUIRED_ENV_NAMES: readonly string[] = [
  "OLLAMA_HOST",
  "OLLAMA_BASE_URL",
  "OLLAMA_API_KEY",
  "NO_COLOR",
];

/** Every variable the command line reads: the required ones, then the proxy variables. */
export const CLI_ENV_NAMES: readonly string[] = [...REQUIRED_ENV_NAMES, ...PROXY_ENV_NAMES];

/**
 * The part of the environment the startup hook uses.
 *
 * @param env The variables the CLI read.
 * @returns `OLLAMA_BASE_URL`, `OLLAMA_HOST` and `OLLAMA_API_KEY`.
 */
export function ollamaEnv(env: Readonly<Record<string, string | undefined>>): OllamaEnv {
  return {
    OLLAMA_BASE_URL: env.OLLAMA_BASE_URL,
    OLLAMA_HOST: env.OLLAMA_HOST,
    OLLAMA_API_KEY: env.OLLAMA_API_KEY,
  };
}
