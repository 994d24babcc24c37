#!/usr/bin/env bash
# `npm test`: type check, lint, unit + integration tests (vitest, real Postgres and Redis), the
# heavy set, the whole-platform fault suite (docs/reliability.md), then end-to-end tests
# (Playwright in Debian Chromium against the whole platform). Prints one summary line
# "tests: N passed, N failed" and exits non-zero if anything failed. Each stage's
# exit status goes to the summary (scripts/test-summary.ts), so a stage that fails without a
# failed test (a type error, a lint error, a failed hook, an unhandled error) is named there.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/unit-results.json test-results/heavy-results.json test-results/faults-results.json test-results/e2e-results.json
status=0

echo "== type check"
npx tsc --noEmit -p .
export WH_STATUS_TYPES=$?

echo "== lint"
npx eslint .
export WH_STATUS_LINT=$?

echo "== unit and integration tests (vitest)"
WH_TESTS=main npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit-results.json
export WH_STATUS_UNIT=$?

echo "== image builds, real app installs and npm start (vitest, one file at a time)"
WH_TESTS=heavy npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/heavy-results.json
export WH_STATUS_HEAVY=$?

if [ "${SKIP_FAULTS:-0}" != "1" ]; then
  echo "== whole-platform faults: each part killed while a user works (vitest, alone)"
  WH_TESTS=faults npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/faults-results.json
  export WH_STATUS_FAULTS=$?
fi

if [ "${SKIP_E2E:-0}" != "1" ]; then
  echo "== end-to-end tests (Playwright, Chromium)"
  npx playwright test
  export WH_STATUS_E2E=$?
fi

npx tsx scripts/test-summary.ts || status=1
exit $status
