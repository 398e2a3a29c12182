// Every shell command in README.md and docs/*.md is run by a test. This file finds them all
// (fenced `sh` blocks) and, for each, either runs it here against fake servers, in a scratch
// directory, checking its exit code, or names the script that runs it (CI's, the npm smoke
// test) and checks that script does. A command found in the docs and unknown here fails the
// test: adding one to the docs means saying how it is run. The docs' TypeScript blocks are type
// checked by `deno task check` (`deno check --doc-only`). Runs under Deno (it starts `deno`).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { FakeOllama, type ServedFakeOllama, serveFakeOllama } from "../src/testing/mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const IS_DENO = "Deno" in globalThis;
const DOCS = [
  "README.md",
  ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
];

interface DocCommand {
  file: string;
  line: number;
  command: string;
}

/** The commands of the `sh` blocks: comments dropped, `\` continuations joined. */
export function shellCommands(file: string, markdown: string): DocCommand[] {
  const commands: DocCommand[] = [];
  const lines = markdown.split("\n");
  let inSh = false;
  let pending = "";
  let start = 0;
  lines.forEach((raw, index) => {
    const fence = /^```(\w*)/.exec(raw);
    if (fence) {
      inSh = !inSh && fence[1] === "sh";
      return;
    }
    if (!inSh) return;
    const text = raw.replace(/\s{2,}#.*$/, "").replace(/^\s*#.*$/, "").trim();
    if (text === "" && pending === "") return;
    if (pending === "") start = index + 1;
    if (text.endsWith("\\")) {
      pending += `${text.slice(0, -1).trim()} `;
      return;
    }
    commands.push({ file, line: start, command: `${pending}${text}`.trim() });
    pending = "";
  });
  return commands;
}

/** How a documented command is run. */
type How =
  | { run: { exit: number; rewrite?: (command: string) => string; timeoutMs?: number } }
  | { serve: true }
  | { script: string; contains: string[] }
  | { needsRealOllama: string[] }
  | { denoLink: true };

const FAKE_A = "127.0.0.1:11434";
const FAKE_B = "127.0.0.1:11435";

/** Each documented command, and how it is run. */
const HOW: Record<string, How> = {
  // README.md
  "npx --yes deno@2 run -A examples/demo.ts": { run: { exit: 0, timeoutMs: 120_000 } },
  "deno run --allow-net --allow-env --allow-read src/cli.ts --model llama3 && ./my-app": {
    run: { exit: 0, rewrite: (c) => c.replace("./my-app", "true") },
  },
  "deno run -A src/cli.ts ensure --write-lock --model qwen3:0.6b --host 127.0.0.1:11434": {
    run: { exit: 0 },
  },
  "deno run -A src/cli.ts plan --model qwen3:0.6b --host 127.0.0.1:11434": { run: { exit: 0 } },
  "deno run -A src/cli.ts ensure --locked --warm --model qwen3:0.6b --host 127.0.0.1:11434": {
    run: { exit: 0 },
  },
  "deno run -A src/cli.ts plan --model qwen3:0.6b --model all-minilm --host 127.0.0.1:11434": {
    run: { exit: 0 },
  },
  "deno run -A src/cli.ts outdated --model qwen3:0.6b --host 127.0.0.1:11434": { run: { exit: 0 } },
  "deno run -A src/cli.ts ensure --update --concurrency 2 --model qwen3:0.6b --model all-minilm --host 127.0.0.1:11434 --host 127.0.0.1:11435":
    { run: { exit: 0 } },
  "npm test": { script: ".ci/run", contains: ["npm test"] },
  "bash .ci/run": { script: ".ci/run", contains: ["npm test", "npm_smoke.sh"] },
  "npx --yes deno@2 task bench": { script: "deno.json", contains: ['"bench"', "bench/run.ts"] },
  // docs/cli.md
  "deno run -A src/cli.ts check --model llama3 --host 127.0.0.1:11434": { run: { exit: 0 } },
  "deno run -A src/cli.ts pull qwen3:0.6b --host 127.0.0.1:11434": { run: { exit: 0 } },
  "deno run -A src/cli.ts plan --model qwen3:0.6b --model all-minilm --host 127.0.0.1:11434 --json":
    { run: { exit: 0 } },
  "deno run -A src/cli.ts ensure --model all-minilm --host 127.0.0.1:11434 --host 127.0.0.1:11435":
    { run: { exit: 0 } },
  // docs/testing.md
  "deno run -A src/testing/mod.ts --port 11434 --model llama3": { serve: true },
  // docs/install.md
  "npm pack": { script: "scripts/npm_smoke.sh", contains: ["npm pack"] },
  "npm install /path/to/vtcode-ollama-0.1.0.tgz": {
    script: "scripts/npm_smoke.sh",
    contains: ["npm install", '"$tarball"'],
  },
  "npx vtcode-ollama check --model llama3": {
    script: "scripts/npm_smoke.sh",
    contains: ["vtcode-ollama check", "--model llama3"],
  },
  "npx vtcode-ollama-fake --port 0 --model llama3": {
    script: "scripts/npm_smoke.sh",
    contains: ["vtcode-ollama-fake --port 0 --model llama3"],
  },
  "deno link /path/to/checkout": { denoLink: true },
  "cd /path/to/checkout && bun install": {
    script: "scripts/test.sh",
    contains: ["install --frozen-lockfile"],
  },
  // docs/real-ollama.md: these need a real Ollama server (never in CI); the files they run exist.
  "OLLAMA_CONFORMANCE_URL=http://127.0.0.1:11434 deno test -A tests/conformance/": {
    needsRealOllama: ["tests/conformance/real_ollama.test.ts"],
  },
  "deno run -A tests/conformance/record.ts --url http://127.0.0.1:11434": {
    needsRealOllama: ["tests/conformance/record.ts"],
  },
};

const documented = DOCS.flatMap((file) =>
  shellCommands(file, readFileSync(join(ROOT, file), "utf8"))
);

describe("docs: every shell command is run by a test", () => {
  it("each one is known here (a new one must say how it is run)", () => {
    const unknown = documented.filter((c) => HOW[c.command] === undefined);
    assert.deepEqual(unknown.map((c) => `${c.file}:${c.line}: ${c.command}`), []);
  });

  it("nothing here is stale: every known command is still in the docs", () => {
    const commands = new Set(documented.map((c) => c.command));
    assert.deepEqual(Object.keys(HOW).filter((c) => !commands.has(c)), []);
  });

  for (const [command, how] of Object.entries(HOW)) {
    if ("script" in how) {
      it(`${command}: run by ${how.script}`, () => {
        const text = readFileSync(join(ROOT, how.script), "utf8");
        for (const fragment of how.contains) assert.ok(text.includes(fragment), fragment);
      });
    } else if ("needsRealOllama" in how) {
      it(`${command}: needs a real Ollama (run by hand); what it runs exists`, () => {
        for (const file of how.needsRealOllama) assert.ok(existsSync(join(ROOT, file)), file);
      });
    }
  }
});

describe(
  "docs: the commands that run here",
  { skip: IS_DENO ? false : "runs deno: Deno only" },
  () => {
    const deno = process.execPath;
    let servers: ServedFakeOllama[] = [];
    const scratch = new Map<string, string>();

    before(async () => {
      const fake = () =>
        new FakeOllama({ models: ["llama3"], tickMs: 0, bytesPerSecond: 2_000_000_000 });
      servers = [await serveFakeOllama(fake()), await serveFakeOllama(fake())];
    });
    after(async () => {
      await Promise.all(servers.map((s) => s.close()));
      for (const dir of scratch.values()) rmSync(dir, { recursive: true, force: true });
    });

    /** One scratch directory per doc file: its commands run in order, sharing it (a lock file). */
    const dirFor = (file: string) => {
      let dir = scratch.get(file);
      if (dir === undefined) scratch.set(file, dir = mkdtempSync(join(tmpdir(), "vtcode-docs-")));
      return dir;
    };

    /** The command as this machine runs it: fakes for the documented addresses, absolute paths. */
    const localize = (command: string) => {
      const [a, b] = servers.map((s) => new URL(s.url).host);
      return command
        .replaceAll(FAKE_A, a).replaceAll(FAKE_B, b)
        .replace(/^npx --yes deno@2 /, "deno ")
        .replace(/^deno (run|test)\b/, `"${deno}" $1 --config "${join(ROOT, "deno.json")}"`)
        .replace(
          /(^|\s)((?:src|examples|tests)\/[\w./-]*)/g,
          (_m, space, path) => `${space}"${join(ROOT, path)}"`,
        );
    };

    const env = () => ({
      PATH: `${dirname(deno)}:${process.env.PATH ?? ""}`,
      HOME: process.env.HOME ?? "/tmp",
      ...(process.env.DENO_DIR ? { DENO_DIR: process.env.DENO_DIR } : {}),
      NO_COLOR: "1",
      OLLAMA_HOST: new URL(servers[0].url).host,
      VTCODE_OLLAMA_REGISTRY: "off",
    });

    for (const { file, line, command } of documented) {
      const how = HOW[command];
      if (how === undefined || !("run" in how || "serve" in how || "denoLink" in how)) continue;
      it(`${file}:${line}: ${command}`, async () => {
        const cwd = dirFor(file);
        if ("run" in how) {
          const shell = localize(how.run.rewrite?.(command) ?? command);
          const { code, stderr } = await sh(shell, {
            cwd,
            env: env(),
            timeoutMs: how.run.timeoutMs,
          });
          assert.equal(code, how.run.exit, `${shell}\n${stderr.slice(-1500)}`);
          assert.doesNotMatch(stderr, /internal error|\n {4}at /, stderr.slice(-1500));
        } else if ("serve" in how) {
          const shell = localize(command.replace("--port 11434", "--port 0"));
          const { code, stdout } = await sh(shell, { cwd, env: env(), stopAfterLine: true });
          assert.match(stdout, /^http:\/\/127\.0\.0\.1:\d+\n/);
          assert.equal(code, 0, "a clean exit on SIGTERM");
        } else {
          // deno link: another project imports the checkout by its package name.
          const project = mkdtempSync(join(tmpdir(), "vtcode-docs-link-"));
          try {
            writeFileSync(join(project, "deno.json"), "{}\n");
            writeFileSync(
              join(project, "main.ts"),
              'import { isCloudModel } from "@vtcode/ollama";\n' +
                'import { FakeOllama } from "@vtcode/ollama/testing";\n' +
                'if (!isCloudModel("x:cloud") || !new FakeOllama()) throw new Error("not linked");\n',
            );
            const link = await sh(`"${deno}" link "${ROOT}"`, { cwd: project, env: env() });
            assert.equal(link.code, 0, link.stderr);
            const run = await sh(`"${deno}" run main.ts`, { cwd: project, env: env() });
            assert.equal(run.code, 0, run.stderr);
          } finally {
            rmSync(project, { recursive: true, force: true });
          }
        }
      });
    }
  },
);

/** Runs a shell command; with `stopAfterLine`, sends SIGTERM once stdout has a line. */
function sh(
  command: string,
  options: {
    cwd: string;
    env: Record<string, string>;
    timeoutMs?: number;
    stopAfterLine?: boolean;
  },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", `exec ${command}`], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.stdout.setEncoding("utf8").on("data", (data: string) => {
      stdout += data;
      if (options.stopAfterLine && stdout.includes("\n")) process.kill(child.pid!, "SIGTERM");
    });
    child.stderr.setEncoding("utf8").on("data", (data: string) => (stderr += data));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
