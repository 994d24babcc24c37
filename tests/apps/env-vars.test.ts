import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cipherContext } from "../../src/server/crypto/secret-cipher";
import { parseDotenv } from "../../src/server/env-vars/parse-dotenv";
import { expectTrpcError, startAppHarness, type AppHarness, type TestUser } from "./helpers/app-harness";

describe("env vars", () => {
  let h: AppHarness;
  let u: TestUser;
  let appId: number;
  beforeAll(async () => {
    h = await startAppHarness();
    u = await h.user("business");
    appId = (await u.caller.apps.create({ name: "env-var-app", repoUrl: "https://github.com/acme/shop.git" })).app.id;
  });
  afterAll(async () => h.close());

  it("sets, lists masked, reveals, overwrites and deletes; values are encrypted and bound to app+key", async () => {
    await u.caller.envVars.set({ appId, key: "SECRET_TOKEN", value: "abc123" });
    const row = await h.tdb.db.appEnvVar.findFirstOrThrow({ where: { appId, key: "SECRET_TOKEN" } });
    expect(row.value.startsWith("v1:")).toBe(true);
    expect(row.value).not.toContain("abc123");
    // Bound to its row: decrypting under another key's context fails.
    expect(() => h.services.cipher.decrypt(row.value, cipherContext.envVar(appId, "OTHER"))).toThrow();

    const list = await u.caller.envVars.list({ appId });
    expect(list).toEqual([expect.objectContaining({ key: "SECRET_TOKEN", maskedValue: "••••••••" })]);
    expect(JSON.stringify(list)).not.toContain("abc123");
    expect(await u.caller.envVars.reveal({ appId, key: "SECRET_TOKEN" })).toEqual({ key: "SECRET_TOKEN", value: "abc123" });

    await u.caller.envVars.set({ appId, key: "SECRET_TOKEN", value: "changed" });
    expect((await u.caller.envVars.reveal({ appId, key: "SECRET_TOKEN" })).value).toBe("changed");
    await u.caller.envVars.delete({ appId, key: "SECRET_TOKEN" });
    expect(await u.caller.envVars.list({ appId })).toEqual([]);
    await expectTrpcError(u.caller.envVars.delete({ appId, key: "SECRET_TOKEN" }), "NOT_FOUND");
    const kinds = (await h.tdb.db.auditEvent.findMany({ where: { userId: u.id, kind: { in: ["env_set", "env_delete"] } } })).map((e) => e.kind);
    expect(kinds.sort()).toEqual(["env_delete", "env_set", "env_set"]);
  });

  it.each([
    ["lowercase", "x"],
    ["1STARTS_WITH_DIGIT", "x"],
    ["HAS-DASH", "x"],
    ["A".repeat(65), "x"],
    ["", "x"],
  ])("refuses the key %j", async (key, value) => {
    await expectTrpcError(u.caller.envVars.set({ appId, key, value }), "BAD_REQUEST");
  });

  it("refuses a value over 32 KiB and totals over 256 KiB, keeping what was there", async () => {
    await expectTrpcError(u.caller.envVars.set({ appId, key: "BIG", value: "x".repeat(32 * 1024 + 1) }), "BAD_REQUEST", /too large/);
    for (let i = 0; i < 7; i++) await u.caller.envVars.set({ appId, key: `CHUNK_${i}`, value: "y".repeat(32 * 1024) });
    await expectTrpcError(u.caller.envVars.set({ appId, key: "CHUNK_7", value: "y".repeat(32 * 1024) }), "BAD_REQUEST", /total at most 256 KiB/);
    expect((await u.caller.envVars.list({ appId })).map((e) => e.key)).not.toContain("CHUNK_7");
    for (let i = 0; i < 7; i++) await u.caller.envVars.delete({ appId, key: `CHUNK_${i}` });
  });

  it("imports a .env paste all-or-nothing with an error for every bad line", async () => {
    const bad = await u.caller.envVars.importDotenv({
      appId,
      text: ["GOOD=1", "lower=2", "NO_EQUALS_SIGN", "QUOTE=\"unterminated", "GOOD=again", "=value", "  # comment", ""].join("\n"),
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6]);
    expect(bad.errors[0]!.message).toMatch(/must start with an upper-case letter/);
    expect(bad.errors[3]!.message).toMatch(/already set on line 1/);
    expect(await u.caller.envVars.list({ appId })).toEqual([]);

    const good = await u.caller.envVars.importDotenv({
      appId,
      text: 'export DATABASE_URL="postgres://u@db/app"\nGREETING=\'hello world\'\nMULTI="a\\nb"\nPLAIN=value # trailing comment\r\nEMPTY=\n',
    });
    expect(good).toEqual({ ok: true, keys: ["DATABASE_URL", "GREETING", "MULTI", "PLAIN", "EMPTY"] });
    expect((await u.caller.envVars.reveal({ appId, key: "MULTI" })).value).toBe("a\nb");
    expect((await u.caller.envVars.reveal({ appId, key: "PLAIN" })).value).toBe("value");
    expect((await u.caller.envVars.reveal({ appId, key: "GREETING" })).value).toBe("hello world");
    await expectTrpcError(u.caller.envVars.importDotenv({ appId, text: "# only a comment\n" }), "BAD_REQUEST", /No KEY=value/);
  });

  it("parseDotenv reports an oversized value by line", () => {
    const parsed = parseDotenv(`A=1\nB=${"z".repeat(40 * 1024)}`);
    expect(parsed.errors).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/too large/) })]);
  });
});
