// A proxy in the environment must not capture loopback: Deno's and Bun's fetch send even
// 127.0.0.1 through HTTP_PROXY / ALL_PROXY (either case) unless NO_PROXY says otherwise, which
// made a local Ollama look down. A "proxy" on loopback that answers everything with a 502 page
// stands in for a corporate proxy; the CLI against a fake Ollama on 127.0.0.1 must succeed and
// the proxy must see nothing.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  FakeOllama,
  proxyErrorPage,
  type ServedFakeOllama,
  serveFakeOllama,
} from "../src/testing/mod.ts";
import { runCliProcess } from "./_cli.ts";

let ollama: ServedFakeOllama;
let proxy: ServedFakeOllama;
let proxied: string[] = [];

before(async () => {
  ollama = await serveFakeOllama(new FakeOllama({ models: ["llama3"], tickMs: 0 }));
  proxy = await serveFakeOllama((request) => {
    proxied.push(`${request.method} ${request.url}`);
    return new Response(proxyErrorPage(502), {
      status: 502,
      headers: { "content-type": "text/html" },
    });
  });
});
after(async () => {
  await ollama.close();
  await proxy.close();
});

describe("cli: loopback never goes through a proxy", () => {
  for (const variable of ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]) {
    it(`${variable} set, no NO_PROXY: list and ensure reach the local server`, async () => {
      proxied = [];
      const env = { [variable]: proxy.url };
      const list = await runCliProcess(["list", "--json", "--host", ollama.url], { env });
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(list.result?.present, ["llama3:latest"]);
      const ensure = await runCliProcess(["--json", "--host", ollama.url, "--model", "llama3"], {
        env,
      });
      assert.equal(ensure.code, 0, ensure.stderr);
      assert.deepEqual(proxied, [], "the proxy was asked");
    });
  }

  it("an existing NO_PROXY is kept and extended", async () => {
    proxied = [];
    const run = await runCliProcess(["check", "--json", "--host", ollama.url], {
      env: { HTTP_PROXY: proxy.url, NO_PROXY: "corp.example", no_proxy: "corp.example" },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(proxied, []);
  });

  it("localhost too", async () => {
    proxied = [];
    const url = ollama.url.replace("127.0.0.1", "localhost");
    const run = await runCliProcess(["list", "--json", "--host", url], {
      env: { ALL_PROXY: proxy.url },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(proxied, []);
  });
});
