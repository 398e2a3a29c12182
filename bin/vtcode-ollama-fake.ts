#!/usr/bin/env node
// The npm package's `vtcode-ollama-fake` command (package.json "bin"): the fake Ollama server,
// as `deno run -A src/testing/mod.ts` runs it.
import { main } from "../src/testing/standalone.ts";

await main();
