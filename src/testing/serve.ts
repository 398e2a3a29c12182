/**
 * Serving the fake Ollama (or any web-standard handler) on a loopback port, under Deno
 * (`Deno.serve`), Bun (`Bun.serve`) or Node (`node:http`), and finding an address where nothing
 * listens. The only runtime-specific file of the fake server.
 *
 * @module
 */

import { FakeOllama } from "./fake_ollama.ts";

/**
 * A web-standard request handler, as {@link FakeOllama.handler} is.
 *
 * @example
 * ```ts
 * import type { FakeHandler } from "@vtcode/ollama/testing";
 *
 * const handler: FakeHandler = () => new Response("Ollama is running");
 * ```
 */
export type FakeHandler = (request: Request) => Response | Promise<Response>;

/**
 * Which HTTP server runs the handler: the runtime's own (`Deno.serve`, `Bun.serve`), or
 * `node:http` (the default under Node, and available under Deno and Bun too).
 *
 * @example
 * ```ts
 * import type { ServeBackend } from "@vtcode/ollama/testing";
 *
 * const backend: ServeBackend = "node";
 * ```
 */
export type ServeBackend = "deno" | "bun" | "node";

/**
 * Options of {@link serveFakeOllama}.
 *
 * @example
 * ```ts
 * import type { ServeFakeOllamaOptions } from "@vtcode/ollama/testing";
 *
 * const options: ServeFakeOllamaOptions = { hostname: "127.0.0.1", port: 0 };
 * ```
 */
export interface ServeFakeOllamaOptions {
  /** The address to listen on. Default `127.0.0.1`. */
  hostname?: string;
  /** The port; 0 picks a free one. Default 0. */
  port?: number;
  /** The HTTP server to use. Default: the runtime's own (`node` under Node). */
  backend?: ServeBackend;
}

/**
 * A running server from {@link serveFakeOllama}.
 *
 * @example
 * ```ts
 * import { FakeOllama, serveFakeOllama } from "@vtcode/ollama/testing";
 *
 * const server = await serveFakeOllama(new FakeOllama());
 * console.log(server.url); // e.g. http://127.0.0.1:43127
 * await server.close();
 * ```
 */
export interface ServedFakeOllama {
  /** The base URL, e.g. `http://127.0.0.1:43127` (no trailing slash). */
  url: string;
  /** The port listened on. */
  port: number;
  /** The address listened on. */
  hostname: string;
  /** The HTTP server in use. */
  backend: ServeBackend;
  /**
   * Stops the server: closes the fake (ending its hangs and stalls), cuts every open connection,
   * and resolves once the port is free. Idempotent.
   */
  close(): Promise<void>;
}

// Structural views of the runtimes' globals, declared here so that no runtime's type package is
// needed.

interface DenoServer {
  addr: { port: number };
  shutdown(): Promise<void>;
  finished: Promise<void>;
}

interface DenoRuntime {
  serve(
    options: {
      hostname: string;
      port: number;
      signal: AbortSignal;
      onListen: () => void;
      onError: (error: unknown) => Response;
    },
    handler: (request: Request) => Promise<Response>,
  ): DenoServer;
  listen(options: { hostname: string; port: number }): { addr: { port: number }; close(): void };
}

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

interface BunRuntime {
  serve(options: {
    hostname: string;
    port: number;
    idleTimeout: number;
    fetch: (request: Request) => Promise<Response>;
    error: (error: unknown) => Response;
  }): BunServer;
}

function runtimeGlobal<T>(name: "Deno" | "Bun"): T | undefined {
  return (globalThis as unknown as Record<string, T | undefined>)[name];
}

/**
 * Serves a {@link FakeOllama} (or any handler) on a loopback port. Under Deno it uses
 * `Deno.serve` (printing nothing), under Bun `Bun.serve` (no idle timeout, so stalls stay
 * stalled), elsewhere `node:http`, where a request's `signal` aborts when the client goes away
 * and the response body is streamed with backpressure and cancelled if the client leaves.
 *
 * Known differences between backends: `Bun.serve` sends a complete header block only with the
 * first body byte, so the `headers_then_silence` fault looks like a hang to its clients (use
 * `backend: "node"` for the exact bytes). `close()` cuts connections on every backend: a client still
 * waiting gets a network error (at most a status line and then a body that breaks off).
 *
 * @param target The fake, or a handler.
 * @param options Address, port and backend.
 * @returns The running server; `close()` it when done.
 *
 * @example
 * ```ts
 * import { FakeOllama, serveFakeOllama } from "@vtcode/ollama/testing";
 *
 * const fake = new FakeOllama({ models: ["llama3"], tickMs: 0 });
 * const server = await serveFakeOllama(fake);
 * const response = await fetch(`${server.url}/api/version`);
 * await response.json(); // { version: "0.33.0" }
 * await server.close();
 * ```
 */
export async function serveFakeOllama(
  target: FakeOllama | FakeHandler,
  options: ServeFakeOllamaOptions = {},
): Promise<ServedFakeOllama> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 0;
  const fake = target instanceof FakeOllama ? target : undefined;
  const handler: FakeHandler = fake?.handler ?? (target as FakeHandler);
  const deno = runtimeGlobal<DenoRuntime>("Deno");
  const bun = runtimeGlobal<BunRuntime>("Bun");
  const backend = options.backend ?? (deno ? "deno" : bun ? "bun" : "node");
  const tracker = new InFlight(handler);
  let started: { port: number; stop: () => Promise<void> };
  if (backend === "deno") {
    if (deno === undefined) throw new TypeError("the deno backend needs Deno");
    started = serveDeno(deno, tracker, hostname, port);
  } else if (backend === "bun") {
    if (bun === undefined) throw new TypeError("the bun backend needs Bun");
    started = serveBun(bun, tracker, hostname, port);
  } else {
    started = await serveNode(tracker, hostname, port);
  }
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${started.port}`,
    port: started.port,
    hostname,
    backend,
    close() {
      closing ??= (async () => {
        fake?.close();
        tracker.close();
        await started.stop();
      })();
      return closing;
    },
  };
}

/**
 * An address on the loopback interface where nothing listens: a port is bound, read and freed.
 * A request to it fails with "connection refused" (unless something else takes the port
 * meanwhile, which is unlikely).
 *
 * @param hostname The loopback address. Default `127.0.0.1`.
 * @returns A base URL such as `http://127.0.0.1:43129`.
 *
 * @example
 * ```ts
 * import { unusedLoopbackUrl } from "@vtcode/ollama/testing";
 *
 * const url = await unusedLoopbackUrl();
 * await fetch(`${url}/api/version`).catch((error) => error); // a TypeError: connection refused
 * ```
 */
export async function unusedLoopbackUrl(hostname = "127.0.0.1"): Promise<string> {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const deno = runtimeGlobal<DenoRuntime>("Deno");
  if (deno !== undefined) {
    const listener = deno.listen({ hostname, port: 0 });
    const port = listener.addr.port;
    listener.close();
    return `http://${host}:${port}`;
  }
  const net = await import("node:net");
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, hostname, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://${host}:${port}`;
}

/**
 * The requests under way, so that `close()` can end them whatever the handler: a handler still
 * deciding gets a cut connection, a body still streaming errors.
 */
class InFlight {
  readonly #handler: FakeHandler;
  readonly #enders = new Set<() => void>();
  #closed = false;

  constructor(handler: FakeHandler) {
    this.#handler = handler;
  }

  /** Runs the handler; a handler that throws, or is still running at close(), gets `cut()`. */
  async handle(request: Request, cut: () => Response): Promise<Response> {
    if (this.#closed) return cut();
    let end = () => {};
    const ended = new Promise<Response>((resolve) => {
      end = () => resolve(cut());
    });
    this.#enders.add(end);
    try {
      return await Promise.race([Promise.resolve().then(() => this.#handler(request)), ended]);
    } catch {
      return cut();
    } finally {
      this.#enders.delete(end);
    }
  }

  /**
   * A pass-through of a response body that errors with `errorWith` when the source errors or at
   * close(), and cancels the source when the client goes away.
   */
  body(
    source: ReadableStream<Uint8Array>,
    errorWith: () => unknown,
    beforeError: () => Promise<void> = () => Promise.resolve(),
  ): ReadableStream<Uint8Array> {
    const reader = source.getReader();
    let end = () => {};
    const enders = this.#enders;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        end = () => {
          enders.delete(end);
          reader.cancel().catch(() => {});
          try {
            controller.error(errorWith());
          } catch {
            // already finished
          }
        };
        if (this.#closed) end();
        else enders.add(end);
      },
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            enders.delete(end);
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch {
          enders.delete(end);
          await beforeError();
          try {
            controller.error(errorWith());
          } catch {
            // already errored at close()
          }
        }
      },
      cancel(reason) {
        enders.delete(end);
        return reader.cancel(reason);
      },
    }, { highWaterMark: 0 });
  }

  close(): void {
    this.#closed = true;
    for (const end of [...this.#enders]) end();
    this.#enders.clear();
  }
}

/** A response whose body errors at once: headers, then a cut connection. */
function cutResponse(errorWith: () => unknown): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.error(errorWith());
    },
  });
  return new Response(body, { status: 500 });
}

function serveDeno(
  deno: DenoRuntime,
  tracker: InFlight,
  hostname: string,
  port: number,
): { port: number; stop: () => Promise<void> } {
  const cutError = () => new TypeError("connection cut by the fake Ollama server");
  const shutdown = new AbortController();
  const server = deno.serve(
    {
      hostname,
      port,
      signal: shutdown.signal,
      onListen: () => {},
      onError: () => cutResponse(cutError),
    },
    async (request) => {
      const watched = watchSignalReads(request);
      const response = await tracker.handle(request, () => cutResponse(cutError));
      if (watched.read() && request.signal.aborted) {
        // The client left while the handler made it wait (a hang). Deno (in its legacy abort mode)
        // counts any response sent now as a success and then warns about the signal having been
        // read; the connection is gone anyway, so send nothing: the shutdown's abort ends it.
        await response.body?.cancel().catch(() => {});
        return new Promise<Response>(() => {});
      }
      if (response.body === null) return response;
      return rewrap(response, tracker.body(response.body, cutError));
    },
  );
  return {
    port: server.addr.port,
    stop: async () => {
      shutdown.abort();
      await server.finished;
    },
  };
}

/** Notes whether a request's `signal` is read (reading it is what Deno's warning is about). */
function watchSignalReads(request: Request): { read: () => boolean } {
  let read = false;
  const getter = Object.getOwnPropertyDescriptor(Request.prototype, "signal")?.get;
  if (getter === undefined) return { read: () => true };
  Object.defineProperty(request, "signal", {
    configurable: true,
    get() {
      read = true;
      return getter.call(request);
    },
  });
  return { read: () => read };
}

function serveBun(
  bun: BunRuntime,
  tracker: InFlight,
  hostname: string,
  port: number,
): { port: number; stop: () => Promise<void> } {
  // Bun prints the reason of a body stream that errors, unless it is undefined.
  const quiet = () => undefined;
  const server = bun.serve({
    hostname,
    port,
    idleTimeout: 0,
    error: () => cutResponse(quiet),
    fetch: async (request) => {
      const response = await tracker.handle(request, () => cutResponse(quiet));
      if (response.body === null) return response;
      // Bun sends what a stream produced only on its next turn: let it, before cutting.
      const flushed = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
      return rewrap(response, tracker.body(response.body, quiet, flushed));
    },
  });
  return {
    port: server.port,
    stop: async () => {
      await server.stop(true);
    },
  };
}

async function serveNode(
  tracker: InFlight,
  hostname: string,
  port: number,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const http = await import("node:http");
  const server = http.createServer((req, res) => {
    nodeExchange(tracker, hostname, boundPort, req, res).catch(() => res.destroy());
  });
  let boundPort = port;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  boundPort = typeof address === "object" && address !== null ? address.port : port;
  return {
    port: boundPort,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

type NodeRequest = import("node:http").IncomingMessage;
type NodeResponse = import("node:http").ServerResponse;

/** One request under `node:http`: IncomingMessage to Request, Response to ServerResponse. */
async function nodeExchange(
  tracker: InFlight,
  hostname: string,
  port: number,
  req: NodeRequest,
  res: NodeResponse,
): Promise<void> {
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) {
      controller.abort(new DOMException("the client went away", "AbortError"));
    }
  };
  res.on("close", onClose);

  const method = (req.method ?? "GET").toUpperCase();
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk as Uint8Array);
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  let url: URL;
  try {
    url = new URL(req.url ?? "/", `http://${req.headers.host ?? `${host}:${port}`}`);
  } catch {
    url = new URL(req.url ?? "/", `http://${host}:${port}`);
  }
  const request = new Request(url, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? null : concat(chunks),
    signal: controller.signal,
  });

  let cut = false;
  const response = await tracker.handle(request, () => {
    cut = true;
    return new Response(null, { status: 500 });
  });
  if (cut || res.destroyed) {
    await response.body?.cancel().catch(() => {});
    res.destroy();
    return;
  }
  const outgoing: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    outgoing[name] = value;
  });
  res.writeHead(response.status, response.statusText || undefined, outgoing);
  if (response.body === null || method === "HEAD") {
    await response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = tracker.body(response.body, () => new TypeError("cut")).getReader();
  const onGone = () => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  };
  res.on("close", onGone);
  let written: Promise<void> = Promise.resolve();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      written = new Promise<void>((resolve) => res.write(value, () => resolve()));
      if (res.writableNeedDrain) {
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off("drain", go);
            res.off("close", go);
            resolve();
          };
          res.on("drain", go);
          res.on("close", go);
        });
      }
    }
    res.end();
  } catch {
    // The body errored (a reset fault, or close()): cut the connection once what was written is
    // flushed, without the chunked body's terminator.
    if (!res.destroyed) await written;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    res.destroy();
  } finally {
    res.off("close", onGone);
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function rewrap(response: Response, body: ReadableStream<Uint8Array>): Response {
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
