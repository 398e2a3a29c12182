import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeConfigBytes,
  DEFAULT_OLLAMA_CONFIG,
  MAX_TIMEOUT_SECS,
  OLLAMA_CONFIG_KEYS,
  type OllamaConfig,
  parseOllamaConfig,
} from "../src/config.ts";
import { ConfigError, InvalidModelNameError } from "../src/errors/mod.ts";
import { configError, DEFAULTS } from "./_config.ts";
import { seededRandom } from "./_helpers.ts";

const SOURCE = "vtcode.toml";

function parse(text: string): OllamaConfig {
  return parseOllamaConfig(text, { source: SOURCE });
}

describe("parseOllamaConfig: defaults", () => {
  it("DEFAULT_OLLAMA_CONFIG has the contract's defaults and is frozen", () => {
    assert.deepEqual(
      { ...DEFAULT_OLLAMA_CONFIG, models: [...DEFAULT_OLLAMA_CONFIG.models] },
      DEFAULTS,
    );
    assert.ok(Object.isFrozen(DEFAULT_OLLAMA_CONFIG));
    assert.ok(Object.isFrozen(DEFAULT_OLLAMA_CONFIG.models));
  });

  it("OLLAMA_CONFIG_KEYS lists the snake_case keys", () => {
    assert.deepEqual([...OLLAMA_CONFIG_KEYS], [
      "base_url",
      "models",
      "auto_pull",
      "whitelist",
      "timeout_secs",
      "stall_timeout_secs",
      "pull_retries",
      "min_version",
      "hosts",
      "insecure",
      "pull_concurrency",
      "warm",
      "keep_alive",
    ]);
  });

  const empty: [string, string][] = [
    ["an empty file", ""],
    ["only blank lines and comments", "\n\n# nothing here\n   \n"],
    ["a BOM only", "\uFEFF"],
    ["an empty [ollama] table", "[ollama]\n"],
    ["an [ollama] table with comments only", "[ollama] # the table\n# auto_pull = 3\n"],
    ["no [ollama] table, other tables present", '[server]\nport = 8080\n[ui]\ntheme = "dark"\n'],
  ];
  for (const [name, text] of empty) {
    it(`gives the defaults for ${name}`, () => {
      assert.deepEqual(parse(text), DEFAULTS);
    });
  }

  it("returns a fresh object each time (mutating it does not touch the defaults)", () => {
    const a = parse("");
    a.models.push("llama3");
    assert.deepEqual(parse("").models, []);
    assert.deepEqual(DEFAULT_OLLAMA_CONFIG.models, []);
  });

  it('names the source "config" when none is given', () => {
    const error = configError(() => parseOllamaConfig("[ollama]\nauto_pull = 1\n"));
    assert.equal(error.source, "config");
    assert.match(error.message, /^config:2:1: /);
  });
});

describe("parseOllamaConfig: valid tables", () => {
  it("reads every key", () => {
    const config = parse(`
[ollama]
base_url = "  http://gpu-box:11434/v1  "
models = ["qwen3:8b", "llama3", "hf.co/org/model:Q4_K_M"]
auto_pull = false
whitelist = ["qwen3:*", "llama3:8b", "*"]
timeout_secs = 2.5
stall_timeout_secs = 120
pull_retries = 0
min_version = "0.5.0"
`);
    assert.deepEqual(config, {
      ...DEFAULTS,
      baseUrl: "http://gpu-box:11434/v1",
      models: ["qwen3:8b", "llama3", "hf.co/org/model:Q4_K_M"],
      autoPull: false,
      whitelist: ["qwen3:*", "llama3:8b", "*"],
      timeoutSecs: 2.5,
      stallTimeoutSecs: 120,
      pullRetries: 0,
      minVersion: "0.5.0",
    });
  });

  it("ignores other tables, including ones with the same key names", () => {
    const config = parse(`
auto_pull = "top-level keys are not [ollama]"
[other]
auto_pull = 3
unknown_key = true
[ollama]
auto_pull = false
[ollama_extra]
models = 5
[tools.ollama]
timeout_secs = "nested, not ours"
`);
    assert.deepEqual(config, { ...DEFAULTS, autoPull: false });
  });

  it("accepts dotted keys, quoted keys and an inline table", () => {
    assert.equal(parse("ollama.auto_pull = false\n").autoPull, false);
    assert.equal(parse('"ollama"."timeout_secs" = 9\n').timeoutSecs, 9);
    assert.equal(parse("[ollama]\n'pull_retries' = 7\n").pullRetries, 7);
    assert.deepEqual(parse('ollama = { models = ["a"], auto_pull = false }\n'), {
      ...DEFAULTS,
      models: ["a"],
      autoPull: false,
    });
  });

  it("keeps whitelist = [] (nothing may be pulled) apart from an absent whitelist", () => {
    assert.deepEqual(parse("[ollama]\nwhitelist = []\n").whitelist, []);
    assert.equal(parse("[ollama]\n").whitelist, undefined);
  });

  it("keeps each model once, in order (exact repeats)", () => {
    assert.deepEqual(parse('[ollama]\nmodels = ["b", "a", "b", "c", "a"]\n').models, [
      "b",
      "a",
      "c",
    ]);
  });

  it("accepts integers and floats for timeouts, whole numbers (also 3.0) for retries", () => {
    assert.equal(parse("[ollama]\ntimeout_secs = 1\n").timeoutSecs, 1);
    assert.equal(parse("[ollama]\ntimeout_secs = 0.001\n").timeoutSecs, 0.001);
    assert.equal(parse("[ollama]\nstall_timeout_secs = 1e3\n").stallTimeoutSecs, 1000);
    assert.equal(
      parse(`[ollama]\ntimeout_secs = ${MAX_TIMEOUT_SECS}\n`).timeoutSecs,
      MAX_TIMEOUT_SECS,
    );
    assert.equal(parse("[ollama]\npull_retries = 3.0\n").pullRetries, 3);
    assert.equal(parse("[ollama]\npull_retries = 0x10\n").pullRetries, 16);
    assert.equal(parse("[ollama]\npull_retries = 1_000\n").pullRetries, 1000);
    assert.ok(Object.is(parse("[ollama]\npull_retries = -0.0\n").pullRetries, 0));
    assert.equal(typeof parse("[ollama]\npull_retries = 5\n").pullRetries, "number");
  });

  it("accepts a BOM, CRLF line ends and a table header with spaces", () => {
    assert.equal(parse("\uFEFF[ ollama ]\r\nauto_pull = false\r\n").autoPull, false);
  });
});

describe("parseOllamaConfig: wrong types and ranges", () => {
  // [TOML, key, line, column, text the message must contain]
  const cases: [string, string, number, number | undefined, string][] = [
    ["base_url = 11434", "base_url", 2, 1, "`base_url` must be a string"],
    ['base_url = "   "', "base_url", 2, 1, "`base_url` must not be empty"],
    ["base_url = [1]", "base_url", 2, 1, "got [1] (an array)"],
    ['models = "llama3"', "models", 2, 1, 'write models = ["llama3"]'],
    ["models = 1", "models", 2, 1, "`models` must be an array of strings"],
    ["models = { a = 1 }", "models", 2, 1, "got { a = 1 } (a table)"],
    [
      'models = ["llama3", 3]',
      "models",
      2,
      21,
      "`models[1]` must be a string (a model name), got 3",
    ],
    ['models = ["llama3", "bad name"]', "models", 2, 21, "`models[1]`: Invalid model name"],
    ['models = ["llama3:"]', "models", 2, 11, "`models[0]`: Invalid model name"],
    ["auto_pull = 1", "auto_pull", 2, 1, "`auto_pull` must be true or false, got 1 (an integer)"],
    ['auto_pull = "false"', "auto_pull", 2, 1, "write it without quotes: auto_pull = false"],
    ['whitelist = "qwen3:*"', "whitelist", 2, 1, 'write whitelist = ["qwen3:*"]'],
    ['whitelist = ["qwen3:*", false]', "whitelist", 2, 25, "`whitelist[1]` must be a string"],
    ['whitelist = ["qwen3:?"]', "whitelist", 2, 14, "`whitelist[0]`: Invalid model name"],
    [
      'timeout_secs = "5"',
      "timeout_secs",
      2,
      1,
      '`timeout_secs` must be a number of seconds greater than 0, got "5" (a string); ' +
      "write it without quotes: timeout_secs = 5",
    ],
    ["timeout_secs = 0", "timeout_secs", 2, 1, "greater than 0, got 0 (an integer)"],
    ["timeout_secs = -1.5", "timeout_secs", 2, 1, "greater than 0, got -1.5 (a float)"],
    ["timeout_secs = nan", "timeout_secs", 2, 1, "got nan (a float)"],
    ["timeout_secs = inf", "timeout_secs", 2, 1, `at most ${MAX_TIMEOUT_SECS} seconds`],
    ["timeout_secs = 2147484", "timeout_secs", 2, 1, "got 2147484 (an integer)"],
    ["timeout_secs = true", "timeout_secs", 2, 1, "got true (a boolean)"],
    ["timeout_secs = 1979-05-27", "timeout_secs", 2, 1, "got 1979-05-27 (a local date)"],
    ["timeout_secs = 07:32:00", "timeout_secs", 2, 1, "(a local time)"],
    ["stall_timeout_secs = 0.0", "stall_timeout_secs", 2, 1, "got 0.0 (a float)"],
    ["stall_timeout_secs = []", "stall_timeout_secs", 2, 1, "got [] (an empty array)"],
    [
      "stall_timeout_secs = 1979-05-27T07:32:00Z",
      "stall_timeout_secs",
      2,
      1,
      "(an offset date-time)",
    ],
    [
      "pull_retries = 1.5",
      "pull_retries",
      2,
      1,
      "`pull_retries` must be a whole number (0 or more), got 1.5 (a float)",
    ],
    ["pull_retries = -1", "pull_retries", 2, 1, "got -1 (an integer)"],
    ['pull_retries = "3"', "pull_retries", 2, 1, "write it without quotes: pull_retries = 3"],
    ["pull_retries = 99999999999999999999", "pull_retries", 2, 1, "at most 9007199254740991"],
    ["pull_retries = 1e300", "pull_retries", 2, 1, "at most 9007199254740991"],
    ["min_version = 5", "min_version", 2, 1, '`min_version` must be a version string "x.y.z"'],
    ['min_version = "0.5"', "min_version", 2, 1, 'got "0.5" (a string)'],
    ['min_version = "v0.5.0"', "min_version", 2, 1, 'got "v0.5.0" (a string)'],
  ];
  for (const [toml, key, line, column, text] of cases) {
    it(`${toml}`, () => {
      const error = configError(() => parse(`[ollama]\n${toml}\n`));
      assert.equal(error.key, key);
      assert.equal(error.source, SOURCE);
      assert.equal(error.line, line);
      assert.equal(error.column, column);
      const where = column === undefined ? `${SOURCE}:${line}: ` : `${SOURCE}:${line}:${column}: `;
      assert.ok(error.message.startsWith(where), error.message);
      assert.ok(error.message.includes(text), `${error.message}\nshould include\n${text}`);
    });
  }

  it("keeps the InvalidModelNameError as the cause of a bad model name", () => {
    const error = configError(() => parse('[ollama]\nmodels = ["a b"]\n'));
    assert.ok(error.cause instanceof InvalidModelNameError);
  });

  it("finds the line of an entry in a multi-line array", () => {
    const error = configError(() =>
      parse(
        '[ollama]\nmodels = [\n  "llama3", # first\n  # a comment, with a comma\n  "bad name",\n]\n',
      )
    );
    assert.equal(error.key, "models");
    assert.equal(error.line, 5);
    assert.equal(error.column, 3);
    assert.match(error.message, /^vtcode\.toml:5:3: `models\[1\]`: Invalid model name "bad name"/);
  });

  it("finds the line of dotted, quoted and inline-table keys, and of [ollama] after other tables", () => {
    const cases: [string, number, number][] = [
      ["# comment\nollama.auto_pull = 1\n", 2, 8],
      ['[x]\na = 1\n\n["ollama"]\n  "auto_pull" = 1\n', 5, 3],
      ["[ollama]\nmodels = []\n\n'auto_pull' = 1\n", 4, 1],
      ["x = 1\nollama = { models = [], auto_pull = 1 }\n", 2, 25],
      ['[server]\nauto_pull = "not this one"\n[ollama]\nauto_pull = 1\n', 4, 1],
      ['text = """\n[ollama]\nauto_pull = 2\n"""\n[ollama]\n\nauto_pull = 3\n', 7, 1],
    ];
    for (const [text, line, column] of cases) {
      const error = configError(() => parse(text));
      assert.equal(error.key, "auto_pull", text);
      assert.deepEqual([error.line, error.column], [line, column], text);
    }
  });

  it("reports the first problem in file order", () => {
    const error = configError(() => parse("[ollama]\npull_retries = -1\nauto_pull = 1\n"));
    assert.equal(error.key, "pull_retries");
  });

  it("sanitizes control characters out of values shown in messages", () => {
    const error = configError(() => parse('[ollama]\nmin_version = "\\u001b[31mred"\n'));
    assert.ok(!error.message.includes("\u001b"), error.message);
  });
});

describe("parseOllamaConfig: unknown keys", () => {
  const cases: [string, string | undefined][] = [
    ["autopull", "auto_pull"],
    ["auto-pull", "auto_pull"],
    ["AutoPull", "auto_pull"],
    ["auto_pul", "auto_pull"],
    ["timeout", "timeout_secs"],
    ["timeout_sec", "timeout_secs"],
    ["stall_timeout", "stall_timeout_secs"],
    ["model", "models"],
    ["baseurl", "base_url"],
    ["host", "base_url"],
    ["retries", "pull_retries"],
    ["allowlist", "whitelist"],
    ["minversion", "min_version"],
    ["banana", undefined],
  ];
  for (const [key, suggestion] of cases) {
    it(`${key} → ${suggestion ?? "the list of keys"}`, () => {
      const error = configError(() => parse(`[ollama]\nmodels = []\n${key} = 1\n`));
      assert.equal(error.key, key);
      assert.equal(error.line, 3);
      assert.equal(error.column, 1);
      assert.ok(error.message.startsWith(`${SOURCE}:3:1: unknown key \`${key}\` in [ollama]`));
      if (suggestion === undefined) {
        assert.ok(!error.message.includes("did you mean"), error.message);
        assert.ok(error.message.includes(OLLAMA_CONFIG_KEYS.join(", ")), error.message);
      } else {
        assert.ok(error.message.endsWith(`did you mean \`${suggestion}\`?`), error.message);
      }
    });
  }

  it("rejects a sub-table of [ollama] as an unknown key, located at its header", () => {
    const error = configError(() => parse("[ollama]\n[ollama.extra]\na = 1\n"));
    assert.equal(error.key, "extra");
    assert.deepEqual([error.line, error.column], [2, 9]);
  });

  it("rejects prototype-like keys without touching prototypes", () => {
    for (const key of ["__proto__", "constructor", "toString"]) {
      const error = configError(() => parse(`[ollama]\n${key} = 1\n`));
      assert.equal(error.key, key);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe("parseOllamaConfig: the ollama key itself", () => {
  const cases: [string, number, number, string][] = [
    ["ollama = 3\n", 1, 1, "`ollama` must be a table (an [ollama] section), got 3 (an integer)"],
    ['\nollama = "http://x"\n', 2, 1, 'got "http://x" (a string)'],
    ["ollama = []\n", 1, 1, "got [] (an empty array)"],
    ["[[ollama]]\nauto_pull = true\n", 1, 3, "got [{ auto_pull = true }] (an array)"],
  ];
  for (const [text, line, column, message] of cases) {
    it(JSON.stringify(text), () => {
      const error = configError(() => parse(text));
      assert.equal(error.key, undefined);
      assert.deepEqual([error.line, error.column], [line, column]);
      assert.ok(error.message.startsWith(`${SOURCE}:${line}:${column}: `), error.message);
      assert.ok(error.message.includes(message), error.message);
    });
  }
});

describe("parseOllamaConfig: a misspelt [ollama] table", () => {
  it("rejects [Ollama] and [OLLAMA] when there is no [ollama] (a whitelist would be lost)", () => {
    for (
      const [text, line, column] of [["[Ollama]\nauto_pull = false\n", 1, 2], [
        "x = 1\n\nOLLAMA.whitelist = []\n",
        3,
        1,
      ]] as const
    ) {
      const error = configError(() => parse(text));
      assert.deepEqual([error.line, error.column], [line, column]);
      assert.match(error.message, /TOML names are case-sensitive: did you mean \[ollama\]\?$/);
    }
  });

  it("ignores other tables whose names merely contain ollama", () => {
    assert.deepEqual(parse("[ollama_extra]\nx = 1\n[my.ollama]\ny = 2\n"), DEFAULTS);
  });
});

describe("parseOllamaConfig: malformed TOML", () => {
  const cases: [string, number, number, string][] = [
    ["[ollama]\nauto_pull = \n", 2, 13, "invalid value"],
    ['[ollama]\nbase_url = "http://x\n', 2, 21, "control characters are not allowed"],
    ["[ollama]\nauto_pull = true\n[ollama]\n", 3, 2, "redefine"],
    ["[ollama]\nauto_pull = true\nauto_pull = false\n", 3, 1, "redefine"],
    ['x = "\\q"\n', 1, 7, "escape"],
    ["[ollama\n", 1, 8, "illegal character in key"],
    ["\r\n\r\n  = 5", 3, 3, ""],
  ];
  for (const [text, line, column, reason] of cases) {
    it(JSON.stringify(text), () => {
      const error = configError(() => parse(text));
      assert.equal(error.source, SOURCE);
      assert.equal(error.key, undefined);
      assert.deepEqual([error.line, error.column], [line, column], error.message);
      assert.ok(
        error.message.startsWith(`${SOURCE}:${line}:${column}: invalid TOML: `),
        error.message,
      );
      assert.ok(error.message.includes(reason), error.message);
      assert.ok(!error.message.includes("\n"), "one line, without the parser's code block");
    });
  }
});

describe("decodeConfigBytes", () => {
  const encode = (text: string) => new TextEncoder().encode(text);

  it("decodes UTF-8 and strips a BOM", () => {
    assert.equal(
      decodeConfigBytes(encode('[ollama]\nmodels = ["llama3"] # ü\n')),
      '[ollama]\nmodels = ["llama3"] # ü\n',
    );
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...encode("[ollama]\nauto_pull = false\n")]);
    const text = decodeConfigBytes(withBom, { source: SOURCE });
    assert.equal(text.charCodeAt(0), "[".charCodeAt(0));
    assert.equal(parse(text).autoPull, false);
  });

  it("rejects bytes that are not UTF-8, naming the source and the line", () => {
    const bytes = new Uint8Array([...encode("[ollama]\n# caf"), 0xe9, ...encode("\n")]);
    const error = configError(() => decodeConfigBytes(bytes, { source: SOURCE }));
    assert.equal(error.source, SOURCE);
    assert.equal(error.line, 2);
    assert.equal(
      error.message,
      `${SOURCE}:2: not UTF-8: invalid byte 0xe9 at byte offset 14; save the file as UTF-8`,
    );
  });

  it("recognises UTF-16, overlong forms, surrogates and truncated sequences", () => {
    const cases: [number[], string][] = [
      [[0xff, 0xfe, 0x5b, 0x00], "it looks like UTF-16"],
      [[0xfe, 0xff, 0x00, 0x5b], "it looks like UTF-16"],
      [[0x61, 0xc0, 0x80], "invalid byte 0xc0 at byte offset 1"],
      [[0xed, 0xa0, 0x80], "invalid byte 0xed at byte offset 0"],
      [[0x61, 0x62, 0xe2, 0x82], "invalid byte 0xe2 at byte offset 2"],
      [[0xf4, 0x90, 0x80, 0x80], "invalid byte 0xf4 at byte offset 0"],
    ];
    for (const [bytes, text] of cases) {
      const error = configError(() => decodeConfigBytes(new Uint8Array(bytes)));
      assert.ok(error.message.startsWith("config:1: not UTF-8"), error.message);
      assert.ok(error.message.includes(text), error.message);
    }
  });
});

describe("parseOllamaConfig: only ever throws ConfigError (seeded property test)", () => {
  function check(text: string, label: string): void {
    let config: OllamaConfig;
    try {
      config = parseOllamaConfig(text, { source: "fuzz.toml" });
    } catch (error) {
      if (error instanceof ConfigError) {
        assert.equal(error.code, "config");
        assert.ok(error.message.startsWith("fuzz.toml"), error.message);
        return;
      }
      assert.fail(`${label}: ${JSON.stringify(text)} threw ${String(error)}`);
    }
    // Whatever parses is a well-formed config.
    assert.equal(typeof config.autoPull, "boolean");
    assert.ok(config.timeoutSecs > 0 && config.timeoutSecs <= MAX_TIMEOUT_SECS);
    assert.ok(config.stallTimeoutSecs > 0 && config.stallTimeoutSecs <= MAX_TIMEOUT_SECS);
    assert.ok(Number.isSafeInteger(config.pullRetries) && config.pullRetries >= 0);
    assert.ok(config.models.every((model) => typeof model === "string"));
    assert.ok(config.whitelist === undefined || Array.isArray(config.whitelist));
    assert.ok(config.hosts === undefined || config.hosts.length > 0);
    assert.ok(config.hosts === undefined || config.baseUrl === undefined);
    assert.ok(Number.isInteger(config.pullConcurrency) && config.pullConcurrency >= 1);
    assert.equal(typeof config.insecure, "boolean");
    assert.equal(typeof config.warm, "boolean");
    assert.ok(["undefined", "string", "number"].includes(typeof config.keepAlive));
  }

  it("on 2000 random byte strings", () => {
    const random = seededRandom(0xc0ffee);
    for (let round = 0; round < 2000; round++) {
      const length = Math.floor(random() * 64);
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        // Mostly ASCII with TOML's punctuation, some high bytes.
        bytes[i] = random() < 0.8 ? 0x09 + Math.floor(random() * 0x76) : Math.floor(random() * 256);
      }
      let text: string;
      try {
        text = decodeConfigBytes(bytes, { source: "fuzz.toml" });
      } catch (error) {
        assert.ok(error instanceof ConfigError, `decode threw ${String(error)}`);
        continue;
      }
      check(text, `bytes round ${round}`);
      check(`[ollama]\n${text}`, `bytes round ${round} under [ollama]`);
    }
  });

  it("on 2000 random TOML-ish texts", () => {
    const fragments = [
      "[ollama]",
      "[ollama.x]",
      "[[ollama]]",
      "[other]",
      "ollama",
      "ollama.",
      "ollama = ",
      "auto_pull = ",
      "autopull = ",
      "base_url = ",
      "models = ",
      "whitelist = ",
      "timeout_secs = ",
      "stall_timeout_secs = ",
      "pull_retries = ",
      "min_version = ",
      "hosts = ",
      "insecure = ",
      "pull_concurrency = ",
      "warm = ",
      "keep_alive = ",
      '"30m"',
      '"1h30m"',
      '"-1"',
      '"1x"',
      "[olama]",
      "__proto__ = ",
      '"',
      "'",
      '"""',
      "[",
      "]",
      "{",
      "}",
      ",",
      "=",
      ".",
      "#",
      "\n",
      "\r\n",
      " ",
      "true",
      "false",
      "0",
      "3",
      "-1",
      "1.5",
      "2.5e3",
      "1e400",
      "99999999999999999999",
      "inf",
      "nan",
      "0x1f",
      "1979-05-27",
      "07:32:00",
      '"llama3"',
      '"qwen3:*"',
      '"bad name"',
      '"0.5.0"',
      '"http://127.0.0.1:11434"',
      '""',
      "\\u0000",
      "\u0000",
      "\u001b[31m",
      "é",
      "\uFEFF",
    ];
    const random = seededRandom(20240607);
    for (let round = 0; round < 2000; round++) {
      const count = 1 + Math.floor(random() * 14);
      let text = "";
      for (let i = 0; i < count; i++) text += fragments[Math.floor(random() * fragments.length)];
      check(text, `fragments round ${round}`);
    }
  });
});
