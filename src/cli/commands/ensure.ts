/**
 * `ensure` (the default command) and `check`: health-check the server, find which required
 * models are missing, pull them when `ensure` may (auto_pull, whitelist), confirm they are
 * listed. `check` never pulls.
 *
 * @module
 */

import { ModelMissingError } from "../../errors/model_missing_error.ts";
import type { OllamaError } from "../../errors/ollama_error.ts";
import { ensureOllamaReady, type StartupReport } from "../../startup.ts";
import { missingModelAdvice, type NoPullCause, noPullReason } from "../advice.ts";
import type { CliCommand, CliResult, CommandContext } from "../command.ts";
import { ollamaEnv } from "../env.ts";

/** `ensure`: make the required models present, pulling what policy allows. */
export const ensureCommand: CliCommand = {
  name: "ensure",
  summary: "health-check the server, find which required models are missing,\n" +
    "pull them (subject to auto_pull and whitelist), then confirm they are listed",
  accepts: ["model", "no-pull", "tui"],
  operandHint: "name required models with --model NAME",
  run: (context) => ensure(context, false),
};

/** `check`: report present and missing required models; never pulls. */
export const checkCommand: CliCommand = {
  name: "check",
  summary: "health-check and report present/missing required models; never pulls",
  accepts: ["model", "no-pull"],
  operandHint: "name required models with --model NAME",
  run: (context) => ensure(context, true),
};

async function ensure(context: CommandContext, check: boolean): Promise<CliResult> {
  const { config, flags, output } = context;
  const cause: NoPullCause = {
    check,
    noPull: flags.noPull,
    autoPullOff: !config.autoPull,
    configSource: context.configSource,
  };
  const report = await ensureOllamaReady(
    { ...config, autoPull: config.autoPull && !flags.noPull && !check },
    {
      env: ollamaEnv(context.env),
      host: flags.host,
      signal: context.signal,
      reporter: output.reporter(),
      // Warnings are about the outcome, which is said once at the end: only progress here.
      onLog: (entry) =>
        entry.level === "info"
          ? output.info(entry.message)
          : output.event({ type: "log", level: entry.level, message: entry.message }),
      noPullReason: noPullReason(cause),
    },
  );
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
  return fromReport(report, withAdvice(report.error, cause));
}

/** The hook's missing-model error, with advice that fits the command and the config. */
function withAdvice(error: OllamaError | null, cause: NoPullCause): OllamaError | null {
  if (!(error instanceof ModelMissingError)) return error;
  return new ModelMissingError(error.models, error.why, {
    advice: missingModelAdvice(error.models, cause),
    cause: error.cause,
  });
}

function fromReport(report: StartupReport, error: OllamaError | null): CliResult {
  return {
    baseUrl: report.baseUrl || null,
    serverVersion: report.serverVersion,
    present: report.present,
    pulled: report.pulled,
    missing: report.missing,
    error,
  };
}
