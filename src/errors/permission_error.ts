/**
 * A runtime permission (Deno's `--allow-*` flags) that the operation needs and was not given.
 *
 * @module
 */

import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * Which permission was missing.
 *
 * @example
 * ```ts
 * import type { PermissionKind } from "@vtcode/ollama";
 *
 * const kind: PermissionKind = "net";
 * ```
 */
export type PermissionKind = "net" | "env" | "read" | "write";

/**
 * The runtime refused an operation for lack of a permission (under Deno: `NotCapable`). Its
 * code is `usage` (exit 2): the fix is in how the program is run, and the message names the
 * flag to add.
 *
 * @example
 * ```ts
 * import { PermissionDeniedError } from "@vtcode/ollama";
 *
 * new PermissionDeniedError("net", "127.0.0.1:11434").message;
 * // "The runtime denied net access to 127.0.0.1:11434. Run again with --allow-net=127.0.0.1:11434 ..."
 * ```
 */
export class PermissionDeniedError extends OllamaError {
  /** Which permission was missing. */
  readonly permission: PermissionKind;
  /** What it was needed for: a `host:port`, a variable name or a path. */
  readonly target: string;

  /**
   * Creates the error.
   *
   * @param permission Which permission was missing.
   * @param target What it was needed for.
   * @param options The runtime's error as the cause.
   */
  constructor(permission: PermissionKind, target: string, options: OllamaErrorOptions = {}) {
    super(
      "usage",
      `The runtime denied ${permission} access to ${target}. Run again with ` +
        `--allow-${permission}=${target} (Deno), or add ${target} to the --allow-${permission} ` +
        "list you give.",
      options,
    );
    this.name = "PermissionDeniedError";
    this.permission = permission;
    this.target = target;
  }
}
