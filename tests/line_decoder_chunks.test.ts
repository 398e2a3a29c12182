// LineDecoder decodes a chunk that ends on a whole character by itself (faster on Bun) and any
// other through its streaming decoder: its lines must be exactly those of one streaming decoder
// fed every chunk (what it did before), BOMs, cut characters and broken bytes included.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LineDecoder } from "../src/ndjson.ts";
import { seededRandom } from "./_helpers.ts";

const ENCODER = new TextEncoder();

function decode(chunks: Uint8Array[]): string[] {
  const decoder = new LineDecoder();
  const lines: string[] = [];
  for (const chunk of chunks) decoder.push(chunk, (line) => lines.push(line));
  decoder.end((line) => lines.push(line));
  return lines;
}

/** The reference: one streaming TextDecoder over every chunk, then the splitting rules. */
function reference(chunks: Uint8Array[]): string[] {
  const decoder = new TextDecoder();
  const text = chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join("") +
    decoder.decode();
  return text.split("\n").map((line) => line.endsWith("\r") ? line.slice(0, -1) : line)
    // Blank: empty, or starting with a space or control character and all white space.
    .filter((line) => line !== "" && !(line.charCodeAt(0) <= 32 && line.trim() === ""));
}

const bytes = (...parts: (string | number[])[]) =>
  parts.map((part) => typeof part === "string" ? ENCODER.encode(part) : new Uint8Array(part));

const BOM = [0xef, 0xbb, 0xbf];
const EURO = [0xe2, 0x82, 0xac];

describe("LineDecoder: chunk by chunk, the lines of one streaming decoder", () => {
  const cases: [string, Uint8Array[]][] = [
    ["a BOM first", bytes(BOM, 'a\n{"b":1}\n')],
    ["a BOM cut across the first chunks", bytes(BOM.slice(0, 2), BOM.slice(2), "a\nb\n")],
    ["a U+FEFF starting a later chunk", bytes("a\n", BOM, "b\n")],
    ["a U+FEFF after three bytes", bytes("abcd\n", BOM, "b\n")],
    ["a character cut in two", bytes("abc", EURO.slice(0, 1), EURO.slice(1), "\n")],
    ["a sequence completed oddly", bytes("abc", EURO.slice(0, 2), [0x82, 0xac], "x\n")],
    ["an emoji cut in two", bytes("abc€", "d\n", [0xf0, 0x9f], [0x98, 0x80], "\n")],
    ["a cut character at the end", bytes("abc", [0xe2, 0x82])],
    ["stray continuation bytes", bytes("ab\n", [0x80, 0x80], "c\n", [0xbf])],
  ];
  for (const [name, chunks] of cases) {
    it(name, () => assert.deepEqual(decode(chunks), reference(chunks)));
  }

  it("random text cut at random places", () => {
    const random = seededRandom(0x5eed);
    const alphabet = ["a", "{", "\n", "\r\n", " ", "é", "€", "😀", "\ufeff", "模"];
    for (let round = 0; round < 300; round++) {
      let text = "";
      for (let i = 0; i < 40; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const all = ENCODER.encode(text);
      // Sometimes broken bytes too.
      if (random() < 0.3) all[Math.floor(random() * all.length)] = 0x80 + Math.floor(random() * 64);
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < all.length;) {
        const size = 1 + Math.floor(random() * 6);
        chunks.push(all.subarray(at, at + size));
        at += size;
      }
      assert.deepEqual(decode(chunks), reference(chunks), JSON.stringify([...all]));
    }
  });
});
