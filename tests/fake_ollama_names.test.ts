// The fake's own reading of Ollama's name rules (src/testing/model_name.ts), kept apart from the
// library's names.ts so that a disagreement shows: whitespace, schemes, `:local`, `:cloud`, the
// mixing error, the grammar; and the same rules as /api/pull applies them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { modelKey, readModelName, readPullName } from "../src/testing/model_name.ts";
import { FakeOllama, smallCatalog } from "../src/testing/mod.ts";

const short = (text: string) => {
  const read = readPullName(text);
  return read.ok ? read.reference.name.short : `error: ${read.error}`;
};

describe("the fake's name rules", () => {
  it("fills in the defaults and shows Ollama's short form", () => {
    assert.equal(short("llama3"), "llama3:latest");
    assert.equal(short("library/llama3:8b"), "llama3:8b");
    assert.equal(short("registry.ollama.ai/library/llama3"), "llama3:latest");
    assert.equal(short("user/m:tag"), "user/m:tag");
    assert.equal(short("hf.co/Org/M:Q4_K_M"), "hf.co/Org/M:Q4_K_M");
    assert.equal(short("127.0.0.1:5000/library/tiny"), "127.0.0.1:5000/library/tiny:latest");
    assert.equal(modelKey("LLAMA3"), modelKey("registry.ollama.ai/library/llama3:latest"));
  });

  it("trims whitespace and drops a scheme, keeping it aside", () => {
    const read = readPullName("  http://127.0.0.1:5000/library/schemed  ");
    assert.ok(read.ok);
    assert.equal(read.reference.name.short, "127.0.0.1:5000/library/schemed:latest");
    assert.equal(read.reference.scheme, "http");
    assert.equal(read.reference.original, "http://127.0.0.1:5000/library/schemed");
    assert.equal(short("\thttps://h.example/ns/m:1\n"), "h.example/ns/m:1");
  });

  it("reads :local as the local model and :cloud as the legacy stub name", () => {
    assert.equal(short("x:local"), "x:latest");
    assert.equal(
      short("127.0.0.1:5000/library/localm:local"),
      "127.0.0.1:5000/library/localm:latest",
    );
    assert.equal(short("x:8b:cloud"), "x:8b-cloud");
    assert.equal(short("x:cloud"), "x:cloud");
    assert.equal(short("x:8b-cloud"), "x:8b-cloud");
    assert.equal(short("x:8b:CLOUD"), "x:8b-cloud");
    const cloud = readModelName("gpt-oss:120b:cloud");
    assert.ok(cloud.ok);
    assert.deepEqual([cloud.reference.source, cloud.reference.name.short], [
      "cloud",
      "gpt-oss:120b",
    ]);
  });

  it("refuses mixing :local and :cloud with Ollama's text, quoting the trimmed name", () => {
    for (const name of ["x:local:cloud", "x:cloud:local", "x:8b-cloud:local", " x:local:cloud "]) {
      assert.equal(short(name), `error: use either :local or :cloud, not both: "${name.trim()}"`);
    }
    assert.equal(
      short("127.0.0.1:5000/library/x:8b:local:cloud"),
      'error: use either :local or :cloud, not both: "127.0.0.1:5000/library/x:8b:local:cloud"',
    );
  });

  it("refuses what the grammar refuses", () => {
    for (
      const name of [
        "",
        "   ",
        "bad name!",
        "registry.ollama.ai/llama3",
        `tiny@sha256:${"a".repeat(64)}`,
        "a/b/c/d",
        "llama3:",
        ":8b",
        "/m",
        "-x",
        `${"m".repeat(81)}`,
        "ns.dot/m",
        "m:t:u",
      ]
    ) {
      assert.equal(short(name), "error: invalid model name", JSON.stringify(name));
    }
    assert.equal(
      short(`${"m".repeat(80)}:${"t".repeat(80)}`),
      `${"m".repeat(80)}:${"t".repeat(80)}`,
    );
    assert.equal(short("_x.y-z:1.5_b"), "_x.y-z:1.5_b");
  });

  it("are the rules /api/pull answers by", async () => {
    const fake = new FakeOllama({
      catalog: smallCatalog({ "x:latest": 10, "x:8b-cloud": 10 }),
      tickMs: 0,
    });
    const pull = async (model: string) => {
      const response = await fake.fetch("http://fake/api/pull", {
        method: "POST",
        body: JSON.stringify({ model, stream: false }),
      });
      return [response.status, await response.json()];
    };
    assert.deepEqual(await pull(" X:local "), [200, { status: "success" }]);
    assert.deepEqual(await pull("x:8b:cloud"), [200, { status: "success" }]);
    assert.deepEqual(fake.installedModels(), ["x:8b-cloud", "x:latest"]);
    assert.deepEqual(await pull("x:local:cloud"), [400, {
      error: 'use either :local or :cloud, not both: "x:local:cloud"',
    }]);
    assert.deepEqual(await pull("bad name!"), [400, { error: "invalid model name" }]);
  });
});
