/**
 * What the argument parser and `--help` need to know of a command: its name, its text, the
 * options and operands it takes. (What it does is `CliCommand`, in `command.ts`.)
 *
 * @module
 */

/** A command as the argument parser and `--help` see it: its name, its text, what it takes. */
export interface CommandSyntax {
  /** The name users type: `ensure`. */
  name: string;
  /** How `--help` shows it, e.g. `pull MODEL...`. Default: the name. */
  usage?: string;
  /** The `--help` text; a line break continues it on the next line. */
  summary: string;
  /** The command-specific options it takes (names from `OPTIONS`), beyond the global ones. */
  accepts?: readonly string[];
  /** For options it refuses, what to do instead (shown after "`pull` does not take --model"). */
  refuses?: Readonly<Record<string, string>>;
  /** Its operands (arguments that are not options); without it, it takes none. */
  operands?: {
    /** What one is, for messages: `model name`. */
    name: string;
    /** How many it needs at least. */
    min: number;
    /** A use of the command with them, for messages: `pull llama3`. */
    example: string;
    /** They are model names, checked before anything runs. */
    models?: boolean;
  };
  /** Shown when it is given operands it does not take. */
  operandHint?: string;
  /**
   * For a command that talks to one server only: what to use instead when `--host` is given
   * more than once (or the config lists several `hosts`). Without it, several hosts are a fleet.
   */
  singleHost?: string;
  /** Says `ready: …` when it succeeds. Default `true`. */
  saysReady?: boolean;
}
