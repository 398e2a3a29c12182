#!/usr/bin/env bash
# The whole test suite under Deno and under Bun. Fails if either fails.
# Needs only Node and npm: Deno and Bun come from npm on first use.
set -uo pipefail
cd "$(dirname "$0")/.."

deno_cmd=${DENO:-"npx --yes deno@2"}
bun_cmd=${BUN:-"npx --yes bun@1"}
logs=$(mktemp -d)

echo "== deno test"
$deno_cmd task test 2>&1 | tee "$logs/deno.log"
deno_status=${PIPESTATUS[0]}

echo "== bun test"
# Bun resolves smol-toml from node_modules; the lockfile pins it.
$bun_cmd install --frozen-lockfile >"$logs/bun-install.log" 2>&1 || { cat "$logs/bun-install.log"; exit 1; }
$bun_cmd test --timeout 30000 tests/ examples/ 2>&1 | tee "$logs/bun.log"
bun_status=${PIPESTATUS[0]}

# One summary line per runner, in the plain "N passed, N failed" form.
strip() { sed -e 's/\x1b\[[0-9;]*m//g' "$1"; }
# Deno counts a describe() as a test and its it()s as steps: count leaf results instead (every
# "... ok" line, less the describe() lines that opened a group).
deno_ok=$(strip "$logs/deno.log" | grep -Ec ' \.\.\. ok( |$)')
deno_groups=$(strip "$logs/deno.log" | grep -Ec '^[^ ].* \.\.\.$')
deno_passed=$(( deno_ok - deno_groups ))
deno_failed=$(strip "$logs/deno.log" | grep -Eo '\| [0-9]+ failed( \([0-9]+ steps?\))?' | tail -1 | grep -Eo '[0-9]+' | tail -1)
bun_passed=$(strip "$logs/bun.log" | grep -Eo '^ *[0-9]+ pass$' | tail -1 | tr -dc '0-9')
bun_failed=$(strip "$logs/bun.log" | grep -Eo '^ *[0-9]+ fail$' | tail -1 | tr -dc '0-9')
echo
echo "deno: ${deno_passed:-0} passed, ${deno_failed:-0} failed (exit $deno_status)"
echo "bun: ${bun_passed:-0} passed, ${bun_failed:-0} failed (exit $bun_status)"
total_passed=$(( ${deno_passed:-0} + ${bun_passed:-0} ))
total_failed=$(( ${deno_failed:-0} + ${bun_failed:-0} ))
if [ "$deno_status" -ne 0 ] || [ "$bun_status" -ne 0 ]; then
  [ "$total_failed" -eq 0 ] && total_failed=1
  echo "total: $total_passed passed, $total_failed failed"
  exit 1
fi
echo "total: $total_passed passed, $total_failed failed"
