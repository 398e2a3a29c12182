// The one request path: redirect rules on every endpoint, busy gateways, and failures named for
// what they are. Scripted through an injected fetch, plus real sockets for the network failures.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { OllamaClient } from "../src/client.ts";
import {
  ConnectionError,
  NotOllamaError,
  PermissionDeniedError,
  PullFailedError,
  ServerBusyError,
  UnreachableError,
} from "../src/errors/mod.ts";
import { diagnoseFetchFailure } from "../src/diagnose.ts";
import { collect, json, ndjson, rejection, scripted } from "./_helpers.ts";

const BASE = "http://127.0.0.1:11434";

/** Every request the client can make, so that a rule is checked on each path. */
const OPERATIONS: [string, (client: OllamaClient) => Promise<unknown>][] = [
  ["healthCheck", (c) => c.healthCheck()],
  ["version", (c) => c.version()],
  ["listModels", (c) => c.listModels()],
  ["capabilities", (c) => c.capabilities("llama3")],
  ["runningModels", (c) => c.runningModels()],
  ["hasBlob", (c) => c.hasBlob(`sha256:${"0".repeat(64)}`)],
  ["cloudStatus", (c) => c.cloudStatus()],
  ["loadModel", (c) => c.loadModel("llama3")],
  ["pullModelStream", (c) => collect(c.pullModelStream("llama3"))],
];

describe("redirects: only to http: and https:", () => {
  for (const target of ["file:///etc/hostname", 'data:application/json,{"version":"9"}']) {
    for (const [name, run] of OPERATIONS) {
      it(`${name}: a redirect to ${target.slice(0, 5)} is refused, never fetched`, async () => {
        const { fetch, requests } = scripted(() =>
          new Response(null, { status: 302, headers: { location: target } })
        );
        const error = await rejection(run(new OllamaClient(BASE, { fetch })));
        assert.ok(error instanceof NotOllamaError, String(error));
        assert.match(error.message, /never followed/);
        assert.doesNotMatch(String((error as Error).message), /localhost|vm\n/);
        assert.ok(requests.every((r) => r.url.startsWith("http:")), "fetched a non-http URL");
      });
    }
  }

  it("a malformed Location is not Ollama", async () => {
    const { fetch } = scripted(() =>
      new Response(null, { status: 307, headers: { location: "http://[::1" } })
    );
    const error = await rejection(new OllamaClient(BASE, { fetch }).healthCheck());
    assert.ok(error instanceof NotOllamaError, String(error));
    assert.match(error.message, /malformed redirect/);
  });

  it("a redirect to https on another host is followed, without Authorization", async () => {
    const { fetch, requests } = scripted((r) =>
      r.url.startsWith("http://a.example")
        ? new Response(null, {
          status: 308,
          headers: { location: "https://b.example/api/version" },
        })
        : json({ version: "0.33.0" })
    );
    const client = new OllamaClient("http://user:pw@a.example:1", { fetch });
    assert.deepEqual(await client.healthCheck(), {
      baseUrl: "http://a.example:1",
      version: "0.33.0",
    });
    assert.equal(requests[1].url, "https://b.example/api/version");
    assert.equal(requests[1].headers.get("authorization"), null);
  });
});

describe("a busy server or gateway (502, 503, 504)", () => {
  it("is asked again within the bound, and a recovery is fine", async () => {
    let calls = 0;
    const { fetch, requests } = scripted(() =>
      ++calls < 3 ? new Response("starting", { status: 503 }) : json({ version: "0.33.0" })
    );
    const health = await new OllamaClient(BASE, { fetch, timeoutMs: 3_000 }).healthCheck();
    assert.equal(health.version, "0.33.0");
    assert.equal(requests.length, 3);
  });

  for (const status of [502, 503, 504]) {
    it(`${status} until the bound is a busy server, not "not Ollama"`, async () => {
      const { fetch, requests } = scripted(() =>
        new Response("<html>Bad Gateway</html>", { status })
      );
      const error = await rejection(
        new OllamaClient(BASE, { fetch, timeoutMs: 400 }).healthCheck(),
      );
      assert.ok(error instanceof ServerBusyError, String(error));
      assert.equal(error.code, "unreachable");
      assert.equal(error.exitCode, 3);
      assert.equal(error.status, status);
      assert.match(error.message, /busy, starting, or cannot reach Ollama/);
      assert.doesNotMatch(error.message, /No running Ollama server/);
      assert.ok(requests.length >= 2, `asked ${requests.length} times`);
    });
  }

  it("a plain 500 from /api/pull is retried like a 502", async () => {
    let pulls = 0;
    const { fetch } = scripted((r) => {
      if (new URL(r.url).pathname === "/api/tags") return json({ models: [{ name: "m:latest" }] });
      return ++pulls === 1
        ? new Response("oops", { status: 500 })
        : ndjson([{ status: "success" }]);
    });
    const client = new OllamaClient(BASE, { fetch, retry: { sleep: () => Promise.resolve() } });
    assert.deepEqual(await client.pullModel("m"), { model: "m:latest", attempts: 2 });
  });

  it("a 500 whose JSON error is permanent (insecure protocol http) is not retried", async () => {
    let pulls = 0;
    const { fetch } = scripted(() => (pulls++, json({ error: "insecure protocol http" }, 500)));
    const client = new OllamaClient(BASE, { fetch, retry: { sleep: () => Promise.resolve() } });
    const error = await rejection(client.pullModel("127.0.0.1:5000/library/tiny"));
    assert.ok(error instanceof PullFailedError, String(error));
    assert.equal(pulls, 1);
    assert.match(error.message, /insecure = true/);
  });
});

describe("what a failure was, named", () => {
  /** The error shapes each runtime's fetch gives (captured from Deno 2.9, Bun 1.4, Node 20). */
  const cause = (message: string, inner?: Record<string, unknown>) =>
    Object.assign(new TypeError(message), inner === undefined ? {} : { cause: inner });
  const rows: [string, unknown, string, RegExp][] = [
    [
      "node refused",
      cause("fetch failed", {
        code: "ECONNREFUSED",
        message: "connect ECONNREFUSED 127.0.0.1:1999",
      }),
      "UnreachableError",
      /^No running Ollama server detected at .*connection refused/,
    ],
    [
      "deno refused",
      cause("fetch failed", {
        message:
          "error sending request for url (http://127.0.0.1:1999/): client error (Connect): tcp connect error: Connection refused (os error 111)",
      }),
      "UnreachableError",
      /connection refused/,
    ],
    [
      "bun refused",
      Object.assign(
        new TypeError("ECONNREFUSED: Unable to connect. Is the computer able to access the url?"),
        { code: "ECONNREFUSED" },
      ),
      "UnreachableError",
      /connection refused/,
    ],
    [
      "node unknown host",
      cause("fetch failed", { code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND x.invalid" }),
      "UnreachableError",
      /host name not found/,
    ],
    [
      "deno unknown host",
      cause("fetch failed", {
        message: "client error (Connect): dns error: failed to lookup address information",
      }),
      "UnreachableError",
      /host name not found/,
    ],
    [
      "node https to plain",
      cause("fetch failed", {
        code: "ERR_SSL_WRONG_VERSION_NUMBER",
        message: "ssl3_get_record:wrong version number",
      }),
      "ConnectionError",
      /https:\/\/, but the server answered in plain HTTP/,
    ],
    [
      "deno https to plain",
      cause("fetch failed", {
        message: "client error (Connect): received corrupt message of type InvalidContentType",
      }),
      "ConnectionError",
      /plain HTTP/,
    ],
    [
      "bun https to plain",
      Object.assign(
        new TypeError("EPROTO: The TLS handshake failed. Does the server speak TLS on this port?"),
        { code: "EPROTO" },
      ),
      "ConnectionError",
      /plain HTTP/,
    ],
    [
      "node not HTTP (SSH, TLS port)",
      cause("fetch failed", {
        code: "HPE_INVALID_CONSTANT",
        message: "Response does not match the HTTP/1.1 protocol (Expected HTTP/)",
      }),
      "NotOllamaError",
      /not HTTP/,
    ],
    [
      "deno not HTTP",
      cause("fetch failed", { message: "client error (SendRequest): invalid HTTP version parsed" }),
      "NotOllamaError",
      /not HTTP/,
    ],
    [
      "bun not HTTP",
      Object.assign(new TypeError("Malformed_HTTP_Response fetching"), {
        code: "Malformed_HTTP_Response",
      }),
      "NotOllamaError",
      /not HTTP/,
    ],
    [
      "node closed early",
      cause("fetch failed", { code: "UND_ERR_SOCKET", message: "other side closed" }),
      "ConnectionError",
      /closed before any answer/,
    ],
    [
      "deno closed early",
      cause("fetch failed", {
        message: "client error (SendRequest): connection closed before message completed",
      }),
      "ConnectionError",
      /closed/,
    ],
    [
      "bun reset",
      Object.assign(new TypeError("ECONNRESET: The socket connection was closed unexpectedly."), {
        code: "ECONNRESET",
      }),
      "ConnectionError",
      /closed/,
    ],
    [
      "node corrupt gzip",
      cause("terminated", { code: "Z_DATA_ERROR", message: "incorrect header check" }),
      "ConnectionError",
      /compressed body is corrupt/,
    ],
    ["deno corrupt gzip", new TypeError("Invalid gzip header"), "ConnectionError", /corrupt/],
    [
      "bun corrupt gzip",
      Object.assign(new TypeError('ZlibError fetching "http://x/"'), { code: "ZlibError" }),
      "ConnectionError",
      /corrupt/,
    ],
    [
      "deno permission",
      Object.assign(
        new Error('Requires net access to "127.0.0.1:11434", run again with the --allow-net flag'),
        { name: "NotCapable" },
      ),
      "PermissionDeniedError",
      /--allow-net=127\.0\.0\.1:11434/,
    ],
  ];
  for (const [name, error, expected, pattern] of rows) {
    it(name, () => {
      const diagnosed = diagnoseFetchFailure(error, {
        baseUrl: BASE,
        url: name.includes("https") ? "https://127.0.0.1:11434/api/version" : `${BASE}/api/version`,
      });
      assert.equal(diagnosed.constructor.name, expected, diagnosed.message);
      assert.match(diagnosed.message, pattern);
      assert.equal(diagnosed.cause, error);
      if (!(diagnosed instanceof UnreachableError)) {
        assert.doesNotMatch(diagnosed.message, /No running Ollama server/);
      }
    });
  }

  it("a refused connection through a proxy blames the proxy, by name", () => {
    const diagnosed = diagnoseFetchFailure(
      Object.assign(new TypeError("ECONNREFUSED"), { code: "ECONNREFUSED" }),
      {
        baseUrl: "http://gpu:11434",
        url: "http://gpu:11434/api/version",
        proxy: { url: "http://proxy:3128", variable: "HTTP_PROXY" },
      },
    );
    assert.ok(diagnosed instanceof ConnectionError);
    assert.equal(diagnosed.reason, "proxy");
    assert.match(diagnosed.message, /through the proxy http:\/\/proxy:3128 \(from HTTP_PROXY\)/);
  });

  it("a pull denied by the runtime names the server's host:port, not the operation", async () => {
    const denied = () =>
      Promise.reject(Object.assign(new Error("Requires net access"), { name: "NotCapable" }));
    const client = new OllamaClient("http://gpu-box:11434", { fetch: denied });
    const error = await rejection(collect(client.pullModelStream("llama3")));
    assert.ok(error instanceof PermissionDeniedError, String(error));
    assert.match(error.message, /--allow-net=gpu-box:11434/);
  });

  it("a permission denial is a usage error (exit 2) that names the flag", () => {
    const error = diagnoseFetchFailure(
      Object.assign(new Error("Requires net access"), { name: "NotCapable" }),
      { baseUrl: "http://h:1", url: "http://h:1/api/tags" },
    );
    assert.ok(error instanceof PermissionDeniedError);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /--allow-net=h:1/);
  });
});

describe("what a failure was, over real sockets (this runtime)", () => {
  /** A TCP server that treats each connection with `onConnection`. */
  async function tcp(
    onConnection: (socket: Socket) => void,
  ): Promise<{ url: string; close: () => Promise<unknown> }> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
      onConnection(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const close = () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      });
    return { url: `http://127.0.0.1:${port}`, close };
  }

  it("an SSH banner is not Ollama, and not 'no server'", async () => {
    const { url, close } = await tcp((s) => s.write("SSH-2.0-OpenSSH_9.2\r\n"));
    try {
      const error = await rejection(new OllamaClient(url, { timeoutMs: 3_000 }).healthCheck());
      assert.ok(error instanceof NotOllamaError || error instanceof ConnectionError, String(error));
      assert.doesNotMatch(String((error as Error).message), /No running Ollama server/);
    } finally {
      await close();
    }
  });

  it("https:// against a plain-HTTP server says so", async () => {
    const { url, close } = await tcp((s) =>
      s.once("data", () => s.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
    );
    try {
      const error = await rejection(
        new OllamaClient(url.replace("http:", "https:"), { timeoutMs: 3_000 }).healthCheck(),
      );
      assert.ok(error instanceof ConnectionError, String(error));
      assert.equal(error.reason, "tls_mismatch");
    } finally {
      await close();
    }
  });

  it("a body cut short is a broken connection, with the runtime's error as the cause", async () => {
    const { url, close } = await tcp((s) =>
      s.once("data", () => {
        s.write(
          'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"models":',
        );
        setTimeout(() => s.destroy(), 20);
      })
    );
    try {
      const error = await rejection(new OllamaClient(url, { timeoutMs: 3_000 }).listModels());
      assert.ok(error instanceof ConnectionError, String(error));
      assert.doesNotMatch(error.message, /No running Ollama server/);
      assert.ok(error.cause !== undefined);
    } finally {
      await close();
    }
  });
});
