import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordTokenUse } from "../../src/server/api-tokens/record-token-use";
import { authenticateToken } from "../../src/server/api-tokens/token-caller";
import { hashToken } from "../../src/server/api-tokens/token-secret";
import { startAppHarness, type AppHarness } from "../apps/helpers/app-harness";
import { teamWithEveryRole, type TeamFixture } from "../teams/helpers/team-fixture";
import { mintToken } from "./helpers/api-client";

/**
 * api_tokens.last_used_at is written at most once a minute per token (or at once from a new
 * address), not on every request (src/server/api-tokens/record-token-use.ts). The clock is
 * injected, so the minute is exact whatever the machine's speed.
 */
describe("API token last use", () => {
  let h: AppHarness;
  let fx: TeamFixture;

  beforeAll(async () => {
    h = await startAppHarness();
    fx = await teamWithEveryRole(h);
  });
  afterAll(async () => h.close());

  const client = (ip: string) => ({ ip, userAgent: "last-use-test" });

  it("writes the first use, skips uses within the minute from the same address, writes a new address or a later minute", async () => {
    const token = await mintToken(fx.members.developer, fx.teamId, ["apps:read"], null, "last-use");
    const row = () => h.tdb.db.apiToken.findUniqueOrThrow({ where: { tokenHash: hashToken(token) }, select: { lastUsedAt: true, lastUsedIp: true } });
    const t0 = new Date("2026-12-02T10:00:00.000Z");
    const at = (ms: number) => ({ db: h.tdb.db, now: () => new Date(t0.getTime() + ms) });

    await authenticateToken(at(0), token, client("198.51.100.1"));
    expect(await row()).toEqual({ lastUsedAt: t0, lastUsedIp: "198.51.100.1" });

    await authenticateToken(at(59_000), token, client("198.51.100.1"));
    expect(await row()).toEqual({ lastUsedAt: t0, lastUsedIp: "198.51.100.1" });

    await authenticateToken(at(30_000), token, client("198.51.100.2"));
    expect(await row()).toEqual({ lastUsedAt: new Date(t0.getTime() + 30_000), lastUsedIp: "198.51.100.2" });

    await authenticateToken(at(91_000), token, client("198.51.100.2"));
    expect(await row()).toEqual({ lastUsedAt: new Date(t0.getTime() + 91_000), lastUsedIp: "198.51.100.2" });
  });

  it("concurrent uses of one stale token write the row once", async () => {
    const token = await mintToken(fx.members.developer, fx.teamId, ["apps:read"], null, "last-use-burst");
    const t0 = new Date("2026-12-02T11:00:00.000Z");
    await authenticateToken({ db: h.tdb.db, now: () => t0 }, token, client("198.51.100.9"));
    const { id } = await h.tdb.db.apiToken.findUniqueOrThrow({ where: { tokenHash: hashToken(token) }, select: { id: true } });
    // Five requests that all read the row before any of them wrote it: each decides to write,
    // and the conditional UPDATE lets exactly one through.
    const seen = { id, lastUsedAt: t0, lastUsedIp: "198.51.100.9" };
    const later = new Date(t0.getTime() + 120_000);
    const wrote = await Promise.all(Array.from({ length: 5 }, () => recordTokenUse({ db: h.tdb.db }, seen, later, "198.51.100.9")));
    expect(wrote.filter(Boolean)).toHaveLength(1);
    expect((await h.tdb.db.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(later);
  });
});
