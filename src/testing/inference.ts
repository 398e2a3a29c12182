/**
 * `POST /api/generate` and `POST /api/embed` as far as loading goes: a request without a prompt
 * (input) loads the model and answers `done_reason: "load"`; `keep_alive: 0` unloads it
 * (`done_reason: "unload"`, even when it was not loaded); an embedding-only model does not
 * generate; a cloud model goes to the cloud; the runner may fail. Names are read the way these
 * routes read them: a missing or invalid one is `model '<name as sent>' not found`.
 *
 * @module
 */

import { cloudRefusal, type JsonAnswer } from "./cloud.ts";
import type { FakeSettings } from "./fake_options.ts";
import { rfc3339NanoUtc } from "./go_time.ts";
import { INVALID_MODEL_NAME, modelKey, readModelName } from "./model_name.ts";
import type { InstalledModel, ModelStore } from "./model_store.ts";
import { keepAliveMs } from "./request_json.ts";
import type { Runner } from "./runner.ts";

/** What the inference routes need. */
export interface InferenceContext {
  settings: FakeSettings;
  store: ModelStore;
  runner: Runner;
  /** Waits `ms` for the load; `false` when the client left meanwhile. */
  wait: (ms: number) => Promise<boolean>;
}

/** An answer of these routes; `undefined` when the client left. */
export type InferenceAnswer = (JsonAnswer & { type?: string }) | undefined;

/** `POST /api/generate` with a body already read. */
export async function generate(
  context: InferenceContext,
  body: Record<string, unknown>,
): Promise<InferenceAnswer> {
  const requested = typeof body.model === "string" ? body.model : "";
  const found = resolve(context, requested, "/api/generate");
  if ("answer" in found) return found.answer;
  const { model } = found;
  const keepAlive = keepAliveMs(body.keep_alive);
  const prompt = typeof body.prompt === "string" ? body.prompt : "";
  if (prompt === "" && keepAlive === 0) {
    context.runner.unload(model.name.key);
    return ok(generated(requested, "unload"));
  }
  if (!model.capabilities.includes("completion")) {
    return fail(400, `${JSON.stringify(requested)} does not support generate`);
  }
  const loaded = await load(context, model, keepAlive);
  if (loaded !== true) return loaded;
  if (prompt === "") return ok(generated(requested, "load"));
  const answer = generated(requested, "stop");
  return body.stream === false
    ? ok(answer)
    : { status: 200, body: answer, type: "application/x-ndjson" };
}

/** `POST /api/embed` with a body already read. */
export async function embed(
  context: InferenceContext,
  body: Record<string, unknown>,
): Promise<InferenceAnswer> {
  const requested = typeof body.model === "string" ? body.model : "";
  const found = resolve(context, requested, "/api/embed");
  if ("answer" in found) return found.answer;
  const input = body.input;
  const inputs = typeof input === "string"
    ? (input === "" ? [] : [input])
    : Array.isArray(input)
    ? input
    : input === undefined || input === null
    ? []
    : undefined;
  if (inputs === undefined || inputs.some((item) => typeof item !== "string")) {
    return fail(400, "invalid input type");
  }
  const loaded = await load(context, found.model, keepAliveMs(body.keep_alive));
  if (loaded !== true) return loaded;
  if (inputs.length === 0) return ok({ model: requested, embeddings: [] });
  const dimensions = Math.min(found.model.details.embedding_length || 8, 4096);
  return ok({
    model: requested,
    embeddings: inputs.map((text) => vector(String(text), dimensions)),
    total_duration: 1_000_000,
    load_duration: context.runner.loadMs * 1_000_000,
    prompt_eval_count: inputs.length,
  });
}

/** The installed model a request names, or the answer it gets instead. */
function resolve(
  context: InferenceContext,
  requested: string,
  path: string,
): { model: InstalledModel } | { answer: InferenceAnswer } {
  const notFound = { answer: fail(404, `model '${requested}' not found`) };
  const read = readModelName(requested);
  if (!read.ok) {
    return read.error === INVALID_MODEL_NAME ? notFound : { answer: fail(400, read.error) };
  }
  const { name, source } = read.reference;
  if (source === "cloud") {
    const stub = context.store.get(modelKey(requested));
    return { answer: cloud(context, path, requested, stub) };
  }
  const model = context.store.get(name.key);
  if (model === undefined) return notFound;
  if (model.remote !== undefined) {
    return source === "local" ? notFound : { answer: cloud(context, path, requested, model) };
  }
  return { model };
}

/** A request for a cloud model: refused, or answered as ollama.com would (signed in). */
function cloud(
  context: InferenceContext,
  path: string,
  requested: string,
  stub: InstalledModel | undefined,
): InferenceAnswer {
  const refusal = cloudRefusal(context.settings, "inference", path);
  if (refusal !== undefined) return refusal;
  if (path === "/api/embed") return ok({ model: requested, embeddings: [] });
  const remote = stub?.remote;
  return ok({
    model: requested,
    ...(remote ? { remote_model: remote.model, remote_host: remote.host } : {}),
    created_at: rfc3339NanoUtc(new Date(), requested),
    response: "",
    done: true,
    done_reason: "load",
  });
}

async function load(
  context: InferenceContext,
  model: InstalledModel,
  keepAlive: number | undefined,
): Promise<true | InferenceAnswer> {
  if (!await context.wait(context.runner.loadMs)) return undefined;
  const error = context.runner.load(model, keepAlive);
  return error === undefined ? true : fail(500, error);
}

function generated(model: string, reason: string): Record<string, unknown> {
  return {
    model,
    created_at: rfc3339NanoUtc(new Date(), model),
    response: "",
    done: true,
    done_reason: reason,
  };
}

function ok(body: unknown): JsonAnswer {
  return { status: 200, body };
}

function fail(status: number, error: string): JsonAnswer {
  return { status, body: { error } };
}

/** A made-up embedding: the same text always gives the same unit vector. */
function vector(text: string, dimensions: number): number[] {
  let state = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 0x01000193);
  const values = Array.from({ length: dimensions }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296 - 0.5;
  });
  const norm = Math.hypot(...values) || 1;
  return values.map((value) => Number((value / norm).toFixed(6)));
}
