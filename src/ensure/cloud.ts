/**
 * Cloud readiness: a cloud model (`:cloud`, `-cloud`) is ready when it is listed AND the server
 * can use the cloud: signed in to ollama.com and cloud access not switched off.
 *
 * @module
 */

import type { OllamaClient } from "../client.ts";
import { CloudUnavailableError } from "../errors/cloud_unavailable_error.ts";
import { OllamaError } from "../errors/ollama_error.ts";

/**
 * Checks whether the server can run the given cloud models: `POST /api/me` must answer 200
 * (401 is "signed out", with the sign-in URL; anything else, such as the 503 `account
 * unavailable` a server without a way to ollama.com gives, cannot confirm it), and
 * `GET /api/status` must not say the cloud is disabled.
 *
 * @param client The server.
 * @param models The cloud models required, in short form (nothing is asked when empty).
 * @param signal Aborts the check.
 * @returns `undefined` when they can be used, else the error to report.
 * @throws {InterruptedError} When the signal aborts.
 *
 * @example
 * ```ts
 * import { cloudReadiness, OllamaClient } from "@vtcode/ollama";
 *
 * const problem = await cloudReadiness(new OllamaClient("http://127.0.0.1:11434"), ["gpt-oss:120b-cloud"]);
 * if (problem) console.error(problem.message);
 * ```
 */
export async function cloudReadiness(
  client: OllamaClient,
  models: readonly string[],
  signal?: AbortSignal,
): Promise<CloudUnavailableError | undefined> {
  if (models.length === 0) return undefined;
  let status;
  try {
    status = await client.cloudStatus({ signal });
  } catch (error) {
    if (error instanceof OllamaError && error.code === "interrupted") throw error;
    return new CloudUnavailableError(models, "unknown", {
      detail: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
  if (status.disabled === true) {
    return new CloudUnavailableError(models, "disabled", { source: status.source });
  }
  if (status.signedIn === false) {
    return new CloudUnavailableError(models, "signed_out", { signinUrl: status.signinUrl });
  }
  if (status.signedIn !== true) {
    return new CloudUnavailableError(models, "unknown", { detail: status.detail });
  }
  return undefined;
}
