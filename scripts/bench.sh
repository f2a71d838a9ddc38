#!/usr/bin/env bash
# The benchmark command (`npm run bench -- [name...] [--quick]`): install what is missing, then run
# the suite (bench/run.ts). Results: bench/results/<name>.json. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node node_modules/tsx/dist/cli.mjs bench/run.ts "$@"
