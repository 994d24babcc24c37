/** Reads the vitest and Playwright JSON reports and prints one "tests: N passed, N failed" line. */
import { existsSync, readFileSync } from "node:fs";

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function vitestCounts(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined;
  const r = JSON.parse(readFileSync(file, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
}

function playwrightCounts(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined;
  const r = JSON.parse(readFileSync(file, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number }; errors?: unknown[] };
  const setupErrors = r.errors?.length ?? 0;
  return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected + setupErrors, skipped: r.stats.skipped };
}

const parts = [
  ["unit", vitestCounts("test-results/unit-results.json")],
  ["heavy", vitestCounts("test-results/heavy-results.json")],
  ["e2e", process.env.SKIP_E2E === "1" ? { passed: 0, failed: 0, skipped: 0 } : playwrightCounts("test-results/e2e-results.json")],
] as const;
const total: Counts = { passed: 0, failed: 0, skipped: 0 };
let missing = false;
for (const [name, counts] of parts) {
  if (!counts) {
    console.log(`${name}: no report was written (the runner crashed before reporting)`);
    missing = true;
    continue;
  }
  console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}
if (missing) total.failed += 1;
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
