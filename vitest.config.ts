import { defineConfig } from "vitest/config";

/**
 * Test files that build images, install real packages or run `next build`: `npm test` runs them
 * after the rest, one at a time, so their CPU spikes never starve another file's timeouts on a
 * 2-core machine (scripts/test.sh). WH_TESTS=main|heavy|faults picks a set; unset runs every file.
 */
const HEAVY = ["tests/agent/real-apps/**/*.test.ts", "tests/container/**/*.test.ts", "tests/launcher/npm-start.test.ts", "tests/packaging/platform-image.test.ts", "tests/cli/cli-platform.test.ts"];
/**
 * The whole-platform fault suite (`npm run test:faults`, docs/reliability.md): every part of a
 * running platform killed in turn. `npm test` runs it alone after the heavy set (scripts/test.sh).
 */
const FAULTS = ["tests/faults/**/*.test.ts"];
const set = process.env.WH_TESTS;
const alone = set === "heavy" || set === "faults";

export default defineConfig({
  test: {
    include: set === "heavy" ? HEAVY : set === "faults" ? FAULTS : ["tests/**/*.test.ts"],
    exclude: set === "main" ? ["**/node_modules/**", ...HEAVY, ...FAULTS] : ["**/node_modules/**"],
    globalSetup: ["tests/setup/global-postgres.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: !alone,
    maxWorkers: alone ? 1 : 2,
  },
});
