#!/usr/bin/env bash
# The test command (`npm test`): install what is missing, type-check, check the exported
# schemas are fresh, then run every test. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== type check" >&2
node node_modules/typescript/bin/tsc -p .
echo "== tests" >&2
exec node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json=vitest.json "$@"
