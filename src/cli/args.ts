/**
 * Splits the command line's arguments into option values and positionals, by a table of
 * options. Pure.
 *
 * Why not `node:util`'s `parseArgs`: under Deno the first `node:` module a process imports
 * boots Deno's Node layer, about 5 ms of a `check` whose whole budget over two bare requests is
 * 8 ms (and under Bun `node:util` costs about 3 ms). What is needed here is small: `--name`,
 * `--name value`, `--name=value`, the `-h`/`-V` aliases, repeatable options and `--`.
 *
 * Rules: a `string` option takes the next argument as its value unless that is an option
 * (`--host --json` is an error; `--timeout -1` gives the value `-1`, which the range check
 * refuses by name); a repeated single-value option keeps the last value; a `boolean` takes no
 * value; everything after `--` is positional.
 *
 * @module
 */

import type { CliOption } from "./options.ts";

/** What {@link parseArgv} found. */
export interface ParsedArgv {
  /** Option values by name: `true` for a switch, the text (or texts, when repeatable) else. */
  values: Record<string, string | boolean | string[]>;
  /** The arguments that are not options, in order. */
  positionals: string[];
}

/** An argument the table does not allow. */
export class ArgvError extends Error {
  /** The option as written (`--hots`), when the problem is an option. */
  readonly option: string | undefined;
  /** Whether the option is unknown (not merely misused). */
  readonly unknown: boolean;

  /**
   * Creates the error.
   *
   * @param message What is wrong.
   * @param option The option as written.
   * @param unknown Whether the option is unknown.
   */
  constructor(message: string, option?: string, unknown = false) {
    super(message);
    this.name = "ArgvError";
    this.option = option;
    this.unknown = unknown;
  }
}

/**
 * Parses `args` by `options`.
 *
 * @param args The arguments, without the program name.
 * @param options The options by name (without dashes).
 * @returns The values and the positionals.
 * @throws {ArgvError} For an unknown option, or a missing or unexpected value.
 */
export function parseArgv(
  args: readonly string[],
  options: Readonly<Record<string, CliOption>>,
): ParsedArgv {
  const values: ParsedArgv["values"] = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, option] of Object.entries(options)) {
    if (option.short !== undefined) byShort.set(option.short, name);
  }
  const nameOf = (arg: string): string | undefined => {
    if (arg.startsWith("--")) {
      const name = arg.slice(2).split("=", 1)[0];
      return Object.hasOwn(options, name) ? name : undefined;
    }
    return arg.length === 2 && arg.startsWith("-") ? byShort.get(arg[1]) : undefined;
  };

  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--") {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const name = nameOf(arg);
    if (name === undefined) {
      const written = arg.split("=", 1)[0];
      throw new ArgvError(`unknown option ${written}`, written, true);
    }
    const option = options[name];
    const shown = `--${name}`;
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    if (option.type === "boolean") {
      if (equals !== -1) throw new ArgvError(`${shown} takes no value`, shown);
      values[name] = true;
      continue;
    }
    let value: string;
    if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else {
      const next = args[index + 1];
      if (next === undefined || next.startsWith("--") || nameOf(next) !== undefined) {
        throw new ArgvError(`${shown} needs a value: ${shown} ${option.value ?? "VALUE"}`, shown);
      }
      value = next;
      index++;
    }
    const previous = values[name];
    values[name] = !option.multiple
      ? value
      : Array.isArray(previous)
      ? [...previous, value]
      : [value];
  }
  return { values, positionals };
}
