#!/usr/bin/env node
// The npm package's `vtcode-ollama` command (package.json "bin"). Node 20 has no
// `import.meta.main` for src/cli.ts to test, so this shim starts the command line itself.
import { main } from "../src/cli.ts";

await main();
