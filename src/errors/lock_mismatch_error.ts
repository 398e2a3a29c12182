/**
 * Installed models that do not match the lock file.
 *
 * @module
 */

import { sanitizeText } from "../sanitize.ts";
import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * One model that breaks the lock: absent from it, or installed with another digest.
 *
 * @example
 * ```ts
 * import type { LockMismatch } from "@vtcode/ollama";
 *
 * const mismatch: LockMismatch = { model: "llama3:latest", locked: "365c0bd3c000", installed: null };
 * ```
 */
export interface LockMismatch {
  /** The model, in short form. */
  model: string;
  /** The digest the lock records, or `null` when the model is not in the lock. */
  locked: string | null;
  /** The digest installed on the server, or `null` when it is not installed. */
  installed: string | null;
  /** The server, with several hosts. */
  host?: string;
  /** What the registry's tag points at now, when that is why a pull was not even tried. */
  registry?: string;
}

/**
 * `--locked`: a required model is absent from the lock, or installed with another digest than
 * the lock records. Its code is `lock_mismatch` (exit 6). The message names both digests and
 * what to run.
 *
 * @example
 * ```ts
 * import { LockMismatchError } from "@vtcode/ollama";
 *
 * new LockMismatchError([{ model: "llama3:latest", locked: null, installed: "365c0bd3c000" }]).exitCode; // 6
 * ```
 */
export class LockMismatchError extends OllamaError {
  /** Every model that breaks the lock. */
  readonly mismatches: readonly LockMismatch[];

  /**
   * Creates the error.
   *
   * @param mismatches Every model that breaks the lock.
   * @param lockPath The lock file, for the message.
   * @param options The cause, if any.
   */
  constructor(
    mismatches: readonly LockMismatch[],
    lockPath = "ollama.lock",
    options: OllamaErrorOptions = {},
  ) {
    const short = (digest: string | null) => digest === null ? "none" : digest.slice(0, 12);
    const lines = mismatches.map(({ model, locked, installed, host, registry }) => {
      const name = sanitizeText(model, { maxLength: 200 });
      const where = host === undefined ? "" : ` on ${host}`;
      if (locked === null) return `${name} is not in the lock`;
      if (installed === null && registry !== undefined) {
        return `${name} is not installed${where}, and the registry's tag now points at ` +
          `${short(registry)}, not the locked ${short(locked)} (a pull would not give it; ` +
          "nothing was pulled)";
      }
      if (installed === null) return `${name} is not installed${where} (locked ${short(locked)})`;
      return `${name}${where} is ${short(installed)}, the lock says ${short(locked)}`;
    });
    super(
      "lock_mismatch",
      `The installed models do not match ${lockPath}: ${lines.join("; ")}. Run \`ensure ` +
        "--write-lock` to record what is installed now, or pull the locked versions.",
      options,
    );
    this.name = "LockMismatchError";
    this.mismatches = mismatches;
  }
}
