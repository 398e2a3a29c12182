/**
 * Model names as the fake Ollama server understands them: the library's own parser
 * (`../names.ts`, Ollama's grammar and defaults), reshaped for the fake's lookups.
 *
 * @module
 */

import { normalizeModelName, parseModelName as parseName, shortModelName } from "../names.ts";

/** A valid model name, split into its parts with defaults filled in. */
export interface FakeModelName {
  /** Registry host, e.g. `registry.ollama.ai` or `hf.co`. */
  host: string;
  /** Namespace, e.g. `library` or a user name. */
  namespace: string;
  /** Model, e.g. `llama3`. */
  model: string;
  /** Tag, e.g. `latest` or `8b`. */
  tag: string;
  /** Ollama's short display form, e.g. `llama3:latest`, `user/m:tag`, `hf.co/org/m:Q4_K_M`. */
  short: string;
  /** The lowercase full form, used to compare names. */
  key: string;
}

/**
 * Parses a model name by Ollama's rules; `undefined` when it is invalid (the server answers
 * `invalid model name` then).
 *
 * @param text The name as a client sent it.
 * @returns The parts, or `undefined` for an invalid name.
 */
export function parseModelName(text: string): FakeModelName | undefined {
  let parsed;
  try {
    parsed = parseName(text);
  } catch {
    return undefined;
  }
  return { ...parsed, short: shortModelName(parsed), key: normalizeModelName(parsed) };
}

/**
 * The comparison key of a name: its lowercase full form, or the lowercased text itself when the
 * name is invalid (so that an invalid name still matches only itself).
 *
 * @param text A model name.
 * @returns The key.
 */
export function modelKey(text: string): string {
  return parseModelName(text)?.key ?? text.toLowerCase();
}
