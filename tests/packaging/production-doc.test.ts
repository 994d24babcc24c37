import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cipherContext, SecretCipher } from "../../src/server/crypto/secret-cipher";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

/**
 * Issue 17 item 5: docs/production.md is followed step by step where a step can run here. Every
 * `sh` block of the page runs in order, as an operator would type it, from a scratch checkout
 * root (a copy of deploy/, the code linked in), with the processes' credentials in
 * $CREDENTIALS_DIRECTORY pointing at a test database: make the secrets, check the compose file,
 * rotate APP_SECRET, make a backup key, back up, and restore into an empty database. Then the
 * restored database must hold the data, readable with the secret the restore wrote out.
 */
const root = process.cwd();
const doc = readFileSync(join(root, "docs/production.md"), "utf8");
const steps = [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

let scratch: string;
let source: TestDatabase;
let drill: TestDatabase;
let env: Record<string, string | undefined>;
const OLD_SECRET = "o".repeat(40);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "wh-production-doc-"));
  cpSync(join(root, "deploy"), join(scratch, "deploy"), { recursive: true });
  for (const name of ["package.json", "node_modules", "src", "scripts", "prisma", "prisma.config.ts", "tsconfig.json"]) symlinkSync(join(root, name), join(scratch, name));
  source = await createTestDatabase();
  drill = await createTestDatabase({ migrated: false });
  const credentials = join(scratch, "credentials");
  mkdirSync(credentials, { mode: 0o700 });
  writeFileSync(join(credentials, "database_url"), `${source.url}\n`, { mode: 0o600 });
  writeFileSync(join(credentials, "app_secret"), `${OLD_SECRET}\n`, { mode: 0o600 });
  // Data with an encrypted value, written as the platform writes it.
  const user = await source.db.user.create({ data: { email: "drill@example.com", name: "Drill" } });
  const team = await source.db.team.findFirstOrThrow({ where: { members: { some: { userId: user.id } } } });
  const app = await source.db.app.create({ data: { uuid: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", name: "drill-app", subdomain: "drill-app", userId: user.id, teamId: team.id, repoUrl: "https://github.com/acme/drill.git" } });
  await source.db.appEnvVar.create({ data: { appId: app.id, key: "API_KEY", value: new SecretCipher(OLD_SECRET).encrypt("kept-through-it-all", cipherContext.envVar(app.id, "API_KEY")) } });
  env = {
    PATH: process.env.PATH,
    HOME: scratch,
    CREDENTIALS_DIRECTORY: credentials,
    BACKUP_DIR: join(scratch, "backups"),
    DRILL_DATABASE_URL: drill.url,
    DATA_DIR: join(scratch, ".data"),
    LOG_LEVEL: "silent",
    npm_config_update_notifier: "false",
  };
}, 120_000);

afterAll(async () => {
  await source?.drop();
  await drill?.drop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("docs/production.md, step by step", () => {
  it("has the steps this test runs", () => {
    expect(steps.length).toBeGreaterThanOrEqual(6);
    expect(steps.join("\n")).toMatch(/rotate-app-secret[\s\S]*--generate-key[\s\S]*npm run backup[\s\S]*npm run restore/);
  });

  it("every step runs as written, and the restored database holds the data", async () => {
    for (const [i, step] of steps.entries()) {
      const run = spawnSync("bash", ["-euo", "pipefail", "-c", step], { cwd: scratch, env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 120_000 });
      expect(run.status, `step ${i + 1} failed:\n${step}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`).toBe(0);
    }
    // Secrets: one file each, readable by the owner only.
    const secrets = join(scratch, "deploy", "secrets");
    for (const name of ["app_secret", "database_url", "postgres_password", "worker_registration_token", "traefik_proxy_token", "smtp_url"]) {
      expect(statSync(join(secrets, name)).mode & 0o777, name).toBe(0o600);
    }
    // The platform image's user (Containerfile USER 10001) owns what its roles read: compose mounts the files as they are.
    for (const name of ["app_secret", "database_url", "worker_registration_token", "traefik_proxy_token", "smtp_url"]) expect(statSync(join(secrets, name)).uid, name).toBe(10001);
    expect(readFileSync(join(secrets, "database_url"), "utf8")).toContain(readFileSync(join(secrets, "postgres_password"), "utf8").trim());
    expect(existsSync(join(scratch, "deploy", ".env"))).toBe(true);

    // The rotation replaced the credential; the backup was restored with it written out.
    const newSecret = readFileSync(join(env.CREDENTIALS_DIRECTORY!, "app_secret"), "utf8").trim();
    expect(newSecret).not.toBe(OLD_SECRET);
    expect(readdirSync(env.BACKUP_DIR!).filter((f) => f.endsWith(".backup.age"))).toHaveLength(1);
    expect(readFileSync(join(scratch, "drill_app_secret"), "utf8").trim()).toBe(newSecret);
    const client = new pg.Client({ connectionString: drill.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT e.app_id, e.value FROM app_env_vars e JOIN apps a ON a.id = e.app_id WHERE a.name = 'drill-app' AND e.key = 'API_KEY'`);
      expect(rows).toHaveLength(1);
      expect(new SecretCipher(newSecret).decrypt(rows[0].value, cipherContext.envVar(rows[0].app_id, "API_KEY"))).toBe("kept-through-it-all");
      expect((await client.query(`SELECT email FROM users WHERE email = 'drill@example.com'`)).rows).toHaveLength(1);
    } finally {
      await client.end();
    }
  }, 300_000);
});
