import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENCRYPTED_COLUMNS } from "../../src/server/crypto/encrypted-columns";
import { rotateAppSecret, RotationError } from "../../src/server/crypto/rotate-app-secret";
import { cipherContext, SecretCipher } from "../../src/server/crypto/secret-cipher";
import { createServices } from "../../src/server/runtime/services";
import { appRouter } from "../../src/server/trpc/root";
import { createCallerFactory } from "../../src/server/trpc/trpc";
import { sealTotpSecret } from "../../src/server/two-factor/totp-secret-store";
import { startAppHarness, type AppHarness, type TestUser } from "../apps/helpers/app-harness";

/** Issue 17 item 5, "key rotation": APP_SECRET is rotated by re-encrypting every encrypted column. */
const OLD = "x".repeat(32); // the harness's APP_SECRET
const NEW = "a-new-app-secret-that-is-long-enough-0123456789";

describe("APP_SECRET rotation", () => {
  let h: AppHarness;
  let u: TestUser;
  let appId: number;
  beforeAll(async () => {
    h = await startAppHarness({ WEBHOOK_ALLOW_CIDRS: "127.0.0.1/32" });
    u = await h.user("business");
    appId = (await u.caller.apps.create({ name: "rotation-app", repoUrl: "https://github.com/acme/shop.git" })).app.id;
    await u.caller.envVars.set({ appId, key: "DATABASE_PASSWORD", value: "hunter2-but-longer" });
    await u.caller.apps.setAutoDeploy({ appId, enabled: true });
    await u.caller.webhooks.create({ url: "http://127.0.0.1:9/hook", events: ["deployment.failed"] });
    const cipher = h.services.cipher;
    await h.tdb.db.user.update({ where: { id: u.id }, data: { totpSecret: sealTotpSecret(cipher, u.id, "JBSWY3DPEHPK3PXP") } });
    await h.tdb.db.gitProviderToken.create({
      data: {
        userId: u.id,
        teamId: u.team.id,
        provider: "github",
        token: cipher.encrypt("gho_access", cipherContext.gitToken(u.id, "github")),
        refreshToken: cipher.encrypt("ghr_refresh", `${cipherContext.gitToken(u.id, "github")}:refresh`),
      },
    });
    await h.services.db.job.create({
      data: { appId, type: "deploy", status: "completed", payload: cipher.encrypt(JSON.stringify({ env: { A: "1" } }), cipherContext.jobPayload(appId)) },
    });
  });
  afterAll(async () => h.close());

  async function encryptedValues(): Promise<Map<string, { context: string; stored: string }>> {
    const client = new pg.Client({ connectionString: h.tdb.url });
    await client.connect();
    try {
      const out = new Map<string, { context: string; stored: string }>();
      for (const col of ENCRYPTED_COLUMNS) {
        const { rows } = await client.query(`SELECT * FROM "${col.table}" WHERE "${col.column}" LIKE 'v1:%'`);
        for (const row of rows) out.set(`${col.table}.${col.column}#${row.id}`, { context: col.context(row), stored: String(row[col.column]) });
      }
      return out;
    } finally {
      await client.end();
    }
  }

  it("knows every kind of encrypted value (a new cipherContext needs a column in encrypted-columns.ts)", () => {
    const row = { id: 1, app_id: 1, user_id: 1, key: "K", provider: "github" };
    const covered = new Set(ENCRYPTED_COLUMNS.map((c) => c.context(row)));
    for (const [name, context] of Object.entries(cipherContext)) {
      expect(covered.has((context as (...a: unknown[]) => string)(1, name === "envVar" ? "K" : "github")), name).toBe(true);
    }
  });

  it("refuses while a platform process is running, and a wrong current secret changes nothing", async () => {
    const before = await encryptedValues();
    expect(before.size).toBeGreaterThanOrEqual(7);
    await h.tdb.db.processHeartbeat.create({ data: { id: "web-test", kind: "web", hostname: "here", pid: 4242 } });
    await expect(rotateAppSecret({ databaseUrl: h.tdb.url, oldSecret: OLD, newSecret: NEW })).rejects.toThrow(/web \(pid 4242 on here\).*Stop web, jobs and hub first/);
    await h.tdb.db.processHeartbeat.delete({ where: { id: "web-test" } });

    const wrong = rotateAppSecret({ databaseUrl: h.tdb.url, oldSecret: "w".repeat(32), newSecret: NEW });
    await expect(wrong).rejects.toBeInstanceOf(RotationError);
    await expect(wrong).rejects.toThrow(/does not decrypt with the current APP_SECRET.*Nothing was changed/);
    expect(await encryptedValues()).toEqual(before);
    await expect(rotateAppSecret({ databaseUrl: h.tdb.url, oldSecret: OLD, newSecret: "short" })).rejects.toThrow(/at least 32 characters/);
  });

  it("re-encrypts every encrypted column under the new secret and ends every session", async () => {
    const before = await encryptedValues();
    const oldCipher = new SecretCipher(OLD);
    const plain = new Map([...before].map(([k, v]) => [k, oldCipher.decrypt(v.stored, v.context)]));
    expect(await h.tdb.db.session.count()).toBeGreaterThan(0);

    const result = await rotateAppSecret({ databaseUrl: h.tdb.url, oldSecret: OLD, newSecret: NEW });
    expect(Object.values(result.reencrypted).reduce((a, b) => a + b, 0)).toBe(before.size);
    expect(result.sessionsEnded).toBeGreaterThan(0);
    expect(await h.tdb.db.session.count()).toBe(0);

    const after = await encryptedValues();
    const newCipher = new SecretCipher(NEW);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [k, v] of after) {
      expect(newCipher.decrypt(v.stored, v.context), k).toBe(plain.get(k));
      expect(() => oldCipher.decrypt(v.stored, v.context), k).toThrow();
    }

    // A platform started with the new secret reads what was written under the old one.
    const services = createServices("test", { ...h.services.config, APP_SECRET: NEW });
    try {
      const caller = createCallerFactory(appRouter)({ ...u.ctx, services });
      expect((await caller.envVars.reveal({ appId, key: "DATABASE_PASSWORD" })).value).toBe("hunter2-but-longer");
      expect((await caller.apps.autoDeploy({ appId })).secret).toMatch(/\S{16,}/);
    } finally {
      await services.close();
    }
  });
});
