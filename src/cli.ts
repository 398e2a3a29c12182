#!/usr/bin/env -S deno run --allow-net --allow-env --allow-read
/**
 * The command line: `ensure` (default), `check`, `list`, `pull MODEL...`, `plan`, `outdated`,
 * against one server or several (`--host` repeated). Run it as
 * `deno run --allow-net --allow-env --allow-read jsr:@vtcode/ollama/cli` or `bun src/cli.ts`
 * (`ensure --write-lock` also needs `--allow-write` under Deno). Exit codes, `--json` output,
 * the `[ollama]` keys and the environment variables follow the contract shown by `--help`.
 *
 * People's output goes to stderr; stdout carries only `list` output and `--json` lines.
 *
 * @example Check that the models an app needs are there, without pulling
 * ```sh
 * deno run --allow-net --allow-env --allow-read jsr:@vtcode/ollama/cli check --model llama3
 * ```
 *
 * @example In CI: what would be downloaded, then exactly the locked versions, loaded
 * ```sh
 * deno run --allow-net --allow-env --allow-read jsr:@vtcode/ollama/cli plan
 * deno run --allow-net --allow-env --allow-read jsr:@vtcode/ollama/cli ensure --locked --warm
 * ```
 *
 * @module
 */

export { type CliIo, runCli } from "./cli/main.ts";
export { HELP } from "./cli/help.ts";
export { VERSION } from "./cli/version.ts";
export { main } from "./cli/process.ts";

import { main } from "./cli/process.ts";

if (import.meta.main) await main();
