// Helpers shared by the config tests.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OllamaConfig } from "../src/config.ts";
import { ConfigError, UsageError } from "../src/errors/mod.ts";

/** The contract's defaults, written out (not taken from the code under test). */
export const DEFAULTS: OllamaConfig = {
  baseUrl: undefined,
  hosts: undefined,
  models: [],
  autoPull: true,
  whitelist: undefined,
  timeoutSecs: 5,
  stallTimeoutSecs: 60,
  pullRetries: 3,
  pullConcurrency: 2,
  insecure: false,
  warm: false,
  keepAlive: undefined,
  minVersion: undefined,
};

/** Runs `run`, asserts it throws an instance of `kind` with the exit status 2, and returns it. */
function thrownOfKind<T extends ConfigError | UsageError>(
  run: () => unknown,
  kind: new (...args: never[]) => T,
): T {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof kind, `expected a ${kind.name}, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    return error;
  }
  assert.fail(`expected a ${kind.name}, but nothing was thrown`);
}

/** Runs `run`, asserts it throws a ConfigError, and returns it. */
export function configError(run: () => unknown): ConfigError {
  const error = thrownOfKind(run, ConfigError);
  assert.equal(error.code, "config");
  return error;
}

/** Runs `run`, asserts it throws a UsageError (never a TypeError), and returns it. */
export function usageError(run: () => unknown): UsageError {
  const error = thrownOfKind(run, UsageError);
  assert.equal(error.code, "usage");
  return error;
}

/** Awaits `run`, asserts it rejects with a ConfigError, and returns it. */
export async function configErrorAsync(run: () => Promise<unknown>): Promise<ConfigError> {
  let failure: unknown;
  try {
    await run();
  } catch (error) {
    failure = error;
  }
  return configError(() => {
    if (failure !== undefined) throw failure;
  });
}

/** Runs `run` with a fresh temporary directory, removed afterwards. */
export async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "vtcode-ollama-config-"));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
