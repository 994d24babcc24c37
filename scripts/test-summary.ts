/**
 * Reads the vitest and Playwright JSON reports and prints one "tests: N passed, N failed" line,
 * after the name and first error lines of each failed test (CI keeps only the output's tail).
 * scripts/test.sh passes each stage's exit status (WH_STATUS_*): a stage that exited non-zero
 * with no failed test in its report (a type or lint error, a failed hook, an unhandled error,
 * a file that failed to load) is named and counted as one failure, so the line never says
 * "0 failed" for a run that failed.
 */
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";

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
    numFailedTestSuites: number;
  };
  // A suite whose hook failed, or a file that failed to load, fails with no failed test in it.
  const failed = r.numFailedTests > 0 ? r.numFailedTests : Math.min(r.numFailedTestSuites, 1);
  return { passed: r.numPassedTests, failed, skipped: r.numPendingTests + r.numTodoTests };
}

function playwrightCounts(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined;
  const r = JSON.parse(readFileSync(file, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number }; errors?: unknown[] };
  const setupErrors = r.errors?.length ?? 0;
  return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected + setupErrors, skipped: r.stats.skipped };
}

/** Terminal colours out, at most `lines` lines of an error message. */
function firstLines(message: string, lines = 6): string[] {
  const plain = message.replace(/\u001b\[[0-9;]*m/g, "");
  return plain
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "")
    .slice(0, lines)
    .map((l) => `      ${l.slice(0, 240)}`);
}

interface VitestReport {
  testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string; failureMessages?: string[] }[] }[];
}

function vitestFailures(stage: string, file: string): string[] {
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, "utf8")) as VitestReport;
  const out: string[] = [];
  for (const result of report.testResults) {
    const where = relative(process.cwd(), result.name);
    const failed = result.assertionResults.filter((a) => a.status === "failed");
    for (const test of failed) out.push(`  ${stage} ✗ ${where} › ${test.fullName}`, ...firstLines(test.failureMessages?.[0] ?? ""));
    if (failed.length === 0 && result.status === "failed") out.push(`  ${stage} ✗ ${where} (the file failed outside its tests)`, ...firstLines(result.message ?? ""));
  }
  return out;
}

interface PlaywrightSuite {
  title: string;
  suites?: PlaywrightSuite[];
  specs?: { title: string; ok: boolean; file: string; line: number; tests: { results: { status: string; error?: { message?: string } }[] }[] }[];
}

function playwrightFailures(file: string): string[] {
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, "utf8")) as { suites: PlaywrightSuite[]; errors?: { message?: string }[] };
  const out: string[] = [];
  const walk = (suite: PlaywrightSuite) => {
    for (const spec of suite.specs ?? []) {
      if (spec.ok) continue;
      const results = spec.tests.flatMap((t) => t.results);
      const error = results.find((r) => r.error)?.error?.message ?? "";
      out.push(`  e2e ✗ ${spec.file}:${spec.line} › ${spec.title}`, ...firstLines(error));
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites) walk(suite);
  for (const error of report.errors ?? []) out.push("  e2e ✗ outside any test", ...firstLines(error.message ?? ""));
  return out;
}

const failures = [
  ...vitestFailures("unit", "test-results/unit-results.json"),
  ...vitestFailures("heavy", "test-results/heavy-results.json"),
  ...vitestFailures("faults", "test-results/faults-results.json"),
  ...playwrightFailures("test-results/e2e-results.json"),
];
if (failures.length > 0) {
  console.log("failed tests (the first lines of each error; the whole output is above):");
  // Enough to name every failure of a bad run without pushing the counts out of CI's tail.
  const shown = failures.slice(0, 80);
  for (const line of shown) console.log(line);
  if (failures.length > shown.length) console.log(`  … ${failures.length - shown.length} more lines`);
}

const parts = [
  ["unit", vitestCounts("test-results/unit-results.json")],
  ["heavy", vitestCounts("test-results/heavy-results.json")],
  ["faults", process.env.SKIP_FAULTS === "1" ? { passed: 0, failed: 0, skipped: 0 } : vitestCounts("test-results/faults-results.json")],
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

/** Stages whose exit status says they failed although their report counts no failed test. */
const stages: [name: string, variable: string, reported: boolean, counts: Counts | undefined][] = [
  ["type check", "WH_STATUS_TYPES", false, undefined],
  ["lint", "WH_STATUS_LINT", false, undefined],
  ["unit", "WH_STATUS_UNIT", true, parts[0][1]],
  ["heavy", "WH_STATUS_HEAVY", true, parts[1][1]],
  ["faults", "WH_STATUS_FAULTS", true, parts[2][1]],
  ["e2e", "WH_STATUS_E2E", true, parts[3][1]],
];
for (const [name, variable, reported, counts] of stages) {
  const code = process.env[variable];
  if (code === undefined || code === "0") continue;
  if (reported && (!counts || counts.failed > 0)) continue; // already counted above
  console.log(
    reported
      ? `${name}: the runner exited ${code} with no failed test in its report (a failed hook, an unhandled error or a file that did not load: see its output above)`
      : `${name}: failed (exit ${code}, see its output above)`,
  );
  total.failed += 1;
}
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
