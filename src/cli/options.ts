/**
 * Every option the command line knows: its type, the placeholder and the text `--help` shows.
 * Which command takes which of the command-specific ones is said by each command
 * (`CliCommand.accepts`); the {@link GLOBAL_OPTIONS} apply to all.
 *
 * @module
 */

/** One option of the command line. */
export interface CliOption {
  /** `boolean` for a switch, `string` for an option that takes a value. */
  type: "boolean" | "string";
  /** Repeatable: every value is kept, in order (a `string` option only). */
  multiple?: boolean;
  /** A one-letter alias, e.g. `h` for `-h`. */
  short?: string;
  /** What the value is, as `--help` shows it: `--host URL`. */
  value?: string;
  /** The `--help` text; a line break continues it on the next line. */
  help: string;
}

/** The options, in the order `--help` lists them. */
export const OPTIONS: Readonly<Record<string, CliOption>> = {
  config: {
    type: "string",
    value: "PATH",
    help: "TOML file with an [ollama] table. Default: ./vtcode.toml when it exists,\n" +
      "else built-in defaults. An explicit PATH that does not exist is an error.",
  },
  host: {
    type: "string",
    multiple: true,
    value: "URL",
    help: "server address; beats config and environment. Repeatable: several servers\n" +
      "(a fleet), each checked and ensured at once; beats `hosts` and `base_url`",
  },
  model: {
    type: "string",
    multiple: true,
    value: "NAME",
    help: "a required model; repeatable; added to the config's `models`",
  },
  "no-pull": { type: "boolean", help: "never pull (as auto_pull = false)" },
  update: {
    type: "boolean",
    help: "ensure, plan: also re-pull required models whose tag moved in the\nregistry",
  },
  concurrency: {
    type: "string",
    value: "N",
    help: "ensure: pulls at once per server, 1 to 8 (overrides pull_concurrency)",
  },
  warm: {
    type: "boolean",
    help: "ensure: once ready, load each required local model into memory\n(as warm = true)",
  },
  lock: {
    type: "string",
    value: "PATH",
    help: "the lock file (default: ollama.lock beside the config file in use,\n" +
      "else ./ollama.lock)",
  },
  "write-lock": {
    type: "boolean",
    help: "ensure: once ready, record each required model's installed digest\nin the lock file",
  },
  locked: {
    type: "boolean",
    help: "ensure, check: every required model must be in the lock and installed\n" +
      "with exactly its digest on every server, else exit 6\n(not with --update or --write-lock)",
  },
  timeout: {
    type: "string",
    value: "SECS",
    help: "overrides timeout_secs (greater than 0, at most 2147483)",
  },
  json: {
    type: "boolean",
    help: 'machine output on stdout: NDJSON events, then a final {"type":"result",...}',
  },
  quiet: { type: "boolean", help: "print nothing on stderr but errors" },
  tui: {
    type: "boolean",
    help: "on a terminal, show one progress bar per layer instead of one line per model",
  },
  help: { type: "boolean", short: "h", help: "this text" },
  version: { type: "boolean", short: "V", help: "the version" },
};

/** The options every command takes. */
export const GLOBAL_OPTIONS: readonly string[] = [
  "config",
  "host",
  "timeout",
  "json",
  "quiet",
  "help",
  "version",
];
