/**
 * Model names as the fake Ollama server reads them: its own reading of Ollama's rules, kept apart
 * from the library's `names.ts` on purpose, so that a test can catch the two disagreeing.
 *
 * What a server does with a name a client sends:
 * 1. surrounding whitespace is dropped;
 * 2. a trailing `:local` or `:cloud` (any case) says where the model runs, and is taken off;
 *    `:<tag>-cloud` also says "cloud". A name with two such suffixes (`x:local:cloud`,
 *    `x:8b-cloud:local`) is refused: `use either :local or :cloud, not both: "<name>"`;
 * 3. for a pull, a cloud name gets its legacy form back: `x:8b:cloud` is `x:8b-cloud`, `x:cloud`
 *    stays `x:cloud`; `x:local` is plain `x`;
 * 4. the rest splits from the right: the tag after the last `:` that follows the last `/`, then
 *    model, namespace and host at the `/`s; a host may carry a `scheme://`, which is dropped (the
 *    request's `insecure` alone chooses plain http). Missing parts take the defaults
 *    `registry.ollama.ai`, `library`, `latest`; a separator with nothing beside it is an error;
 * 5. each part must start with a letter, digit or `_` and go on with letters, digits, `_` and
 *    `-`; models and tags may also hold `.`, hosts `.` and `:`; hosts are 1-350 characters, the
 *    others 1-80. Anything else: `invalid model name`.
 *
 * @module
 */

/** The registry a name without a host is pulled from. */
export const DEFAULT_HOST = "registry.ollama.ai";
/** The namespace of a name without one. */
export const DEFAULT_NAMESPACE = "library";
/** The tag of a name without one. */
export const DEFAULT_TAG = "latest";
/** What the server answers to a name that breaks the rules. */
export const INVALID_MODEL_NAME = "invalid model name";

/** A valid model name, split into its parts with defaults filled in. */
export interface FakeModelName {
  /** Registry host, e.g. `registry.ollama.ai` or `127.0.0.1:5000`. */
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

/** Where a name says its model runs: its `:local` / `:cloud` suffix, if any. */
export type FakeModelSource = "local" | "cloud" | undefined;

/** A name as a request gave it, read by the server's rules. */
export interface FakeModelReference {
  /** The name, whitespace trimmed (what error texts quote). */
  original: string;
  /** The name itself. */
  name: FakeModelName;
  /** The `scheme://` the name carried (dropped when pulling), lowercase. */
  scheme: string | undefined;
  /** Its `:local` / `:cloud` suffix. */
  source: FakeModelSource;
}

/** The outcome of reading a name: the reference, or the error text a server answers. */
export type FakeNameResult =
  | { ok: true; reference: FakeModelReference }
  | { ok: false; error: string };

const HOST_PART = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,349}$/;
const NAMESPACE_PART = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,79}$/;
const MODEL_PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;

/**
 * Reads a name the way `/api/pull` does: trimmed, `:local` dropped, `:cloud` turned into the
 * legacy stub name (`x:8b:cloud` -> `x:8b-cloud`).
 *
 * @param raw The name as the request sent it.
 * @returns The reference, or the error text (`invalid model name`, or the mixing error).
 */
export function readPullName(raw: string): FakeNameResult {
  const source = readSource(raw);
  if ("error" in source) return { ok: false, error: source.error };
  const base = source.source === "cloud" ? legacyCloudName(source.base) : source.base;
  return finish(source.original, base, source.source);
}

/**
 * Reads a name the way `/api/show`, `/api/generate` and `/api/embed` do: trimmed, the `:local` /
 * `:cloud` suffix taken off and reported in `source` (a cloud name is the model on ollama.com).
 *
 * @param raw The name as the request sent it.
 * @returns The reference, or the error text.
 */
export function readModelName(raw: string): FakeNameResult {
  const source = readSource(raw);
  if ("error" in source) return { ok: false, error: source.error };
  return finish(source.original, source.base, source.source);
}

/**
 * A name as a pull reads it (trimmed, `:local` dropped, `:cloud` made the legacy stub name);
 * `undefined` when it is invalid.
 *
 * @param text A name, e.g. `llama3`, `user/m:tag`, `127.0.0.1:5000/library/tiny:latest`.
 * @returns The parts, or `undefined`.
 */
export function parseModelName(text: string): FakeModelName | undefined {
  const read = readPullName(text);
  return read.ok ? read.reference.name : undefined;
}

/**
 * The comparison key of a name as a pull reads it (so `X:local`, `x` and
 * `registry.ollama.ai/library/x:latest` share one), or the lowercased text when it is invalid.
 *
 * @param text A model name.
 * @returns The key.
 */
export function modelKey(text: string): string {
  return parseModelName(text)?.key ?? text.toLowerCase();
}

/**
 * Ollama's short display form of a name's parts: the host and namespace only where they are not
 * the defaults.
 *
 * @param host Registry host.
 * @param namespace Namespace.
 * @param model Model.
 * @param tag Tag.
 * @returns E.g. `llama3:latest`, `user/m:tag`, `hf.co/org/m:Q4_K_M`.
 */
export function shortName(host: string, namespace: string, model: string, tag: string): string {
  if (host.toLowerCase() !== DEFAULT_HOST) return `${host}/${namespace}/${model}:${tag}`;
  if (namespace.toLowerCase() !== DEFAULT_NAMESPACE) return `${namespace}/${model}:${tag}`;
  return `${model}:${tag}`;
}

/** Whether a suffix (the text after a name's last `:`) says where the model runs. */
function suffixSource(
  text: string,
): { base: string; source: "local" | "cloud" } | undefined {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return undefined;
  const suffix = text.slice(colon + 1).trim();
  const lower = suffix.toLowerCase();
  if (lower === "cloud" || lower === "local") {
    return { base: text.slice(0, colon), source: lower };
  }
  if (!suffix.includes("/") && lower.endsWith("-cloud")) {
    return { base: text.slice(0, colon + 1) + suffix.slice(0, -"-cloud".length), source: "cloud" };
  }
  return undefined;
}

function readSource(
  raw: string,
): { original: string; base: string; source: FakeModelSource } | { error: string } {
  const original = raw.trim();
  if (original === "") return { error: INVALID_MODEL_NAME };
  const first = suffixSource(original);
  if (first === undefined) return { original, base: original, source: undefined };
  if (suffixSource(first.base) !== undefined) {
    return { error: `use either :local or :cloud, not both: ${JSON.stringify(original)}` };
  }
  return { original, base: first.base, source: first.source };
}

/** `x:8b` -> `x:8b-cloud`; `x` -> `x:cloud` (a colon in the host does not count as a tag). */
function legacyCloudName(base: string): string {
  return base.lastIndexOf(":") > base.lastIndexOf("/") ? `${base}-cloud` : `${base}:cloud`;
}

function finish(original: string, base: string, source: FakeModelSource): FakeNameResult {
  const split = splitName(base);
  if (split === undefined) return { ok: false, error: INVALID_MODEL_NAME };
  return { ok: true, reference: { original, name: split.name, scheme: split.scheme, source } };
}

/** Splits a name from the right; `undefined` when a part is missing or breaks the rules. */
function splitName(text: string): { name: FakeModelName; scheme: string | undefined } | undefined {
  let rest = text;
  let tag: string | undefined;
  let namespace: string | undefined;
  let host: string | undefined;
  let scheme: string | undefined;
  if (rest.lastIndexOf(":") > rest.lastIndexOf("/")) {
    const colon = rest.lastIndexOf(":");
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let model = rest;
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    model = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
    namespace = rest;
    const second = rest.lastIndexOf("/");
    if (second >= 0) {
      namespace = rest.slice(second + 1);
      host = rest.slice(0, second);
      const marker = host.indexOf("://");
      if (marker >= 0) {
        scheme = host.slice(0, marker).toLowerCase();
        host = host.slice(marker + 3);
      }
    }
  }
  const parts = {
    host: host ?? DEFAULT_HOST,
    namespace: namespace ?? DEFAULT_NAMESPACE,
    model,
    tag: tag ?? DEFAULT_TAG,
  };
  if (
    !HOST_PART.test(parts.host) || !NAMESPACE_PART.test(parts.namespace) ||
    !MODEL_PART.test(parts.model) || !MODEL_PART.test(parts.tag)
  ) {
    return undefined;
  }
  const short = shortName(parts.host, parts.namespace, parts.model, parts.tag);
  const key = `${parts.host}/${parts.namespace}/${parts.model}:${parts.tag}`.toLowerCase();
  return { name: { ...parts, short, key }, scheme };
}
