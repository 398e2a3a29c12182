// Server text made safe to show (sanitizeText): every kind of line break reads as one space.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sanitizeText } from "../src/sanitize.ts";

describe("sanitizeText: tabs, newlines and returns", () => {
  it("each run of line breaks and blanks between words is one space", () => {
    const table: [string, string][] = [
      ["failed:\nreset", "failed: reset"],
      ["failed:\r\nreset", "failed: reset"],
      ["failed:\treset", "failed: reset"],
      ["failed: \n\t reset", "failed: reset"],
      ["failed:\u000b\u000creset", "failed: reset"],
      // NEL in its C1 and its 7-bit (ESC E) forms, and Unicode's line and paragraph separators.
      ["failed:\u0085reset", "failed: reset"],
      ["failed:\u001bEreset", "failed: reset"],
      ["failed:\u2028reset", "failed: reset"],
      ["failed:\u2029reset", "failed: reset"],
      // Breaks at either end go; blanks inside a line stay as sent.
      ["\nmax retries exceeded: EOF\n", "max retries exceeded: EOF"],
      ["a  b", "a  b"],
    ];
    for (const [input, expected] of table) {
      assert.equal(sanitizeText(input), expected, JSON.stringify(input));
    }
  });

  it("a string escape without its terminator ends at the line break: the next line is kept", () => {
    assert.equal(sanitizeText("failed:\u001b]0;title\nreset"), "failed: reset");
    assert.equal(sanitizeText("a\u001bPdata\r\nb"), "a b");
    assert.equal(sanitizeText("\u001b]0;pwned\u0007x"), "x");
  });

  it("still no control character, escape or bidi override in the result", () => {
    const hostile =
      "\u001b[2J\u001b]8;;http://x\u0007link\u001b]8;;\u0007 \u202eevil\u0000\u009b31m";
    const clean = sanitizeText(hostile);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(clean, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    assert.equal(clean, "link evil");
  });
});
