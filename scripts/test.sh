#!/usr/bin/env bash
# `npm test`: type check, lint, unit + integration tests (vitest, real Postgres and Redis), then
# end-to-end tests (Playwright in Debian Chromium against the whole platform). Prints one
# summary line "tests: N passed, N failed" and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/unit-results.json test-results/heavy-results.json test-results/e2e-results.json
status=0

echo "== type check"
npx tsc --noEmit -p . || status=1

echo "== lint"
npx eslint . || status=1

echo "== unit and integration tests (vitest)"
WH_TESTS=main npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit-results.json || status=1

echo "== image builds, real app installs and npm start (vitest, one file at a time)"
WH_TESTS=heavy npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/heavy-results.json || status=1

if [ "${SKIP_E2E:-0}" != "1" ]; then
  echo "== end-to-end tests (Playwright, Chromium)"
  npx playwright test || status=1
fi

npx tsx scripts/test-summary.ts || status=1
exit $status
