import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/net/free-port";
import { enforceLimits } from "../../src/server/rate-limit/enforce-limits";
import { PostgresRateLimiter, pruneRateLimitBuckets } from "../../src/server/rate-limit/postgres-rate-limiter";
import type { RateLimiter } from "../../src/server/rate-limit/rate-limiter";
import { RedisRateLimiter } from "../../src/server/rate-limit/redis-rate-limiter";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { TestClock } from "./account-fixture";

let testDb: TestDatabase;
let redis: ChildProcess;
let redisUrl: string;
const clock = new TestClock();

async function waitForRedis(url: string) {
  const { Redis } = await import("ioredis");
  for (let i = 0; i < 50; i++) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("redis-server did not start");
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  const port = await freePort();
  redis = spawn("/usr/bin/redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  redisUrl = `redis://127.0.0.1:${port}`;
  await waitForRedis(redisUrl);
});
afterAll(async () => {
  redis.kill("SIGTERM");
  await testDb.drop();
});

const rule = { limit: 5, windowSeconds: 60 };

function behavesAsFixedWindow(name: string, make: () => RateLimiter, advance: (ms: number) => Promise<void>) {
  describe(name, () => {
    it("allows the limit, refuses beyond it with a retry time, and forgets after the window", async () => {
      const limiter = make();
      const key = `test:${name}:${Math.random()}`;
      for (let i = 1; i <= 5; i++) expect((await limiter.hit(key, rule)).allowed).toBe(true);
      const refused = await limiter.hit(key, rule);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
      await expect(enforceLimits(limiter, [{ key, rule }])).rejects.toThrow(/Try again in \d+ seconds/);
      await advance(61_000);
      expect((await limiter.hit(key, rule)).allowed).toBe(true);
      await limiter.close();
    });

    it("counts concurrent hits exactly", async () => {
      const limiter = make();
      const key = `test:${name}:conc:${Math.random()}`;
      const results = await Promise.all(Array.from({ length: 20 }, () => limiter.hit(key, rule)));
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
      expect(Math.max(...results.map((r) => r.count))).toBe(20);
      await limiter.close();
    });
  });
}

behavesAsFixedWindow("postgres", () => new PostgresRateLimiter(testDb.db, clock.now), async (ms) => clock.advance(ms));

describe("redis window expiry", () => {
  it("uses Redis keys with a TTL (expiry is Redis's own)", async () => {
    const limiter = new RedisRateLimiter(redisUrl);
    const key = `ttl:${Math.random()}`;
    await limiter.hit(key, { limit: 1, windowSeconds: 1 });
    expect((await limiter.hit(key, { limit: 1, windowSeconds: 1 })).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await limiter.hit(key, { limit: 1, windowSeconds: 1 })).allowed).toBe(true);
    await limiter.close();
  });
});

describe("redis", () => {
  it("allows the limit, refuses beyond it, and counts concurrent hits exactly", async () => {
    const limiter = new RedisRateLimiter(redisUrl);
    const key = `test:redis:${Math.random()}`;
    const results = await Promise.all(Array.from({ length: 20 }, () => limiter.hit(key, rule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const refused = results.find((r) => !r.allowed)!;
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    await limiter.reset(key);
    expect((await limiter.hit(key, rule)).allowed).toBe(true);
    await limiter.close();
  });
});

describe("postgres housekeeping", () => {
  it("prunes ended windows only", async () => {
    const limiter = new PostgresRateLimiter(testDb.db, clock.now);
    await limiter.hit("prune:old", { limit: 1, windowSeconds: 1 });
    await limiter.hit("prune:new", { limit: 1, windowSeconds: 3600 });
    clock.advance(5_000);
    await pruneRateLimitBuckets(testDb.db, clock.now());
    const keys = (await testDb.db.rateLimitBucket.findMany({ where: { key: { startsWith: "prune:" } } })).map((b) => b.key);
    expect(keys).toEqual(["prune:new"]);
  });
});
