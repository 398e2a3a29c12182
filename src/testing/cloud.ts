/**
 * The cloud side of the fake: `POST /api/me` (the ollama.com account), `GET /api/status` (the
 * cloud policy), and what a request for a cloud model gets when the fake would have to proxy it
 * to ollama.com: refused when the cloud is disabled, a dial error on a closed network, 401 when
 * signed out, and an answer when signed in.
 *
 * @module
 */

import type { FakeCloudUser, FakeSettings } from "./fake_options.ts";
import { fakeDigest } from "./catalog.ts";

/** An answer: status and JSON body. */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** What the cloud proxy of Ollama says a request for a cloud model is about. */
export type CloudOperation = "inference" | "details";

const OPERATIONS: Readonly<Record<CloudOperation, string>> = {
  inference: "remote model is unavailable",
  details: "remote model details are unavailable",
};

/** `POST /api/me`: the account, 401 with `signin_url`, or 503 `account unavailable`. */
export function whoami(settings: FakeSettings): JsonAnswer {
  const account = settings.cloud.account;
  if (account === "unavailable") return { status: 503, body: { error: "account unavailable" } };
  if (account === "signed_out" || account.name === "") return signedOut(settings);
  return { status: 200, body: user(account) };
}

/** `GET /api/status`: `{"cloud":{"disabled":...,"source":...}}`. */
export function cloudStatus(settings: FakeSettings): JsonAnswer {
  const { disabled, source } = settings.cloud;
  return { status: 200, body: { cloud: { disabled, source } } };
}

/**
 * What a request for a cloud model gets before (or instead of) reaching ollama.com:
 * `undefined` when the fake may answer it as the cloud would (signed in), else the error.
 *
 * @param settings The cloud settings.
 * @param operation Inference (generate, embed) or details (show).
 * @param path The route, e.g. `/api/generate`.
 */
export function cloudRefusal(
  settings: FakeSettings,
  operation: CloudOperation,
  path: string,
): JsonAnswer | undefined {
  const { account, disabled } = settings.cloud;
  if (disabled) {
    return { status: 403, body: { error: `ollama cloud is disabled: ${OPERATIONS[operation]}` } };
  }
  if (account === "unavailable") {
    const url = `https://ollama.com:443${path}?ts=${Math.floor(Date.now() / 1000)}`;
    return {
      status: 502,
      body: { error: `Post ${JSON.stringify(url)}: dial tcp: lookup ollama.com: no such host` },
    };
  }
  if (account === "signed_out" || account.name === "") return signedOut(settings);
  return undefined;
}

function signedOut(settings: FakeSettings): JsonAnswer {
  return { status: 401, body: { error: "unauthorized", signin_url: settings.cloud.signinUrl } };
}

/** The user as Ollama's `UserResponse` shows it (empty optional fields left out). */
function user(account: FakeCloudUser): Record<string, unknown> {
  const hex = fakeDigest(`user:${account.name}`);
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${
    hex.slice(20, 32)
  }`;
  return {
    id,
    email: account.email ?? `${account.name}@example.com`,
    name: account.name,
    plan: account.plan ?? "free",
  };
}
