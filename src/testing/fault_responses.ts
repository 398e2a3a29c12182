/**
 * The faults that replace a whole response: a request that is never answered, an error status,
 * a proxy's HTML page, plain text, headers and then nothing, or JSON of the wrong shape.
 *
 * @module
 */

import { CONTROL_CHARS, type FakeFault, proxyErrorPage } from "./faults.ts";
import { goJson } from "./pull_script.ts";
import {
  abandoned,
  type Exchange,
  JSON_TYPE,
  NDJSON_TYPE,
  respond,
  silence,
  streamed,
  TEXT_TYPE,
} from "./responses.ts";

/**
 * The response a replacing fault gives.
 *
 * @param exchange The request.
 * @param fault The fault (of the group that replaces the response).
 * @param request The request itself (its signal ends a hang).
 * @param controlChars Whether the `control_chars` fault decorates error texts too.
 */
export async function faultResponse(
  exchange: Exchange,
  fault: FakeFault,
  request: Request,
  controlChars: boolean,
): Promise<Response | undefined> {
  const { method, path } = exchange.record;
  const send = (status: number, type: string | undefined, body: string) =>
    respond(exchange, status, type, method === "HEAD" ? null : body);
  switch (fault.kind) {
    case "hang": {
      const unwatch = exchange.waiter.watch(request.signal);
      await exchange.waiter.forever();
      unwatch();
      return abandoned(exchange);
    }
    case "http_error": {
      // Ollama's streamResponse sets a bare `application/json` on an error before any line.
      const message = controlChars ? `${fault.message}${CONTROL_CHARS}` : fault.message;
      const type = path === "/api/pull" ? "application/json" : JSON_TYPE;
      return send(fault.status, type, goJson({ error: message }));
    }
    case "html":
      return send(fault.status ?? 502, "text/html", proxyErrorPage(fault.status ?? 502));
    case "plain_text":
      return send(fault.status ?? 200, TEXT_TYPE, fault.body ?? "OK");
    case "headers_then_silence": {
      const type = path === "/api/pull" ? NDJSON_TYPE : path === "/" ? TEXT_TYPE : JSON_TYPE;
      return streamed(exchange, 200, type, silence());
    }
    case "wrong_shape":
      return wrongShape(exchange, path);
  }
  return undefined;
}

/** JSON of the wrong shape for each JSON route. */
function wrongShape(exchange: Exchange, path: string): Response {
  if (path === "/api/pull") {
    const lines = '["pulling manifest"]\n{"status":7}\n' +
      '{"status":"pulling 0123456789ab","digest":42,"total":"big","completed":-1}\n' +
      '{"status":"success"}\n';
    const bytes = new TextEncoder().encode(lines);
    return streamed(
      exchange,
      200,
      NDJSON_TYPE,
      (async function* () {
        yield bytes;
      })(),
    );
  }
  const bodies: Record<string, unknown> = {
    "/api/version": { version: 3 },
    "/api/tags": { models: { "llama3:latest": {} } },
    "/api/ps": { models: "none" },
    "/v1/models": { object: "list", data: { id: "llama3:latest" } },
    "/api/show": { details: [], model_info: "none" },
  };
  return respond(exchange, 200, JSON_TYPE, goJson(bodies[path] ?? null));
}
