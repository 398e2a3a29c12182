// The v2 keys (hosts, insecure, pull_concurrency, warm, keep_alive) in TOML, and
// validateOllamaConfig: the same rules for settings given in code.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeConfigBytes,
  DEFAULT_OLLAMA_CONFIG,
  loadOllamaConfig,
  MAX_PULL_CONCURRENCY,
  OLLAMA_CONFIG_KEYS,
  type OllamaConfig,
  parseOllamaConfig,
  validateOllamaConfig,
} from "../src/config.ts";
import { InvalidModelNameError, UsageError } from "../src/errors/mod.ts";
import { configError, DEFAULTS, usageError } from "./_config.ts";

const SOURCE = "vtcode.toml";

function parse(text: string): OllamaConfig {
  return parseOllamaConfig(text, { source: SOURCE });
}

describe("[ollama] v2 keys: valid values", () => {
  it("reads hosts, insecure, pull_concurrency, warm and keep_alive", () => {
    const config = parse(`
[ollama]
hosts = ["http://gpu-1:11434", "  gpu-2  ", "https://ollama.example.com/api-root"]
insecure = true
pull_concurrency = 4
warm = true
keep_alive = "30m"
`);
    assert.deepEqual(config, {
      ...DEFAULTS,
      hosts: ["http://gpu-1:11434", "gpu-2", "https://ollama.example.com/api-root"],
      insecure: true,
      pullConcurrency: 4,
      warm: true,
      keepAlive: "30m",
    });
  });

  it("defaults: no hosts, not insecure, 2 pulls at once, no warming, the server's keep_alive", () => {
    const config = parse("[ollama]\n");
    assert.equal(config.hosts, undefined);
    assert.equal(config.insecure, false);
    assert.equal(config.pullConcurrency, 2);
    assert.equal(config.warm, false);
    assert.equal(config.keepAlive, undefined);
    assert.equal(DEFAULT_OLLAMA_CONFIG.pullConcurrency, 2);
  });

  it("pull_concurrency takes 1 to MAX_PULL_CONCURRENCY (8), also written as a float", () => {
    assert.equal(MAX_PULL_CONCURRENCY, 8);
    assert.equal(parse("[ollama]\npull_concurrency = 1\n").pullConcurrency, 1);
    assert.equal(parse("[ollama]\npull_concurrency = 8\n").pullConcurrency, 8);
    assert.equal(parse("[ollama]\npull_concurrency = 3.0\n").pullConcurrency, 3);
  });

  // [TOML value, keepAlive]: what Ollama's keep_alive accepts, as it is sent.
  const keepAlive: [string, string | number][] = [
    ['"30m"', "30m"],
    ['"1h30m"', "1h30m"],
    ['"10s"', "10s"],
    ['"1.5h"', "1.5h"],
    ['"300ms"', "300ms"],
    ['"2h45m30.5s"', "2h45m30.5s"],
    ['"1µs"', "1µs"],
    ['"-1m"', "-1m"],
    ['"+5m"', "+5m"],
    ['"  30m "', "30m"],
    // Unit-less strings become numbers: Ollama's API rejects "-1" as a Go duration.
    ['"-1"', -1],
    ['"0"', 0],
    ['"300"', 300],
    ['"2.5"', 2.5],
    ["-1", -1],
    ["0", 0],
    ["300", 300],
    ["2.5", 2.5],
    ["-0.0", 0],
  ];
  for (const [toml, expected] of keepAlive) {
    it(`keep_alive = ${toml} → ${JSON.stringify(expected)}`, () => {
      const value = parse(`[ollama]\nkeep_alive = ${toml}\n`).keepAlive;
      assert.ok(Object.is(value, expected), `${String(value)} (${typeof value})`);
    });
  }
});

describe("[ollama] v2 keys: wrong types and ranges name the key, file, line and column", () => {
  // [TOML under [ollama], key, line, column, text the message must contain]
  const cases: [string, string, number, number, string][] = [
    ['hosts = "http://a:11434"', "hosts", 2, 1, 'write hosts = ["http://a:11434"]'],
    ["hosts = 3", "hosts", 2, 1, "`hosts` must be an array of server addresses"],
    ["hosts = []", "hosts", 2, 1, "`hosts` must list at least one server address"],
    [
      'hosts = ["http://a:11434", 3]',
      "hosts",
      2,
      28,
      "`hosts[1]` must be a string (a server address), got 3 (an integer)",
    ],
    ['hosts = ["a", "  "]', "hosts", 2, 15, "`hosts[1]` must not be empty"],
    ['hosts = ["ftp://a"]', "hosts", 2, 10, '`hosts[0]`: Invalid server address "ftp://a"'],
    ['hosts = ["http://a:99999"]', "hosts", 2, 10, "the port must be a number from 1 to 65535"],
    [
      'hosts = ["a", "http://a:11434/"]',
      "hosts",
      2,
      15,
      "`hosts[1]` is the same server as `hosts[0]` (http://a:11434)",
    ],
    ['base_url = "ftp://x"', "base_url", 2, 1, '`base_url`: Invalid server address "ftp://x"'],
    ['insecure = "true"', "insecure", 2, 1, "write it without quotes: insecure = true"],
    ["insecure = 1", "insecure", 2, 1, "`insecure` must be true or false, got 1 (an integer)"],
    ["warm = []", "warm", 2, 1, "`warm` must be true or false, got [] (an empty array)"],
    [
      "pull_concurrency = 0",
      "pull_concurrency",
      2,
      1,
      "`pull_concurrency` must be a whole number from 1 to 8, got 0 (an integer)",
    ],
    ["pull_concurrency = 9", "pull_concurrency", 2, 1, "from 1 to 8, got 9 (an integer)"],
    ["pull_concurrency = -1", "pull_concurrency", 2, 1, "got -1 (an integer)"],
    ["pull_concurrency = 1.5", "pull_concurrency", 2, 1, "got 1.5 (a float)"],
    ["pull_concurrency = nan", "pull_concurrency", 2, 1, "got nan (a float)"],
    ["pull_concurrency = 99999999999999999999", "pull_concurrency", 2, 1, "from 1 to 8"],
    [
      'pull_concurrency = "2"',
      "pull_concurrency",
      2,
      1,
      "write it without quotes: pull_concurrency = 2",
    ],
    [
      "keep_alive = true",
      "keep_alive",
      2,
      1,
      '`keep_alive` must be a duration such as "30m", "1h30m" or "-1" (forever), or a number ' +
      "of seconds, got true (a boolean)",
    ],
    ['keep_alive = "30 minutes"', "keep_alive", 2, 1, "the units are h, m, s, ms, us and ns"],
    ['keep_alive = "1H"', "keep_alive", 2, 1, 'got "1H" (a string)'],
    ['keep_alive = "m"', "keep_alive", 2, 1, 'got "m" (a string)'],
    ['keep_alive = ""', "keep_alive", 2, 1, 'got "" (a string)'],
    ['keep_alive = "1d"', "keep_alive", 2, 1, 'got "1d" (a string)'],
    ['keep_alive = "forever"', "keep_alive", 2, 1, 'got "forever" (a string)'],
    ["keep_alive = nan", "keep_alive", 2, 1, "got nan (a float)"],
    ["keep_alive = inf", "keep_alive", 2, 1, "got inf (a float)"],
    ["keep_alive = 1e12", "keep_alive", 2, 1, "at most 9223372036 seconds (about 292 years)"],
    ['keep_alive = "3000000h"', "keep_alive", 2, 1, "at most about 292 years"],
    ["keep_alive = 1979-05-27", "keep_alive", 2, 1, "(a local date)"],
  ];
  for (const [toml, key, line, column, text] of cases) {
    it(toml, () => {
      const error = configError(() => parse(`[ollama]\n${toml}\n`));
      assert.equal(error.key, key);
      assert.equal(error.source, SOURCE);
      assert.deepEqual([error.line, error.column], [line, column], error.message);
      assert.ok(error.message.startsWith(`${SOURCE}:${line}:${column}: `), error.message);
      assert.ok(error.message.includes(text), `${error.message}\nshould include\n${text}`);
    });
  }

  it("never shows a password from hosts in a message", () => {
    const error = configError(() =>
      parse('[ollama]\nhosts = ["http://u:s3cret@a", "http://u:s3cret@a:80/"]\n')
    );
    assert.match(error.message, /`hosts\[1\]` is the same server as `hosts\[0\]`/);
    assert.ok(!error.message.includes("s3cret"), error.message);
    const invalid = configError(() => parse('[ollama]\nhosts = ["ftp://u:s3cret@a"]\n'));
    assert.ok(!invalid.message.includes("s3cret"), invalid.message);
  });

  it("hosts together with base_url is an error at hosts, in either order", () => {
    for (
      const [text, line] of [
        ['[ollama]\nbase_url = "http://a:11434"\nhosts = ["http://b:11434"]\n', 3],
        ['[ollama]\nhosts = ["http://b:11434"]\n\nbase_url = "http://a:11434"\n', 2],
      ] as const
    ) {
      const error = configError(() => parse(text));
      assert.equal(error.key, "hosts");
      assert.deepEqual([error.line, error.column], [line, 1]);
      assert.match(error.message, /`hosts` and `base_url` cannot both be set/);
    }
  });

  const unknown: [string, string][] = [
    ["pull_concurency", "pull_concurrency"],
    ["concurrency", "pull_concurrency"],
    ["keepalive", "keep_alive"],
    ["keep-alive", "keep_alive"],
    ["KeepAlive", "keep_alive"],
    ["Hosts", "hosts"],
    ["servers", "hosts"],
    ["host", "base_url"],
    ["warmup", "warm"],
    ["insecure_registry", "insecure"],
  ];
  for (const [key, suggestion] of unknown) {
    it(`unknown key ${key} → did you mean ${suggestion}?`, () => {
      const error = configError(() => parse(`[ollama]\n${key} = 1\n`));
      assert.equal(error.key, key);
      assert.equal(
        error.message,
        `${SOURCE}:2:1: unknown key \`${key}\` in [ollama]; did you mean \`${suggestion}\`?`,
      );
    });
  }
});

describe("validateOllamaConfig: settings given in code", () => {
  it("fills in the defaults, in a fresh object each time", () => {
    assert.deepEqual(validateOllamaConfig(undefined), DEFAULTS);
    assert.deepEqual(validateOllamaConfig({}), DEFAULTS);
    const a = validateOllamaConfig({});
    a.models.push("x");
    assert.deepEqual(validateOllamaConfig({}).models, []);
    assert.deepEqual(DEFAULT_OLLAMA_CONFIG.models, []);
  });

  it("accepts every field, copies arrays, trims strings and drops exact repeats", () => {
    const input = {
      hosts: [" http://gpu-1:11434 ", "gpu-2"],
      models: ["llama3", "qwen3:8b", "llama3"],
      autoPull: false,
      whitelist: ["qwen3:*"],
      timeoutSecs: 2.5,
      stallTimeoutSecs: 120,
      pullRetries: 0,
      pullConcurrency: 8,
      insecure: true,
      warm: true,
      keepAlive: "-1",
      minVersion: " 0.5.0 ",
    };
    const config = validateOllamaConfig(input);
    assert.deepEqual(config, {
      ...DEFAULTS,
      hosts: ["http://gpu-1:11434", "gpu-2"],
      models: ["llama3", "qwen3:8b"],
      autoPull: false,
      whitelist: ["qwen3:*"],
      timeoutSecs: 2.5,
      stallTimeoutSecs: 120,
      pullRetries: 0,
      pullConcurrency: 8,
      insecure: true,
      warm: true,
      keepAlive: -1,
      minVersion: "0.5.0",
    });
    assert.notEqual(config.whitelist, input.whitelist);
    assert.deepEqual(input.models, ["llama3", "qwen3:8b", "llama3"], "input untouched");
  });

  it("treats undefined fields as absent (Partial<OllamaConfig>)", () => {
    assert.deepEqual(
      validateOllamaConfig({ baseUrl: undefined, whitelist: undefined, models: undefined }),
      DEFAULTS,
    );
    assert.equal(validateOllamaConfig({ baseUrl: " http://h:1/v1 " }).baseUrl, "http://h:1/v1");
  });

  // [input, text the UsageError message must contain]
  const cases: [Record<string, unknown>, string][] = [
    [
      { models: "llama3" },
      'invalid Ollama config: `models` must be an array of strings (model names), got "llama3" ' +
      '(a string); write models: ["llama3"]',
    ],
    [{ models: [1] }, "`models[0]` must be a string (a model name), got 1 (a number)"],
    [{ pullRetries: NaN }, "`pullRetries` must be a whole number (0 or more), got NaN (a number)"],
    [{ pullRetries: -1 }, "got -1 (a number)"],
    [{ pullRetries: 1.5 }, "got 1.5 (a number)"],
    [{ pullRetries: Infinity }, "got Infinity (a number)"],
    [{ pullRetries: "3" }, "write it without quotes: pullRetries: 3"],
    [{ timeoutSecs: 0 }, "`timeoutSecs` must be a number of seconds greater than 0, got 0"],
    [{ timeoutSecs: NaN }, "`timeoutSecs` must be a number of seconds greater than 0, got NaN"],
    [{ timeoutSecs: Infinity }, "`timeoutSecs` must be at most 2147483 seconds"],
    [{ stallTimeoutSecs: -1 }, "`stallTimeoutSecs` must be a number of seconds greater than 0"],
    [{ autoPull: "yes" }, '`autoPull` must be true or false, got "yes" (a string)'],
    [{ autoPull: null }, "`autoPull` must be true or false, got null"],
    [{ whitelist: null }, "`whitelist` must be an array of strings (model names or patterns)"],
    [{ whitelist: "qwen3:*" }, 'write whitelist: ["qwen3:*"]'],
    [{ baseUrl: 11434 }, "`baseUrl` must be a string"],
    [{ baseUrl: "" }, "`baseUrl` must not be empty"],
    [{ baseUrl: "ftp://x" }, '`baseUrl`: Invalid server address "ftp://x"'],
    [{ hosts: [] }, "`hosts` must list at least one server address"],
    [{ hosts: "a" }, 'write hosts: ["a"]'],
    [{ hosts: ["a", "a:11434"] }, "`hosts[1]` is the same server as `hosts[0]`"],
    [{ baseUrl: "a", hosts: ["b"] }, "`hosts` and `baseUrl` cannot both be set"],
    [{ pullConcurrency: 0 }, "`pullConcurrency` must be a whole number from 1 to 8, got 0"],
    [{ pullConcurrency: 9 }, "from 1 to 8, got 9 (a number)"],
    [{ insecure: 1 }, "`insecure` must be true or false, got 1 (a number)"],
    [{ warm: "true" }, "write it without quotes: warm: true"],
    [{ keepAlive: "5 minutes" }, '`keepAlive` must be a duration such as "30m"'],
    [{ keepAlive: true }, "`keepAlive` must be a duration"],
    [{ keepAlive: NaN }, "`keepAlive` must be a duration"],
    [{ minVersion: "v1" }, '`minVersion` must be a version string "x.y.z"'],
    [{ autopull: false }, "unknown field `autopull`; did you mean `autoPull`?"],
    [{ auto_pull: false }, "unknown field `auto_pull`; did you mean `autoPull`?"],
    [{ keep_alive: "1m" }, "unknown field `keep_alive`; did you mean `keepAlive`?"],
    [{ host: "a" }, "unknown field `host`; did you mean `baseUrl`?"],
    [
      { banana: 1 },
      "unknown field `banana`; the fields are baseUrl, models, autoPull, whitelist, timeoutSecs, " +
      "stallTimeoutSecs, pullRetries, minVersion, hosts, insecure, pullConcurrency, warm, " +
      "keepAlive",
    ],
  ];
  for (const [input, text] of cases) {
    it(
      JSON.stringify(input, (_, v) => typeof v === "number" && !isFinite(v) ? String(v) : v),
      () => {
        const error = usageError(() => validateOllamaConfig(input));
        assert.ok(error.message.includes(text), `${error.message}\nshould include\n${text}`);
      },
    );
  }

  it("gives an invalid model name or pattern as InvalidModelNameError (code invalid_model_name)", () => {
    for (const input of [{ models: ["llama3:"] }, { whitelist: ["qwen3:?"] }]) {
      assert.throws(() => validateOllamaConfig(input), InvalidModelNameError);
    }
  });

  it("rejects anything but an object with a UsageError, never a TypeError", () => {
    for (const input of [null, 42, "models", [], [["models", []]], true, () => {}, Symbol("x")]) {
      const error = usageError(() => validateOllamaConfig(input));
      assert.match(error.message, /^invalid Ollama config: expected an object/);
    }
  });
});

describe("the config functions given the wrong kind of argument", () => {
  const call = (fn: (...args: unknown[]) => unknown, ...args: unknown[]) => () => fn(...args);
  const parseAny = parseOllamaConfig as (...args: unknown[]) => unknown;
  const decodeAny = decodeConfigBytes as (...args: unknown[]) => unknown;

  it("parseOllamaConfig: text that is not a string, options that are not an object", () => {
    for (const text of [undefined, null, 42, {}, ["[ollama]"]]) {
      const error = usageError(call(parseAny, text));
      assert.match(error.message, /^parseOllamaConfig: expected the TOML text as a string/);
    }
    const bytes = usageError(call(parseAny, new Uint8Array([0x5b])));
    assert.match(bytes.message, /decode the bytes first with decodeConfigBytes/);
    usageError(call(parseAny, "", 5));
    usageError(call(parseAny, "", "vtcode.toml"));
    const source = usageError(call(parseAny, "", { source: 5 }));
    assert.match(source.message, /options\.source must be a string/);
    assert.deepEqual(parseAny("", null), DEFAULTS);
  });

  it("decodeConfigBytes: a string or nothing is a UsageError; any byte view works", () => {
    const text = usageError(call(decodeAny, "[ollama]"));
    assert.match(text.message, /text needs no decoding: pass it to parseOllamaConfig/);
    usageError(call(decodeAny, undefined));
    usageError(call(decodeAny, null));
    usageError(call(decodeAny, [0x61]));
    const bytes = new TextEncoder().encode("[ollama]");
    assert.equal(decodeConfigBytes(bytes.buffer as unknown as Uint8Array), "[ollama]");
    assert.equal(
      decodeConfigBytes(new DataView(bytes.buffer) as unknown as Uint8Array),
      "[ollama]",
    );
  });

  it("loadOllamaConfig: options, path or cwd of the wrong type are a UsageError", async () => {
    const loadAny = loadOllamaConfig as (options: unknown) => Promise<unknown>;
    for (const options of [42, "vtcode.toml", { path: 5 }, { cwd: ["/"] }]) {
      await assert.rejects(loadAny(options), (error) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.match(error.message, /^loadOllamaConfig: /);
        return true;
      });
    }
  });

  it("every key is documented by OLLAMA_CONFIG_KEYS and accepted by validateOllamaConfig", () => {
    assert.equal(OLLAMA_CONFIG_KEYS.length, Object.keys(DEFAULTS).length);
  });
});
