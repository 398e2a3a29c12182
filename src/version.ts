/**
 * Comparing Ollama server versions, for the optional `min_version` bound.
 *
 * @module
 */

/**
 * Parses `x.y.z` (with an optional `v` prefix and ignoring any `-rc1`/`+build` suffix) into
 * numbers, or `undefined` when the text is not a version.
 *
 * @param version E.g. `0.12.3`.
 * @returns `[major, minor, patch]`, or `undefined`.
 *
 * @example
 * ```ts
 * import { parseVersion } from "@vtcode/ollama";
 *
 * parseVersion("0.12.3-rc1"); // [0, 12, 3]
 * ```
 */
export function parseVersion(version: string): [number, number, number] | undefined {
  const match = /^v?(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:[-+].*)?$/.exec(version.trim());
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

/**
 * Whether a server's version satisfies a minimum. `0.0.0` (what source builds report) counts as
 * new enough, as does a version that cannot be parsed (a development build), so the bound never
 * blocks someone running Ollama from source.
 *
 * @param version The server's version.
 * @param minimum The lowest acceptable version.
 * @returns `true` when the server is new enough.
 *
 * @example
 * ```ts
 * import { isVersionAtLeast } from "@vtcode/ollama";
 *
 * isVersionAtLeast("0.12.3", "0.5.0"); // true
 * isVersionAtLeast("0.4.7", "0.5.0"); // false
 * isVersionAtLeast("0.0.0", "0.5.0"); // true (source build)
 * ```
 */
export function isVersionAtLeast(version: string, minimum: string): boolean {
  const have = parseVersion(version);
  const want = parseVersion(minimum);
  if (have === undefined || want === undefined) return true;
  if (have[0] === 0 && have[1] === 0 && have[2] === 0) return true;
  for (let i = 0; i < 3; i++) {
    if (have[i] !== want[i]) return have[i] > want[i];
  }
  return true;
}
