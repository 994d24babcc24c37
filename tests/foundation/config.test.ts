import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/server/config/config";
import { ConfigError, parseEnv } from "../../src/server/config/env";

const SECRET = "s".repeat(40);

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("names each invalid variable and what it expects", () => {
    const problems = problemsOf(() =>
      parseEnv({ WEB_PORT: "seventy", APP_SECRET: "short", DATABASE_URL: "mysql://x", NODE_ENV: "staging" }),
    );
    expect(problems.join("\n")).toMatch(/WEB_PORT/);
    expect(problems.join("\n")).toMatch(/APP_SECRET: must be at least 32 characters/);
    expect(problems.join("\n")).toMatch(/DATABASE_URL: must be a postgres/);
    expect(problems.join("\n")).toMatch(/NODE_ENV/);
  });

  it("rejects a port out of range and a malformed PLATFORM_DOMAIN", () => {
    const problems = problemsOf(() => parseEnv({ HUB_PORT: "70000", PLATFORM_DOMAIN: "Apps Example" }));
    expect(problems.some((p) => p.startsWith("HUB_PORT"))).toBe(true);
    expect(problems.some((p) => p.startsWith("PLATFORM_DOMAIN"))).toBe(true);
  });

  it("refuses production without explicit secrets and names every missing one", () => {
    const problems = problemsOf(() => parseEnv({ NODE_ENV: "production" }));
    for (const name of ["DATABASE_URL", "APP_SECRET", "WORKER_REGISTRATION_TOKEN", "TRAEFIK_PROXY_TOKEN"]) {
      expect(problems.some((p) => p.startsWith(`${name}: required in production`))).toBe(true);
    }
  });

  it("accepts production with every secret present", () => {
    const env = parseEnv({
      NODE_ENV: "production",
      DATABASE_URL: "postgresql://u:p@db/wh",
      APP_SECRET: SECRET,
      WORKER_REGISTRATION_TOKEN: "w".repeat(20),
      TRAEFIK_PROXY_TOKEN: "t".repeat(20),
    });
    expect(env.NODE_ENV).toBe("production");
    expect(env.WEB_PORT).toBe(3000);
  });

  it("lets $CREDENTIALS_DIRECTORY files override the environment", () => {
    const dir = mkdtempSync(join(tmpdir(), "wh-creds-"));
    writeFileSync(join(dir, "app_secret"), `${"c".repeat(48)}\n`);
    const env = parseEnv({ APP_SECRET: SECRET, CREDENTIALS_DIRECTORY: dir });
    expect(env.APP_SECRET).toBe("c".repeat(48));
  });

  it("fills development secrets and keeps them across loads", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "wh-data-"));
    const first = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: "postgresql://localhost/x" });
    const second = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: "postgresql://localhost/x" });
    expect(first.APP_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(second.APP_SECRET).toBe(first.APP_SECRET);
    expect(second.WORKER_REGISTRATION_TOKEN).toBe(first.WORKER_REGISTRATION_TOKEN);
    expect(first.LOCAL_REPOS_ENABLED).toBe(true);
  });

  it("says how to get a database when none is configured or running", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "wh-data-"));
    const problems = problemsOf(() => loadConfig({ DATA_DIR: dataDir }));
    expect(problems[0]).toMatch(/DATABASE_URL.*npm start/);
  });

  it("treats empty variables as unset", () => {
    const env = parseEnv({ REDIS_URL: "", WEB_PORT: "" });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.WEB_PORT).toBe(3000);
  });
});
