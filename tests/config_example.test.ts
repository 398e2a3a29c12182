// vtcode.example.toml: every key documented, valid as written and with its examples switched
// on, and its models pullable from the fake server's default catalog (so the demo works with it).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import {
  OLLAMA_CONFIG_KEYS,
  parseOllamaConfig,
  parseOllamaConfigWithWarnings,
} from "../src/config.ts";
import { normalizeModelName } from "../src/names.ts";
import { DEFAULT_CATALOG } from "../src/testing/catalog.ts";
import { DEFAULTS } from "./_config.ts";

const SOURCE = "vtcode.example.toml";
const read = async () =>
  new TextDecoder().decode(await readFile(new URL("../vtcode.example.toml", import.meta.url)));

/** The text with the commented-out example of each key in `keys` switched on. */
function switchOn(text: string, keys: readonly string[]): string {
  return text.replace(new RegExp(`^# ((?:${keys.join("|")}) = )`, "gm"), "$1");
}

describe("vtcode.example.toml", () => {
  it("parses as written into a valid config, without warnings", async () => {
    const { config, warnings } = parseOllamaConfigWithWarnings(await read(), { source: SOURCE });
    assert.deepEqual(config, { ...DEFAULTS, models: ["qwen3:0.6b", "all-minilm"] });
    assert.deepEqual(warnings, []);
  });

  it("requires only models the fake server's default catalog can pull", async () => {
    const { models } = parseOllamaConfig(await read(), { source: SOURCE });
    assert.ok(models.length > 0);
    const catalog = DEFAULT_CATALOG.map((entry) => normalizeModelName(entry.name));
    for (const model of models) {
      assert.ok(catalog.includes(normalizeModelName(model)), `${model} is not in DEFAULT_CATALOG`);
    }
  });

  it("documents every key, with an example value", async () => {
    const text = await read();
    for (const key of OLLAMA_CONFIG_KEYS) {
      assert.match(text, new RegExp(`^# ${key}: `, "m"), `no comment for ${key}`);
      assert.match(text, new RegExp(`^(# )?${key} = `, "m"), `no example value for ${key}`);
    }
  });

  it("stays valid with its commented-out examples switched on (hosts or base_url)", async () => {
    const text = await read();
    const withBaseUrl = parseOllamaConfig(
      switchOn(text, OLLAMA_CONFIG_KEYS.filter((key) => key !== "hosts")),
      { source: SOURCE },
    );
    assert.equal(withBaseUrl.baseUrl, "http://127.0.0.1:11434");
    assert.deepEqual(withBaseUrl.whitelist, ["qwen3:*", "all-minilm"]);
    assert.equal(withBaseUrl.minVersion, "0.5.0");
    assert.equal(withBaseUrl.insecure, true);
    assert.equal(withBaseUrl.keepAlive, "30m");
    const withHosts = parseOllamaConfig(
      switchOn(text, OLLAMA_CONFIG_KEYS.filter((key) => key !== "base_url")),
      { source: SOURCE },
    );
    assert.deepEqual(withHosts.hosts, ["http://gpu-1:11434", "http://gpu-2:11434"]);
  });
});
