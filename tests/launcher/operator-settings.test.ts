import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildChildEnv } from "../../src/launcher/child-env";
import { loadConfig } from "../../src/server/config/config";
import { devSecretsForGaps, loadOrCreateDevSecrets } from "../../src/server/config/dev-secrets";
import { ConfigError } from "../../src/server/config/env";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "wh-operator-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const operator = {
  APP_SECRET: "operator-app-secret-0123456789abcdef0123",
  WORKER_REGISTRATION_TOKEN: "operator-registration-token",
  TRAEFIK_PROXY_TOKEN: "operator-traefik-token-xyz",
};

describe("operator settings win over generated defaults under npm start", () => {
  it("the child environment keeps every secret and address the operator set", () => {
    const dataDir = tempDir();
    const env = { NODE_ENV: "development" as const, ...operator, PUBLIC_URL: "https://paas.example.com", HUB_URL: "http://hub.internal:7000", SAMPLE_REPO_URL: "file:///srv/sample" };
    const generatedSecrets = devSecretsForGaps(dataDir, env);
    expect(generatedSecrets).toEqual({});
    const child = buildChildEnv({ env, generatedSecrets, databaseUrl: "postgres://db/x", dataDir, webUrl: "http://localhost:3000", hubPort: 3001, distDir: ".next", sampleRepoUrl: "file:///generated" });
    expect(child).toMatchObject({ ...env, DATABASE_URL: "postgres://db/x" });
  });

  it("generated secrets fill only the gaps the operator left", () => {
    const dataDir = tempDir();
    const env = { NODE_ENV: "development" as const, APP_SECRET: operator.APP_SECRET };
    const generatedSecrets = devSecretsForGaps(dataDir, env);
    expect(Object.keys(generatedSecrets).sort()).toEqual(["TRAEFIK_PROXY_TOKEN", "WORKER_REGISTRATION_TOKEN"]);
    const child = buildChildEnv({ env, generatedSecrets, databaseUrl: "postgres://db/x", dataDir, webUrl: "http://localhost:3100", hubPort: 3101, distDir: ".next", sampleRepoUrl: "file:///generated" });
    expect(child.APP_SECRET).toBe(operator.APP_SECRET);
    expect(child.WORKER_REGISTRATION_TOKEN).toMatch(/^wrt_/);
    expect(child).toMatchObject({ PUBLIC_URL: "http://localhost:3100", HUB_URL: "http://127.0.0.1:3101", SAMPLE_REPO_URL: "file:///generated" });
  });

  it("a process's configuration uses the operator's secrets, not the ones in dev-secrets.json", () => {
    const dataDir = tempDir();
    loadOrCreateDevSecrets(dataDir);
    const config = loadConfig({ ...operator, DATA_DIR: dataDir, DATABASE_URL: "postgres://u:p@127.0.0.1:5432/x" });
    expect(config).toMatchObject(operator);
  });

  it("an unreadable or invalid dev-secrets.json stops with a message and is never regenerated over", () => {
    for (const content of ["{not json", JSON.stringify({ APP_SECRET: "too short" })]) {
      const dataDir = tempDir();
      const file = join(dataDir, "dev-secrets.json");
      writeFileSync(file, content);
      expect(() => devSecretsForGaps(dataDir, {})).toThrow(ConfigError);
      expect(() => devSecretsForGaps(dataDir, {})).toThrow(/never regenerated over.*Restore the file from a backup/s);
      expect(readFileSync(file, "utf8")).toBe(content);
    }
    const dataDir = tempDir();
    const file = join(dataDir, "dev-secrets.json");
    // Root reads a 0000 file anyway; a directory in its place cannot be read by anyone.
    mkdirSync(file);
    expect(() => devSecretsForGaps(dataDir, {})).toThrow(/cannot be read/);
  });

  it("keeps the secrets it generated across restarts", () => {
    const dataDir = tempDir();
    const first = loadOrCreateDevSecrets(dataDir);
    expect(loadOrCreateDevSecrets(dataDir)).toEqual(first);
  });
});
