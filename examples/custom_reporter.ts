// A custom progress reporter: one log line per layer when it completes, and a summary.
// Runs against the embedded fake server, so it works anywhere:
//
//   deno run -A examples/custom_reporter.ts        or        bun examples/custom_reporter.ts
import {
  formatBytes,
  OllamaClient,
  type OllamaPullEvent,
  type OllamaPullProgressReporter,
  sanitizeText,
} from "../mod.ts";
import { FakeOllama, serveFakeOllama } from "../src/testing/mod.ts";
import process from "node:process";
import { parseArgs } from "node:util";

try {
  parseArgs({ args: process.argv.slice(2), options: {}, strict: true });
} catch (error) {
  console.error((error as Error).message.replace(/\. To specify .*$/s, ""));
  console.error("usage: custom_reporter.ts (it takes no arguments)");
  process.exit(2);
}

/**
 * Logs each layer once, when the server first names it, and the total at the end. (A layer's
 * last line may show `completed < total`: Ollama does not always send a final tick, so "seen"
 * is the reliable moment, not "completed".)
 */
class LayerLogReporter implements OllamaPullProgressReporter {
  readonly #sizes = new Map<string, number>();

  onEvent(event: OllamaPullEvent, model: string): void {
    switch (event.type) {
      case "status":
        console.log(`${model}: ${sanitizeText(event.status)}`);
        break;
      case "chunk_progress":
        if (!this.#sizes.has(event.digest)) {
          const size = event.total === undefined ? "size unknown" : formatBytes(event.total);
          console.log(`${model}: layer ${event.digest.slice(7, 19)} (${size})`);
        }
        this.#sizes.set(event.digest, event.total ?? 0);
        break;
      case "retry":
        console.log(`${model}: retrying (${event.attempt}/${event.maxAttempts})`);
        break;
      case "error":
        console.log(`${model}: server error: ${sanitizeText(event.message)}`);
        break;
      case "success":
        break;
    }
  }

  finish(model: string, outcome: "success" | "error" | "aborted"): void {
    const bytes = [...this.#sizes.values()].reduce((sum, size) => sum + size, 0);
    console.log(`${model}: ${outcome}, ${this.#sizes.size} layers, ${formatBytes(bytes)}`);
  }
}

const fake = new FakeOllama({ tickMs: 0 });
const server = await serveFakeOllama(fake);
try {
  const client = await OllamaClient.tryFromBaseUrl(server.url);
  await client.pullModel("tinyllama", { reporter: new LayerLogReporter() });
} finally {
  await server.close();
}
