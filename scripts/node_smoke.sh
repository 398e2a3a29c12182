#!/usr/bin/env bash
# The core on plain Node: bundles mod.ts and src/testing/mod.ts with Bun (target node, ESM,
# smol-toml bundled in) into a temporary directory, then runs scripts/node_smoke.mjs on `node`
# against the fake Ollama server. Needs only Node and npm (Bun comes from npm), and the
# node_modules that `npm test` (bun install --frozen-lockfile) creates. Leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."

bun_cmd=${BUN:-"npx --yes bun@1"}
node_cmd=${NODE:-node}

out=$(mktemp -d "${TMPDIR:-/tmp}/vtcode-ollama-node.XXXXXX")
trap 'rm -rf "$out"' EXIT

if [ ! -d node_modules/smol-toml ]; then
  $bun_cmd install --frozen-lockfile >"$out/bun-install.log" 2>&1 || {
    cat "$out/bun-install.log"
    exit 1
  }
fi

# --splitting: the two entry points share one copy of the modules both import, as in the package.
$bun_cmd build mod.ts src/testing/mod.ts --target=node --format=esm --splitting \
  --outdir "$out/bundle" >"$out/build.log" 2>&1 || {
  cat "$out/build.log"
  exit 1
}

echo "== node smoke test ($($node_cmd --version), bundle by bun $($bun_cmd --version))"
$node_cmd scripts/node_smoke.mjs "$out/bundle"
