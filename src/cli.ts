#!/usr/bin/env -S deno run --allow-net --allow-env --allow-read
/**
 * The command line: `ensure` (default), `check`, `list`, `pull MODEL...`. Run it as
 * `deno run --allow-net --allow-env --allow-read jsr:@vtcode/ollama/cli` or `bun src/cli.ts`.
 * Exit codes, `--json` output and the `[ollama]` keys follow the contract shown by `--help`.
 *
 * People's output goes to stderr; stdout carries only `list` output and `--json` lines.
 *
 * @example Check that the models an app needs are there, without pulling
 * ```sh
 * deno run --allow-net --allow-env --allow-read jsr:@vtcode/ollama/cli check --model llama3
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { OllamaClient } from "./client.ts";
import { loadOllamaConfig, type OllamaConfig } from "./config.ts";
import { InterruptedError, NotWhitelistedError, OllamaError, UsageError } from "./errors.ts";
import type { OllamaPullProgressReporter } from "./events.ts";
import { isModelAllowed, parseModelName, shortModelName } from "./names.ts";
import type { ProgressSink } from "./progress/sink.ts";
import { sanitizeText } from "./sanitize.ts";
import { ensureOllamaReady, type OllamaEnv, type StartupReport } from "./startup.ts";
import { closestMatch } from "./suggest.ts";
import { resolveBaseUrl } from "./url.ts";

/** This package's version, as `--version` prints it. */
export const VERSION = "0.1.0";

const COMMANDS = ["ensure", "check", "list", "pull"] as const;
type Command = typeof COMMANDS[number];

const OPTIONS = {
  config: { type: "string" },
  host: { type: "string" },
  model: { type: "string", multiple: true },
  "no-pull": { type: "boolean" },
  timeout: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
  tui: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

/** The full `--help` text. */
export const HELP = `vtcode-ollama ${VERSION}: is Ollama running, and are my models there?

Usage: cli.ts [COMMAND] [OPTIONS]

Commands (default: ensure)
  ensure          health-check the server, find which required models are missing,
                  pull them (subject to auto_pull and whitelist), then confirm they are listed
  check           health-check and report present/missing required models; never pulls
  list            print the installed model names, one per line (stdout)
  pull MODEL...   pull the named models (whitelist still enforced when one is configured)

Options
  --config PATH     TOML file with an [ollama] table. Default: ./vtcode.toml when it exists,
                    else built-in defaults. An explicit PATH that does not exist is an error.
  --host URL        server address; beats config and environment
  --model NAME      a required model; repeatable; added to the config's \`models\`
  --no-pull         never pull (as auto_pull = false)
  --timeout SECS    overrides timeout_secs
  --json            machine output on stdout: NDJSON events, then a final {"type":"result",...}
  --quiet           print nothing on stderr but errors
  --tui             on a terminal, show one progress bar per layer instead of one line per model
  -h, --help        this text
  -V, --version     the version

[ollama] keys (in vtcode.toml or the --config file)
  base_url            server address; a trailing /v1 is reduced to the host root
  models              models that must exist (default [])
  auto_pull           pull missing required models (default true)
  whitelist           models that may be pulled: names or patterns with * ("qwen3:*"),
                      compared on normalized names (default: no restriction)
  timeout_secs        bound for the health check, each request, a pull's start (default 5)
  stall_timeout_secs  a pull receiving no bytes this long is aborted and retried (default 60)
  pull_retries        re-issues of a failed or stalled pull (default 3)
  min_version         refuse an older server, e.g. "0.5.0" (default: none)

Server address, first that is set: --host, base_url, OLLAMA_BASE_URL, OLLAMA_HOST,
then http://127.0.0.1:11434. OLLAMA_API_KEY is sent to ollama.com only.

Exit codes
  0    ready: server reachable and every required model present (after any pulls)
  1    unexpected internal error (a bug)
  2    usage or config error, invalid model name
  3    server unreachable, timed out, or not an Ollama server
  4    a required model is missing and was not pulled (auto_pull off, --no-pull, check,
       or outside the whitelist)
  5    a pull failed (server error, stream ended without success, stalled, invalid data)
  130  interrupted (Ctrl-C); the pull request is aborted, not left running
`;

/** Where the command line writes, and what it reads from its environment. */
export interface CliIo {
  /** stdout: `list` output and `--json` lines only. */
  stdout: (text: string) => void;
  /** stderr, for people, with what the reporters need to know about the terminal. */
  stderr: ProgressSink;
  /** Environment variables. */
  env: Record<string, string | undefined>;
  /** The working directory, where `vtcode.toml` is looked for. */
  cwd: string;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

interface Flags {
  command: Command;
  models: string[];
  config?: string;
  host?: string;
  noPull: boolean;
  timeoutSecs?: number;
  json: boolean;
  quiet: boolean;
  tui: boolean;
}

/**
 * Runs the command line with the given arguments and returns the exit code. Never exits the
 * process itself, so it can be embedded and tested.
 *
 * @param args The arguments, without the program name.
 * @param io Where to write, the environment and the interrupt signal.
 * @returns The exit code (see `--help`).
 *
 * @example
 * ```ts
 * import { runCli } from "@vtcode/ollama/cli";
 *
 * const code = await runCli(["check", "--model", "llama3"], {
 *   stdout: (t) => console.log(t),
 *   stderr: { write: (t) => console.error(t), isTerminal: false },
 *   env: {},
 *   cwd: ".",
 * });
 * ```
 */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  let flags: Flags;
  try {
    const parsed = parseFlags(args);
    if (parsed === "help") {
      io.stderr.write(HELP);
      return 0;
    }
    if (parsed === "version") {
      io.stderr.write(`${VERSION}\n`);
      return 0;
    }
    flags = parsed;
  } catch (error) {
    const usage = error instanceof OllamaError ? error : new UsageError(String(error));
    io.stderr.write(`error: ${usage.message}\nRun with --help for usage.\n`);
    if (args.includes("--json")) io.stdout(resultLine(emptyResult(usage)));
    return usage.exitCode;
  }
  const output = new Output(io, flags);
  try {
    const { config } = await loadOllamaConfig({ path: flags.config, cwd: io.cwd });
    const merged = mergeFlags(config, flags);
    switch (flags.command) {
      case "ensure":
      case "check":
        return output.finish(await runEnsure(merged, flags, io, output));
      case "list":
        return output.finish(await runList(merged, flags, io, output));
      case "pull":
        return output.finish(await runPull(merged, flags, io, output));
    }
  } catch (error) {
    if (error instanceof OllamaError) return output.finish(emptyResult(error));
    const internal = new OllamaError(
      "internal",
      `internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}. ` +
        "This is a bug; please report it with the command you ran.",
    );
    return output.finish(emptyResult(internal));
  }
}

function parseFlags(args: string[]): Flags | "help" | "version" {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const option = /'(-{1,2}[^'\s]+)'/.exec(message)?.[1];
    const known = Object.keys(OPTIONS).map((name) => `--${name}`);
    const hint = option ? closestMatch(option.replace(/^-+/, ""), Object.keys(OPTIONS)) : undefined;
    throw new UsageError(
      option !== undefined && !known.includes(option)
        ? `unknown option ${option}${hint ? `; did you mean --${hint}?` : ""}`
        : message.replace(/\. To specify .*$/s, ""),
    );
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (values.version) return "version";
  const [first, ...rest] = positionals;
  let command: Command = "ensure";
  if (first !== undefined) {
    if (!(COMMANDS as readonly string[]).includes(first)) {
      const hint = closestMatch(first, COMMANDS);
      throw new UsageError(
        `unknown command "${sanitizeText(first, { maxLength: 60 })}"` +
          `${hint ? `; did you mean "${hint}"?` : ""} Commands: ${COMMANDS.join(", ")}`,
      );
    }
    command = first as Command;
  }
  if (command === "pull" && rest.length === 0) {
    throw new UsageError("pull needs at least one model name, e.g. `pull llama3`");
  }
  if (command !== "pull" && rest.length > 0) {
    throw new UsageError(
      `${command} takes no arguments, got "${sanitizeText(rest.join(" "), { maxLength: 60 })}"; ` +
        "name required models with --model NAME",
    );
  }
  let timeoutSecs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutSecs = Number(values.timeout);
    if (!Number.isFinite(timeoutSecs) || timeoutSecs <= 0 || values.timeout.trim() === "") {
      throw new UsageError(
        `--timeout must be a number of seconds greater than 0, got "${
          sanitizeText(values.timeout, { maxLength: 40 })
        }"`,
      );
    }
  }
  const models = command === "pull" ? rest : values.model ?? [];
  if (command === "pull" && values.model !== undefined) models.push(...values.model);
  // Names are checked before anything else happens: no request for an invalid name.
  for (const name of models) parseModelName(name);
  return {
    command,
    models,
    config: values.config,
    host: values.host,
    noPull: values["no-pull"] ?? false,
    timeoutSecs,
    json: values.json ?? false,
    quiet: values.quiet ?? false,
    tui: values.tui ?? false,
  };
}

function mergeFlags(config: OllamaConfig, flags: Flags): OllamaConfig {
  return {
    ...config,
    models: flags.command === "pull" ? config.models : [...config.models, ...flags.models],
    autoPull: config.autoPull && !flags.noPull && flags.command !== "check",
    timeoutSecs: flags.timeoutSecs ?? config.timeoutSecs,
  };
}

function ollamaEnv(env: Record<string, string | undefined>): OllamaEnv {
  return {
    OLLAMA_BASE_URL: env.OLLAMA_BASE_URL,
    OLLAMA_HOST: env.OLLAMA_HOST,
    OLLAMA_API_KEY: env.OLLAMA_API_KEY,
  };
}

async function runEnsure(
  config: OllamaConfig,
  flags: Flags,
  io: CliIo,
  output: Output,
): Promise<Result> {
  const report = await ensureOllamaReady(config, {
    env: ollamaEnv(io.env),
    host: flags.host,
    signal: io.signal,
    reporter: output.reporter(),
    onLog: (entry) => output.log(entry.level, entry.message),
    noPullReason: flags.command === "check"
      ? "check never pulls"
      : flags.noPull
      ? "--no-pull was given"
      : "auto_pull is off",
  });
  output.event({
    type: "health",
    reachable: report.reachable,
    base_url: report.baseUrl,
    server_version: report.serverVersion,
  });
  const statuses = { present: report.present, pulled: report.pulled, missing: report.missing };
  for (const [status, models] of Object.entries(statuses)) {
    for (const model of models) output.event({ type: "model", model, status });
  }
  return fromReport(report);
}

async function runList(
  config: OllamaConfig,
  flags: Flags,
  io: CliIo,
  output: Output,
): Promise<Result> {
  const client = await connect(config, flags, io, output);
  const models = await client.fetchModels({ signal: io.signal });
  const names = models.map((name) => displayName(name));
  if (!flags.json) { for (const name of names) io.stdout(`${name}\n`); }
  for (const name of names) output.event({ type: "model", model: name, status: "installed" });
  return {
    ...emptyResult(null),
    baseUrl: client.baseUrl,
    serverVersion: client.serverVersion,
    present: names,
  };
}

async function runPull(
  config: OllamaConfig,
  flags: Flags,
  io: CliIo,
  output: Output,
): Promise<Result> {
  const client = await connect(config, flags, io, output);
  const result: Result = {
    ...emptyResult(null),
    baseUrl: client.baseUrl,
    serverVersion: client.serverVersion,
  };
  const reporter = output.reporter();
  const wanted = flags.models.map((name) => ({ name, short: shortModelName(name) }));
  for (const [index, { name, short }] of wanted.entries()) {
    try {
      if (!isModelAllowed(name, config.whitelist)) {
        throw new NotWhitelistedError(short, config.whitelist ?? []);
      }
      output.log("info", `Pulling ${short}`);
      await client.pullModel(name, { reporter, signal: io.signal });
      output.log("info", `Pulled ${short}`);
      result.pulled.push(short);
      output.event({ type: "model", model: short, status: "pulled" });
    } catch (error) {
      if (!(error instanceof OllamaError)) throw error;
      result.missing.push(short);
      output.event({ type: "model", model: short, status: "missing" });
      if (error instanceof InterruptedError) {
        result.missing.push(...wanted.slice(index + 1).map((model) => model.short));
        return { ...result, error };
      }
      // Keep going: the other models may still pull; the first pull failure decides the exit.
      output.log("warn", error.message);
      if (
        result.error === null ||
        (error.code === "pull_failed" && result.error.code !== "pull_failed")
      ) {
        result.error = error;
      }
    }
  }
  return result;
}

async function connect(
  config: OllamaConfig,
  flags: Flags,
  io: CliIo,
  output: Output,
): Promise<OllamaClient> {
  const { url } = resolveBaseUrl({
    host: flags.host,
    baseUrl: config.baseUrl,
    env: ollamaEnv(io.env),
  });
  const key = io.env.OLLAMA_API_KEY?.trim();
  const headers: Record<string, string> = {};
  if (key && /^https:\/\/([^/@]*\.)?ollama\.com(:443)?(\/|$)/.test(url)) {
    headers.authorization = `Bearer ${key}`;
  }
  const client = new OllamaClient(url, {
    headers,
    timeoutMs: config.timeoutSecs * 1000,
    stallTimeoutMs: config.stallTimeoutSecs * 1000,
    signal: io.signal,
    retry: { retries: config.pullRetries },
  });
  const health = await client.healthCheck({ signal: io.signal });
  output.log(
    "info",
    `Ollama ${health.version ?? "(version unknown)"} is running at ${client.baseUrl}`,
  );
  output.event({
    type: "health",
    reachable: true,
    base_url: client.baseUrl,
    server_version: health.version,
  });
  return client;
}

interface Result {
  baseUrl: string | null;
  serverVersion: string | null;
  present: string[];
  pulled: string[];
  missing: string[];
  error: OllamaError | null;
}

function emptyResult(error: OllamaError | null): Result {
  return { baseUrl: null, serverVersion: null, present: [], pulled: [], missing: [], error };
}

function fromReport(report: StartupReport): Result {
  return {
    baseUrl: report.baseUrl || null,
    serverVersion: report.serverVersion,
    present: report.present,
    pulled: report.pulled,
    missing: report.missing,
    error: report.error,
  };
}

function resultLine(result: Result): string {
  const exitCode = result.error === null ? 0 : result.error.exitCode;
  return JSON.stringify({
    type: "result",
    ok: result.error === null,
    exit_code: exitCode,
    base_url: result.baseUrl,
    server_version: result.serverVersion,
    present: result.present,
    pulled: result.pulled,
    missing: result.missing,
    error: result.error === null ? null : {
      code: result.error.code,
      message: sanitizeText(result.error.message, { maxLength: 2000 }),
    },
  }) + "\n";
}

function displayName(name: string): string {
  try {
    return shortModelName(name);
  } catch {
    return sanitizeText(name, { maxLength: 200 });
  }
}

/** Everything the command line prints goes through here: stderr for people, stdout for --json. */
class Output {
  readonly #io: CliIo;
  readonly #flags: Flags;
  readonly #color: boolean;

  constructor(io: CliIo, flags: Flags) {
    this.#io = io;
    this.#flags = flags;
    this.#color = io.stderr.isTerminal && !io.env.NO_COLOR;
  }

  /**
   * The progress reporter for this run's output mode. Its module is loaded on the first event:
   * a `check`, or an `ensure` with nothing to pull, never pays for it (bench/startup.ts).
   */
  reporter(): OllamaPullProgressReporter {
    let loading: Promise<OllamaPullProgressReporter> | undefined;
    let reporter: OllamaPullProgressReporter | undefined;
    const load = () => loading ??= this.#createReporter().then((created) => reporter = created);
    return {
      // Once loaded, events go straight through (no extra promise per event).
      onEvent: (event, model) =>
        reporter !== undefined
          ? reporter.onEvent(event, model)
          : load().then((created) => created.onEvent(event, model)),
      finish: (model, outcome) =>
        reporter !== undefined
          ? reporter.finish?.(model, outcome)
          : loading?.then((created) => created.finish?.(model, outcome)),
    };
  }

  async #createReporter(): Promise<OllamaPullProgressReporter> {
    if (this.#flags.json) {
      const { JsonPullProgressReporter } = await import("./progress/json_reporter.ts");
      return new JsonPullProgressReporter({
        sink: { write: (text) => this.#io.stdout(text), isTerminal: false },
      });
    }
    if (this.#flags.quiet) {
      const { SilentPullProgressReporter } = await import("./progress/silent_reporter.ts");
      return new SilentPullProgressReporter();
    }
    const options = { sink: this.#io.stderr, color: this.#color };
    if (this.#flags.tui) {
      const { TuiPullProgressReporter } = await import("./progress/tui_reporter.ts");
      return new TuiPullProgressReporter(options);
    }
    const { CliPullProgressReporter } = await import("./progress/cli_reporter.ts");
    return new CliPullProgressReporter(options);
  }

  /** A line for people (stderr), also an event in --json mode. */
  log(level: "info" | "warn", message: string): void {
    const text = sanitizeText(message, { maxLength: 2000 });
    this.event({ type: "log", level, message: text });
    if (this.#flags.quiet) return;
    const mark = level === "warn" ? this.#paint("33", "!") : this.#paint("32", "•");
    this.#io.stderr.write(`${mark} ${text}\n`);
  }

  /** An NDJSON event on stdout, in --json mode only. */
  event(value: Record<string, unknown>): void {
    if (this.#flags.json) this.#io.stdout(JSON.stringify(value) + "\n");
  }

  /** Prints the outcome and returns the exit code. */
  finish(result: Result): number {
    const exitCode = result.error === null ? 0 : result.error.exitCode;
    if (result.error !== null) {
      const label = result.error.code === "interrupted" ? "interrupted" : "error";
      this.#io.stderr.write(
        `${this.#paint("31", label)}: ${sanitizeText(result.error.message, { maxLength: 4000 })}\n`,
      );
    } else if (!this.#flags.quiet && this.#flags.command !== "list") {
      const ready = [...result.present, ...result.pulled];
      this.#io.stderr.write(
        `${this.#paint("32", "ready")}${ready.length ? `: ${ready.join(", ")}` : ""}\n`,
      );
    }
    if (this.#flags.json) this.#io.stdout(resultLine(result));
    return exitCode;
  }

  #paint(code: string, text: string): string {
    return this.#color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}

/** The process as the CLI needs it: its {@link CliIo}, arguments, Ctrl-C and the exit code. */
interface Host extends Omit<CliIo, "signal"> {
  args: string[];
  onSigint(listener: () => void): () => void;
  exit(code: number): never;
  setExitCode(code: number): void;
}

/** The structural part of `Deno` the CLI uses (no runtime type package needed). */
interface DenoHost {
  args: string[];
  stdout: { writeSync(bytes: Uint8Array): number };
  stderr: { writeSync(bytes: Uint8Array): number; isTerminal(): boolean };
  consoleSize(): { columns: number };
  env: { toObject(): Record<string, string> };
  cwd(): string;
  addSignalListener(signal: "SIGINT", listener: () => void): void;
  removeSignalListener(signal: "SIGINT", listener: () => void): void;
  exit(code: number): never;
  exitCode: number;
}

/**
 * Under Deno, its own APIs: the first `node:` built-in a Deno process imports costs it 10-25 ms
 * of start-up (measured by bench/startup.ts), a third of the time a `check` takes. Elsewhere,
 * `node:process`.
 */
async function currentHost(): Promise<Host> {
  const deno = (globalThis as { Deno?: DenoHost }).Deno;
  if (deno !== undefined) {
    const encoder = new TextEncoder();
    const writeAll = (target: { writeSync(bytes: Uint8Array): number }, text: string) => {
      let bytes = encoder.encode(text);
      while (bytes.length > 0) bytes = bytes.subarray(target.writeSync(bytes));
    };
    return {
      args: deno.args,
      stdout: (text) => writeAll(deno.stdout, text),
      stderr: {
        write: (text) => writeAll(deno.stderr, text),
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
      },
      env: deno.env.toObject(),
      cwd: deno.cwd(),
      onSigint(listener) {
        deno.addSignalListener("SIGINT", listener);
        return () => deno.removeSignalListener("SIGINT", listener);
      },
      exit: (code) => deno.exit(code),
      setExitCode(code) {
        deno.exitCode = code;
      },
    };
  }
  const { default: process } = await import("node:process");
  const stderr = process.stderr;
  return {
    args: process.argv.slice(2),
    stdout: (text) => void process.stdout.write(text),
    stderr: {
      write: (text) => void stderr.write(text),
      get isTerminal() {
        return stderr.isTTY === true;
      },
      get columns() {
        return stderr.columns ?? 80;
      },
    },
    env: process.env,
    cwd: process.cwd(),
    onSigint(listener) {
      process.on("SIGINT", listener);
      return () => process.off("SIGINT", listener);
    },
    exit: (code) => process.exit(code),
    setExitCode(code) {
      process.exitCode = code;
    },
  };
}

/**
 * Runs the command line as this process: its arguments, stdout and stderr, Ctrl-C, exit code.
 * The npm package's `vtcode-ollama` bin calls it (Node 20 has no `import.meta.main`).
 *
 * @returns Once the command has finished and the exit code is set.
 *
 * @example
 * ```ts ignore
 * import { main } from "@vtcode/ollama/cli";
 *
 * await main();
 * ```
 */
export async function main(): Promise<void> {
  const host = await currentHost();
  const controller = new AbortController();
  const stopListening = host.onSigint(() => {
    if (controller.signal.aborted) host.exit(130); // a second Ctrl-C does not wait
    controller.abort(new InterruptedError("the command (Ctrl-C)"));
  });
  const { stdout, stderr, env, cwd } = host;
  const code = await runCli(host.args, { stdout, stderr, env, cwd, signal: controller.signal });
  stopListening();
  host.setExitCode(code);
}

if (import.meta.main) await main();
