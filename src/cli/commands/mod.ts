/**
 * The commands, in the order `--help` lists them; the first is the default. Adding a command is
 * adding its file to this folder and its entry here.
 *
 * @module
 */

import type { CliCommand } from "../command.ts";
import { checkCommand, ensureCommand } from "./ensure.ts";
import { listCommand } from "./list.ts";
import { outdatedCommand } from "./outdated.ts";
import { planCommand } from "./plan.ts";
import { pullCommand } from "./pull.ts";

/** Every command; the first one runs when none is named. */
export const COMMANDS: readonly CliCommand[] = [
  ensureCommand,
  checkCommand,
  listCommand,
  pullCommand,
  planCommand,
  outdatedCommand,
];
