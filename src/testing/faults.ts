/**
 * The faults the fake Ollama server can inject: everything a real server, a proxy in front of it
 * or the network between can do to a client. "Connection refused" is not among them, since a
 * handler cannot refuse a connection: use {@link unusedLoopbackUrl} for that.
 *
 * @module
 */

/**
 * Accept the request and never answer (no status, no headers) until the client goes away or
 * the fake is closed. Applies to every request.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "hang" }, { path: "/api/version" });
 * ```
 */
export interface HangFault {
  /** Discriminant. */
  kind: "hang";
}

/**
 * Answer `200` with the route's headers (`application/x-ndjson` for a pull), then never send a
 * byte. Applies to every request. (`Bun.serve` completes a header block only with the first body
 * byte, so over {@link serveFakeOllama}'s Bun backend a client sees a hang; the `node` backend
 * sends the headers.)
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "headers_then_silence" }, { path: "/api/pull" });
 * ```
 */
export interface HeadersThenSilenceFault {
  /** Discriminant. */
  kind: "headers_then_silence";
}

/**
 * Send `lines` lines of a pull, then keep the connection open with no bytes.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "stall_after", lines: 3 });
 * ```
 */
export interface StallAfterFault {
  /** Discriminant. */
  kind: "stall_after";
  /** Lines sent before the stall. */
  lines: number;
}

/**
 * After `lines` lines of a catalog pull, the download stalls the way a real Ollama shows a stuck
 * registry: the same progress line again every tick (with `total` only while no byte of the
 * layer has arrived yet), for `ms`, and then, as `then` says:
 * - `"resume"` (default): progress goes on where it stopped;
 * - `"restart"`: the layer's part starts over, `completed` falls back to what the layer had when
 *   the pull began and climbs again (Ollama restarts a part that got no byte for 30 s);
 * - `"deadline"`: `{"error":"context deadline exceeded"}` (a blob redirect that failed for 30 s);
 * - `"max_retries"`: `{"error":"max retries exceeded: unexpected EOF"}` (six cut connections).
 *
 * Without `ms` the line repeats until the client leaves. In fast mode (`tickMs: 0`) the line is
 * sent three times without waits. Registry pulls get their stalls from the registry (a
 * `FakeRegistry` `stall` fault); this fault does not apply to them.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "repeat_stall", lines: 3, ms: 2000, then: "restart" });
 * ```
 */
export interface RepeatStallFault {
  /** Discriminant. */
  kind: "repeat_stall";
  /** Lines sent before the stall (`pulling manifest` is line 1). */
  lines: number;
  /** How long the same line repeats, in ms. Default: until the client leaves. */
  ms?: number;
  /** What follows the stall. Default `"resume"`. */
  then?: "resume" | "restart" | "deadline" | "max_retries";
}

/**
 * End a pull's body cleanly after `lines` lines, without `success` (a proxy closing it).
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "close_after", lines: 3 });
 * ```
 */
export interface CloseAfterFault {
  /** Discriminant. */
  kind: "close_after";
  /** Lines sent before the end. */
  lines: number;
}

/**
 * Cut the connection after `lines` lines of a pull (the body stream errors).
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "reset_after", lines: 3 });
 * ```
 */
export interface ResetAfterFault {
  /** Discriminant. */
  kind: "reset_after";
  /** Lines sent before the cut. */
  lines: number;
}

/**
 * Send `{"error": message}` after `lines` lines of a pull; the status stays 200.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "error_after", lines: 3, message: "unauthorized: access denied" });
 * ```
 */
export interface ErrorAfterFault {
  /** Discriminant. */
  kind: "error_after";
  /** Lines sent before the error. */
  lines: number;
  /** The error text. Default `max retries exceeded: unexpected EOF`. */
  message?: string;
}

/**
 * Answer `status` with `{"error": message}` before any line. Applies to every request.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "http_error", status: 500, message: "insecure protocol http" });
 * ```
 */
export interface HttpErrorFault {
  /** Discriminant. */
  kind: "http_error";
  /** The HTTP status, e.g. 500. */
  status: number;
  /** The error text, e.g. `insecure protocol http`. */
  message: string;
}

/**
 * Answer an HTML page (a proxy's error page) where JSON is expected. Applies to every request.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "html", status: 504 });
 * ```
 */
export interface HtmlFault {
  /** Discriminant. */
  kind: "html";
  /** The HTTP status. Default 502. */
  status?: number;
}

/**
 * Answer plain text where JSON is expected (another server). Applies to every request.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "plain_text", body: "Hello from another server" });
 * ```
 */
export interface PlainTextFault {
  /** Discriminant. */
  kind: "plain_text";
  /** The HTTP status. Default 200. */
  status?: number;
  /** The body. Default `OK`. */
  body?: string;
}

/**
 * Insert a line that is not JSON after `afterLines` lines of a pull, then go on.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "not_json_line", afterLines: 2 });
 * ```
 */
export interface NotJsonLineFault {
  /** Discriminant. */
  kind: "not_json_line";
  /** Lines sent before the bad one. */
  afterLines: number;
  /** The line, without its newline. Default: a truncated JSON object. */
  line?: string;
}

/**
 * Insert one enormous (valid JSON) line of `bytes` bytes after `afterLines` lines, then go on.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "huge_line", afterLines: 1, bytes: 64 * 1024 * 1024 });
 * ```
 */
export interface HugeLineFault {
  /** Discriminant. */
  kind: "huge_line";
  /** Lines sent before the huge one. */
  afterLines: number;
  /** The line's length in bytes, without its newline. */
  bytes: number;
}

/**
 * Deliver every body in random-size chunks (1 to 16 bytes) that split lines, with at least one
 * cut inside a multi-byte UTF-8 character per chunk that has one. A pull's status texts (but
 * not the phases a client keys on: verifying, writing, success) then carry ` — é 🦙` so there is
 * something to split. Applies to every request.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "split_chunks", seed: 42 });
 * ```
 */
export interface SplitChunksFault {
  /** Discriminant. */
  kind: "split_chunks";
  /** Seed of the chunk sizes; the same seed gives the same chunks. Default 1. */
  seed?: number;
}

/**
 * Deliver every body one byte per chunk. Applies to every request.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "trickle" });
 * ```
 */
export interface TrickleFault {
  /** Discriminant. */
  kind: "trickle";
}

/**
 * In a pull, `completed` goes backwards once mid-layer, then continues.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "backwards" });
 * ```
 */
export interface BackwardsFault {
  /** Discriminant. */
  kind: "backwards";
}

/**
 * A pull's layer lines carry no `total`.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "no_total" });
 * ```
 */
export interface NoTotalFault {
  /** Discriminant. */
  kind: "no_total";
}

/**
 * Terminal control sequences ({@link CONTROL_CHARS}: ANSI colour, an OSC title change, a clear
 * screen, a NUL, a bidi override) appended to a pull's status texts (but not to the phases a
 * client keys on: verifying, writing, removing, success) and to every error text of the pull,
 * show and delete routes (including an `http_error` on them).
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "control_chars" });
 * ```
 */
export interface ControlCharsFault {
  /** Discriminant. */
  kind: "control_chars";
}

/**
 * `GET /v1/models` answers `data: null` even when models are installed.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "v1_models_null" });
 * ```
 */
export interface V1ModelsNullFault {
  /** Discriminant. */
  kind: "v1_models_null";
}

/**
 * `200` JSON of the wrong shape: `{"version":3}`, `{"models":null}`, `data` an object, `details`
 * an array, pull lines that are arrays or have a numeric status. Applies to the JSON routes
 * (`/api/version`, `/api/tags`, `/api/ps`, `/v1/models`, `/api/show`, `/api/pull`), or only to
 * `path`.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "wrong_shape", path: "/api/tags" });
 * ```
 */
export interface WrongShapeFault {
  /** Discriminant. */
  kind: "wrong_shape";
  /** Only this path, e.g. `/api/tags`. */
  path?: string;
}

/**
 * A pull says `success` but the model is not added to the list.
 *
 * @example
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * new FakeOllama().injectFault({ kind: "success_not_listed" });
 * ```
 */
export interface SuccessNotListedFault {
  /** Discriminant. */
  kind: "success_not_listed";
}

/**
 * A fault to inject with {@link FakeOllama.injectFault}: a discriminated union on `kind`.
 * Counts of `lines` are of JSON lines of the pull stream (`pulling manifest` is line 1); when the
 * pull has fewer lines, a line fault does not fire.
 *
 * @example
 * ```ts
 * import { FakeOllama, type FakeFault } from "@vtcode/ollama/testing";
 *
 * const fake = new FakeOllama({ tickMs: 0 });
 * const fault: FakeFault = { kind: "error_after", lines: 3, message: "unauthorized: access denied" };
 * fake.injectFault(fault, { model: "llama3" });
 * ```
 */
export type FakeFault =
  | HangFault
  | HeadersThenSilenceFault
  | StallAfterFault
  | RepeatStallFault
  | CloseAfterFault
  | ResetAfterFault
  | ErrorAfterFault
  | HttpErrorFault
  | HtmlFault
  | PlainTextFault
  | NotJsonLineFault
  | HugeLineFault
  | SplitChunksFault
  | TrickleFault
  | BackwardsFault
  | NoTotalFault
  | ControlCharsFault
  | V1ModelsNullFault
  | WrongShapeFault
  | SuccessNotListedFault;

/**
 * The `kind` of a {@link FakeFault}.
 *
 * @example
 * ```ts
 * import type { FakeFaultKind } from "@vtcode/ollama/testing";
 *
 * const kind: FakeFaultKind = "trickle";
 * ```
 */
export type FakeFaultKind = FakeFault["kind"];

/**
 * Which requests a fault applies to. Without any field: every request the fault applies to.
 *
 * @example The first pull of llama3 stalls after 2 lines; the second one succeeds
 * ```ts
 * import { FakeOllama } from "@vtcode/ollama/testing";
 *
 * const fake = new FakeOllama();
 * fake.injectFault({ kind: "stall_after", lines: 2 }, { model: "llama3", times: 1 });
 * ```
 */
export interface FakeFaultSelect {
  /** Only requests naming this model (pull, show, delete), compared on the normalized name. */
  model?: string;
  /** Only requests for this path, e.g. `/api/pull`. */
  path?: string;
  /** Only the next `times` matching requests; then the fault is spent. */
  times?: number;
}

/**
 * Every fault kind, in the order of the protocol document.
 *
 * @example
 * ```ts
 * import { FAKE_FAULT_KINDS } from "@vtcode/ollama/testing";
 *
 * FAKE_FAULT_KINDS.includes("hang"); // true
 * ```
 */
export const FAKE_FAULT_KINDS: readonly FakeFaultKind[] = Object.freeze(
  [
    "hang",
    "headers_then_silence",
    "stall_after",
    "repeat_stall",
    "close_after",
    "reset_after",
    "error_after",
    "http_error",
    "html",
    "plain_text",
    "not_json_line",
    "huge_line",
    "split_chunks",
    "trickle",
    "backwards",
    "no_total",
    "control_chars",
    "v1_models_null",
    "wrong_shape",
    "success_not_listed",
  ] satisfies FakeFaultKind[],
);

/**
 * The control sequences the `control_chars` fault puts into texts: an ANSI colour and reset, an
 * OSC title change (`ESC ] 0;pwned BEL`), a clear screen with cursor home, a NUL and a
 * right-to-left override.
 *
 * @example
 * ```ts
 * import { CONTROL_CHARS } from "@vtcode/ollama/testing";
 *
 * CONTROL_CHARS.includes("\u001b]0;pwned\u0007"); // true
 * ```
 */
export const CONTROL_CHARS = "\u001b[31m\u001b]0;pwned\u0007\u001b[2J\u001b[H\u0000\u202e\u001b[0m";

/**
 * The text the `split_chunks` fault appends to status texts: characters of 3, 2 and 4 bytes in
 * UTF-8.
 *
 * @example
 * ```ts
 * import { MULTIBYTE_SUFFIX } from "@vtcode/ollama/testing";
 *
 * new TextEncoder().encode(MULTIBYTE_SUFFIX).length; // 12
 * ```
 */
export const MULTIBYTE_SUFFIX = " \u2014 \u00e9 \u{1f999}";

/**
 * The default line of the `not_json_line` fault: a JSON object cut short.
 *
 * @example
 * ```ts
 * import { NOT_JSON_LINE } from "@vtcode/ollama/testing";
 *
 * NOT_JSON_LINE; // '{"status":"pulling manifest"'
 * ```
 */
export const NOT_JSON_LINE = '{"status":"pulling manifest"';

/**
 * The default message of the `error_after` fault.
 *
 * @example
 * ```ts
 * import { ERROR_AFTER_MESSAGE } from "@vtcode/ollama/testing";
 *
 * ERROR_AFTER_MESSAGE; // "max retries exceeded: unexpected EOF"
 * ```
 */
export const ERROR_AFTER_MESSAGE = "max retries exceeded: unexpected EOF";

const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * The HTML page of the `html` fault: what nginx answers when the server behind it is down.
 *
 * @param status The HTTP status shown on the page.
 * @returns The page.
 *
 * @example
 * ```ts
 * import { proxyErrorPage } from "@vtcode/ollama/testing";
 *
 * proxyErrorPage(502).includes("<title>502 Bad Gateway</title>"); // true
 * ```
 */
export function proxyErrorPage(status: number): string {
  const title = `${status} ${REASONS[status] ?? "Error"}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
