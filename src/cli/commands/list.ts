/**
 * `list`: the installed model names, one per line on stdout (or `model` events with `--json`).
 *
 * @module
 */

import type { OllamaClient } from "../../client.ts";
import { OllamaError } from "../../errors/ollama_error.ts";
import { shortModelName } from "../../names.ts";
import { sanitizeText } from "../../sanitize.ts";
import { type CliCommand, type CliResult, emptyResult } from "../command.ts";
import { connect, FLEET_HINT } from "../connect.ts";

/** `list`: print the installed model names. */
export const listCommand: CliCommand = {
  name: "list",
  summary: "print the installed model names, one per line (stdout)",
  accepts: [],
  refuses: { model: "it lists every installed model" },
  singleHost: FLEET_HINT,
  saysReady: false,
  async run(context) {
    const { output } = context;
    let client: OllamaClient | undefined;
    try {
      client = await connect(context, (created) => client = created);
      const names = (await client.fetchModels({ signal: context.signal })).map(displayName);
      if (!output.json) output.stdout(names.map((name) => `${name}\n`).join(""));
      for (const name of names) output.event({ type: "model", model: name, status: "installed" });
      return {
        ...emptyResult(null),
        baseUrl: client.baseUrl,
        serverVersion: client.serverVersion,
        present: names,
      } satisfies CliResult;
    } catch (error) {
      if (!(error instanceof OllamaError)) throw error;
      return { ...emptyResult(error), baseUrl: client?.baseUrl ?? null };
    }
  },
};

function displayName(name: string): string {
  try {
    return shortModelName(name);
  } catch {
    return sanitizeText(name, { maxLength: 200 });
  }
}
