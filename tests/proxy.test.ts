import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isLoopbackUrl, noProxyWithLoopback, proxyForUrl } from "../src/proxy.ts";

describe("proxyForUrl", () => {
  const P = "http://proxy:3128";
  const rows: [string, Record<string, string>, string | undefined][] = [
    ["http://gpu:11434", {}, undefined],
    ["http://gpu:11434", { HTTP_PROXY: P }, "HTTP_PROXY"],
    ["http://gpu:11434", { http_proxy: P }, "http_proxy"],
    ["http://gpu:11434", { ALL_PROXY: P }, "ALL_PROXY"],
    ["http://gpu:11434", { all_proxy: P }, "all_proxy"],
    ["http://gpu:11434", { HTTPS_PROXY: P }, undefined],
    ["https://ollama.com:443", { HTTPS_PROXY: P }, "HTTPS_PROXY"],
    ["https://ollama.com:443", { HTTP_PROXY: P }, undefined],
    ["http://gpu:11434", { HTTP_PROXY: P, NO_PROXY: "gpu" }, undefined],
    ["http://gpu.lan:11434", { HTTP_PROXY: P, NO_PROXY: ".lan" }, undefined],
    ["http://gpu.lan:11434", { HTTP_PROXY: P, no_proxy: "lan" }, undefined],
    ["http://gpu.lan:11434", { HTTP_PROXY: P, NO_PROXY: "other.lan" }, "HTTP_PROXY"],
    ["http://10.1.2.3:11434", { HTTP_PROXY: P, NO_PROXY: "10.0.0.0/8" }, undefined],
    ["http://11.1.2.3:11434", { HTTP_PROXY: P, NO_PROXY: "10.0.0.0/8" }, "HTTP_PROXY"],
    ["http://gpu:11434", { HTTP_PROXY: P, NO_PROXY: "gpu:11434" }, undefined],
    ["http://gpu:11434", { HTTP_PROXY: P, NO_PROXY: "gpu:80" }, "HTTP_PROXY"],
    ["http://gpu:11434", { HTTP_PROXY: P, NO_PROXY: "*" }, undefined],
    ["http://[::1]:11434", { HTTP_PROXY: P, NO_PROXY: "::1" }, undefined],
    ["http://127.0.0.1:11434", { HTTP_PROXY: P }, "HTTP_PROXY"],
    ["http://gpu:11434", { HTTP_PROXY: "  " }, undefined],
  ];
  for (const [url, env, variable] of rows) {
    it(`${url} with ${JSON.stringify(env)}: ${variable ?? "direct"}`, () => {
      assert.equal(proxyForUrl(url, env)?.variable, variable);
    });
  }

  it("masks the proxy's credentials", () => {
    assert.deepEqual(proxyForUrl("http://gpu:1", { HTTP_PROXY: "http://me:secret@proxy:3128" }), {
      url: "http://***@proxy:3128",
      variable: "HTTP_PROXY",
    });
  });
});

describe("loopback", () => {
  it("isLoopbackUrl knows localhost, 127/8 and ::1", () => {
    for (
      const url of [
        "http://localhost:1",
        "http://127.0.0.1:1",
        "http://127.9.9.9",
        "http://[::1]:1",
        "http://a.localhost",
      ]
    ) {
      assert.equal(isLoopbackUrl(url), true, url);
    }
    for (
      const url of [
        "http://gpu:1",
        "http://128.0.0.1",
        "http://[::2]",
        "not a url",
        "http://127.0.0.1.evil.example",
      ]
    ) {
      assert.equal(isLoopbackUrl(url), false, url);
    }
  });

  it("noProxyWithLoopback adds what is missing, and nothing when covered", () => {
    assert.equal(noProxyWithLoopback(undefined), "localhost,127.0.0.1,::1,[::1]");
    assert.equal(
      noProxyWithLoopback(" corp.example , localhost"),
      "corp.example,localhost,127.0.0.1,::1,[::1]",
    );
    assert.equal(noProxyWithLoopback("localhost,127.0.0.1,::1,[::1]"), undefined);
    assert.equal(noProxyWithLoopback("*"), undefined);
  });

  it("with the loopback hosts in NO_PROXY, no proxy applies to them", () => {
    const env = { HTTP_PROXY: "http://proxy:3128", NO_PROXY: noProxyWithLoopback("") };
    for (const url of ["http://localhost:11434", "http://127.0.0.1:11434", "http://[::1]:11434"]) {
      assert.equal(proxyForUrl(url, env), undefined, url);
    }
  });
});
