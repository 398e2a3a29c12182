// A startup check before an app that needs local models, with the narrowest permissions:
//
//   deno run --allow-net=127.0.0.1:11434 --allow-env=OLLAMA_HOST,OLLAMA_BASE_URL,OLLAMA_API_KEY \
//     --allow-read=vtcode.toml examples/deno_startup_check.ts
//
// It reads ./vtcode.toml when there is one, makes the configured models ready (pulling what the
// config allows, with live progress), prints one line per model, and exits with the contract's
// code, so `deno run … && ./start-my-app` starts the app only when Ollama is ready.
import { parseArgs } from "node:util";
import { CliPullProgressReporter, ensureOllamaReady, loadOllamaConfig } from "../mod.ts";

try {
  parseArgs({ args: Deno.args, options: {}, strict: true });
} catch (error) {
  console.error((error as Error).message.replace(/\. To specify .*$/s, ""));
  console.error("usage: deno run [PERMISSIONS] examples/deno_startup_check.ts (no arguments)");
  Deno.exit(2);
}

const { config } = await loadOllamaConfig({ cwd: Deno.cwd() });
const encoder = new TextEncoder();
const report = await ensureOllamaReady(config, {
  env: {
    OLLAMA_HOST: Deno.env.get("OLLAMA_HOST"),
    OLLAMA_BASE_URL: Deno.env.get("OLLAMA_BASE_URL"),
    OLLAMA_API_KEY: Deno.env.get("OLLAMA_API_KEY"),
  },
  reporter: new CliPullProgressReporter({
    sink: {
      write: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
      isTerminal: Deno.stderr.isTerminal(),
      columns: Deno.stderr.isTerminal() ? Deno.consoleSize().columns : 80,
    },
    color: Deno.stderr.isTerminal() && !Deno.env.get("NO_COLOR"),
  }),
  onLog: ({ level, message }) => console.error(`${level === "warn" ? "!" : "•"} ${message}`),
});

for (const model of report.present) console.error(`present  ${model}`);
for (const model of report.pulled) console.error(`pulled   ${model}`);
for (const model of report.missing) console.error(`MISSING  ${model}`);
if (!report.ok) console.error(`not ready: ${report.error?.message}`);
Deno.exit(report.exitCode);
