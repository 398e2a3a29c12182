/**
 * Ollama model names: parsing and validation by Ollama's rules, the normalized form used to
 * compare names, Ollama's short display form, and the whitelist patterns that decide which
 * models may be pulled.
 *
 * A name is `[host/][namespace/]model[:tag]`. Missing parts take the defaults
 * {@link DEFAULT_REGISTRY_HOST}, {@link DEFAULT_NAMESPACE} and {@link DEFAULT_TAG}, so `llama3`,
 * `llama3:latest`, `library/llama3:latest`, `registry.ollama.ai/library/llama3:latest` and
 * `LLAMA3` all name one model. Comparison is case-insensitive.
 *
 * Pure functions: no I/O, web standards only.
 *
 * @module
 */

import { InvalidModelNameError } from "./errors/invalid_model_name_error.ts";

/**
 * The registry host a name without a host refers to.
 *
 * @example
 * ```ts
 * import { DEFAULT_REGISTRY_HOST, parseModelName } from "@vtcode/ollama";
 *
 * parseModelName("llama3").host === DEFAULT_REGISTRY_HOST; // true
 * ```
 */
export const DEFAULT_REGISTRY_HOST = "registry.ollama.ai";

/**
 * The namespace a name without a namespace refers to (Ollama's official models).
 *
 * @example
 * ```ts
 * import { DEFAULT_NAMESPACE, parseModelName } from "@vtcode/ollama";
 *
 * parseModelName("llama3").namespace === DEFAULT_NAMESPACE; // true
 * ```
 */
export const DEFAULT_NAMESPACE = "library";

/**
 * The tag a name without a tag refers to.
 *
 * @example
 * ```ts
 * import { DEFAULT_TAG, parseModelName } from "@vtcode/ollama";
 *
 * parseModelName("llama3").tag === DEFAULT_TAG; // true
 * ```
 */
export const DEFAULT_TAG = "latest";

/**
 * A valid model name split into its four parts, with the defaults filled in and the user's
 * case kept. Compare names with {@link normalizeModelName} or {@link sameModel}, never with
 * `===` on the parts.
 *
 * @example
 * ```ts
 * import { type ModelName, parseModelName } from "@vtcode/ollama";
 *
 * const name: ModelName = parseModelName("hf.co/Org/Model:Q4_K_M");
 * // { host: "hf.co", namespace: "Org", model: "Model", tag: "Q4_K_M" }
 * ```
 */
export interface ModelName {
  /** Registry host, possibly with a port: `registry.ollama.ai`, `hf.co`, `localhost:5000`. */
  readonly host: string;
  /** Namespace (user or organisation): `library` for Ollama's official models. */
  readonly namespace: string;
  /** The model itself: `llama3`. */
  readonly model: string;
  /** The tag (variant): `latest`, `8b`, `Q4_K_M`. */
  readonly tag: string;
  /**
   * The registry scheme, when the name spelt one (`http://host/ns/m`): `http` means a
   * plain-HTTP registry, which a pull must allow with `insecure`. Not part of the model's
   * identity: names that differ only in it are one model.
   */
  readonly scheme?: "http" | "https";
}

/**
 * A parsed whitelist pattern: the four parts of a model name, each of which may contain `*`.
 * A `*` matches any run of characters (including none) within its one part; it never matches
 * across a `/` or the tag's `:`. Missing parts take the defaults exactly as in names, so
 * `llama3:*` is `registry.ollama.ai/library/llama3:*`, and `llama3` (no tag) is
 * `registry.ollama.ai/library/llama3:latest` only. The pattern `*` alone has `*` in every part
 * and so allows every valid name. Parts keep the user's case; matching ignores case.
 *
 * @example
 * ```ts
 * import { type ModelPattern, parseModelPattern } from "@vtcode/ollama";
 *
 * const pattern: ModelPattern = parseModelPattern("qwen3:*");
 * // { host: "registry.ollama.ai", namespace: "library", model: "qwen3", tag: "*" }
 * ```
 */
export interface ModelPattern {
  /** Host part, may contain `*`. */
  readonly host: string;
  /** Namespace part, may contain `*`. */
  readonly namespace: string;
  /** Model part, may contain `*`. */
  readonly model: string;
  /** Tag part, may contain `*`. */
  readonly tag: string;
}

type PartKind = "host" | "namespace" | "model" | "tag";

interface PartRule {
  /** How the part is named in reasons. */
  readonly label: string;
  /** Longest allowed part, in characters. */
  readonly max: number;
  /** Characters allowed besides ASCII letters, digits and `_` (which may also start a part). */
  readonly extra: string;
  /** The allowed characters, for reasons. */
  readonly allowed: string;
}

const RULES: Readonly<Record<PartKind, PartRule>> = {
  host: {
    label: "host",
    max: 350,
    extra: "-.:",
    allowed: "letters, digits, '_', '-', '.' and ':'",
  },
  namespace: { label: "namespace", max: 80, extra: "-", allowed: "letters, digits, '_' and '-'" },
  model: {
    label: "model part",
    max: 80,
    extra: "-.",
    allowed: "letters, digits, '_', '-' and '.'",
  },
  tag: { label: "tag", max: 80, extra: "-.", allowed: "letters, digits, '_', '-' and '.'" },
};

const PART_ORDER: readonly PartKind[] = ["host", "namespace", "model", "tag"];

function isWordChar(char: string): boolean {
  return (char >= "a" && char <= "z") || (char >= "A" && char <= "Z") ||
    (char >= "0" && char <= "9") || char === "_";
}

/** Shows a character in a reason without ever echoing a control or non-ASCII character. */
function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (char === " ") return "a space";
  if (code > 0x20 && code < 0x7f) return `'${char}'`;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Each part's rule as one regular expression, for names (not patterns): a part it accepts is
 * valid, one it refuses is looked at character by character for the reason. Several times
 * faster than that loop, which a server listing 50,000 models runs 200,000 times.
 */
const VALID_PART: Readonly<Record<PartKind, RegExp>> = {
  host: /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,349}$/,
  namespace: /^[A-Za-z0-9_][A-Za-z0-9_-]{0,79}$/,
  model: /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/,
  tag: /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/,
};

/** Why `part` breaks the rule for `kind`, or `undefined` when it is valid. */
function partProblem(kind: PartKind, part: string, wildcard: boolean): string | undefined {
  if (!wildcard && VALID_PART[kind].test(part)) return undefined;
  const rule = RULES[kind];
  if (part === "") return `the ${rule.label} is empty`;
  for (const char of part) {
    if (isWordChar(char) || rule.extra.includes(char) || (wildcard && char === "*")) continue;
    const allowed = wildcard ? `${rule.allowed}, or '*'` : rule.allowed;
    return `the ${rule.label} may not contain ${describeChar(char)} (allowed: ${allowed})`;
  }
  const first = part[0];
  if (!isWordChar(first) && !(wildcard && first === "*")) {
    return `the ${rule.label} must start with a letter, a digit or '_', not ${describeChar(first)}`;
  }
  // In a pattern, `*` stands for characters of the name: only the literal ones count.
  const length = wildcard ? part.replaceAll("*", "").length : part.length;
  if (length > rule.max) {
    return `the ${rule.label} is longer than ${rule.max} characters (${length})`;
  }
  return undefined;
}

interface Parts {
  host: string;
  namespace: string;
  model: string;
  tag: string;
  scheme?: "http" | "https";
}

/**
 * Ollama's `:local` / `:cloud` suffix grammar (`internal/modelref`): a last `:`-part of `local`
 * or `cloud` (any case, spaces ignored), or a tag ending `-cloud`, marks the source. Returns the
 * name without the marker, the source, and whether the marker was there.
 */
function sourceSuffix(text: string): { base: string; source: "local" | "cloud" | undefined } {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return { base: text, source: undefined };
  const suffixRaw = text.slice(colon + 1).trim();
  const suffix = suffixRaw.toLowerCase();
  if (suffix === "cloud") return { base: text.slice(0, colon), source: "cloud" };
  if (suffix === "local") return { base: text.slice(0, colon), source: "local" };
  if (!suffixRaw.includes("/") && suffix.endsWith("-cloud")) {
    return {
      base: text.slice(0, colon + 1) + suffixRaw.slice(0, -"-cloud".length),
      source: "cloud",
    };
  }
  return { base: text, source: undefined };
}

/**
 * Rewrites the source suffixes as Ollama's pull handler does: `x:local` is `x`, `x:8b:cloud`
 * is `x:8b-cloud`, `x:cloud` stays; both `:local` and `:cloud` is an error (a string reason).
 */
function withoutSourceSuffix(text: string): string | { error: string } {
  const { base, source } = sourceSuffix(text);
  if (source === undefined) return text;
  if (sourceSuffix(base).source !== undefined) {
    return { error: "use either :local or :cloud, not both" };
  }
  if (source === "local") return base;
  const explicitTag = base.lastIndexOf(":") > base.lastIndexOf("/");
  return explicitTag ? `${base}-cloud` : `${base}:cloud`;
}

/** Splits and checks a name (or, with `wildcard`, a pattern); returns the parts or a reason. */
function splitName(input: unknown, wildcard: boolean): Parts | string {
  if (typeof input !== "string") return `expected a string, got ${typeof input}`;
  const trimmed = input.trim();
  if (trimmed === "") return "the name is empty";
  if (trimmed.includes("@")) {
    return "'@' is not allowed: digest references such as 'model@sha256:...' are not " +
      "supported, name a tag instead";
  }
  const rewritten = withoutSourceSuffix(trimmed);
  if (typeof rewritten !== "string") return rewritten.error;
  let text = rewritten;
  let scheme: "http" | "https" | undefined;
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  if (schemeMatch !== null) {
    const given = schemeMatch[1].toLowerCase();
    if (given !== "http" && given !== "https") {
      return `the scheme '${describeScheme(schemeMatch[1])}://' is not allowed (only http:// ` +
        "or https://, before a registry host)";
    }
    scheme = given;
    text = text.slice(schemeMatch[0].length);
  }
  let rest = text;
  let tag: string = DEFAULT_TAG;
  const colon = text.lastIndexOf(":");
  if (colon > text.lastIndexOf("/")) {
    tag = text.slice(colon + 1);
    rest = text.slice(0, colon);
  }
  const pieces = rest.split("/");
  if (pieces.length > 3) {
    return `too many '/'-separated parts (${pieces.length}; at most host/namespace/model)`;
  }
  if (scheme !== undefined && pieces.length !== 3) {
    return `a '${scheme}://' scheme must be followed by a registry host, a namespace and a ` +
      "model (http://host/namespace/model)";
  }
  const parts: Parts = {
    host: pieces.length === 3 ? pieces[0] : DEFAULT_REGISTRY_HOST,
    namespace: pieces.length >= 2 ? pieces[pieces.length - 2] : DEFAULT_NAMESPACE,
    model: pieces[pieces.length - 1],
    tag,
  };
  for (const kind of PART_ORDER) {
    const problem = partProblem(kind, parts[kind], wildcard);
    if (problem === undefined) continue;
    if (kind === "namespace" && pieces.length === 2 && /[.:]/.test(parts.namespace)) {
      // `registry.ollama.ai/llama3`: the user meant a host, but two parts are namespace/model.
      return `${problem}; to name a registry host, give a namespace too (host/namespace/model)`;
    }
    return problem;
  }
  if (scheme !== undefined) parts.scheme = scheme;
  return parts;
}

function describeScheme(scheme: string): string {
  return scheme.length > 16 ? `${scheme.slice(0, 16)}...` : scheme;
}

/**
 * The names {@link parseModelName} returned (frozen, so still valid): checked once, never again.
 * A listed model is parsed once and its key and short form derived from that (50,000 models:
 * bench/list_scale.ts).
 */
const PARSED = new WeakSet<ModelName>();

/** Checks a {@link ModelName} built by hand, so that no part can smuggle a `/` or `:`. */
function checkedName(name: ModelName | string): ModelName {
  if (typeof name === "string") return parseModelName(name);
  if (PARSED.has(name)) return name;
  if (typeof name !== "object" || name === null) {
    throw new InvalidModelNameError(String(name), `expected a string or a ModelName`);
  }
  if (name.scheme !== undefined && name.scheme !== "http" && name.scheme !== "https") {
    throw new InvalidModelNameError(String(name.model), "the scheme must be http or https");
  }
  for (const kind of PART_ORDER) {
    const part: unknown = name[kind];
    const problem = typeof part === "string"
      ? partProblem(kind, part, false)
      : `the ${RULES[kind].label} is not a string`;
    if (problem !== undefined) {
      const shown = PART_ORDER.map((k) => String(name[k])).join("|");
      throw new InvalidModelNameError(shown, problem);
    }
  }
  return name;
}

/**
 * Parses a model name by Ollama's rules and fills in the default host, namespace and tag.
 * The parts keep the user's case.
 *
 * Rules, as Ollama v0.33 applies them to a pull: surrounding whitespace is ignored. Ollama's
 * source suffixes are rewritten first: `x:local` is the local model `x` (so `x:latest`),
 * `x:8b:cloud` is `x:8b-cloud`, `x:cloud` stays, and `:local` together with `:cloud` (or a
 * `-cloud` tag) is invalid. A leading `http://` or `https://` names the registry's scheme and
 * needs the full `host/namespace/model` form. The tag follows the last `:` when that comes
 * after the last `/` (so the port in `host:5000/ns/m` stays part of the host); the rest has
 * one to three `/`-separated parts (model, namespace/model, host/namespace/model). Every part
 * starts with an ASCII letter, digit or `_`; a host may also contain `- _ . :` (1-350
 * characters), a namespace `- _` (1-80), a model and a tag `- _ .` (1-80). No part may be
 * empty, and digest references (`model@sha256:...`) are not supported.
 *
 * @param name The name as the user wrote it.
 * @returns The four parts, defaults filled in.
 * @throws {InvalidModelNameError} When the name breaks a rule; the message says which.
 *
 * @example
 * ```ts
 * import { parseModelName } from "@vtcode/ollama";
 *
 * parseModelName("llama3");
 * // { host: "registry.ollama.ai", namespace: "library", model: "llama3", tag: "latest" }
 * parseModelName("localhost:5000/team/coder"); // host "localhost:5000", tag "latest"
 * parseModelName("qwen3:8b:cloud").tag; // "8b-cloud"
 * parseModelName(" http://127.0.0.1:5000/library/tiny ").scheme; // "http"
 * // parseModelName("llama3:") throws InvalidModelNameError: "... the tag is empty ..."
 * ```
 */
export function parseModelName(name: string): ModelName {
  const parts = splitName(name, false);
  if (typeof parts === "string") throw new InvalidModelNameError(String(name), parts);
  const parsed = Object.freeze(parts);
  PARSED.add(parsed);
  return parsed;
}

/**
 * Whether a name follows Ollama's naming rules (see {@link parseModelName}). Never throws.
 *
 * @param name Any text.
 * @returns `true` when {@link parseModelName} would accept it.
 *
 * @example
 * ```ts
 * import { isValidModelName } from "@vtcode/ollama";
 *
 * isValidModelName("user/model:tag"); // true
 * isValidModelName("registry.ollama.ai/llama3"); // false: a host needs a namespace
 * ```
 */
export function isValidModelName(name: string): boolean {
  return typeof splitName(name, false) !== "string";
}

/**
 * The full, lowercase form of a name: `host/namespace/model:tag`. Two names denote the same
 * model exactly when their normalized forms are equal.
 *
 * @param name A name, or parts from {@link parseModelName} (which are checked again).
 * @returns For example `registry.ollama.ai/library/llama3:latest`.
 * @throws {InvalidModelNameError} When the name is invalid.
 *
 * @example
 * ```ts
 * import { normalizeModelName } from "@vtcode/ollama";
 *
 * normalizeModelName("LLAMA3"); // "registry.ollama.ai/library/llama3:latest"
 * normalizeModelName("hf.co/Org/M:Q4_K_M"); // "hf.co/org/m:q4_k_m"
 * ```
 */
export function normalizeModelName(name: string | ModelName): string {
  const { host, namespace, model, tag } = checkedName(name);
  return `${host}/${namespace}/${model}:${tag}`.toLowerCase();
}

/**
 * Ollama's short display form, as `ollama list` prints it, with the user's case kept: the
 * host is dropped when it is the default registry, and then the namespace too when it is
 * `library`; the tag is always shown.
 *
 * @param name A name, or parts from {@link parseModelName}.
 * @returns For example `llama3:latest`, `user/m:tag`, `hf.co/org/m:Q4_K_M`.
 * @throws {InvalidModelNameError} When the name is invalid.
 *
 * @example
 * ```ts
 * import { shortModelName } from "@vtcode/ollama";
 *
 * shortModelName("registry.ollama.ai/library/llama3"); // "llama3:latest"
 * shortModelName("registry.ollama.ai/user/m:tag"); // "user/m:tag"
 * shortModelName("hf.co/org/m:Q4_K_M"); // "hf.co/org/m:Q4_K_M"
 * ```
 */
export function shortModelName(name: string | ModelName): string {
  const { host, namespace, model, tag } = checkedName(name);
  if (host.toLowerCase() !== DEFAULT_REGISTRY_HOST) return `${host}/${namespace}/${model}:${tag}`;
  if (namespace.toLowerCase() !== DEFAULT_NAMESPACE) return `${namespace}/${model}:${tag}`;
  return `${model}:${tag}`;
}

/**
 * Whether two names denote the same model (equal normalized forms). Never throws: an invalid
 * name is the same as nothing.
 *
 * @param a A name.
 * @param b Another name.
 * @returns `true` when both are valid and normalize equally.
 *
 * @example
 * ```ts
 * import { sameModel } from "@vtcode/ollama";
 *
 * sameModel("llama3", "registry.ollama.ai/library/LLAMA3:latest"); // true
 * sameModel("llama3", "llama3:8b"); // false
 * ```
 */
export function sameModel(a: string, b: string): boolean {
  const left = splitName(a, false);
  const right = splitName(b, false);
  if (typeof left === "string" || typeof right === "string") return false;
  return normalizeModelName(left) === normalizeModelName(right);
}

/**
 * Parses and checks a whitelist pattern (see {@link ModelPattern}). Apart from `*`, which may
 * appear anywhere in a part (also first), the parts follow the name rules of
 * {@link parseModelName}; length limits count the characters other than `*`.
 *
 * @param pattern A pattern such as `qwen3:*`, `hf.co/org/*:*`, or `*`.
 * @returns The four parts, defaults filled in.
 * @throws {InvalidModelNameError} When the pattern breaks a rule.
 *
 * @example
 * ```ts
 * import { parseModelPattern } from "@vtcode/ollama";
 *
 * parseModelPattern("user/*"); // { host: "registry.ollama.ai", namespace: "user", model: "*", tag: "latest" }
 * parseModelPattern("*"); // every part "*": allows every valid name
 * ```
 */
export function parseModelPattern(pattern: string): ModelPattern {
  if (pattern === "*") return Object.freeze({ host: "*", namespace: "*", model: "*", tag: "*" });
  const parts = splitName(pattern, true);
  if (typeof parts === "string") {
    throw new InvalidModelNameError(String(pattern), `not a valid whitelist pattern: ${parts}`);
  }
  return Object.freeze(parts);
}

/** Glob match where `*` matches any run of characters; both sides already lowercase. */
function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

function matchesParts(name: Parts, pattern: ModelPattern): boolean {
  return PART_ORDER.every((kind) =>
    globMatch(pattern[kind].toLowerCase(), name[kind].toLowerCase())
  );
}

/**
 * Whether a model name matches one whitelist pattern, part by part and ignoring case, after
 * both took their defaults. An invalid name never matches.
 *
 * @param name The model name.
 * @param pattern The pattern (see {@link ModelPattern}).
 * @returns `true` when every part of the name matches the pattern's part.
 * @throws {InvalidModelNameError} When the pattern is invalid.
 *
 * @example
 * ```ts
 * import { matchesModelPattern } from "@vtcode/ollama";
 *
 * matchesModelPattern("library/LLAMA3:8b", "llama3:*"); // true
 * matchesModelPattern("evil.example/library/llama3:latest", "llama3:*"); // false
 * matchesModelPattern("llama3:8b", "llama3"); // false: no tag in a pattern means `latest`
 * ```
 */
export function matchesModelPattern(name: string, pattern: string): boolean {
  const parsedPattern = parseModelPattern(pattern);
  const parsedName = splitName(name, false);
  return typeof parsedName !== "string" && matchesParts(parsedName, parsedPattern);
}

/**
 * Whether a whitelist allows pulling a model. `undefined` means no whitelist is configured:
 * every valid name is allowed. An empty list allows nothing. An invalid name is never allowed,
 * and no alias gets around a pattern, since matching compares normalized parts.
 *
 * @param name The model name.
 * @param whitelist The configured patterns, or `undefined` for no restriction.
 * @returns `true` when the name is valid and allowed.
 * @throws {InvalidModelNameError} When a pattern in the whitelist is invalid.
 *
 * @example
 * ```ts
 * import { isModelAllowed } from "@vtcode/ollama";
 *
 * isModelAllowed("qwen3:8b", ["qwen3:*", "llama3"]); // true
 * isModelAllowed("user/qwen3:8b", ["qwen3:*"]); // false: another namespace
 * isModelAllowed("anything", undefined); // true
 * isModelAllowed("anything", []); // false
 * ```
 */
export function isModelAllowed(name: string, whitelist: readonly string[] | undefined): boolean {
  if (whitelist !== undefined && !Array.isArray(whitelist)) {
    throw new TypeError("isModelAllowed: the whitelist must be an array of patterns or undefined");
  }
  // Check every pattern first, so that a broken whitelist is reported whatever the name is.
  const patterns = whitelist?.map((pattern) => parseModelPattern(pattern));
  const parsed = splitName(name, false);
  if (typeof parsed === "string") return false;
  if (patterns === undefined) return true;
  return patterns.some((pattern) => matchesParts(parsed, pattern));
}

/**
 * Whether a name is one of Ollama's cloud models (v0.17 and later): its tag is `cloud` or ends
 * with `-cloud` (after the `:cloud` suffix is rewritten, so `gpt-oss:120b:cloud` counts). Such
 * a model runs on ollama.com; the server lists a small stub once it is pulled. Never throws: an
 * invalid name is not a cloud model.
 *
 * @param name A model name.
 * @returns `true` for a cloud model.
 *
 * @example
 * ```ts
 * import { isCloudModel } from "@vtcode/ollama";
 *
 * isCloudModel("gpt-oss:120b-cloud"); // true
 * isCloudModel("qwen3:8b:cloud"); // true
 * isCloudModel("qwen3:8b"); // false
 * ```
 */
export function isCloudModel(name: string | ModelName): boolean {
  // A cloud tag is spelled in the name (`-cloud`, `:cloud`): without the word, no need to parse.
  if (typeof name === "string" && !/cloud/i.test(name)) return false;
  const parts = typeof name === "string" ? splitName(name, false) : name;
  if (typeof parts === "string") return false;
  const tag = parts.tag.toLowerCase();
  return tag === "cloud" || tag.endsWith("-cloud");
}
