/**
 * What to tell a user whose required models are missing and were not pulled: why, and what to
 * do, fitted to the command and the config that decided it. Pure.
 *
 * @module
 */

/** What kept the models from being pulled. */
export interface NoPullCause {
  /** The command was `check`, which never pulls. */
  check: boolean;
  /** `--no-pull` was given. */
  noPull: boolean;
  /** `auto_pull = false` in the config file. */
  autoPullOff: boolean;
  /** The config file, when there is one. */
  configSource: string | undefined;
}

/**
 * Why missing models were not pulled, in a few words: `check never pulls`.
 *
 * @param cause What kept them from being pulled.
 * @returns The reason.
 */
export function noPullReason(cause: NoPullCause): string {
  if (cause.check) return "check never pulls";
  const reasons: string[] = [];
  if (cause.noPull) reasons.push("--no-pull was given");
  if (cause.autoPullOff) reasons.push(`auto_pull = false in ${cause.configSource ?? "the config"}`);
  return reasons.join(", and ") || "auto_pull is off";
}

/**
 * What to do about missing models: the command that would pull them, or the `ollama pull`
 * commands with the real names (Ollama's `pull` takes one name at a time).
 *
 * @param models The missing models, short form.
 * @param cause What kept them from being pulled.
 * @returns One or two sentences.
 */
export function missingModelAdvice(models: readonly string[], cause: NoPullCause): string {
  const them = models.length === 1 ? "it" : "them";
  const byHand = listed(models.map((model) => `\`ollama pull ${model}\``));
  if (cause.check) return `Run \`ensure\` to pull ${them}, or pull by hand: ${byHand}.`;
  const steps: string[] = [];
  if (cause.noPull) steps.push("run without --no-pull");
  if (cause.autoPullOff) {
    steps.push(`set auto_pull = true in ${cause.configSource ?? "the [ollama] config"}`);
  }
  if (steps.length === 0) return `Pull ${them} by hand: ${byHand}.`;
  const first = steps.join(" and ");
  return `${first.charAt(0).toUpperCase()}${first.slice(1)} to pull ${them}, ` +
    `or pull by hand: ${byHand}.`;
}

function listed(items: readonly string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
