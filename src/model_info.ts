/**
 * The server's descriptions of models, as this package shapes them: an installed model
 * (`/api/tags`), a loaded one (`/api/ps`), and whether the server can use the cloud (`/api/me`,
 * `/api/status`). Parsing only, no I/O: fields that are absent or of another type are left out,
 * never guessed.
 *
 * @module
 */

import { isCloudModel, shortModelName } from "./names.ts";
import { sanitizeText } from "./sanitize.ts";
import { errorMessageFrom, snippet, statusText } from "./transport.ts";

/**
 * Details of an installed model, from `GET /api/tags`.
 *
 * @example
 * ```ts
 * import type { OllamaModelDetails } from "@vtcode/ollama";
 *
 * const details: OllamaModelDetails = { family: "llama", parameterSize: "8.0B", contextLength: 8192 };
 * ```
 */
export interface OllamaModelDetails {
  /** E.g. `gguf`. */
  format?: string;
  /** E.g. `llama`. */
  family?: string;
  /** E.g. `["llama"]`; may be `null` on the wire. */
  families?: string[] | null;
  /** E.g. `8.0B`. */
  parameterSize?: string;
  /** E.g. `Q4_0`. */
  quantizationLevel?: string;
  /** The model it was derived from, if any. */
  parentModel?: string;
  /** The context window, in tokens (newer servers). */
  contextLength?: number;
  /** The embedding size (newer servers). */
  embeddingLength?: number;
}

/**
 * An installed model, from `GET /api/tags` (or `GET /v1/models` behind an OpenAI-style URL).
 *
 * @example
 * ```ts
 * import { OllamaClient, type OllamaModelInfo } from "@vtcode/ollama";
 *
 * const [first]: OllamaModelInfo[] = await new OllamaClient("http://127.0.0.1:11434").listModels();
 * console.log(first?.name, first?.cloud ? "(cloud)" : first?.size);
 * ```
 */
export interface OllamaModelInfo {
  /** The name as the server lists it, in short form with tag, e.g. `llama3:latest`. */
  name: string;
  /** Size on disk in bytes, when known (a few hundred bytes for a cloud stub). */
  size?: number;
  /** The manifest digest (64 hex), when known. */
  digest?: string;
  /** RFC 3339 time of the last change, when known. */
  modifiedAt?: string;
  /** Format, family, size class, quantization and context length, when known. */
  details?: OllamaModelDetails;
  /** For a cloud model: the model it runs on the remote host. */
  remoteModel?: string;
  /** For a cloud model: where it runs, e.g. `https://ollama.com:443`. */
  remoteHost?: string;
  /** What it can do, e.g. `["completion", "tools"]` or `["embedding"]` (newer servers). */
  capabilities?: string[];
  /** Whether it runs in the cloud (a stub here, not local weights). */
  cloud: boolean;
}

/**
 * A model loaded in memory, from `GET /api/ps`.
 *
 * @example
 * ```ts
 * import type { RunningModel } from "@vtcode/ollama";
 *
 * const onGpu = (m: RunningModel) => m.size > 0 ? Math.round((100 * m.sizeVram) / m.size) : 0;
 * ```
 */
export interface RunningModel {
  /** The name, in short form. */
  name: string;
  /** Bytes in memory. */
  size: number;
  /** Of those, bytes on the GPU (equal to `size` when fully on the GPU, 0 on the CPU). */
  sizeVram: number;
  /** When it will be unloaded (RFC 3339), when known. */
  expiresAt?: string;
  /** The manifest digest, when known. */
  digest?: string;
}

/**
 * What a server says about using cloud models.
 *
 * @example
 * ```ts
 * import type { CloudStatus } from "@vtcode/ollama";
 *
 * const ready = (s: CloudStatus) => s.signedIn === true && s.disabled !== true;
 * ```
 */
export interface CloudStatus {
  /** `true` signed in, `false` not (`POST /api/me` answered 401), `null` unknown. */
  signedIn: boolean | null;
  /** Where to sign the server in, when it said. */
  signinUrl?: string;
  /** `true` when the server's cloud access is switched off, `null` unknown. */
  disabled: boolean | null;
  /** What switched it off, when the server said (e.g. an environment variable). */
  source?: string;
  /** Why a field is `null`, for messages. */
  detail?: string;
}

/**
 * An `/api/ps` entry as a {@link RunningModel}, or `undefined` when it has no name.
 *
 * @param entry The entry as the server sent it.
 * @returns The loaded model, or `undefined`.
 */
export function runningModelFrom(entry: unknown): RunningModel | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const record = entry as Record<string, unknown>;
  const name = typeof record.name === "string" ? record.name : record.model;
  if (typeof name !== "string") return undefined;
  return {
    name: displayName(name),
    size: finiteOr(record.size, 0),
    sizeVram: finiteOr(record.size_vram, 0),
    expiresAt: optionalString(record.expires_at),
    digest: optionalString(record.digest),
  };
}

/**
 * What `POST /api/me` and `GET /api/status` say about using the cloud.
 *
 * @param me The answer to `POST /api/me`.
 * @param status The answer to `GET /api/status`.
 * @returns The status; a field the answers do not settle is `null`, with why in `detail`.
 */
export function cloudStatusFrom(
  me: { status: number; statusText: string; text: string },
  status: { status: number; statusText: string; text: string },
): CloudStatus {
  const result: CloudStatus = { signedIn: null, disabled: null };
  const details: string[] = [];
  if (me.status === 200) result.signedIn = true;
  else if (me.status === 401) {
    result.signedIn = false;
    const url = (parseJson(me.text) as { signin_url?: unknown } | undefined)?.signin_url;
    if (typeof url === "string") result.signinUrl = sanitizeText(url, { maxLength: 500 });
  } else {
    details.push(
      `POST /api/me answered ${statusText(me)}${snippet(errorMessageFrom(me.text) ?? me.text)}`,
    );
  }
  const cloud = (parseJson(status.text) as { cloud?: unknown } | undefined)?.cloud;
  if (status.status === 200 && typeof cloud === "object" && cloud !== null) {
    const { disabled, source } = cloud as { disabled?: unknown; source?: unknown };
    if (typeof disabled === "boolean") result.disabled = disabled;
    if (typeof source === "string" && source !== "") {
      result.source = sanitizeText(source, { maxLength: 200 });
    }
  } else {
    details.push(`GET /api/status answered ${statusText(status)}`);
  }
  if (details.length > 0) result.detail = details.join("; ");
  return result;
}

function displayName(name: string): string {
  try {
    return shortModelName(name);
  } catch {
    return sanitizeText(name, { maxLength: 200 });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function finiteOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Why an `/api/tags` entry was skipped, for a warning.
 *
 * @param entry The entry.
 * @returns A few words.
 */
export function describeEntry(entry: unknown): string {
  if (typeof entry !== "object" || entry === null) return `not an object (${typeof entry})`;
  return "no string `name`";
}

/**
 * The name of an `/api/tags` entry (`name`, else `model`), or `undefined` when it has no usable
 * one: what {@link modelInfoFrom} names the model, without building the rest.
 *
 * @param entry The entry as the server sent it.
 * @returns The name as listed, or `undefined`.
 */
export function listedName(entry: unknown): string | undefined {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return undefined;
  const record = entry as Record<string, unknown>;
  const name = optionalString(record.name) ?? optionalString(record.model);
  return name === undefined || name.trim() === "" ? undefined : name;
}

/**
 * An `/api/tags` entry as a {@link OllamaModelInfo}, or `undefined` when it has no usable name.
 * Fields that are absent or of another type are left out; a cloud stub is marked.
 *
 * @param entry The entry as the server sent it.
 * @returns The model, or `undefined`.
 */
export function modelInfoFrom(entry: unknown): OllamaModelInfo | undefined {
  const name = listedName(entry);
  if (name === undefined) return undefined;
  const record = entry as Record<string, unknown>;
  const info: OllamaModelInfo = { name, cloud: false };
  const size = optionalNumber(record.size);
  if (size !== undefined) info.size = size;
  const digest = optionalString(record.digest);
  if (digest !== undefined) info.digest = digest;
  const modifiedAt = optionalString(record.modified_at);
  if (modifiedAt !== undefined) info.modifiedAt = modifiedAt;
  const remoteModel = optionalString(record.remote_model);
  if (remoteModel !== undefined) info.remoteModel = remoteModel;
  const remoteHost = optionalString(record.remote_host);
  if (remoteHost !== undefined) info.remoteHost = remoteHost;
  if (Array.isArray(record.capabilities)) {
    info.capabilities = record.capabilities.filter((c): c is string => typeof c === "string");
  }
  const details = record.details;
  if (typeof details === "object" && details !== null) {
    const d = details as Record<string, unknown>;
    info.details = {
      format: optionalString(d.format),
      family: optionalString(d.family),
      families: Array.isArray(d.families)
        ? d.families.filter((f): f is string => typeof f === "string")
        : d.families === null
        ? null
        : undefined,
      parameterSize: optionalString(d.parameter_size),
      quantizationLevel: optionalString(d.quantization_level),
      parentModel: optionalString(d.parent_model),
      contextLength: optionalNumber(d.context_length),
      embeddingLength: optionalNumber(d.embedding_length),
    };
  }
  info.cloud = info.remoteHost !== undefined || info.remoteModel !== undefined ||
    isCloudModel(name);
  return info;
}
