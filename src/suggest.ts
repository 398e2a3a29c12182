/**
 * "Did you mean …?" for mistyped keys, options and commands.
 *
 * @module
 */

/**
 * The candidate closest to `word`, or `undefined` when none is close: equal after removing `_`
 * and `-` and ignoring case (`autopull` → `auto_pull`), a candidate that extends the word
 * (`timeout` → `timeout_secs`), or within an edit distance of 2 (a third of the word at most).
 *
 * @param word What was typed.
 * @param candidates The valid spellings.
 * @returns The best candidate, or `undefined`.
 *
 * @example
 * ```ts
 * import { closestMatch } from "@vtcode/ollama";
 *
 * closestMatch("autopull", ["auto_pull", "models"]); // "auto_pull"
 * closestMatch("hots", ["host", "help"]); // "host"
 * closestMatch("banana", ["host", "help"]); // undefined
 * ```
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const squash = (text: string) => text.toLowerCase().replace(/[-_]/g, "");
  const typed = squash(word);
  if (typed.length === 0) return undefined;
  const same = candidates.find((candidate) => squash(candidate) === typed);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(typed, squash(candidate));
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  if (bestDistance <= Math.min(2, Math.max(1, Math.floor(typed.length / 3)))) return best;
  return candidates.find((candidate) => typed.length >= 4 && squash(candidate).startsWith(typed));
}

/** Levenshtein distance with transpositions counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
