/**
 * The fake server's handler: records each request, takes the faults that apply to it, and
 * answers it by route, with Ollama's shapes, content types, statuses and error texts.
 *
 * Routes: `GET`/`HEAD /`, `/api/version`, `/api/tags`; `GET /api/status`, `/api/ps`,
 * `/v1/models`; `POST /api/show`, `/api/pull`, `/api/generate`, `/api/embed`, `/api/me`;
 * `HEAD`/`POST /api/blobs/<digest>`; `DELETE /api/delete`. Others: 404 `404 page not found`; a
 * wrong method: 405 `405 method not allowed`.
 *
 * @module
 */

import { cloudRefusal, cloudStatus, type JsonAnswer, whoami } from "./cloud.ts";
import type { AppliedFaults, FaultBook, FaultTarget } from "./fault_plan.ts";
import { faultResponse } from "./fault_responses.ts";
import { CONTROL_CHARS } from "./faults.ts";
import { embed, generate, type InferenceContext } from "./inference.ts";
import { isLocalHost } from "./local_host.ts";
import { INVALID_MODEL_NAME, modelKey, readModelName, readPullName } from "./model_name.ts";
import { KEPT_BYTES } from "./model_store.ts";
import { openAiEntry, showBody, tagsEntry } from "./model_views.ts";
import { pull, type PullParts, pullPlan } from "./pull_route.ts";
import { goJson } from "./pull_script.ts";
import { sha256Digest } from "./registry/models.ts";
import { bindJson, type RequestStruct } from "./request_json.ts";
import { newRecord, type RequestRecordState } from "./request_record.ts";
import { type Exchange, finish, JSON_TYPE, respond, TEXT_TYPE } from "./responses.ts";
import type { Runner } from "./runner.ts";
import { Waiter } from "./waiter.ts";

/** Everything the handler works with. */
export interface FakeParts extends PullParts {
  faults: FaultBook;
  runner: Runner;
  records: RequestRecordState[];
  live: Set<Waiter>;
}

const ROUTES: Readonly<Record<string, readonly string[]>> = {
  "/": ["GET", "HEAD"],
  "/api/version": ["GET", "HEAD"],
  "/api/status": ["GET"],
  "/api/tags": ["GET", "HEAD"],
  "/api/ps": ["GET"],
  "/v1/models": ["GET"],
  "/api/show": ["POST"],
  "/api/delete": ["DELETE"],
  "/api/pull": ["POST"],
  "/api/generate": ["POST"],
  "/api/embed": ["POST"],
  "/api/me": ["POST"],
  "/api/blobs/:digest": ["HEAD", "POST"],
};

/** The JSON routes that read a body, and the Go struct each reads it into. */
const BODIES: Readonly<Record<string, RequestStruct>> = {
  "/api/show": "ShowRequest",
  "/api/delete": "DeleteRequest",
  "/api/pull": "PullRequest",
  "/api/generate": "GenerateRequest",
  "/api/embed": "EmbedRequest",
};

const DIGEST = /^sha256[:-][0-9a-fA-F]{64}$/;
const DECODER = new TextDecoder();

/** Handles one request. */
export async function handleRequest(parts: FakeParts, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const method = request.method.toUpperCase();
  const bytes = method === "GET" || method === "HEAD"
    ? new Uint8Array()
    : new Uint8Array(await request.arrayBuffer().catch(() => new ArrayBuffer(0)));
  const text = DECODER.decode(bytes);
  const record = newRecord(request, url, text);
  parts.records.push(record);
  const closed = parts.closed();
  const waiter = new Waiter((w) => parts.live.delete(w), closed ? "closed" : undefined);
  if (!closed) parts.live.add(waiter);
  const { applied, kinds } = parts.faults.take(faultTarget(parts, record));
  record.faults = kinds;
  const exchange: Exchange = { record, waiter, chunking: applied.chunking };
  try {
    const replaced = applied.response === undefined
      ? undefined
      : await faultResponse(exchange, applied.response, request, applied.controlChars);
    if (replaced !== undefined) return replaced;
    return await route(parts, request, exchange, applied, { url, text, bytes });
  } catch (error) {
    finish(exchange, record.outcome === "pending" ? "completed" : record.outcome);
    throw error;
  }
}

/** What a request is about, for fault selection. */
function faultTarget(parts: FakeParts, record: RequestRecordState): FaultTarget {
  const body = typeof record.body === "object" && record.body !== null
    ? record.body as Record<string, unknown>
    : {};
  const named = modelField(body);
  const target: FaultTarget = {
    method: record.method,
    path: record.path,
    model: named === "" && typeof record.body !== "object" ? undefined : modelKey(named),
    pull: undefined,
  };
  if (record.method === "POST" && record.path === "/api/pull") {
    const read = readPullName(named);
    if (read.ok) target.pull = pullPlan(parts, read.reference.name, body.insecure === true).kind;
  }
  return target;
}

async function route(
  parts: FakeParts,
  request: Request,
  exchange: Exchange,
  applied: AppliedFaults,
  body: { url: URL; text: string; bytes: Uint8Array },
): Promise<Response> {
  const { method, path } = exchange.record;
  const { settings, store } = parts;
  const send = (status: number, type: string | undefined, text: string | null) =>
    respond(exchange, status, type, method === "HEAD" ? null : text);
  const json = (answer: JsonAnswer, type = JSON_TYPE) =>
    send(answer.status, type, goJson(answer.body));
  const sendError = (status: number, message: string) =>
    json({
      status,
      body: { error: applied.controlChars ? `${message}${CONTROL_CHARS}` : message },
    });

  if (settings.rejectNonLocalHost && !isLocalHost(request.headers.get("host") ?? body.url.host)) {
    return send(403, undefined, null);
  }
  const key = path.startsWith("/api/blobs/") ? "/api/blobs/:digest" : path;
  const methods = ROUTES[key];
  if (methods === undefined) return send(404, "text/plain", "404 page not found");
  if (!methods.includes(method)) return send(405, "text/plain", "405 method not allowed");

  switch (key) {
    case "/":
      return send(200, TEXT_TYPE, "Ollama is running");
    case "/api/version":
      return json({ status: 200, body: { version: settings.version } });
    case "/api/status":
      return json(cloudStatus(settings));
    case "/api/tags":
      return json({ status: 200, body: { models: store.list().map(tagsEntry) } });
    case "/api/ps":
      return json({ status: 200, body: parts.runner.ps() });
    case "/api/me":
      return json(whoami(settings));
    case "/v1/models": {
      const data = store.list().map(openAiEntry);
      const list = { object: "list", data: data.length === 0 || applied.v1Null ? null : data };
      return send(200, "application/json", `${goJson(list)}\n`);
    }
    case "/api/blobs/:digest":
      return await blob(parts, exchange, decodeURIComponent(path.slice(11)), body.bytes, send);
  }

  // The POST and DELETE routes read a JSON body, as Go's ShouldBindJSON does.
  const bound = bindJson(body.text, BODIES[key]);
  if ("error" in bound) return sendError(400, bound.error);
  const fields = bound.value;
  const requested = modelField(fields);
  let watching: (() => void) | undefined;
  const watch = () => {
    watching ??= exchange.waiter.watch(request.signal);
  };

  switch (key) {
    case "/api/show": {
      if (requested === "") return sendError(400, "model is required");
      const read = readModelName(requested);
      if (!read.ok) return sendError(400, read.error);
      const { name, source } = read.reference;
      if (source === "cloud") {
        const refusal = cloudRefusal(settings, "details", path);
        if (refusal !== undefined) return json(refusal);
      }
      const found = store.get(source === "cloud" ? modelKey(requested) : name.key);
      if (found === undefined) return sendError(404, `model '${name.short}' not found`);
      return json({ status: 200, body: showBody(found) });
    }
    case "/api/delete": {
      if (requested === "") return sendError(400, "model is required");
      const read = readPullName(requested);
      if (!read.ok) {
        const text = read.error === INVALID_MODEL_NAME
          ? `name ${JSON.stringify(requested)} is invalid`
          : read.error;
        return sendError(400, text);
      }
      if (!store.remove(read.reference.name.key)) {
        return sendError(404, `model '${requested}' not found`);
      }
      return send(200, undefined, null);
    }
    case "/api/pull": {
      const read = readPullName(requested);
      if (!read.ok) return sendError(400, read.error);
      return await pull(parts, exchange, applied, read.reference.name, fields, watch);
    }
  }
  const context: InferenceContext = {
    settings,
    store,
    runner: parts.runner,
    wait: async (ms) => {
      if (ms <= 0) return true;
      watch();
      await exchange.waiter.sleep(ms);
      return exchange.waiter.stopped === undefined;
    },
  };
  const answer = key === "/api/generate"
    ? await generate(context, fields)
    : await embed(context, fields);
  if (answer === undefined) {
    finish(exchange, exchange.waiter.stopped === "closed" ? "closed" : "client_gone");
    return new Response(null, { status: 499 });
  }
  if (answer.type !== undefined) {
    return send(answer.status, answer.type, `${goJson(answer.body)}\n`);
  }
  return json(answer);
}

/** `HEAD /api/blobs/<digest>` (is it there?) and `POST` (store it). */
async function blob(
  parts: FakeParts,
  exchange: Exchange,
  digest: string,
  bytes: Uint8Array,
  send: (status: number, type: string | undefined, text: string | null) => Response,
): Promise<Response> {
  const method = exchange.record.method;
  const error = (status: number, message: string) =>
    send(status, JSON_TYPE, goJson({ error: message }));
  if (!DIGEST.test(digest)) return error(400, "invalid digest format");
  const stored = `sha256:${digest.slice(7)}`;
  const present = parts.store.wholeSize(stored) !== undefined;
  if (method === "HEAD") {
    return present
      ? send(200, undefined, null)
      : error(404, `blob ${JSON.stringify(digest)} not found`);
  }
  if (present) return send(200, undefined, null);
  const actual = await sha256Digest(new Uint8Array(bytes));
  if (actual !== digest) {
    return error(
      400,
      `digest mismatch, expected ${JSON.stringify(digest)}, got ${JSON.stringify(actual)}`,
    );
  }
  parts.store.keep(actual, bytes.slice(0, KEPT_BYTES));
  parts.store.setWhole(actual, bytes.length);
  return send(201, undefined, null);
}

function modelField(body: Record<string, unknown>): string {
  const model = typeof body.model === "string" ? body.model : "";
  const name = typeof body.name === "string" ? body.name : "";
  return model !== "" ? model : name;
}
