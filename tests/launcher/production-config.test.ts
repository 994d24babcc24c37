import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/**
 * Each process refuses to start in production without explicit secrets, naming every missing
 * one, and refuses an invalid value naming the variable — exit code 78 (EX_CONFIG).
 */
const ENTRIES = [
  ["jobs", "src/jobs-process/main.ts"],
  ["ws-hub", "src/ws-hub/main.ts"],
] as const;

function run(entry: string, env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ["--import", "tsx", entry], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: "utf8",
    // A cold tsx start on a loaded 2-core machine can take most of a minute.
    timeout: 120_000,
  });
}

describe.each(ENTRIES)("%s process configuration", (name, entry) => {
  it("refuses production without secrets and names each missing one", () => {
    const result = run(entry, { NODE_ENV: "production" });
    expect(result.status).toBe(78);
    for (const missing of ["DATABASE_URL", "APP_SECRET", "WORKER_REGISTRATION_TOKEN", "TRAEFIK_PROXY_TOKEN"]) {
      expect(result.stderr).toContain(`${missing}: required in production`);
    }
    expect(result.stderr).toContain(`${name}: Invalid configuration`);
  });

  it("refuses an invalid value and says what it expects", () => {
    const result = run(entry, { NODE_ENV: "production", DATABASE_URL: "mysql://db/x", APP_SECRET: "short" });
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(/DATABASE_URL: must be a postgres/);
    expect(result.stderr).toMatch(/APP_SECRET: must be at least 32 characters/);
  });
});
