/**
 * Making server-supplied text safe to show: no terminal control sequences, bounded length.
 *
 * Anything an Ollama server (or a proxy in front of it) sends can contain ANSI/OSC escape
 * sequences or raw control characters. Printed as is, they can move the cursor, rewrite the
 * screen, set the window title or hide text. Every string that comes from the network passes
 * through {@link sanitizeText} before it reaches an error message, a log line or a terminal.
 *
 * @module
 */

// Line breaks and tabs in every form a terminal knows: tab, LF, VT, FF, CR, NEL (C1 and ESC E),
// and the Unicode line and paragraph separators. Each run of them, with the blanks around it,
// reads as one space: "failed:\nreset" is "failed: reset", never "failed:reset".
// deno-lint-ignore no-control-regex
const BREAK = /\u001bE|[\t\n\v\f\r\u0085\u2028\u2029]/g;
const BREAK_RUN = /[ \n]*\n[ \n]*/g;
const EDGE_BREAKS = /^[ \n]*\n[ \n]*|[ \n]*\n[ \n]*$/g;

// ESC [ ... final byte (CSI), ESC ] ... BEL or ESC \ (OSC), ESC P/X/^/_ ... ESC \ (DCS, SOS, PM,
// APC), then any other two-byte ESC sequence. C1 forms (U+009B CSI, U+009D OSC) likewise. A string
// sequence without its terminator ends at a line break, so the text after it is kept.
const ESCAPE_SEQUENCE =
  // deno-lint-ignore no-control-regex
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u009d\u0090\u0098\u009e\u009f])[^\u0007\u001b\u009c\n]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u007e]?/g;

// C0 controls, DEL, C1 controls, and the Unicode bidirectional overrides/isolates that can make
// text display in a different order than it is stored.
// deno-lint-ignore no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The longest text {@link sanitizeText} returns by default, in UTF-16 code units. */
export const DEFAULT_SANITIZE_LIMIT = 500;

/** Options for {@link sanitizeText}. */
export interface SanitizeOptions {
  /** Longest result, in UTF-16 code units; longer text is cut and ends with `…`. Default 500. */
  maxLength?: number;
}

/**
 * Removes terminal escape sequences and control characters from text that came from a server,
 * turning each run of tabs and line breaks (with the blanks around it) into one space, dropping
 * those at either end, and bounds its length.
 *
 * @param text Untrusted text (a status line, an error message, a model name, a response body).
 * @param options Length bound.
 * @returns A single line that is safe to print to a terminal or a log.
 *
 * @example Strip a colour code and a title-setting sequence
 * ```ts
 * import { sanitizeText } from "@vtcode/ollama";
 *
 * sanitizeText("\u001b[31mpulling\u001b[0m \u001b]0;pwned\u0007manifest"); // "pulling manifest"
 * sanitizeText("max retries exceeded:\r\n\tunexpected EOF"); // "max retries exceeded: unexpected EOF"
 * ```
 */
export function sanitizeText(text: string, options: SanitizeOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_SANITIZE_LIMIT;
  let clean = text.replace(BREAK, "\n").replace(ESCAPE_SEQUENCE, "");
  clean = clean.replace(EDGE_BREAKS, "").replace(BREAK_RUN, " ").replace(CONTROL_CHARACTER, "");
  if (clean.length > maxLength) {
    clean = `${clean.slice(0, Math.max(0, maxLength - 1))}…`;
  }
  return clean;
}
