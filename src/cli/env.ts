/**
 * The environment variables the command line reads, and nothing else: the README's list
 * (`OLLAMA_HOST`, `OLLAMA_BASE_URL`, `OLLAMA_API_KEY`, `NO_COLOR`) and the proxy variables, so
 * that a narrowed Deno `--allow-env` is enough. Pure.
 *
 * @module
 */

import { UsageError } from "../errors/usage_error.ts";
import { PROXY_ENV_NAMES } from "../proxy.ts";
import { sanitizeText } from "../sanitize.ts";
import type { OllamaEnv } from "../startup.ts";

/** The variables the README tells Deno users to allow. */
export const REQUIRED_ENV_NAMES: readonly string[] = [
  "OLLAMA_HOST",
  "OLLAMA_BASE_URL",
  "OLLAMA_API_KEY",
  "NO_COLOR",
];

/**
 * `VTCODE_OLLAMA_REGISTRY=off`: never ask a model registry (offline CI, tests); `plan` and
 * `outdated` then say sizes and versions are unknown.
 */
export const REGISTRY_ENV = "VTCODE_OLLAMA_REGISTRY";

/**
 * Variables that only refine something (a warning about free disk, an offline run): when a
 * narrowed Deno `--allow-env` leaves them out, nothing is said. `OLLAMA_MODELS` and `HOME` find
 * a local server's models directory.
 */
export const OPTIONAL_ENV_NAMES: readonly string[] = [
  REGISTRY_ENV,
  "OLLAMA_MODELS",
  "HOME",
  "USERPROFILE",
];

/** Every variable the command line reads: the required ones, the optional ones, the proxy ones. */
export const CLI_ENV_NAMES: readonly string[] = [
  ...REQUIRED_ENV_NAMES,
  ...OPTIONAL_ENV_NAMES,
  ...PROXY_ENV_NAMES,
];

/**
 * Whether a model registry may be asked, from `VTCODE_OLLAMA_REGISTRY`: unset, empty or `on`
 * yes; `off` no (any case, spaces around ignored).
 *
 * @param env The variables the CLI read.
 * @returns `false` when asking is turned off, else `undefined` (the hook's default client).
 * @throws {UsageError} For any other value: a typo must not silently go online.
 */
export function registryOption(
  env: Readonly<Record<string, string | undefined>>,
): false | undefined {
  const value = (env[REGISTRY_ENV] ?? "").trim().toLowerCase();
  if (value === "" || value === "on") return undefined;
  if (value === "off") return false;
  throw new UsageError(
    `${REGISTRY_ENV} must be "off" (never ask a model registry) or unset, got ` +
      `"${sanitizeText(env[REGISTRY_ENV] ?? "", { maxLength: 40 })}"`,
  );
}

/**
 * The part of the environment the startup hook uses.
 *
 * @param env The variables the CLI read.
 * @returns `OLLAMA_BASE_URL`, `OLLAMA_HOST` and `OLLAMA_API_KEY`.
 */
export function ollamaEnv(env: Readonly<Record<string, string | undefined>>): OllamaEnv {
  return {
    OLLAMA_BASE_URL: env.OLLAMA_BASE_URL,
    OLLAMA_HOST: env.OLLAMA_HOST,
    OLLAMA_API_KEY: env.OLLAMA_API_KEY,
  };
}

/** What makes variables the runtime did not let the CLI read worth a warning. */
export interface DeniedEnvContext {
  /** The server address came from the default: `OLLAMA_HOST` and `OLLAMA_BASE_URL` were not seen. */
  defaultAddress: boolean;
  /** A loopback server looked down, which an unseen proxy variable would explain. */
  loopbackFailure: boolean;
}

/**
 * The one warning about variables the runtime did not let the CLI read (Deno with a narrowed or
 * no `--allow-env`), when they matter: the address fell back to the default, or a loopback
 * server looked down while the proxy variables were unreadable (Deno reads them itself, whatever
 * the permissions, and sends loopback requests through the proxy).
 *
 * @param denied The variables that could not be read.
 * @param context Why they might matter.
 * @returns The warning, or `undefined`.
 */
export function deniedEnvWarning(
  denied: readonly string[],
  context: DeniedEnvContext,
): string | undefined {
  const ollama = context.defaultAddress
    ? denied.filter((name) => name === "OLLAMA_HOST" || name === "OLLAMA_BASE_URL")
    : [];
  const proxy = context.loopbackFailure
    ? denied.filter((name) => (PROXY_ENV_NAMES as readonly string[]).includes(name))
    : [];
  if (ollama.length === 0 && proxy.length === 0) return undefined;
  const unseen = [
    ...(ollama.length > 0 ? [`${ollama.join(" and ")} (the address used is the default)`] : []),
    ...(proxy.length > 0
      ? [
        "the proxy variables (when HTTP_PROXY or ALL_PROXY is set, the runtime sent this " +
        "request through that proxy; NO_PROXY=localhost,127.0.0.1,::1 keeps loopback off it)",
      ]
      : []),
  ];
  return `the runtime did not let the CLI read ${unseen.join(", nor ")}; if you set them, add ` +
    `them to deno's flags: --allow-env=${[...ollama, ...proxy].join(",")}`;
}
