/**
 * The fake Ollama server as a program, for manual trials and for scripts in other languages:
 *
 * ```sh
 * deno run -A src/testing/mod.ts --port 11434 --model llama3
 * bun src/testing/mod.ts --port 0 --fault stall_after
 * npx vtcode-ollama-fake --port 0 --catalog tiny=40MB   # from the npm package
 * ```
 *
 * It prints its URL as the one line on stdout (so a script can read it), a summary on stderr,
 * and serves until Ctrl-C or SIGTERM, then closes cleanly and exits 0. Flags are in
 * {@link FAKE_SERVER_USAGE}.
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { UsageError } from "../errors/mod.ts";
import { closestMatch } from "../suggest.ts";
import {
  catalogEntrySize,
  DEFAULT_CATALOG,
  type FakeCatalogEntry,
  smallCatalog,
} from "./catalog.ts";
import { FakeOllama } from "./fake_ollama.ts";
import { FAKE_FAULT_KINDS, type FakeFault, type FakeFaultKind } from "./faults.ts";
import { modelKey, parseModelName } from "./model_name.ts";
import { type FakeHandler, serveFakeOllama } from "./serve.ts";

/**
 * The `--help` text of the standalone fake server.
 *
 * @example
 * ```ts
 * import { FAKE_SERVER_USAGE } from "./standalone.ts";
 *
 * FAKE_SERVER_USAGE.includes("--fault KIND"); // true
 * ```
 */
export const FAKE_SERVER_USAGE: string =
  `vtcode-ollama-fake: a fake Ollama server for trials, demos and tests in any language.

Usage:
  deno run -A src/testing/mod.ts [OPTIONS]
  bun src/testing/mod.ts [OPTIONS]
  npx vtcode-ollama-fake [OPTIONS]

Prints its URL (e.g. http://127.0.0.1:11434) as the only line on stdout, then serves until
Ctrl-C or SIGTERM, and exits 0 once closed.

Options:
  --port N              port to listen on; 0 picks a free one (default 11434, as Ollama)
  --host ADDRESS        address to listen on (default 127.0.0.1)
  --model NAME          an installed model; repeatable (default: none)
  --catalog NAME[=SIZE[,SIZE...]]
                        a pullable model, with its layer sizes (e.g. tiny=40MB,300); repeatable.
                        Without =SIZE, the default catalog's entry of that name. Replaces the
                        default catalog (${wrap(DEFAULT_CATALOG.map((e) => e.name).join(", "))})
  --speed BYTES         download speed per pull, per second (e.g. 50MB; default 100MB)
  --tick-ms N           ms between progress lines; 0 sends them as fast as read (default 60)
  --fault KIND          inject a fault; repeatable. KIND is one of:
                        ${FAKE_FAULT_KINDS.join(", ")}
                        (line faults act after 3 lines; http_error is a 500)
  --fault-model NAME    faults apply only to requests naming this model
  --fault-times N       faults apply only to the next N matching requests (e.g. a pull that
                        stalls once, then succeeds on retry)
  --ollama-version V    what /api/version answers (default 0.33.0)
  --verbose             log each request on stderr
  --help                print this text

Sizes take an optional unit: B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB.
Exit codes: 0 closed cleanly, 1 could not listen, 2 usage error.
`;

/**
 * The settings parsed from the standalone server's flags.
 *
 * @example
 * ```ts
 * import { parseFakeServerArgs } from "./standalone.ts";
 *
 * const settings = parseFakeServerArgs(["--port", "0", "--model", "llama3"]);
 * settings.port; // 0
 * ```
 */
export interface FakeServerSettings {
  /** `--help` was given: print the usage and do nothing else. */
  help: boolean;
  /** The port (0 = any free one). */
  port: number;
  /** The address to listen on. */
  hostname: string;
  /** The installed models. */
  models: string[];
  /** The pullable models. */
  catalog: readonly FakeCatalogEntry[];
  /** Bytes per second of each pull. */
  bytesPerSecond: number | undefined;
  /** Milliseconds between progress lines. */
  tickMs: number | undefined;
  /** What `/api/version` answers. */
  version: string | undefined;
  /** The faults to inject. */
  faults: FakeFault[];
  /** Which requests the faults apply to. */
  faultSelect: { model?: string; times?: number };
  /** Log each request on stderr. */
  verbose: boolean;
}

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  model: { type: "string", multiple: true },
  catalog: { type: "string", multiple: true },
  speed: { type: "string" },
  "tick-ms": { type: "string" },
  fault: { type: "string", multiple: true },
  "fault-model": { type: "string" },
  "fault-times": { type: "string" },
  "ollama-version": { type: "string" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * Parses a byte count such as `4096`, `40MB`, `4.7GB` or `512KiB` (B/KB/MB/GB are powers of
 * 1000, KiB/MiB/GiB of 1024).
 *
 * @param text The size as typed.
 * @param what The flag, for the error message.
 * @returns The whole number of bytes, at least 1.
 * @throws {UsageError} When it is not a positive size.
 *
 * @example
 * ```ts
 * import { parseByteSize } from "./standalone.ts";
 *
 * parseByteSize("40MB", "--speed"); // 40000000
 * parseByteSize("1KiB", "--catalog"); // 1024
 * ```
 */
export function parseByteSize(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match === null ? undefined : UNITS[match[2].toLowerCase()];
  const bytes = match === null || unit === undefined ? NaN : Math.round(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new UsageError(
      `${what} ${JSON.stringify(text)} is not a size: give a number of bytes above 0, ` +
        "optionally with a unit (B, KB, MB, GB, KiB, MiB, GiB), e.g. 40MB",
    );
  }
  return bytes;
}

/**
 * The fault of a kind with the settings the standalone server uses: line faults after 3 lines,
 * `not_json_line` and `huge_line` (16 MiB) after 2, `http_error` a 500, the rest their defaults.
 *
 * @param kind One of {@link FAKE_FAULT_KINDS}.
 * @returns The fault to inject.
 *
 * @example
 * ```ts
 * import { defaultFault } from "./standalone.ts";
 *
 * defaultFault("stall_after"); // { kind: "stall_after", lines: 3 }
 * ```
 */
export function defaultFault(kind: FakeFaultKind): FakeFault {
  switch (kind) {
    case "stall_after":
    case "close_after":
    case "reset_after":
    case "error_after":
    case "repeat_stall":
      return { kind, lines: 3 };
    case "http_error":
      return { kind, status: 500, message: "fake internal server error" };
    case "not_json_line":
      return { kind, afterLines: 2 };
    case "huge_line":
      return { kind, afterLines: 2, bytes: 16 * 1024 * 1024 };
    default:
      return { kind };
  }
}

/**
 * Parses the standalone server's flags (pure: no I/O).
 *
 * @param args The arguments after the program's name.
 * @returns The settings.
 * @throws {UsageError} On an unknown flag, a missing or bad value, an unknown fault kind or an
 *   invalid model name.
 *
 * @example
 * ```ts
 * import { parseFakeServerArgs } from "./standalone.ts";
 *
 * const settings = parseFakeServerArgs(["--port", "0", "--fault", "stall_after"]);
 * settings.faults; // [{ kind: "stall_after", lines: 3 }]
 * ```
 */
export function parseFakeServerArgs(args: readonly string[]): FakeServerSettings {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: OPTIONS, strict: true }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const option = /'(-{1,2}[^'\s]+)'/.exec(message)?.[1];
    const known = Object.keys(OPTIONS);
    if (option !== undefined && !known.includes(option.replace(/^-+/, ""))) {
      const hint = closestMatch(option.replace(/^-+/, ""), known);
      throw new UsageError(`unknown option ${option}${hint ? `; did you mean --${hint}?` : ""}`);
    }
    throw new UsageError(message.replace(/\. To specify .*$/s, ""));
  }
  const models = values.model ?? [];
  for (const name of [...models, values["fault-model"] ?? "llama3"]) modelName(name);
  return {
    help: values.help === true,
    port: values.port === undefined ? 11434 : whole(values.port, "--port", 0, 65535),
    hostname: values.host ?? "127.0.0.1",
    models,
    catalog: values.catalog === undefined ? DEFAULT_CATALOG : values.catalog.map(catalogEntry),
    bytesPerSecond: values.speed === undefined ? undefined : parseByteSize(values.speed, "--speed"),
    tickMs: values["tick-ms"] === undefined ? undefined : whole(values["tick-ms"], "--tick-ms", 0),
    version: values["ollama-version"],
    faults: (values.fault ?? []).map((kind) => defaultFault(faultKind(kind))),
    faultSelect: {
      ...(values["fault-model"] === undefined ? {} : { model: values["fault-model"] }),
      ...(values["fault-times"] === undefined
        ? {}
        : { times: whole(values["fault-times"], "--fault-times", 1) }),
    },
    verbose: values.verbose === true,
  };
}

function whole(text: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min} to ${max}`;
    throw new UsageError(`${what} ${JSON.stringify(text)}: give a whole number, ${range}`);
  }
  return value;
}

function modelName(name: string): string {
  const parsed = parseModelName(name);
  if (parsed === undefined) {
    throw new UsageError(`${JSON.stringify(name)} is not a valid model name`);
  }
  return parsed.key;
}

function faultKind(text: string): FakeFaultKind {
  const kind = FAKE_FAULT_KINDS.find((known) => known === text);
  if (kind !== undefined) return kind;
  const hint = closestMatch(text, FAKE_FAULT_KINDS);
  throw new UsageError(
    `unknown fault ${JSON.stringify(text)}${hint ? `; did you mean ${hint}?` : ""} ` +
      `(one of ${FAKE_FAULT_KINDS.join(", ")})`,
  );
}

function catalogEntry(spec: string): FakeCatalogEntry {
  const equals = spec.indexOf("=");
  const name = equals === -1 ? spec : spec.slice(0, equals);
  const key = modelName(name);
  if (equals === -1) {
    const known = DEFAULT_CATALOG.find((entry) => modelKey(entry.name) === key);
    if (known !== undefined) return known;
    throw new UsageError(
      `--catalog ${name}: not in the default catalog, so give its layer sizes, e.g. ${name}=40MB`,
    );
  }
  const sizes = spec.slice(equals + 1).split(",").map((size) => parseByteSize(size, "--catalog"));
  return smallCatalog({ [name]: sizes })[0];
}

/**
 * What the standalone server needs from its process: output, and a signal that stops it.
 *
 * @example
 * ```ts
 * import type { FakeServerIo } from "./standalone.ts";
 *
 * const io: FakeServerIo = {
 *   stdout: (text) => console.log(text.trimEnd()),
 *   stderr: (text) => console.error(text.trimEnd()),
 *   signal: AbortSignal.timeout(1_000),
 * };
 * ```
 */
export interface FakeServerIo {
  /** Writes to standard output (only the URL line goes there). */
  stdout(text: string): void;
  /** Writes to standard error (the summary, request logs, errors). */
  stderr(text: string): void;
  /** Aborts when the server should close (Ctrl-C, SIGTERM). */
  signal: AbortSignal;
}

/**
 * Runs the standalone fake server: parses `args`, serves until `io.signal` aborts, closes.
 *
 * @param args The arguments after the program's name.
 * @param io Output and the stop signal.
 * @returns The exit code: 0 after a clean close (or `--help`), 1 when it could not listen,
 *   2 on a usage error.
 *
 * @example
 * ```ts
 * import { runFakeServer } from "./standalone.ts";
 *
 * const stop = new AbortController();
 * const running = runFakeServer(["--port", "0", "--model", "llama3"], {
 *   stdout: (url) => {
 *     console.log(`serving at ${url.trim()}`);
 *     stop.abort();
 *   },
 *   stderr: () => {},
 *   signal: stop.signal,
 * });
 * await running; // 0
 * ```
 */
export async function runFakeServer(args: readonly string[], io: FakeServerIo): Promise<number> {
  let settings: FakeServerSettings;
  let fake: FakeOllama;
  try {
    settings = parseFakeServerArgs(args);
    if (settings.help) {
      io.stdout(FAKE_SERVER_USAGE);
      return 0;
    }
    fake = new FakeOllama({
      models: settings.models,
      catalog: settings.catalog,
      bytesPerSecond: settings.bytesPerSecond,
      tickMs: settings.tickMs,
      version: settings.version,
    });
    for (const fault of settings.faults) fake.injectFault(fault, settings.faultSelect);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(
      `vtcode-ollama-fake: ${message}\n` +
        "Usage: vtcode-ollama-fake [--port N] [--host ADDRESS] [--model NAME]... " +
        "[--catalog NAME=SIZE]... [--fault KIND]... (--help for all options)\n",
    );
    return 2;
  }
  if (io.signal.aborted) return 0;
  const handler: FakeOllama | FakeHandler = settings.verbose ? logged(fake, io) : fake;
  let server;
  try {
    server = await serveFakeOllama(handler, { hostname: settings.hostname, port: settings.port });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = settings.port === 0 ? "" : `; is something else on port ${settings.port}? ` +
      "Choose another with --port (0 picks a free one)";
    io.stderr(
      `vtcode-ollama-fake: cannot listen on ${settings.hostname}:${settings.port}: ` +
        `${message}${hint}\n`,
    );
    return 1;
  }
  const stopped = new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  io.stdout(`${server.url}\n`);
  io.stderr(summary(fake, settings, server.url, server.backend));
  await stopped;
  fake.close();
  await server.close();
  io.stderr(`vtcode-ollama-fake: closed after ${fake.requests.length} requests\n`);
  return 0;
}

function summary(
  fake: FakeOllama,
  settings: FakeServerSettings,
  url: string,
  backend: string,
): string {
  const mb = (bytes: number) => `${Math.round(bytes / 1e5) / 10} MB`;
  const pullable = settings.catalog.map((entry) =>
    `${entry.name} (${mb(catalogEntrySize(entry))})`
  );
  const faults = settings.faults.map((fault) => fault.kind);
  const where = [
    settings.faultSelect.model === undefined ? "" : ` for ${settings.faultSelect.model}`,
    settings.faultSelect.times === undefined ? "" : `, ${settings.faultSelect.times} time(s)`,
  ].join("");
  return [
    `fake Ollama ${fake.version} at ${url} (${backend} server)`,
    `  installed: ${fake.installedModels().join(", ") || "none"}`,
    `  pullable:  ${pullable.join(", ") || "none"}`,
    `  faults:    ${faults.length === 0 ? "none" : faults.join(", ") + where}`,
    "Ctrl-C or SIGTERM stops it.",
    "",
  ].join("\n");
}

function logged(fake: FakeOllama, io: FakeServerIo): FakeHandler {
  return async (request) => {
    const response = await fake.handler(request);
    const { pathname } = new URL(request.url);
    io.stderr(`${request.method} ${pathname} ${response.status}\n`);
    return response;
  };
}

/**
 * The program: {@link runFakeServer} on this process's arguments, stopped by SIGINT, SIGTERM or
 * SIGHUP, setting the exit code. Runs under Deno, Bun and Node (the npm bin calls it).
 *
 * @returns Once the server has closed (or failed to start).
 *
 * @example
 * ```ts ignore
 * import { main } from "./standalone.ts";
 *
 * await main(); // serves until Ctrl-C
 * ```
 */
export async function main(): Promise<void> {
  const stop = new AbortController();
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const onSignal = () => stop.abort();
  const listening = signals.filter((signal) => {
    try {
      process.on(signal, onSignal);
      return true;
    } catch {
      return false; // not every signal exists everywhere (Windows)
    }
  });
  const code = await runFakeServer(process.argv.slice(2), {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    signal: stop.signal,
  });
  for (const signal of listening) process.off(signal, onSignal);
  process.exitCode = code;
}

/** Wraps a list to the help text's continuation column. */
function wrap(text: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line.length + word.length + 1 > 72 && line !== "") {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(24)}`);
}
