import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/server/rate-limit/create-rate-limiter";
import { startTestRedis, type TestRedis } from "../helpers/redis-server";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

/** A configured Redis that goes away must not open the gates nor lock everybody out. */
describe("rate limits when Redis is configured but down", () => {
  let redis: TestRedis;
  let database: TestDatabase;
  beforeAll(async () => {
    redis = await startTestRedis();
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await redis.stop();
    await database.drop();
  });

  it("keeps counting in Postgres while Redis is unreachable, and uses Redis again once it is back", async () => {
    const limiter = createRateLimiter({ db: database.db, redisUrl: redis.url });
    const rule = { limit: 3, windowSeconds: 60 };
    expect((await limiter.hit("fallback:a", rule)).allowed).toBe(true);

    await redis.stop();
    await new Promise((r) => setTimeout(r, 300));
    const during = [];
    for (let i = 0; i < 4; i++) during.push(await limiter.hit("fallback:b", rule));
    expect(during.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(await database.db.rateLimitBucket.count({ where: { key: "fallback:b" } })).toBe(1);

    await redis.restart();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if ((await limiter.hit("fallback:c", { limit: 100, windowSeconds: 60 })) && (await database.db.rateLimitBucket.count({ where: { key: "fallback:c" } })) === 0) break;
      await database.db.rateLimitBucket.deleteMany({ where: { key: "fallback:c" } });
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await database.db.rateLimitBucket.count({ where: { key: "fallback:c" } })).toBe(0);
    await limiter.close();
  });
});
