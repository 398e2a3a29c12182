// findModel looks at the listed names only (a cheap test of the model part, then the normalized
// name) and makes a model of the match alone: the same answer as matching every listed model.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OllamaClient } from "../src/client.ts";
import { sameModel } from "../src/names.ts";
import { scripted } from "./_helpers.ts";

const BASE = "http://127.0.0.1:11434";

function serving(models: unknown[]) {
  const { fetch } = scripted(() => Response.json({ models }));
  return new OllamaClient(BASE, { fetch });
}

describe("findModel among listed spellings", () => {
  const listed = [
    { size: 1 }, // no name: skipped
    { name: "llama3:" }, // invalid: never matches
    { name: "llama3-vision:latest", digest: "v" }, // contains "llama3", another model
    { name: "Team/LLAMA3:Q4", digest: "t" },
    { model: "registry.ollama.ai/library/Llama3:LATEST", digest: "a", details: { family: "l" } },
    { name: "llama3:latest", digest: "b" }, // the same model again: the first one is found
  ];

  it("finds the first listed spelling of the model, made whole", async () => {
    const info = await serving(listed).findModel("LLAMA3");
    assert.equal(info?.name, "registry.ollama.ai/library/Llama3:LATEST");
    assert.equal(info?.digest, "a");
    assert.equal(info?.details?.family, "l");
    assert.equal(info?.cloud, false);
  });

  it("tells models apart by namespace and tag", async () => {
    assert.equal((await serving(listed).findModel("team/llama3:q4"))?.digest, "t");
    assert.equal(await serving(listed).findModel("llama3:8b"), undefined);
    assert.equal(await serving(listed).findModel("other/llama3"), undefined);
    assert.equal((await serving(listed).findModel("llama3-vision"))?.digest, "v");
  });

  it("agrees with matching every listed model", async () => {
    const client = serving(listed);
    const models = await client.listModels();
    for (const name of ["llama3", "team/llama3:Q4", "llama3-vision", "llama3:8b", "x"]) {
      const expected = models.find((model) => sameModel(model.name, name));
      assert.deepEqual(await client.findModel(name), expected, name);
    }
  });
});
