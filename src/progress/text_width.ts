/**
 * How many terminal columns text takes, and cutting text to a number of columns: per grapheme
 * cluster (`Intl.Segmenter`), with East Asian wide and emoji characters taking two columns and
 * combining marks, joiners and other format characters none. Text made only of the characters
 * progress displays are built from (ASCII, Latin, box and block drawing, braille) takes the fast
 * path: one column per code point.
 *
 * @module
 */

/**
 * One column per code point: ASCII, Latin-1 to IPA, Greek, general punctuation, arrows, box and
 * block drawing, the check marks, braille.
 */
const NARROW_ONLY =
  /^[\u0020-\u007e\u00a0-\u02ff\u0370-\u03ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u25fc\u2714\u2718\u2800-\u28ff]*$/;
// Combining marks, format characters (joiners, variation selectors are Mn), controls.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u;
const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f/u;

/** Code point ranges East Asian Width calls Wide or Fullwidth (the blocks that matter). */
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f200, 0x1f2ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

let segmenter: Intl.Segmenter | undefined;

function graphemes(text: string): Iterable<{ segment: string }> {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return segmenter.segment(text);
}

function isWide(codePoint: number): boolean {
  for (const [low, high] of WIDE) {
    if (codePoint < low) return false;
    if (codePoint <= high) return true;
  }
  return false;
}

/** The columns one grapheme cluster takes: 0, 1 or 2. */
function clusterWidth(cluster: string): number {
  if (ZERO_WIDTH.test(cluster)) return 0;
  if (isWide(cluster.codePointAt(0) ?? 0) || EMOJI.test(cluster)) return 2;
  return 1;
}

/**
 * The width of text in terminal columns.
 *
 * @param text The text (without escape sequences).
 * @returns Its width: wide characters and emoji count two, combining marks none.
 *
 * @example
 * ```ts
 * import { textWidth } from "@vtcode/ollama";
 *
 * textWidth("█▌ 5%"); // 5
 * textWidth("模型"); // 4
 * textWidth("e\u0301"); // 1
 * ```
 */
export function textWidth(text: string): number {
  if (NARROW_ONLY.test(text)) return text.length;
  let width = 0;
  for (const { segment } of graphemes(text)) width += clusterWidth(segment);
  return width;
}

/**
 * Cuts text to at most `width` columns, ending it with `…` when something was cut. Never splits
 * a grapheme cluster or a wide character.
 *
 * @param text The text (without escape sequences).
 * @param width The most columns (floored; at most 0 gives an empty string).
 * @returns The text, never wider than `width`.
 *
 * @example
 * ```ts
 * import { fitToWidth } from "@vtcode/ollama";
 *
 * fitToWidth("pulling 6a0746a1ec1a", 10); // "pulling 6…"
 * fitToWidth("short", 10); // "short"
 * fitToWidth("模型模型", 5); // "模型…"
 * ```
 */
export function fitToWidth(text: string, width: number): string {
  const columns = Number.isFinite(width) ? Math.floor(width) : 0;
  if (columns <= 0) return "";
  if (NARROW_ONLY.test(text)) {
    return text.length <= columns ? text : text.slice(0, columns - 1) + "…";
  }
  if (textWidth(text) <= columns) return text;
  let kept = "";
  let used = 0;
  for (const { segment } of graphemes(text)) {
    const cells = clusterWidth(segment);
    if (used + cells > columns - 1) break;
    kept += segment;
    used += cells;
  }
  return kept + "…";
}

/**
 * Pads text with spaces to `width` columns (on the right, or on the left with `start`).
 *
 * @param text The text.
 * @param width The columns to fill.
 * @param start Pad on the left (right-align) instead.
 * @returns The padded text (unchanged when already as wide).
 *
 * @example
 * ```ts
 * import { padToWidth } from "@vtcode/ollama";
 *
 * padToWidth("5%", 4, true); // "  5%"
 * ```
 */
export function padToWidth(text: string, width: number, start = false): string {
  const gap = " ".repeat(Math.max(0, width - textWidth(text)));
  return start ? gap + text : text + gap;
}
