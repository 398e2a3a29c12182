/**
 * `pull MODEL...`: pull the named models, one after another, even when present (the whitelist
 * still applies). Aliases of one model (`qwen3:8b`, `QWEN3:8B`, `library/qwen3:8b`) are pulled
 * once. A failed model does not stop the others; the first pull failure decides the exit code,
 * and every failure is said once.
 *
 * @module
 */

import type { OllamaClient } from "../../client.ts";
import { InterruptedError } from "../../errors/interrupted_error.ts";
import { NotWhitelistedError } from "../../errors/not_whitelisted_error.ts";
import { OllamaError } from "../../errors/ollama_error.ts";
import { isModelAllowed, normalizeModelName, shortModelName } from "../../names.ts";
import { type CliCommand, type CliResult, emptyResult } from "../command.ts";
import { connect, FLEET_HINT } from "../connect.ts";

/** `pull MODEL...`: pull the named models. */
export const pullCommand: CliCommand = {
  name: "pull",
  usage: "pull MODEL...",
  summary: "pull the named models (whitelist still enforced when one is configured)",
  accepts: ["tui"],
  refuses: {
    model: "give the models as arguments, as many as you like: `pull A B`",
    "no-pull": "pull always pulls; use `check` to see what is missing",
  },
  operands: { name: "model name", min: 1, example: "pull llama3", models: true },
  singleHost: FLEET_HINT,
  async run(context) {
    const { config, output } = context;
    let client: OllamaClient | undefined;
    const result: CliResult = emptyResult(null);
    const failures: OllamaError[] = [];
    const wanted = distinct(context.flags.operands);
    try {
      client = await connect(context, (created) => client = created);
      result.baseUrl = client.baseUrl;
      result.serverVersion = client.serverVersion;
      const reporter = output.reporter();
      for (const [index, { name, short }] of wanted.entries()) {
        try {
          if (!isModelAllowed(name, config.whitelist)) {
            throw new NotWhitelistedError(short, config.whitelist ?? []);
          }
          output.info(`Pulling ${short}`);
          await client.pullModel(name, { reporter, signal: context.signal });
          output.info(`Pulled ${short}`);
          result.pulled.push(short);
          output.event({ type: "model", model: short, status: "pulled" });
        } catch (error) {
          if (!(error instanceof OllamaError)) throw error;
          result.missing.push(short);
          output.event({ type: "model", model: short, status: "missing" });
          if (error instanceof InterruptedError) {
            result.missing.push(...wanted.slice(index + 1).map((model) => model.short));
            return { ...result, error, otherErrors: failures };
          }
          failures.push(error);
        }
      }
    } catch (error) {
      if (!(error instanceof OllamaError)) throw error;
      return { ...result, baseUrl: client?.baseUrl ?? null, error };
    }
    // The first pull failure decides the exit code (5 beats a refusal's 4); each is said once.
    const decisive = failures.find((error) => error.code === "pull_failed") ?? failures[0];
    if (decisive === undefined) return result;
    return {
      ...result,
      error: decisive,
      otherErrors: failures.filter((error) => error !== decisive),
    };
  },
};

/** The models to pull, each once: aliases of one model keep the first spelling. */
function distinct(names: readonly string[]): { name: string; short: string }[] {
  const seen = new Set<string>();
  const models: { name: string; short: string }[] = [];
  for (const name of names) {
    const key = normalizeModelName(name);
    if (seen.has(key)) continue;
    seen.add(key);
    models.push({ name, short: shortModelName(name) });
  }
  return models;
}
