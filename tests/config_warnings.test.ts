// Settings that would be ignored in silence come back as warnings: a misspelt [ollama] table,
// no [ollama] table at all, [ollama] keys at the top level.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadOllamaConfig, parseOllamaConfigWithWarnings } from "../src/config.ts";
import { configError, DEFAULTS, withTempDir } from "./_config.ts";

const SOURCE = "vtcode.toml";

function warningsOf(text: string): string[] {
  return parseOllamaConfigWithWarnings(text, { source: SOURCE }).warnings;
}

const NONE = "no [ollama] table, so the built-in defaults are used";

describe("warnings: a table that looks like a misspelt [ollama]", () => {
  // [TOML, the one warning expected]
  const cases: [string, string][] = [
    ['[olama]\nmodels = ["llama3"]\n', `${SOURCE}:1:2: ${NONE}; did you mean [olama] → [ollama]?`],
    ["[ollma]\n", `${SOURCE}:1:2: ${NONE}; did you mean [ollma] → [ollama]?`],
    ["[olllama]\n", `${SOURCE}:1:2: ${NONE}; did you mean [olllama] → [ollama]?`],
    [
      "# settings\n\n[ollama_config]\nwarm = true\n",
      `${SOURCE}:3:2: ${NONE}; did you mean [ollama_config] → [ollama]?`,
    ],
    ["[ollama-settings]\n", `${SOURCE}:1:2: ${NONE}; did you mean [ollama-settings] → [ollama]?`],
    ["[my_ollama]\n", `${SOURCE}:1:2: ${NONE}; did you mean [my_ollama] → [ollama]?`],
    ["[[olama]]\na = 1\n", `${SOURCE}:1:3: ${NONE}; did you mean [olama] → [ollama]?`],
    ['olama.models = ["x"]\n', `${SOURCE}:1:1: ${NONE}; did you mean [olama] → [ollama]?`],
    [
      "[server]\nport = 1\n[tools.ollama]\nwarm = true\n",
      `${SOURCE}:3:8: ${NONE}; did you mean [tools.ollama] → [ollama]? Only a top-level ` +
      "[ollama] table is read",
    ],
    [
      "[tool.olama]\n",
      `${SOURCE}:1:7: ${NONE}; did you mean [tool.olama] → [ollama]? Only a top-level ` +
      "[ollama] table is read",
    ],
  ];
  for (const [text, warning] of cases) {
    it(JSON.stringify(text), () => {
      const parsed = parseOllamaConfigWithWarnings(text, { source: SOURCE });
      assert.deepEqual(parsed.config, DEFAULTS, "the misspelt table is not read");
      assert.deepEqual(parsed.warnings, [warning]);
    });
  }

  it("still rejects [Ollama] and [OLLAMA] (the fix is certain; a whitelist would be lost)", () => {
    const error = configError(() => warningsOf("[Ollama]\nwhitelist = []\n"));
    assert.match(error.message, /TOML names are case-sensitive: did you mean \[ollama\]\?$/);
  });

  it("strips control characters from a table name it shows", () => {
    const [warning] = warningsOf('["ollama\\u001b[31m"]\n');
    assert.ok(!warning.includes("\u001b"), warning);
    assert.match(warning, /did you mean \["ollama.*"\] → \[ollama\]\?/);
  });
});

describe("warnings: no [ollama] table at all", () => {
  for (
    const text of ["", "# only a comment\n", '[server]\nport = 8080\n[ui]\ntheme = "dark"\n']
  ) {
    it(JSON.stringify(text), () => {
      assert.deepEqual(warningsOf(text), [`${SOURCE}: ${NONE}`]);
    });
  }

  it("names the source given, or config", () => {
    assert.deepEqual(parseOllamaConfigWithWarnings("").warnings, [`config: ${NONE}`]);
  });
});

describe("warnings: [ollama] keys at the top level", () => {
  it("models above the [ollama] header is not read, and says so with its line", () => {
    const parsed = parseOllamaConfigWithWarnings(
      '# app\nmodels = ["llama3"]\nwarm = true\n[ollama]\nauto_pull = false\n',
      { source: SOURCE },
    );
    assert.deepEqual(parsed.config, { ...DEFAULTS, autoPull: false });
    assert.deepEqual(parsed.warnings, [
      `${SOURCE}:2:1: \`models\` is at the top level, outside [ollama], so it is not read; ` +
      "move it under the [ollama] header",
      `${SOURCE}:3:1: \`warm\` is at the top level, outside [ollama], so it is not read; ` +
      "move it under the [ollama] header",
    ]);
  });

  it("with no [ollama] table, says both", () => {
    assert.deepEqual(warningsOf('models = ["llama3"]\n'), [
      `${SOURCE}: ${NONE}`,
      `${SOURCE}:1:1: \`models\` is at the top level, outside [ollama], so it is not read; ` +
      "move it under the [ollama] header",
    ]);
  });

  it("ignores top-level keys that are not [ollama] keys, and tables named like one", () => {
    assert.deepEqual(warningsOf("name = 1\n[models]\nx = 1\n[ollama]\n"), []);
  });
});

describe("warnings: none for a good file", () => {
  it("an [ollama] table among the app's own tables", () => {
    assert.deepEqual(
      warningsOf('[app]\ntimeout = 3\n[ollama]\nmodels = ["llama3"]\n[ollama_extra]\nx = 1\n'),
      [],
    );
    assert.deepEqual(warningsOf('ollama = { models = ["llama3"] }\n'), []);
  });
});

describe("warnings through loadOllamaConfig", () => {
  it("come back with the file's path; none without a file", async () => {
    await withTempDir(async (dir) => {
      assert.deepEqual((await loadOllamaConfig({ cwd: dir })).warnings, []);
      const path = join(dir, "vtcode.toml");
      await writeFile(path, '[olama]\nmodels = ["llama3"]\n');
      const loaded = await loadOllamaConfig({ cwd: dir });
      assert.equal(loaded.source, path);
      assert.deepEqual(loaded.config, DEFAULTS);
      assert.deepEqual(loaded.warnings, [
        `${path}:1:2: ${NONE}; did you mean [olama] → [ollama]?`,
      ]);
    });
  });
});
