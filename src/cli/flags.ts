/**
 * The command line's arguments, checked: which command, its operands, and every option's value
 * in range. Everything here happens before any request, so a mistake costs nothing. Pure.
 *
 * @module
 */

import { MAX_PULL_CONCURRENCY, MAX_TIMEOUT_SECS } from "../config/schema.ts";
import { UsageError } from "../errors/usage_error.ts";
import { parseModelName } from "../names.ts";
import { sanitizeText } from "../sanitize.ts";
import { closestMatch } from "../suggest.ts";
import { ArgvError, parseArgv, type ParsedArgv } from "./args.ts";
import type { CommandSyntax } from "./syntax.ts";
import { GLOBAL_OPTIONS, OPTIONS } from "./options.ts";

/** The command line, checked. */
export interface CliFlags<C extends CommandSyntax = CommandSyntax> {
  /** The command (default `ensure`). */
  command: C;
  /** Its operands (`pull`'s model names), as given. */
  operands: string[];
  /** `--model` values, as given (each a valid model name). */
  models: string[];
  /** `--config`. */
  config?: string;
  /** `--host` values, in order, each once (never empty strings); several make a fleet. */
  hosts: string[];
  /** `--no-pull`. */
  noPull: boolean;
  /** `--update`. */
  update: boolean;
  /** `--concurrency`: pulls at once per server. */
  concurrency?: number;
  /** `--warm`. */
  warm: boolean;
  /** `--lock`: the lock file. */
  lock?: string;
  /** `--write-lock`. */
  writeLock: boolean;
  /** `--locked`. */
  locked: boolean;
  /** `--timeout`, in seconds. */
  timeoutSecs?: number;
  /** `--json`. */
  json: boolean;
  /** `--quiet`. */
  quiet: boolean;
  /** `--tui`. */
  tui: boolean;
  /** Every option as parsed, for commands' own options. */
  values: ParsedArgv["values"];
}

/** What the arguments ask for. */
export type CliRequest<C extends CommandSyntax = CommandSyntax> =
  | { kind: "run"; flags: CliFlags<C> }
  | { kind: "help"; json: boolean }
  | { kind: "version"; json: boolean };

/**
 * Whether `--json` is among the arguments (before any `--`): a usage error is then reported as
 * a result line too, whatever else is wrong.
 *
 * @param args The arguments.
 * @returns `true` when `--json` was given.
 */
export function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).includes("--json");
}

const SECONDS = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * Parses and checks the arguments.
 *
 * @param args The arguments, without the program name.
 * @param commands The commands, the first being the default.
 * @returns What to do.
 * @throws {UsageError | InvalidModelNameError} For anything that can never work.
 */
export function parseCliArgs<C extends CommandSyntax>(
  args: readonly string[],
  commands: readonly C[],
): CliRequest<C> {
  let parsed: ParsedArgv;
  try {
    parsed = parseArgv(args, OPTIONS);
  } catch (error) {
    if (!(error instanceof ArgvError)) throw error;
    const hint = error.unknown && error.option?.startsWith("--")
      ? closestMatch(error.option.slice(2), Object.keys(OPTIONS))
      : undefined;
    throw new UsageError(
      sanitizeText(error.message, { maxLength: 200 }) + (hint ? `; did you mean --${hint}?` : ""),
    );
  }
  const { values, positionals } = parsed;
  const json = values.json === true;
  if (values.help === true) return { kind: "help", json };
  if (values.version === true) return { kind: "version", json };

  const [first, ...operands] = positionals;
  const names = commands.map((command) => command.name);
  const command = first === undefined
    ? commands[0]
    : commands.find((candidate) => candidate.name === first);
  if (command === undefined) {
    const hint = closestMatch(first as string, names);
    throw new UsageError(
      `unknown command "${sanitizeText(first as string, { maxLength: 60 })}"` +
        `${hint ? `; did you mean "${hint}"?` : ""} Commands: ${names.join(", ")}`,
    );
  }

  for (const name of Object.keys(values)) {
    if (GLOBAL_OPTIONS.includes(name) || command.accepts?.includes(name)) continue;
    const instead = command.refuses?.[name];
    throw new UsageError(
      `${command.name} does not take --${name}${instead ? `; ${instead}` : ""}`,
    );
  }
  if (command.operands === undefined && operands.length > 0) {
    throw new UsageError(
      `${command.name} takes no arguments, got "${
        sanitizeText(operands.join(" "), { maxLength: 60 })
      }"${command.operandHint ? `; ${command.operandHint}` : ""}`,
    );
  }
  if (command.operands !== undefined && operands.length < command.operands.min) {
    throw new UsageError(
      `${command.name} needs at least ${command.operands.min} ${command.operands.name}, e.g. ` +
        `\`${command.operands.example}\``,
    );
  }

  const hosts = [...new Set(stringList(values.host).map(host))];
  if (hosts.length > 1 && command.singleHost !== undefined) {
    throw new UsageError(
      `${command.name} talks to one server, got ${hosts.length} --host values; ` +
        command.singleHost,
    );
  }
  if (values.locked === true) {
    const clash = ["update", "write-lock"].filter((name) => values[name] === true);
    if (clash.length > 0) {
      throw new UsageError(
        `--locked cannot be used with ${clash.map((name) => `--${name}`).join(" or ")}: ` +
          "--locked insists on the versions the lock records; run `ensure " +
          `${clash.map((name) => `--${name}`).join(" ")}\` without --locked to change them`,
      );
    }
  }

  const models = stringList(values.model);
  // Names are checked before anything else happens: no request for an invalid name.
  for (const name of [...models, ...(command.operands?.models ? operands : [])]) {
    parseModelName(name);
  }
  return {
    kind: "run",
    flags: {
      command,
      operands,
      models,
      config: stringValue(values.config),
      hosts,
      noPull: values["no-pull"] === true,
      update: values.update === true,
      concurrency: concurrency(stringValue(values.concurrency)),
      warm: values.warm === true,
      lock: path("--lock", stringValue(values.lock)),
      writeLock: values["write-lock"] === true,
      locked: values.locked === true,
      timeoutSecs: seconds("--timeout", stringValue(values.timeout)),
      json,
      quiet: values.quiet === true,
      tui: values.tui === true,
      values,
    },
  };
}

function stringValue(value: string | boolean | string[] | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function stringList(value: string | boolean | string[] | undefined): string[] {
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

function host(value: string): string {
  if (value.trim() === "") {
    throw new UsageError(
      "--host needs a server address such as http://127.0.0.1:11434, got an empty value; " +
        "leave --host out to use the config, OLLAMA_HOST or the default",
    );
  }
  return value;
}

/** `--concurrency`: a whole number from 1 to `MAX_PULL_CONCURRENCY`, as `pull_concurrency`. */
function concurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const number = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(number >= 1 && number <= MAX_PULL_CONCURRENCY)) {
    throw new UsageError(
      `--concurrency must be a whole number from 1 to ${MAX_PULL_CONCURRENCY} (pulls at once ` +
        `per server), got "${sanitizeText(value, { maxLength: 40 })}"`,
    );
  }
  return number;
}

function path(option: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === "") {
    throw new UsageError(`${option} needs a file path, got an empty value`);
  }
  return value;
}

/**
 * A number of seconds as `timeout_secs` takes it: decimal, greater than 0, at most
 * `MAX_TIMEOUT_SECS` (what a timer can wait).
 */
function seconds(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const number = SECONDS.test(text) ? Number(text) : Number.NaN;
  if (!(number > 0) || number > MAX_TIMEOUT_SECS) {
    throw new UsageError(
      `${option} must be a number of seconds greater than 0 and at most ${MAX_TIMEOUT_SECS}, ` +
        `such as 5 or 2.5, got "${sanitizeText(value, { maxLength: 40 })}"`,
    );
  }
  return number;
}
