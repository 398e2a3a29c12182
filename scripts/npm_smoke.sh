#!/usr/bin/env bash
# The npm package as a Node user gets it: `npm pack` (prepack compiles dist/ with tsc), install
# the tarball into an empty directory (smol-toml comes from the registry), then
#   - the `vtcode-ollama` bin: --help, check (present: 0, missing: 4), --json, ensure with a pull;
#   - the `vtcode-ollama-fake` bin, in the background: the URL it prints, SIGTERM, a clean exit;
#   - scripts/node_smoke.mjs, which imports the package by name and runs the library against the
#     fake in its own process;
#   - the type declarations, compiled against by a TypeScript consumer (module NodeNext).
# Needs only Node and npm. Leaves nothing behind but the npm cache.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/vtcode-ollama-npm.XXXXXX")
fake_pid=""
cleanup() {
  if [ -n "$fake_pid" ]; then kill -KILL -- "-$fake_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

started=$SECONDS
step() { echo "== $1 ($((SECONDS - started)) s)"; }
fail() {
  echo "FAIL  $1"
  for log in "$work"/*.log; do [ -s "$log" ] && { echo "--- $(basename "$log")"; tail -n 40 "$log"; }; done
  exit 1
}

step "npm pack (node $(node --version), npm $(npm --version))"
npm pack --pack-destination "$work" >"$work/pack.log" 2>&1 || fail "npm pack"
tarball=$(ls "$work"/*.tgz)
grep -E "package size|unpacked size|total files" "$work/pack.log" | sed 's/^npm notice /  /'

step "npm install the tarball into an empty directory"
app="$work/app"
mkdir "$app"
cd "$app"
npm install --no-audit --no-fund --loglevel=error "$tarball" >"$work/install.log" 2>&1 ||
  fail "npm install $tarball"

# `npx --no --`: the bins of the installed package, never anything fetched from the registry.
expect_exit() {
  local want=$1 name=$2
  shift 2
  set +e
  "$@" >"$work/run.out" 2>"$work/run.log"
  local got=$?
  set -e
  [ "$got" -eq "$want" ] || fail "$name: exit $got, expected $want"
  echo "ok    $name: exit $got"
}

step "vtcode-ollama bin"
expect_exit 0 "vtcode-ollama --help" npx --no -- vtcode-ollama --help
grep -q "Usage" "$work/run.out" "$work/run.log" || fail "--help printed no usage"

# In a process group of its own (set -m): `npx` (npm exec -> sh -> node) does not pass SIGTERM
# on to the server, so the server is stopped through its group, as Ctrl-C in a terminal does.
set -m
npx --no -- vtcode-ollama-fake --port 0 --model llama3 --tick-ms 0 \
  >"$work/fake.out" 2>"$work/fake.log" &
fake_pid=$!
set +m
for _ in $(seq 100); do
  [ -s "$work/fake.out" ] && break
  kill -0 "$fake_pid" 2>/dev/null || fail "vtcode-ollama-fake exited before printing its URL"
  sleep 0.1
done
url=$(head -n 1 "$work/fake.out")
[[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || fail "vtcode-ollama-fake printed no URL (got '$url')"
echo "ok    vtcode-ollama-fake --port 0: $url"

expect_exit 0 "check, model present" npx --no -- vtcode-ollama check --host "$url" --model llama3
expect_exit 4 "check, model missing" npx --no -- vtcode-ollama check --host "$url" --model tinyllama
expect_exit 4 "check --json" \
  npx --no -- vtcode-ollama check --host "$url" --model llama3 --model tinyllama --json
node -e '
  const lines = require("node:fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
  const result = JSON.parse(lines.at(-1));
  const want = { type: "result", ok: false, exit_code: 4, present: ["llama3:latest"],
    missing: ["tinyllama:latest"], error: "model_missing" };
  const got = { ...result, error: result.error?.code };
  for (const [key, value] of Object.entries(want)) {
    if (JSON.stringify(got[key]) !== JSON.stringify(value)) {
      console.error(`--json result: ${key} is ${JSON.stringify(got[key])}, not ${JSON.stringify(value)}`);
      process.exit(1);
    }
  }
' "$work/run.out" || fail "check --json: the last line is not the expected result"
echo "ok    check --json: the last line is the result"
expect_exit 0 "ensure pulls all-minilm" npx --no -- vtcode-ollama ensure --host "$url" --model all-minilm
expect_exit 0 "list" npx --no -- vtcode-ollama list --host "$url"
[ "$(sort "$work/run.out" | tr '\n' ' ')" = "all-minilm:latest llama3:latest " ] ||
  fail "list printed: $(cat "$work/run.out")"
# The v2 commands on Node too (no registry is asked: the fake's catalog is in none).
export VTCODE_OLLAMA_REGISTRY=off
expect_exit 0 "plan" npx --no -- vtcode-ollama plan --host "$url" --model llama3 --model qwen3:0.6b
expect_exit 0 "outdated" npx --no -- vtcode-ollama outdated --host "$url" --model llama3
expect_exit 0 "ensure --write-lock" \
  npx --no -- vtcode-ollama ensure --host "$url" --model llama3 --write-lock --lock "$work/ollama.lock"
expect_exit 0 "ensure --locked --warm" \
  npx --no -- vtcode-ollama ensure --host "$url" --model llama3 --locked --warm --lock "$work/ollama.lock"
expect_exit 6 "ensure --locked, a model not in the lock" \
  npx --no -- vtcode-ollama ensure --host "$url" --model all-minilm --locked --lock "$work/ollama.lock"
unset VTCODE_OLLAMA_REGISTRY

step "node_smoke.mjs: the library by name, against the fake in its own process"
cp "$repo/scripts/node_smoke.mjs" "$app/"
node node_smoke.mjs >"$work/smoke.log" 2>&1 || fail "node_smoke.mjs"
sed 's/^/  /' "$work/smoke.log"

step "the type declarations, from a TypeScript consumer (NodeNext)"
cat >"$app/consumer.ts" <<'EOF'
import { ensureOllamaReady, OllamaClient, type StartupReport } from "@vtcode/ollama";
import { FakeOllama, serveFakeOllama } from "@vtcode/ollama/testing";
import { runCli } from "@vtcode/ollama/cli";

const fake = new FakeOllama({ models: ["llama3"], tickMs: 0 });
const server = await serveFakeOllama(fake);
const client: OllamaClient = await OllamaClient.tryFromBaseUrl(server.url);
const report: StartupReport = await ensureOllamaReady({ baseUrl: server.url, models: ["llama3"] });
const code: number = await runCli(["--version"], {
  stdout: () => {},
  stderr: { write: () => {}, isTerminal: false, columns: 80 },
  env: {},
  cwd: ".",
});
console.log(client.serverVersion, report.ok, code);
await server.close();
EOF
cat >"$app/tsconfig.json" <<EOF
{
  "compilerOptions": {
    "strict": true, "noEmit": true, "target": "ES2022",
    "module": "NodeNext", "moduleResolution": "NodeNext",
    "types": ["node"], "typeRoots": ["$repo/scripts/toolchain/node_modules/@types"]
  },
  "files": ["consumer.ts"]
}
EOF
node -e '
  const fs = require("node:fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  fs.writeFileSync("package.json", JSON.stringify({ ...pkg, type: "module" }, null, 2));
'
node "$repo/scripts/toolchain/node_modules/typescript/bin/tsc" -p tsconfig.json >"$work/tsc.log" 2>&1 ||
  fail "tsc against the package's declarations"
echo "ok    consumer.ts compiles against @vtcode/ollama, ./testing and ./cli"

step "stop vtcode-ollama-fake with SIGTERM"
kill -TERM -- "-$fake_pid"
for _ in $(seq 100); do
  kill -0 -- "-$fake_pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 -- "-$fake_pid" 2>/dev/null && fail "vtcode-ollama-fake still running 10 s after SIGTERM"
fake_pid=""
grep -q "closed after" "$work/fake.log" || fail "vtcode-ollama-fake did not close cleanly"
echo "ok    vtcode-ollama-fake: $(grep "closed after" "$work/fake.log" | sed 's/^vtcode-ollama-fake: //')"

echo "npm package smoke test passed in $((SECONDS - started)) s"
