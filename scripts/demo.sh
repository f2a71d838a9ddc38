#!/usr/bin/env bash
# `npm run demo`: install what is missing, then play the BookInfo story against the simulated world.
# Extra arguments go to `siskin demo` (e.g. `npm run demo -- --keep`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node node_modules/tsx/dist/cli.mjs sim/cli/main.ts demo "$@"
