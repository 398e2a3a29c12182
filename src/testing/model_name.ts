/**
 * Model names as the fake Ollama server understands them: `[host/][namespace/]model[:tag]`,
 * with Ollama's defaults, character rules and case-insensitive matching. Internal to the fake
 * (the library has its own parser); kept small and dependency-free.
 *
 * @module
 */

const DEFAULT_HOST = "registry.ollama.ai";
const DEFAULT_NAMESPACE = "library";
const DEFAULT_TAG = "latest";

const HOST_PART = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,349}$/;
const NAMESPACE_PART = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,79}$/;
const MODEL_PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;

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
 * Parses a model name by Ollama's rules; `undefined` when it is invalid.
 *
 * @param text The name as a client sent it.
 * @returns The parts, or `undefined` for an invalid name.
 */
export function parseModelName(text: string): FakeModelName | undefined {
  let rest = text;
  let tag = DEFAULT_TAG;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split("/");
  if (parts.length > 3) return undefined;
  const model = parts[parts.length - 1];
  const namespace = parts.length >= 2 ? parts[parts.length - 2] : DEFAULT_NAMESPACE;
  const host = parts.length === 3 ? parts[0] : DEFAULT_HOST;
  if (!HOST_PART.test(host) || !NAMESPACE_PART.test(namespace)) return undefined;
  if (!MODEL_PART.test(model) || !MODEL_PART.test(tag)) return undefined;
  const defaultHost = host.toLowerCase() === DEFAULT_HOST;
  const defaultNamespace = namespace.toLowerCase() === DEFAULT_NAMESPACE;
  const short = defaultHost && defaultNamespace
    ? `${model}:${tag}`
    : defaultHost
    ? `${namespace}/${model}:${tag}`
    : `${host}/${namespace}/${model}:${tag}`;
  return {
    host,
    namespace,
    model,
    tag,
    short,
    key: `${host}/${namespace}/${model}:${tag}`.toLowerCase(),
  };
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
