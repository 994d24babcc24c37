import { mkdtempSync, readFileSync, rmSync, truncateSync, statSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateBackupKey } from "../../src/backup/backup-keys";
import { restoreBackup } from "../../src/backup/restore-backup";
import { writeBackup } from "../../src/backup/write-backup";
import { loadConfig, type AppConfig } from "../../src/server/config/config";
import { migrate } from "../../src/server/db/migrator";
import type { Services } from "../../src/server/runtime/services";
import { startJobsProcess } from "../../src/jobs-process/start-jobs-process";
import { ensureSampleRepository } from "../../src/sample-repo/ensure-sample-repository";
import { installServices, TrpcTestClient } from "../accounts/trpc-client";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

/**
 * Issue 17 item 4: a platform with users, apps, encrypted env vars, sessions and deployments is
 * backed up, restored into a fresh empty database, the platform is started on it (services and
 * a jobs process), and a user signs in and reads an env var back.
 */
const SECRET = "backup-test-app-secret-0123456789-abcdefghij";
const PASSWORD = "copper lantern meadow";
let source: TestDatabase;
let target: TestDatabase;
let dir: string;
let key: { identity: string; recipient: string };
let services: Services | null = null;
let repoUrl: string;

function configFor(url: string): AppConfig {
  return loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: url,
    APP_SECRET: SECRET,
    PUBLIC_URL: "http://localhost:3998",
    PLATFORM_DOMAIN: "apps.backup.example",
    DATA_DIR: join(dir, "data"),
    LOG_LEVEL: "silent",
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "wh-backup-"));
  const generated = await generateBackupKey();
  key = { identity: generated.identityFile.trim().split("\n").at(-1)!, recipient: generated.recipient };
  repoUrl = await ensureSampleRepository(join(dir, "repo"));
  source = await createTestDatabase();
  target = await createTestDatabase({ migrated: false });
});
afterAll(async () => {
  await services?.close();
  await source?.drop();
  await target?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("backup → restore → sign in", () => {
  let file: string;
  let appId: number;
  let oldCookie: string;

  it("backs up a platform with users, apps, encrypted env vars, sessions and deployments", async () => {
    const config = configFor(source.url);
    services = installServices(config);
    const alice = new TrpcTestClient(config.PUBLIC_URL);
    await alice.mutate("auth.signUp", { email: "alice@example.com", password: PASSWORD });
    await alice.mutate("auth.signIn", { email: "alice@example.com", password: PASSWORD });
    const bob = new TrpcTestClient(config.PUBLIC_URL);
    bob.forwardedFor = "198.51.100.9, 127.0.0.1";
    await bob.mutate("auth.signUp", { email: "bob@example.com", password: PASSWORD });
    const created = await alice.mutate<{ app: { id: number } }>("apps.create", { name: "backup-shop", repoUrl });
    appId = created.app.id;
    await alice.mutate("envVars.set", { appId, key: "STRIPE_KEY", value: "sk_live_tab\there\nnewline\\backslash ünï" });
    await alice.mutate("apps.deploy", { appId });
    expect((await alice.query<unknown[]>("deployments.list", { appId })).length).toBeGreaterThan(0);
    oldCookie = alice.cookieHeader();
    const stored = await source.db.appEnvVar.findFirstOrThrow({ where: { appId, key: "STRIPE_KEY" } });
    expect(stored.value.startsWith("v1:")).toBe(true);

    // Incompressible bulk, so the file spans several age chunks and a cut lands mid-load.
    await source.db.$executeRaw`INSERT INTO caught_mails (raw) SELECT md5(random()::text) || md5(random()::text) || md5(random()::text) FROM generate_series(1, 3000)`;
    const result = await writeBackup({ databaseUrl: source.url, recipients: [key.recipient], appSecret: SECRET, dir: join(dir, "backups") });
    file = result.file;
    expect(result.rows.users).toBe(2);
    expect(result.rows.apps).toBe(1);
    expect(result.rows.app_env_vars).toBe(1);
    expect(result.rows.sessions).toBeGreaterThanOrEqual(1);
    expect(result.rows.deployments).toBeGreaterThanOrEqual(1);
    expect(result.rows.caught_mails).toBe(3000);
    expect(result.bytes).toBeGreaterThan(150_000);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(file);
    // An age file: its header names the format and the X25519 stanza, nothing of the data shows.
    expect(bytes.subarray(0, 21).toString()).toBe("age-encryption.org/v1");
    expect(bytes.includes(Buffer.from("alice@example.com"))).toBe(false);
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
    await services.close();
    services = null;
  });

  it("refuses a wrong key, a non-empty database, a cut-off file and a different APP_SECRET, each saying what to do", async () => {
    const other = await generateBackupKey();
    await expect(restoreBackup({ file, identities: [other.identityFile.trim().split("\n").at(-1)!], databaseUrl: target.url })).rejects.toThrow(/Cannot decrypt .*identity file/);
    await expect(restoreBackup({ file, identities: [key.identity], databaseUrl: source.url })).rejects.toThrow(/not empty.*new database/);
    await expect(restoreBackup({ file, identities: [key.identity], databaseUrl: target.url, appSecret: "another-secret-that-is-long-enough-000" })).rejects.toThrow(/--app-secret-out/);
    const cut = join(dir, "cut.backup.age");
    copyFileSync(file, cut);
    truncateSync(cut, statSync(file).size - 40);
    const scratch = await createTestDatabase({ migrated: false });
    try {
      await expect(restoreBackup({ file: cut, identities: [key.identity], databaseUrl: scratch.url })).rejects.toThrow(/cut off or altered/);
      // The schema was made, but nothing of the failed load is kept (one transaction).
      expect(await scratch.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM users`).toEqual([{ n: 0 }]);
    } finally {
      await scratch.drop();
    }
  });

  it("restores into a fresh database; the platform starts on it, the old session still works, a sign-in reads the env var", async () => {
    const restored = await restoreBackup({ file, identities: [key.identity], databaseUrl: target.url });
    expect(restored.manifest.appSecret).toBe(SECRET);
    expect(restored.rows).toEqual(expect.objectContaining({ users: 2, apps: 1, app_env_vars: 1, caught_mails: 3000 }));
    expect(restored.upgraded).toEqual([]);
    expect((await migrate(target.url)).applied).toEqual([]);

    const config = configFor(target.url);
    services = installServices(config);
    const jobs = await startJobsProcess(services, { ticks: false, bossMax: 2 });
    try {
      const stale = new TrpcTestClient(config.PUBLIC_URL);
      for (const pair of oldCookie.split("; ")) stale.jar.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
      expect((await stale.query<{ email: string } | null>("auth.me"))?.email).toBe("alice@example.com");

      const alice = new TrpcTestClient(config.PUBLIC_URL);
      alice.forwardedFor = "198.51.100.20, 127.0.0.1";
      await alice.mutate("auth.signIn", { email: "alice@example.com", password: PASSWORD });
      expect((await alice.query<{ email: string }>("auth.me")).email).toBe("alice@example.com");
      expect(await alice.mutate("envVars.reveal", { appId, key: "STRIPE_KEY" })).toEqual({ key: "STRIPE_KEY", value: "sk_live_tab\there\nnewline\\backslash ünï" });
      expect((await alice.query<unknown[]>("deployments.list", { appId })).length).toBeGreaterThan(0);

      // Sequences carry on past the restored rows: a new account gets a fresh id.
      const carol = new TrpcTestClient(config.PUBLIC_URL);
      carol.forwardedFor = "198.51.100.21, 127.0.0.1";
      await carol.mutate("auth.signUp", { email: "carol@example.com", password: PASSWORD });
      const ids = (await target.db.user.findMany({ orderBy: { id: "asc" }, select: { id: true, email: true } })).map((u) => u.email);
      expect(ids).toEqual(["alice@example.com", "bob@example.com", "carol@example.com"]);
    } finally {
      await jobs.stop();
    }
  });
});
