/**
 * The process under Bun and Node. Output is written with `fs.writeSync` on descriptors 1 and 2:
 * synchronous (nothing is lost at exit, and a closed pipe is an error the writer sees at once,
 * not an `error` event that would crash the process), and without touching `process.stderr`,
 * which costs Bun about 8 ms of start-up (it loads `node:tty` and the streams). Whether stderr
 * is a terminal is asked only when something is printed, and `node:tty` is loaded only when
 * stderr is a character device.
 *
 * @module
 */

import process from "node:process";
import type { InterruptSignal } from "../errors/interrupted_error.ts";
import { CLI_ENV_NAMES } from "./env.ts";
import type { CliHost } from "./cli_host.ts";
import { writeAllSync } from "./write.ts";

type Fs = typeof import("node:fs");
type Tty = typeof import("node:tty");

/**
 * The host under Bun or Node.
 *
 * @returns The host.
 */
export async function nodeHost(): Promise<CliHost> {
  // Built-ins are loaded on first use where the runtime can load them synchronously (Bun, Node
  // 20.16+); older Node loads `node:fs` now.
  const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule
    ?.bind(process);
  const preloaded = builtin === undefined ? await import("node:fs") : undefined;
  let fs: Fs | undefined = preloaded;
  const loadFs = (): Fs => fs ??= builtin!("node:fs") as Fs;
  const loadTty = async (): Promise<Tty> =>
    builtin !== undefined ? builtin("node:tty") as Tty : await import("node:tty");
  const ttyModule = builtin === undefined ? await loadTty() : undefined;

  let stderrIsTerminal: boolean | undefined;
  const isTerminal = (): boolean => {
    if (stderrIsTerminal !== undefined) return stderrIsTerminal;
    try {
      stderrIsTerminal = loadFs().fstatSync(2).isCharacterDevice() &&
        (ttyModule ?? builtin!("node:tty") as Tty).isatty(2);
    } catch {
      stderrIsTerminal = false;
    }
    return stderrIsTerminal;
  };
  const writer = (fd: number) => (text: string) =>
    writeAllSync((bytes) => loadFs().writeSync(fd, bytes), text);

  const env: Record<string, string | undefined> = {};
  for (const name of CLI_ENV_NAMES) env[name] = process.env[name];
  let cwd: string | undefined;
  try {
    cwd = process.cwd();
  } catch {
    // Bun throws when the working directory was deleted; nothing here needs it until a config
    // file is looked for, and `./vtcode.toml` cannot exist there.
    cwd = undefined;
  }
  return {
    args: process.argv.slice(2),
    io: {
      stdout: writer(1),
      stderr: {
        write: writer(2),
        get isTerminal() {
          return isTerminal();
        },
        get columns() {
          return isTerminal() ? process.stderr.columns ?? 80 : 80;
        },
        get rows() {
          return isTerminal() ? process.stderr.rows : undefined;
        },
      },
      env,
      cwd,
      setEnv: (name, value) => {
        process.env[name] = value;
      },
      proxyAware: "Bun" in globalThis,
    },
    onSignal(signal: InterruptSignal, listener: () => void) {
      process.on(signal, listener);
      return () => void process.off(signal, listener);
    },
    exit: (code) => process.exit(code),
  };
}
