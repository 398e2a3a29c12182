/**
 * A cloud model the server cannot run: not signed in, or the cloud switched off.
 *
 * @module
 */

import { sanitizeText } from "../sanitize.ts";
import { OllamaError, type OllamaErrorOptions } from "./ollama_error.ts";

/**
 * Why a cloud model cannot be used:
 * - `signed_out`: the server is not signed in to ollama.com (`POST /api/me` answered 401);
 * - `disabled`: the server's cloud access is switched off (`GET /api/status`);
 * - `unknown`: the server could not say (an old server, or the check failed).
 *
 * @example
 * ```ts
 * import type { CloudUnavailableReason } from "@vtcode/ollama";
 *
 * const reason: CloudUnavailableReason = "signed_out";
 * ```
 */
export type CloudUnavailableReason = "signed_out" | "disabled" | "unknown";

/**
 * Details for a {@link CloudUnavailableError}.
 *
 * @example
 * ```ts
 * import type { CloudUnavailableErrorOptions } from "@vtcode/ollama";
 *
 * const options: CloudUnavailableErrorOptions = { signinUrl: "https://ollama.com/connect?key=..." };
 * ```
 */
export interface CloudUnavailableErrorOptions extends OllamaErrorOptions {
  /** Where to sign the server in, as the server gave it. */
  signinUrl?: string;
  /** What switched the cloud off, as the server gave it (e.g. `OLLAMA_NO_CLOUD`). */
  source?: string;
  /** More about an `unknown` outcome. */
  detail?: string;
}

/**
 * A required cloud model (tag `cloud` or ending `-cloud`) is listed but the server cannot use
 * the cloud. Its code is `cloud_unavailable` (exit 4).
 *
 * @example
 * ```ts
 * import { CloudUnavailableError } from "@vtcode/ollama";
 *
 * new CloudUnavailableError(["gpt-oss:120b-cloud"], "signed_out").code; // "cloud_unavailable"
 * ```
 */
export class CloudUnavailableError extends OllamaError {
  /** The cloud models that cannot be used, in short form. */
  readonly models: readonly string[];
  /** Why. */
  readonly reason: CloudUnavailableReason;
  /** Where to sign in, when the server said. */
  readonly signinUrl?: string;

  /**
   * Creates the error.
   *
   * @param models The cloud models, in short form.
   * @param reason Why they cannot be used.
   * @param options Sign-in URL, what disabled the cloud, and the cause.
   */
  constructor(
    models: readonly string[],
    reason: CloudUnavailableReason,
    options: CloudUnavailableErrorOptions = {},
  ) {
    const list = models.map((m) => sanitizeText(m, { maxLength: 200 })).join(", ");
    const signin = options.signinUrl === undefined
      ? ""
      : ` (or open ${sanitizeText(options.signinUrl, { maxLength: 500 })})`;
    const source = options.source === undefined
      ? ""
      : ` by ${sanitizeText(options.source, { maxLength: 200 })}`;
    const what = reason === "signed_out"
      ? `the server is not signed in to ollama.com. Run \`ollama signin\` on the server${signin}.`
      : reason === "disabled"
      ? `the server's cloud access is switched off${source}. Turn it on (unset ` +
        "OLLAMA_NO_CLOUD, or the app's setting) and restart the server."
      : `the server could not say whether it can use the cloud${
        options.detail === undefined ? "" : ` (${sanitizeText(options.detail)})`
      }. Check that it is v0.17 or later and signed in (\`ollama signin\`).`;
    super(
      "cloud_unavailable",
      `Cloud model${models.length === 1 ? "" : "s"} ${list} cannot be used: ${what}`,
      options,
    );
    this.name = "CloudUnavailableError";
    this.models = models;
    this.reason = reason;
    this.signinUrl = options.signinUrl;
  }
}
