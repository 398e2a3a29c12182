import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { seededRandom, thrown } from "./_helpers.ts";
import {
  DEFAULT_NAMESPACE,
  DEFAULT_REGISTRY_HOST,
  DEFAULT_TAG,
  isCloudModel,
  isModelAllowed,
  isValidModelName,
  matchesModelPattern,
  type ModelName,
  normalizeModelName,
  parseModelName,
  parseModelPattern,
  sameModel,
  shortModelName,
} from "../src/names.ts";
import { InvalidModelNameError } from "../src/errors/mod.ts";

function invalidReason(name: string): string {
  const error = thrown(() => parseModelName(name));
  assert.ok(error instanceof InvalidModelNameError, `${JSON.stringify(name)}: ${String(error)}`);
  assert.equal(error.code, "invalid_model_name");
  return error.message;
}

const x = (n: number, char = "a") => char.repeat(n);

describe("defaults", () => {
  it("are Ollama's", () => {
    assert.equal(DEFAULT_REGISTRY_HOST, "registry.ollama.ai");
    assert.equal(DEFAULT_NAMESPACE, "library");
    assert.equal(DEFAULT_TAG, "latest");
  });
});

describe("parseModelName", () => {
  const valid: [string, [string, string, string, string]][] = [
    ["llama3", ["registry.ollama.ai", "library", "llama3", "latest"]],
    ["llama3:8b", ["registry.ollama.ai", "library", "llama3", "8b"]],
    ["user/m", ["registry.ollama.ai", "user", "m", "latest"]],
    ["user/m:tag", ["registry.ollama.ai", "user", "m", "tag"]],
    ["hf.co/org/m:Q4_K_M", ["hf.co", "org", "m", "Q4_K_M"]],
    ["host:5000/ns/m", ["host:5000", "ns", "m", "latest"]],
    ["host:5000/ns/m:v1.2", ["host:5000", "ns", "m", "v1.2"]],
    ["localhost:5000/a/b:c", ["localhost:5000", "a", "b", "c"]],
    ["LLAMA3", ["registry.ollama.ai", "library", "LLAMA3", "latest"]],
    ["Hf.Co/Org/Model:Tag", ["Hf.Co", "Org", "Model", "Tag"]],
    ["qwen2.5-coder:7b-instruct", [
      "registry.ollama.ai",
      "library",
      "qwen2.5-coder",
      "7b-instruct",
    ]],
    ["_x/_y:_z", ["registry.ollama.ai", "_x", "_y", "_z"]],
    ["0/1/2:3", ["0", "1", "2", "3"]],
    ["my-ns_1/m", ["registry.ollama.ai", "my-ns_1", "m", "latest"]],
    ["h_o-s.t:1:2/n/m", ["h_o-s.t:1:2", "n", "m", "latest"]],
    ["m.:t.", ["registry.ollama.ai", "library", "m.", "t."]],
    // Ollama trims surrounding whitespace, and rewrites its :local / :cloud suffixes.
    [" llama3", ["registry.ollama.ai", "library", "llama3", "latest"]],
    ["llama3 \n", ["registry.ollama.ai", "library", "llama3", "latest"]],
    ["x:local", ["registry.ollama.ai", "library", "x", "latest"]],
    ["qwen3:8b:local", ["registry.ollama.ai", "library", "qwen3", "8b"]],
    ["x: LOCAL ", ["registry.ollama.ai", "library", "x", "latest"]],
    ["x:8b:cloud", ["registry.ollama.ai", "library", "x", "8b-cloud"]],
    ["gpt-oss:20b-cloud", ["registry.ollama.ai", "library", "gpt-oss", "20b-cloud"]],
    ["x:cloud", ["registry.ollama.ai", "library", "x", "cloud"]],
    ["user/x:CLOUD", ["registry.ollama.ai", "user", "x", "cloud"]],
    ["my-cloud-model", ["registry.ollama.ai", "library", "my-cloud-model", "latest"]],
    ["host:5000/ns/m:local", ["host:5000", "ns", "m", "latest"]],
  ];
  for (const [name, [host, namespace, model, tag]] of valid) {
    it(`parses ${JSON.stringify(name)}`, () => {
      assert.deepEqual({ ...parseModelName(name) }, { host, namespace, model, tag });
      assert.equal(isValidModelName(name), true);
    });
  }

  const invalid: [string, string][] = [
    ["", "the name is empty"],
    ["llama3:", "the tag is empty"],
    [":8b", "the model part is empty"],
    ["/x", "the namespace is empty"],
    ["x/", "the model part is empty"],
    ["a//b", "the namespace is empty"],
    ["/a/b", "the host is empty"],
    ["a/b/", "the model part is empty"],
    ["a/b/c/d", "too many '/'-separated parts"],
    ["a/b/c/d:e", "too many '/'-separated parts"],
    ["registry.ollama.ai/llama3", "namespace may not contain '.'"],
    ["host:5000/m", "namespace may not contain ':'"],
    ["a:b:c", "model part may not contain ':'"],
    ["ns.x/m", "namespace may not contain '.'"],
    ["   ", "the name is empty"],
    ["x:local:cloud", "use either :local or :cloud, not both"],
    ["x:cloud:local", "use either :local or :cloud, not both"],
    ["x:8b-cloud:local", "use either :local or :cloud, not both"],
    ["x:local:local", "use either :local or :cloud, not both"],
    ["ftp://h/n/m", "the scheme 'ftp://' is not allowed"],
    ["http://h/m", "must be followed by a registry host, a namespace and a model"],
    ["http://m", "must be followed by a registry host"],
    ["lla ma3", "may not contain a space"],
    ["llama3@sha256:abcdef", "digest references"],
    ["@sha256:abcdef", "'@' is not allowed"],
    ["-x", "must start with a letter, a digit or '_'"],
    [".x", "must start with a letter, a digit or '_'"],
    ["x:-y", "the tag must start with"],
    ["x:.y", "the tag must start with"],
    ["-h/n/m", "the host must start with"],
    [":h/n/m", "the host must start with"],
    ["n/-m", "the model part must start with"],
    ["-n/m", "the namespace must start with"],
    ["llama*", "may not contain '*'"],
    ["caf\u00e9", "may not contain U+00E9"],
    ["a\u0007b", "may not contain U+0007"],
    ["m:t/x", "the namespace may not contain ':'"],
    ["m:t+1", "the tag may not contain '+'"],
    ["h!/n/m", "the host may not contain '!'"],
  ];
  for (const [name, reason] of invalid) {
    it(`rejects ${JSON.stringify(name)}: ${reason}`, () => {
      assert.ok(invalidReason(name).includes(reason), invalidReason(name));
      assert.equal(isValidModelName(name), false);
    });
  }

  it("keeps an http:// or https:// scheme apart from the name's identity", () => {
    const plain = parseModelName(" http://127.0.0.1:5000/library/tiny:1b ");
    assert.deepEqual({ ...plain }, {
      host: "127.0.0.1:5000",
      namespace: "library",
      model: "tiny",
      tag: "1b",
      scheme: "http",
    });
    assert.equal(parseModelName("HTTPS://h.example/ns/m").scheme, "https");
    assert.equal(shortModelName(plain), "127.0.0.1:5000/library/tiny:1b");
    assert.equal(
      sameModel("http://127.0.0.1:5000/library/tiny:1b", "127.0.0.1:5000/library/tiny:1b"),
      true,
    );
  });

  it("tells cloud models apart", () => {
    for (const name of ["gpt-oss:120b-cloud", "qwen3:8b:cloud", "x:cloud", "x:CLOUD"]) {
      assert.equal(isCloudModel(name), true, name);
    }
    for (const name of ["qwen3:8b", "my-cloud-model", "cloud", "x:local", "x:cloud:local", ""]) {
      assert.equal(isCloudModel(name), false, name);
    }
  });

  it("explains that a host needs a namespace", () => {
    assert.match(invalidReason("registry.ollama.ai/llama3"), /give a namespace too/);
  });

  it("keeps control characters out of the message", () => {
    const message = invalidReason("\u001b[31mevil\u001b[0m");
    assert.ok(!message.includes("\u001b"));
  });

  const limits: [string, string, string][] = [
    ["model", x(80), x(81)],
    ["tag", `m:${x(80)}`, `m:${x(81)}`],
    ["namespace", `${x(80)}/m`, `${x(81)}/m`],
    ["host", `${x(350)}/n/m`, `${x(351)}/n/m`],
    ["model with host", `h/n/${x(80)}:t`, `h/n/${x(81)}:t`],
    ["host with port", `${x(345)}:5000/n/m`, `${x(346)}:5000/n/m`],
  ];
  for (const [what, ok, tooLong] of limits) {
    it(`length limit of the ${what}: exactly at the limit is valid, one more is not`, () => {
      assert.equal(isValidModelName(ok), true);
      assert.equal(isValidModelName(tooLong), false);
      assert.match(invalidReason(tooLong), /is longer than (80|350) characters/);
    });
  }

  it("says 'model part is longer than 80 characters'", () => {
    assert.ok(invalidReason(x(81)).includes("the model part is longer than 80 characters"));
  });

  it("returns a frozen object", () => {
    assert.ok(Object.isFrozen(parseModelName("llama3")));
  });

  it("rejects a non-string at run time with InvalidModelNameError", () => {
    const error = thrown(() => parseModelName(42 as unknown as string));
    assert.ok(error instanceof InvalidModelNameError);
    assert.equal(isValidModelName(undefined as unknown as string), false);
  });
});

describe("aliases", () => {
  const aliases = [
    "llama3",
    "llama3:latest",
    "library/llama3:latest",
    "registry.ollama.ai/library/llama3:latest",
    "LLAMA3",
    "Library/Llama3:LATEST",
    "REGISTRY.OLLAMA.AI/library/llama3",
  ];
  for (const a of aliases) {
    it(`${a} is llama3:latest`, () => {
      assert.equal(normalizeModelName(a), "registry.ollama.ai/library/llama3:latest");
      for (const b of aliases) assert.equal(sameModel(a, b), true, `${a} vs ${b}`);
    });
  }

  const different: [string, string][] = [
    ["llama3", "llama3:8b"],
    ["llama3", "user/llama3"],
    ["llama3", "evil.example/library/llama3"],
    ["llama3", "registry.ollama.ai:443/library/llama3"],
    ["host:5000/ns/m", "host/ns/m"],
    ["llama3", "llama3:"],
    ["llama3:", "llama3:"],
    ["", ""],
  ];
  for (const [a, b] of different) {
    it(`${JSON.stringify(a)} and ${JSON.stringify(b)} differ (never throws)`, () => {
      assert.equal(sameModel(a, b), false);
      assert.equal(sameModel(b, a), false);
    });
  }
});

describe("normalizeModelName", () => {
  const table: [string, string][] = [
    ["llama3", "registry.ollama.ai/library/llama3:latest"],
    ["hf.co/Org/M:Q4_K_M", "hf.co/org/m:q4_k_m"],
    ["host:5000/ns/m", "host:5000/ns/m:latest"],
    ["User/M:Tag", "registry.ollama.ai/user/m:tag"],
  ];
  for (const [name, normalized] of table) {
    it(`${name} -> ${normalized}`, () => {
      assert.equal(normalizeModelName(name), normalized);
      assert.equal(normalizeModelName(parseModelName(name)), normalized);
    });
  }

  it("throws InvalidModelNameError for an invalid name", () => {
    assert.ok(thrown(() => normalizeModelName("llama3:")) instanceof InvalidModelNameError);
  });

  it("checks a hand-built ModelName, so no part can carry a separator", () => {
    const forged: ModelName[] = [
      { host: "registry.ollama.ai", namespace: "library/evil", model: "m", tag: "latest" },
      { host: "h", namespace: "n", model: "m:8b", tag: "latest" },
      { host: "", namespace: "n", model: "m", tag: "t" },
      { host: "h", namespace: "n", model: "m", tag: x(81) },
    ];
    for (const name of forged) {
      assert.ok(thrown(() => normalizeModelName(name)) instanceof InvalidModelNameError);
      assert.ok(thrown(() => shortModelName(name)) instanceof InvalidModelNameError);
    }
    const missing = { host: "h", namespace: "n", model: "m" } as unknown as ModelName;
    assert.ok(thrown(() => normalizeModelName(missing)) instanceof InvalidModelNameError);
  });
});

describe("shortModelName", () => {
  const table: [string, string][] = [
    ["llama3", "llama3:latest"],
    ["llama3:8b", "llama3:8b"],
    ["registry.ollama.ai/library/llama3", "llama3:latest"],
    ["REGISTRY.OLLAMA.AI/LIBRARY/LLAMA3", "LLAMA3:latest"],
    ["Registry.Ollama.AI/Library/x:T", "x:T"],
    ["user/m:tag", "user/m:tag"],
    ["registry.ollama.ai/user/m:tag", "user/m:tag"],
    ["hf.co/org/m:Q4_K_M", "hf.co/org/m:Q4_K_M"],
    ["hf.co/library/m", "hf.co/library/m:latest"],
    ["host:5000/ns/m", "host:5000/ns/m:latest"],
    ["registry.ollama.ai:443/library/m", "registry.ollama.ai:443/library/m:latest"],
  ];
  for (const [name, short] of table) {
    it(`${name} -> ${short}`, () => {
      assert.equal(shortModelName(name), short);
      assert.equal(shortModelName(parseModelName(name)), short);
      assert.equal(normalizeModelName(short), normalizeModelName(name));
    });
  }
});

describe("parseModelPattern", () => {
  const valid: [string, [string, string, string, string]][] = [
    ["*", ["*", "*", "*", "*"]],
    ["llama3:*", ["registry.ollama.ai", "library", "llama3", "*"]],
    ["llama3", ["registry.ollama.ai", "library", "llama3", "latest"]],
    ["hf.co/*/*:*", ["hf.co", "*", "*", "*"]],
    ["*/*", ["registry.ollama.ai", "*", "*", "latest"]],
    ["*:*", ["registry.ollama.ai", "library", "*", "*"]],
    ["qwen*:*b", ["registry.ollama.ai", "library", "qwen*", "*b"]],
    ["*.co:*/n/m", ["*.co:*", "n", "m", "latest"]],
    ["**", ["registry.ollama.ai", "library", "**", "latest"]],
    ["*-x", ["registry.ollama.ai", "library", "*-x", "latest"]],
  ];
  for (const [pattern, [host, namespace, model, tag]] of valid) {
    it(`parses ${pattern}`, () => {
      assert.deepEqual({ ...parseModelPattern(pattern) }, { host, namespace, model, tag });
    });
  }

  const invalid: [string, string][] = [
    ["", "empty"],
    ["llama3:", "the tag is empty"],
    ["a/b/c/d", "too many"],
    ["*/*/*/*", "too many"],
    ["* x", "may not contain a space"],
    ["ll ama*", "a space"],
    ["llama3@*", "'@'"],
    ["-*", "must start"],
    ["registry.ollama.ai/*", "namespace may not contain '.'"],
    ["*.evil/*", "namespace may not contain '.'"],
    [`${x(81)}*`, "longer than 80"],
    ["*?", "may not contain '?'"],
  ];
  for (const [pattern, reason] of invalid) {
    it(`rejects ${JSON.stringify(pattern)}: ${reason}`, () => {
      const error = thrown(() => parseModelPattern(pattern));
      assert.ok(error instanceof InvalidModelNameError);
      assert.ok(error.message.includes(reason), error.message);
      assert.ok(error.message.includes("whitelist pattern"), error.message);
    });
  }

  it("counts only literal characters toward the length limit", () => {
    assert.equal(parseModelPattern(`${x(80)}*`).model, `${x(80)}*`);
    assert.equal(matchesModelPattern(x(80), `${x(80)}*`), true);
  });
});

describe("whitelist", () => {
  const table: [string, string[], string[]][] = [
    [
      "llama3:*",
      [
        "llama3",
        "llama3:8b",
        "LLAMA3:latest",
        "Llama3:70B",
        "library/llama3:70b",
        "LIBRARY/LLAMA3:8B",
        "registry.ollama.ai/library/llama3:latest",
        "Registry.Ollama.AI/Library/Llama3:x",
      ],
      [
        "evil.example/library/llama3:latest",
        "user/llama3:8b",
        "llama/llama3:8b",
        "libraryx/llama3:8b",
        "registry.ollama.ai.evil.example/library/llama3:latest",
        "registry.ollama.ai:443/library/llama3:latest",
        "evil/registry.ollama.ai/library/llama3",
        "llama3-evil:8b",
        "llama3x:8b",
        "xllama3:8b",
        "llama3/8b",
        "llama3:",
        "llama3:8b@sha256:0000",
        "llama3:8b/x",
        "",
      ],
    ],
    [
      "llama3",
      ["llama3", "llama3:latest", "LLAMA3:LATEST", "registry.ollama.ai/library/llama3"],
      ["llama3:8b", "llama3:latest-evil", "user/llama3", "evil.example/library/llama3"],
    ],
    [
      "*",
      ["llama3", "evil.example/x/y:z", "hf.co/org/m:Q4_K_M", "host:5000/ns/m"],
      ["", "llama3:", "a/b/c/d", "llama3@sha256:00", "x y"],
    ],
    [
      "hf.co/*/*:*",
      ["hf.co/org/m:Q4_K_M", "HF.CO/Org/M", "hf.co/library/m:latest"],
      [
        "org/m:Q4_K_M",
        "m",
        "hf.co.evil/org/m:x",
        "xhf.co/org/m:x",
        "hf.co:8080/org/m:x",
        "evil.example/hf.co/m",
      ],
    ],
    [
      "*:*",
      ["anything:tag", "llama3", "LLAMA3:8B"],
      ["user/m:tag", "hf.co/library/m:tag", "evil.example/library/llama3"],
    ],
    ["*/*", ["user/m", "llama3", "user/m:latest"], ["user/m:8b", "hf.co/user/m"]],
    [
      "qwen*:*",
      ["qwen3:8b", "qwen2.5:7b", "QWEN:x", "qwen3-coder:30b"],
      ["user/qwen3:8b", "xqwen3:8b", "evil.example/library/qwen3:8b"],
    ],
    ["user/*:*", ["user/m:t", "USER/anything"], ["user2/m", "library/m", "h.example/user/m"]],
    ["llama3:8b*", ["llama3:8b", "llama3:8b-instruct"], ["llama3:70b", "llama3"]],
    ["*lla*ma*:*", ["llama3:x", "xllaxmay:y", "llama:z"], ["user/llama:x"]],
  ];
  for (const [pattern, allowed, refused] of table) {
    for (const name of allowed) {
      it(`${pattern} allows ${name}`, () => {
        assert.equal(matchesModelPattern(name, pattern), true);
        assert.equal(isModelAllowed(name, [pattern]), true);
      });
    }
    for (const name of refused) {
      it(`${pattern} refuses ${JSON.stringify(name)}`, () => {
        assert.equal(matchesModelPattern(name, pattern), false);
        assert.equal(isModelAllowed(name, [pattern]), false);
      });
    }
  }

  it("a * never matches across '/' or the tag ':'", () => {
    assert.equal(isModelAllowed("user/m", ["*"]), true); // `*` alone is the whole-name wildcard
    assert.equal(isModelAllowed("user/m", ["u*m"]), false);
    assert.equal(isModelAllowed("m:t", ["m*"]), false);
    assert.equal(isModelAllowed("m:t", ["m*:t"]), true);
  });

  it("undefined means no restriction, [] means nothing", () => {
    assert.equal(isModelAllowed("anything:tag", undefined), true);
    assert.equal(isModelAllowed("evil.example/x/y", undefined), true);
    assert.equal(isModelAllowed("llama3", []), false);
  });

  it("an invalid name is never allowed, even without a whitelist", () => {
    for (const name of ["", "llama3:", "x:local:cloud", "a/b/c/d", "x@sha256:1"]) {
      assert.equal(isModelAllowed(name, undefined), false);
      assert.equal(isModelAllowed(name, ["*"]), false);
    }
  });

  it("any pattern of several may allow", () => {
    const whitelist = ["qwen3:*", "llama3", "hf.co/org/*:*"];
    assert.equal(isModelAllowed("llama3", whitelist), true);
    assert.equal(isModelAllowed("qwen3:8b", whitelist), true);
    assert.equal(isModelAllowed("hf.co/org/x:y", whitelist), true);
    assert.equal(isModelAllowed("llama3:8b", whitelist), false);
    assert.equal(isModelAllowed("hf.co/other/x:y", whitelist), false);
  });

  it("an invalid pattern is an error, not a silent allow or refusal", () => {
    const error = thrown(() => isModelAllowed("llama3", ["llama3", "bad:"]));
    assert.ok(error instanceof InvalidModelNameError);
    assert.ok(thrown(() => matchesModelPattern("llama3", "a//b")) instanceof InvalidModelNameError);
  });

  it("a whitelist that is not an array is a TypeError", () => {
    const notArray = "llama3:*" as unknown as string[];
    assert.ok(thrown(() => isModelAllowed("llama3", notArray)) instanceof TypeError);
  });
});

describe("property: random names", () => {
  const alphabet = [..."/:._-*@ ABCXYZabclmxyz0189\u00e9"];
  const fragments = [
    "llama3",
    "LLAMA3",
    "Llama3",
    "llama",
    "library",
    "LIBRARY",
    "registry.ollama.ai",
    "Registry.Ollama.AI",
    "evil.example",
    "hf.co",
    "user",
    "latest",
    "8b",
    "3",
    ":",
    ":",
    "/",
    "/",
    "*",
    "@",
    " ",
    "-",
    ".",
    "_",
  ];
  const random = seededRandom(0x5eed1234);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const samples: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const length = Math.floor(random() * 12);
    let text = "";
    for (let j = 0; j < length; j++) {
      // Half the strings are built from meaningful fragments, so many are valid and close to
      // `llama3` (the pattern under test); the rest are raw characters.
      text += i % 2 === 0 ? pick(fragments) : pick(alphabet);
    }
    samples.push(text);
  }
  let validCount = 0;
  let allowedCount = 0;

  it("parse throws nothing but InvalidModelNameError", () => {
    for (const name of samples) {
      try {
        parseModelName(name);
      } catch (error) {
        assert.ok(error instanceof InvalidModelNameError, `${JSON.stringify(name)}: ${error}`);
      }
      try {
        parseModelPattern(name);
      } catch (error) {
        assert.ok(error instanceof InvalidModelNameError, `${JSON.stringify(name)}: ${error}`);
      }
      assert.equal(typeof sameModel(name, "llama3"), "boolean");
    }
  });

  it('llama3:* allows exactly the names under "registry.ollama.ai/library/llama3:"', () => {
    for (const name of samples) {
      if (!isValidModelName(name)) {
        assert.equal(isModelAllowed(name, ["llama3:*"]), false, name);
        continue;
      }
      validCount++;
      const expected = normalizeModelName(name).startsWith("registry.ollama.ai/library/llama3:");
      assert.equal(isModelAllowed(name, ["llama3:*"]), expected, name);
      if (expected) allowedCount++;
    }
    // The generator must exercise both sides of the rule.
    assert.ok(validCount > 500, `only ${validCount} valid names`);
    assert.ok(allowedCount > 20, `only ${allowedCount} allowed names`);
  });

  it("the short form re-parses to the same normalized name", () => {
    for (const name of samples) {
      if (!isValidModelName(name)) continue;
      const short = shortModelName(name);
      assert.equal(normalizeModelName(short), normalizeModelName(name), `${name} -> ${short}`);
      assert.equal(sameModel(short, name), true);
    }
  });
});
