// The house rules, pinned: no import circle among the modules of src/ (a type import counts: it
// is still an arrow back up), and no room in src/ that has grown past what one reader holds.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SRC = join(ROOT, "src");
/** "About 600 lines" (issue 11), with room for a file's last JSDoc. */
const MAX_LINES = 650;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** The modules a file imports or re-exports statically (comments, and their examples, aside). */
function staticImports(file: string): string[] {
  const code = readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const found: string[] = [];
  for (const match of code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g)) {
    found.push(normalize(join(dirname(file), match[1])));
  }
  return found;
}

describe("the house", () => {
  const files = sources(SRC);

  it("has no import circle in src/", () => {
    const graph = new Map(files.map((file) => [normalize(file), staticImports(file)]));
    const state = new Map<string, "open" | "done">();
    const circles: string[] = [];
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === "open") {
          circles.push(
            [...stack.slice(stack.indexOf(next)), next].map((f) => relative(ROOT, f)).join(" -> "),
          );
        } else if (state.get(next) === undefined) visit(next);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
    assert.deepEqual(circles, []);
  });

  it(`keeps every file in src/ under ${MAX_LINES} lines`, () => {
    const big = files
      .map((file) => [relative(ROOT, file), readFileSync(file, "utf8").split("\n").length] as const)
      .filter(([, lines]) => lines > MAX_LINES);
    assert.deepEqual(big, []);
  });

  it("finds the imports it checks (the checker itself works)", () => {
    const client = staticImports(join(SRC, "client.ts")).map((f) => relative(SRC, f));
    assert.ok(client.includes("transport.ts"), client.join(", "));
    assert.ok(client.includes("pull.ts"), client.join(", "));
  });
});
