/**
 * The process under Deno. Variables are read one by one, each only when Deno grants it (a
 * narrowed `--allow-env` lists exactly the variables the README names; the CLI never prompts);
 * those denied are reported, so the CLI can say which flag to add when it matters.
 *
 * @module
 */

import type { InterruptSignal } from "../errors/interrupted_error.ts";
import { CLI_ENV_NAMES } from "./env.ts";
import type { CliHost } from "./cli_host.ts";
import { writeAllSync } from "./write.ts";

/** The structural part of `Deno` used here (no runtime type package needed). */
interface DenoApi {
  args: string[];
  stdout: { writeSync(bytes: Uint8Array): number };
  stderr: { writeSync(bytes: Uint8Array): number; isTerminal(): boolean };
  consoleSize(): { columns: number; rows: number };
  env: { get(name: string): string | undefined; set(name: string, value: string): void };
  permissions: {
    querySync(descriptor: { name: "env"; variable: string }): { state: string };
  };
  cwd(): string;
  addSignalListener(signal: InterruptSignal, listener: () => void): void;
  removeSignalListener(signal: InterruptSignal, listener: () => void): void;
  exit(code: number): never;
}

/**
 * The host under Deno.
 *
 * @returns The host.
 */
export function denoHost(): CliHost {
  const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
  const env: Record<string, string | undefined> = {};
  const deniedEnv: string[] = [];
  for (const name of CLI_ENV_NAMES) {
    try {
      if (deno.permissions.querySync({ name: "env", variable: name }).state === "granted") {
        env[name] = deno.env.get(name);
        continue;
      }
    } catch {
      // Not readable; treated as unset.
    }
    deniedEnv.push(name);
  }
  let cwd: string | undefined;
  try {
    cwd = deno.cwd();
  } catch {
    cwd = undefined;
  }
  return {
    args: deno.args,
    io: {
      stdout: (text) => writeAllSync((bytes) => deno.stdout.writeSync(bytes), text),
      stderr: {
        write: (text) => writeAllSync((bytes) => deno.stderr.writeSync(bytes), text),
        get isTerminal() {
          return deno.stderr.isTerminal();
        },
        get columns() {
          try {
            return deno.consoleSize().columns;
          } catch {
            return 80;
          }
        },
        get rows() {
          try {
            return deno.consoleSize().rows;
          } catch {
            return undefined;
          }
        },
      },
      env,
      cwd,
      setEnv: (name, value) => deno.env.set(name, value),
      proxyAware: true,
      deniedEnv,
    },
    onSignal(signal, listener) {
      try {
        deno.addSignalListener(signal, listener);
      } catch {
        return () => {};
      }
      return () => deno.removeSignalListener(signal, listener);
    },
    exit: (code) => deno.exit(code),
  };
}
