import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { seededRandom, thrown } from "./_helpers.ts";
import {
  baseUrlFromOllamaHost,
  baseUrlToHostRoot,
  DEFAULT_BASE_URL,
  isOpenAICompatibleBaseUrl,
  joinUrl,
  normalizeBaseUrl,
  redactUrl,
  resolveBaseUrl,
  splitCredentials,
} from "../src/url.ts";
import { UsageError } from "../src/errors/mod.ts";

function usageError(fn: () => unknown): UsageError {
  const error = thrown(fn);
  assert.ok(error instanceof UsageError, String(error));
  assert.equal(error.code, "usage");
  return error;
}

describe("baseUrlFromOllamaHost", () => {
  // Every row of the table in shared/ollama-protocol.md, then the rules around it.
  const table: [string | undefined, string][] = [
    [undefined, "http://127.0.0.1:11434"],
    ["", "http://127.0.0.1:11434"],
    ["1.2.3.4", "http://1.2.3.4:11434"],
    [":1234", "http://127.0.0.1:1234"],
    ["::1", "http://[::1]:11434"],
    ["[::1]", "http://[::1]:11434"],
    ["[::1]:1337", "http://[::1]:1337"],
    ["http://1.2.3.4", "http://1.2.3.4:80"],
    ["https://example.com/ollama", "https://example.com:443/ollama"],
    ["0.0.0.0", "http://127.0.0.1:11434"],
    // Trimming spaces and quotes.
    ["   ", "http://127.0.0.1:11434"],
    ['""', "http://127.0.0.1:11434"],
    ["''", "http://127.0.0.1:11434"],
    [" 1.2.3.4 ", "http://1.2.3.4:11434"],
    ['"1.2.3.4:5678"', "http://1.2.3.4:5678"],
    ["'http://h'", "http://h:80"],
    ['\t"[::1]:1337"\n', "http://[::1]:1337"],
    // Ports and schemes.
    ["1.2.3.4:5678", "http://1.2.3.4:5678"],
    ["localhost", "http://localhost:11434"],
    ["example.com:80", "http://example.com:80"],
    ["http://1.2.3.4:11434", "http://1.2.3.4:11434"],
    ["https://example.com", "https://example.com:443"],
    ["https://example.com:8443", "https://example.com:8443"],
    ["HTTP://Example.COM", "http://example.com:80"],
    ["http://[::1]", "http://[::1]:80"],
    ["http://::1", "http://[::1]:80"],
    ["https://[::1]:8443/x", "https://[::1]:8443/x"],
    // Path prefixes: kept, without a trailing slash; /v1 is NOT reduced here.
    ["example.com/ollama", "http://example.com:11434/ollama"],
    ["example.com:1234/a/b/", "http://example.com:1234/a/b"],
    ["https://example.com/ollama/", "https://example.com:443/ollama"],
    ["http://h/", "http://h:80"],
    ["http://h/v1", "http://h:80/v1"],
    // Unspecified addresses connect to loopback.
    ["0.0.0.0:8080", "http://127.0.0.1:8080"],
    ["http://0.0.0.0", "http://127.0.0.1:80"],
    ["::", "http://[::1]:11434"],
    ["[::]", "http://[::1]:11434"],
    ["[::]:8080", "http://[::1]:8080"],
    ["https://[::]", "https://[::1]:443"],
    // Credentials stay (they are sent as a header, and redacted on display).
    ["http://user:pw@h:1", "http://user:pw@h:1"],
  ];
  for (const [value, expected] of table) {
    it(`${JSON.stringify(value)} -> ${expected}`, () => {
      assert.equal(baseUrlFromOllamaHost(value), expected);
      assert.deepEqual(resolveBaseUrl({ env: { OLLAMA_HOST: value } }), {
        url: expected,
        source: value === undefined || value.trim() === "" ? "default" : "OLLAMA_HOST",
      });
    });
  }

  it("an error names OLLAMA_HOST", () => {
    assert.match(usageError(() => baseUrlFromOllamaHost("h:99999")).message, /OLLAMA_HOST/);
  });
});

describe("normalizeBaseUrl", () => {
  const table: [string, string][] = [
    ["http://127.0.0.1:11434", "http://127.0.0.1:11434"],
    ["http://127.0.0.1:11434/", "http://127.0.0.1:11434"],
    ["http://127.0.0.1:11434/v1", "http://127.0.0.1:11434"],
    ["http://127.0.0.1:11434/v1/", "http://127.0.0.1:11434"],
    ["http://127.0.0.1:11434//v1//", "http://127.0.0.1:11434"],
    ["http://h:1/proxy/v1", "http://h:1/proxy"],
    ["http://h/v1/v1", "http://h:80/v1"],
    ["http://h/v10", "http://h:80/v10"],
    ["http://h/xv1", "http://h:80/xv1"],
    ["localhost", "http://localhost:11434"],
    ["localhost:8080/v1", "http://localhost:8080"],
    ["  'localhost:8080'  ", "http://localhost:8080"],
    ["https://example.com", "https://example.com:443"],
    ["https://example.com/ollama/", "https://example.com:443/ollama"],
    ["http://example.com", "http://example.com:80"],
    ["http://0.0.0.0:11434/v1", "http://127.0.0.1:11434"],
    ["[::]:11434", "http://[::1]:11434"],
    ["::1", "http://[::1]:11434"],
    [":1234", "http://127.0.0.1:1234"],
    ["http://user:pw@h:1/x/v1", "http://user:pw@h:1/x"],
    ["https://token@example.com", "https://token@example.com:443"],
    ["http://user:p%40ss@h", "http://user:p%40ss@h:80"],
    ["http://user:p@ss@h", "http://user:p%40ss@h:80"],
    ["http://h/a/./b/../c/", "http://h:80/a/c"],
    ["http://h/caf\u00e9", "http://h:80/caf%C3%A9"],
    ["http://0:80", "http://127.0.0.1:80"],
    ["http://h:080", "http://h:80"],
    ["http://h:65535", "http://h:65535"],
    ["http://h:1", "http://h:1"],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} -> ${expected}`, () => {
      assert.equal(normalizeBaseUrl(input), expected);
    });
  }

  it("is idempotent (apart from the one-/v1 rule)", () => {
    for (const [input] of table) {
      if (input.includes("/v1/v1")) continue;
      const once = normalizeBaseUrl(input);
      assert.equal(normalizeBaseUrl(once), once);
    }
  });

  it("accepts what baseUrlFromOllamaHost returns unchanged", () => {
    for (const value of ["1.2.3.4", ":1234", "[::1]:1337", "https://example.com/ollama", "::"]) {
      const url = baseUrlFromOllamaHost(value);
      assert.equal(normalizeBaseUrl(url), url);
    }
  });

  const invalid: [string, string][] = [
    ["", "empty"],
    ["  ", "empty"],
    ["ftp://example.com", 'unsupported scheme "ftp:"'],
    ["file:///etc/passwd", "unsupported scheme"],
    ["ws://h", "unsupported scheme"],
    ["http://", "host after"],
    ["https://", "host after"],
    ["http://:8080", "host after"],
    ["http:///x", "host after"],
    ["http://user:pw@", "host after"],
    ["h:0", "port"],
    ["h:65536", "port"],
    ["http://h:99999", "port"],
    ["h:", "port"],
    ["h:-1", "port"],
    ["h:abc", "port"],
    ["h:1e3", "port"],
    ["[::1]:", "port"],
    ["http://h: 80", "whitespace"],
    ["http://exa mple.com", "whitespace"],
    ["local host", "whitespace"],
    ["http://h\u0000x", "control character"],
    ["http://h/x?y=1", "query"],
    ["http://h#frag", "fragment"],
    ["http://h\\x", "backslash"],
    ["[::1", "closing ']'"],
    ["[::1]x", "after the IPv6"],
    ["[]:80", "IPv6 address between"],
    ["[not-ipv6]", "IPv6"],
    ["1.2.3.256", "host name"],
    ["http://a<b", "host name"],
  ];
  for (const [input, reason] of invalid) {
    it(`rejects ${JSON.stringify(input)} (${reason})`, () => {
      const { message } = usageError(() => normalizeBaseUrl(input));
      assert.ok(message.includes(reason), message);
      assert.ok(message.includes('"http://127.0.0.1:11434"'), "shows a valid example");
    });
  }

  it("names the value in the error", () => {
    const { message } = usageError(() => normalizeBaseUrl("ftp://files.example"));
    assert.ok(message.includes('"ftp://files.example"'), message);
  });

  it("never shows a password in an error", () => {
    const secret = "hunter2-S3CRET";
    const inputs = [
      `ftp://user:${secret}@h`,
      `http://user:${secret}@h:99999`,
      `http://user:${secret}@`,
      `http://user:${secret}@h x`,
      `http://user:${secret}@h/x?q`,
      `http://user:${secret} @h`,
      `http://user:${secret}/x@h`,
      `user:${secret}@h:0`,
      `http://${secret}@h:0`,
      `http://user:${secret}@[::1`,
      `'http://user:${secret}@1.2.3.256'`,
      `${secret}@h://x`,
      `http:/user:${secret}@h:abc`,
    ];
    for (const input of inputs) {
      const { message } = usageError(() => normalizeBaseUrl(input));
      assert.ok(!message.includes(secret), message);
      assert.ok(!message.includes("hunter2"), message);
      const fromEnv = usageError(() => resolveBaseUrl({ env: { OLLAMA_HOST: input } }));
      assert.ok(!fromEnv.message.includes(secret), fromEnv.message);
    }
  });

  it("keeps control characters out of the error", () => {
    const { message } = usageError(() => normalizeBaseUrl("http://h\u001b[2J:1"));
    assert.ok(!message.includes("\u001b"), message);
  });

  it("rejects a non-string at run time with UsageError", () => {
    usageError(() => normalizeBaseUrl(undefined as unknown as string));
  });
});

describe("isOpenAICompatibleBaseUrl", () => {
  const table: [string, boolean][] = [
    ["http://127.0.0.1:11434/v1", true],
    ["http://127.0.0.1:11434/v1/", true],
    ["http://h/proxy/v1", true],
    ["localhost:11434/v1", true],
    ["http://h/v1//", true],
    [" http://h/v1 ", true],
    ["http://127.0.0.1:11434", false],
    ["http://127.0.0.1:11434/", false],
    ["http://v1", false],
    ["http://h/v10", false],
    ["http://h/xv1", false],
    ["http://h/v1/api", false],
    ["http://h/x?v=/v1", false],
    ["", false],
  ];
  for (const [url, expected] of table) {
    it(`${JSON.stringify(url)} -> ${expected}`, () => {
      assert.equal(isOpenAICompatibleBaseUrl(url), expected);
    });
  }
});

describe("baseUrlToHostRoot", () => {
  const table: [string, string][] = [
    ["http://127.0.0.1:11434/v1", "http://127.0.0.1:11434"],
    ["http://127.0.0.1:11434/v1/", "http://127.0.0.1:11434"],
    ["http://127.0.0.1:11434", "http://127.0.0.1:11434"],
    ["http://127.0.0.1:11434/", "http://127.0.0.1:11434"],
    ["http://127.0.0.1:11434///", "http://127.0.0.1:11434"],
    ["http://h:1/proxy/v1", "http://h:1/proxy"],
    ["http://h:1/proxy/v1/", "http://h:1/proxy"],
    ["http://h/v1/v1", "http://h/v1"],
    ["http://h/v1/v1/", "http://h/v1"],
    ["http://user:pw@h:1/v1", "http://user:pw@h:1"],
    ["http://v1", "http://v1"],
    ["http://h/v10", "http://h/v10"],
    ["http://h/api/v1x", "http://h/api/v1x"],
    ["localhost:11434/v1", "localhost:11434"],
    ["https://example.com/ollama/v1", "https://example.com/ollama"],
  ];
  for (const [url, expected] of table) {
    it(`${url} -> ${expected}`, () => {
      assert.equal(baseUrlToHostRoot(url), expected);
    });
  }
});

describe("resolveBaseUrl", () => {
  const all = {
    host: "cli-host",
    baseUrl: "http://config-host:1/v1",
    env: { OLLAMA_BASE_URL: "https://env-base", OLLAMA_HOST: "0.0.0.0:9" },
  };

  it("takes --host first", () => {
    assert.deepEqual(resolveBaseUrl(all), { url: "http://cli-host:11434", source: "--host" });
  });

  it("then base_url (normalized: /v1 removed)", () => {
    assert.deepEqual(resolveBaseUrl({ ...all, host: undefined }), {
      url: "http://config-host:1",
      source: "base_url",
    });
  });

  it("then OLLAMA_BASE_URL", () => {
    assert.deepEqual(resolveBaseUrl({ env: all.env }), {
      url: "https://env-base:443",
      source: "OLLAMA_BASE_URL",
    });
  });

  it("then OLLAMA_HOST", () => {
    assert.deepEqual(resolveBaseUrl({ env: { OLLAMA_HOST: "0.0.0.0:9" } }), {
      url: "http://127.0.0.1:9",
      source: "OLLAMA_HOST",
    });
  });

  it("then the default", () => {
    assert.deepEqual(resolveBaseUrl({}), { url: DEFAULT_BASE_URL, source: "default" });
    assert.equal(DEFAULT_BASE_URL, "http://127.0.0.1:11434");
  });

  it("skips sources that are empty or only whitespace", () => {
    assert.deepEqual(
      resolveBaseUrl({
        host: "",
        baseUrl: "   ",
        env: { OLLAMA_BASE_URL: "\t", OLLAMA_HOST: "h:2" },
      }),
      { url: "http://h:2", source: "OLLAMA_HOST" },
    );
    assert.deepEqual(resolveBaseUrl({ host: " ", env: { OLLAMA_HOST: "" } }), {
      url: DEFAULT_BASE_URL,
      source: "default",
    });
  });

  it("an invalid chosen source is an error naming it; it does not fall through", () => {
    const cases: [Parameters<typeof resolveBaseUrl>[0], string][] = [
      [{ host: "ftp://x", baseUrl: "h" }, "--host"],
      [{ baseUrl: "h:0", env: { OLLAMA_HOST: "h" } }, "base_url"],
      [{ env: { OLLAMA_BASE_URL: "http://", OLLAMA_HOST: "h" } }, "OLLAMA_BASE_URL"],
      [{ env: { OLLAMA_HOST: "h:70000" } }, "OLLAMA_HOST"],
    ];
    for (const [sources, name] of cases) {
      const { message } = usageError(() => resolveBaseUrl(sources));
      assert.ok(message.includes(name), message);
    }
  });
});

describe("redactUrl", () => {
  const table: [string, string][] = [
    ["http://user:pw@h:1/x", "http://user:***@h:1/x"],
    ["http://token@h", "http://***@h"],
    ["https://sk-abc123@example.com:443/ollama", "https://***@example.com:443/ollama"],
    ["http://user:@h", "http://user:***@h"],
    ["http://:pw@h", "http://:***@h"],
    ["http://user:p@ss@h", "http://user:***@h"],
    ["http://user:p%40ss@h", "http://user:***@h"],
    ["user:pw@h:1", "***@h:1"],
    ["http://127.0.0.1:11434", "http://127.0.0.1:11434"],
    ["https://example.com:443/ollama", "https://example.com:443/ollama"],
    ["", ""],
    ["not a url", "not a url"],
    // Unparseable input: everything up to the last "@" is treated as credentials.
    ["http://user:p/w@h", "http://user:***@h"],
    ["http://user:pw@h:99999", "http://user:***@h:99999"],
    ["http://user:pw@h x", "http://user:***@h x"],
    ["http://us er:pw@h", "http://***@h"],
    ["http:/user:pw@h", "***@h"],
    ["user:pw@h://x", "***@h://x"],
    ["user:pw://h@x", "***@x"],
    [" http://user:pw@h", "***@h"],
    ["http://pw@[:x@h", "http://***@h"],
    ["http://us\u0000er:pw@h", "http://***@h"],
    ["http://h/a:b@c", "http://***@c"],
  ];
  for (const [url, expected] of table) {
    it(`${JSON.stringify(url)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(redactUrl(url), expected);
    });
  }

  it("never throws", () => {
    assert.equal(redactUrl(undefined as unknown as string), "");
    assert.equal(redactUrl("@"), "***@");
    assert.equal(redactUrl("://@"), "***@");
  });
});

describe("splitCredentials", () => {
  const decode = (header: string | undefined): string => {
    assert.ok(header !== undefined && header.startsWith("Basic "), String(header));
    const binary = atob(header.slice("Basic ".length));
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  };

  it("strips user:password and returns a Basic header", () => {
    const { url, authorization } = splitCredentials("http://user:pw@h:1/x");
    assert.equal(url, "http://h:1/x");
    assert.equal(authorization, `Basic ${btoa("user:pw")}`);
  });

  it("percent-decodes both parts, as UTF-8", () => {
    const { url, authorization } = splitCredentials("https://me:s%40cr%C3%A9t%3A@example.com:443");
    assert.equal(url, "https://example.com:443");
    assert.equal(decode(authorization), "me:s@cr\u00e9t:");
  });

  it("a user name alone is sent with an empty password", () => {
    const { url, authorization } = splitCredentials("https://tok123@example.com:443/ollama");
    assert.equal(url, "https://example.com:443/ollama");
    assert.equal(decode(authorization), "tok123:");
  });

  it("leaves a URL without credentials alone", () => {
    for (const input of ["http://127.0.0.1:11434", "http://h/a@b", "http://h?x=@", "x"]) {
      assert.deepEqual(splitCredentials(input), { url: input, authorization: undefined });
    }
  });

  it("drops an empty userinfo without a header", () => {
    assert.deepEqual(splitCredentials("http://@h:1"), {
      url: "http://h:1",
      authorization: undefined,
    });
    assert.deepEqual(splitCredentials("http://:@h:1"), {
      url: "http://h:1",
      authorization: undefined,
    });
  });

  it("keeps a malformed escape as it is", () => {
    assert.equal(decode(splitCredentials("http://u:%zz@h").authorization), "u:%zz");
  });

  it("works on what normalizeBaseUrl returns", () => {
    const { url, authorization } = splitCredentials(normalizeBaseUrl("user:p@ss@gpu:1/v1"));
    assert.equal(url, "http://gpu:1");
    assert.equal(decode(authorization), "user:p@ss");
  });
});

describe("joinUrl", () => {
  const table: [string, string, string][] = [
    ["https://h:443/ollama", "/api/tags", "https://h:443/ollama/api/tags"],
    ["http://127.0.0.1:11434", "/api/version", "http://127.0.0.1:11434/api/version"],
    ["http://127.0.0.1:11434/", "/api/version", "http://127.0.0.1:11434/api/version"],
    ["http://127.0.0.1:11434", "api/version", "http://127.0.0.1:11434/api/version"],
    ["http://h:1/a/b/", "/", "http://h:1/a/b/"],
    ["http://h:1", "", "http://h:1"],
  ];
  for (const [base, path, expected] of table) {
    it(`${base} + ${path} -> ${expected}`, () => {
      assert.equal(joinUrl(base, path), expected);
    });
  }
});

describe("property: random addresses", () => {
  const secret = "Pa55W0RD";
  const random = seededRandom(0xadd7e55);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const schemes = ["http://", "https://", "HTTP://", "ftp://", "", "", "http:/", "://"];
  const userinfos = ["", "", `user:${secret}@`, `${secret}@`, `:${secret}@`, `u:${secret}@@`];
  const alphabet = [..."/:.[]@?#%'\" -_aAhz019\u00e9"];
  const samples: string[] = [];
  for (let i = 0; i < 3000; i++) {
    let tail = "";
    const length = Math.floor(random() * 14);
    for (let j = 0; j < length; j++) tail += pick(alphabet);
    samples.push(`${pick(schemes)}${pick(userinfos)}${pick(["h", "0.0.0.0", "[::1]", ""])}${tail}`);
  }

  it("normalizeBaseUrl returns or throws UsageError, and never shows the password", () => {
    let accepted = 0;
    for (const input of samples) {
      let result: string;
      try {
        result = normalizeBaseUrl(input);
      } catch (error) {
        assert.ok(error instanceof UsageError, `${JSON.stringify(input)}: ${error}`);
        assert.ok(!error.message.includes(secret), error.message);
        continue;
      }
      accepted++;
      assert.match(result, /^https?:\/\/[^/]*:[0-9]+(\/|$)/, result);
      assert.ok(!result.endsWith("/"), result);
      if (!result.endsWith("/v1")) assert.equal(normalizeBaseUrl(result), result, "idempotent");
      assert.ok(!redactUrl(result).includes(secret), redactUrl(result));
      assert.ok(!splitCredentials(result).url.includes(secret), result);
    }
    assert.ok(accepted > 200, `only ${accepted} accepted`);
  });

  it("redactUrl never throws and never shows the password", () => {
    for (const input of samples) {
      assert.ok(!redactUrl(input).includes(secret), `${JSON.stringify(input)}`);
    }
  });
});
