#!/bin/sh
# A CI step for an app that needs Ollama models (GitHub Actions, GitLab CI, a Dockerfile): say
# what `ensure` would download, then make the models ready at exactly the versions recorded in
# ollama.lock and load them into memory, or fail the job with the command line's exit code.
#
#   OLLAMA_HOST=127.0.0.1:11434 sh examples/ci_ensure.sh
#   sh examples/ci_ensure.sh --host gpu-1:11434 --host gpu-2:11434 --model llama3
#
# The models come from the [ollama] table of ./vtcode.toml (and any --model); the lock is
# ollama.lock beside it. Record the lock once, where the models are as they should be, and
# commit it:
#
#   deno run -A jsr:@vtcode/ollama/cli ensure --write-lock
#
# OLLAMA_CLI says how to run the command line (default: Deno, from JSR; `npx vtcode-ollama`
# works too). Exit codes: 0 ready, 3 server down, 4 a model not pullable, 5 a pull failed,
# 6 the lock does not match, 7 a model could not be loaded.
set -u

OLLAMA_CLI=${OLLAMA_CLI:-"deno run --allow-net --allow-env --allow-read jsr:@vtcode/ollama/cli"}

# 1. What would ensure do? It never pulls: exit 4 when a required model would not be pulled
#    (outside the whitelist, auto_pull = false), 3 when a server is not there.
$OLLAMA_CLI plan "$@"
status=$?
if [ "$status" -ne 0 ]; then
  echo "ci_ensure: plan failed (exit $status); nothing was pulled" >&2
  exit "$status"
fi

# 2. Pull what is missing, insist on the locked digests, then load each model.
$OLLAMA_CLI ensure --locked --warm "$@"
status=$?
case $status in
  0) echo "ci_ensure: Ollama is ready" >&2 ;;
  6) echo "ci_ensure: the models do not match ollama.lock; where they are right, run" \
    "\`ensure --write-lock\` and commit the lock" >&2 ;;
  7) echo "ci_ensure: a model could not be loaded (not enough memory?)" >&2 ;;
  *) echo "ci_ensure: ensure failed (exit $status)" >&2 ;;
esac
exit "$status"
