// A Bun script for CI or a Dockerfile: make sure the models exist, then start the app.
//
//   bun examples/bun_ensure_models.ts --model llama3 --model qwen3:0.6b -- bun run server.ts
//
// Without a command after `--`, it only ensures the models. The exit code is the contract's
// (0 ready, 3 server down, 4 missing and not pulled, 5 pull failed), or the app's own.
import { parseArgs } from "node:util";
import { CliPullProgressReporter, ensureOllamaReady, loadOllamaConfig } from "../mod.ts";

const dash = Bun.argv.indexOf("--");
const own = dash === -1 ? Bun.argv.slice(2) : Bun.argv.slice(2, dash);
const app = dash === -1 ? [] : Bun.argv.slice(dash + 1);
let values;
try {
  ({ values } = parseArgs({
    args: own,
    options: { model: { type: "string", multiple: true }, config: { type: "string" } },
    strict: true,
  }));
} catch (error) {
  // A usage error exits 2, as the command line does, with the message instead of a stack trace.
  console.error((error as Error).message.replace(/\. To specify .*$/s, ""));
  console.error(
    "usage: bun examples/bun_ensure_models.ts [--model NAME]... [--config PATH] [-- COMMAND...]",
  );
  process.exit(2);
}

const { config } = await loadOllamaConfig({ path: values.config, cwd: process.cwd() });
const report = await ensureOllamaReady(
  { ...config, models: [...config.models, ...(values.model ?? [])] },
  {
    env: {
      OLLAMA_HOST: Bun.env.OLLAMA_HOST,
      OLLAMA_BASE_URL: Bun.env.OLLAMA_BASE_URL,
      OLLAMA_API_KEY: Bun.env.OLLAMA_API_KEY,
    },
    reporter: new CliPullProgressReporter({
      sink: {
        write: (text) => void process.stderr.write(text),
        isTerminal: process.stderr.isTTY === true,
        columns: process.stderr.columns,
      },
    }),
    onLog: ({ message }) => console.error(message),
    // As the command line: VTCODE_OLLAMA_REGISTRY=off never asks a registry (offline CI).
    registry: Bun.env.VTCODE_OLLAMA_REGISTRY === "off" ? false : undefined,
  },
);
if (!report.ok) {
  console.error(`Ollama is not ready: ${report.error?.message}`);
  process.exit(report.exitCode);
}
console.error(
  `Ollama ready: ${[...report.present, ...report.pulled].join(", ") || "(no models required)"}`,
);
if (app.length > 0) {
  const child = Bun.spawn(app, { stdio: ["inherit", "inherit", "inherit"] });
  process.exit(await child.exited);
}
