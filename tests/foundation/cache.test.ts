import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonCache } from "../../src/server/cache/json-cache";
import { globToRegExp } from "../../src/server/cache/json-cache";
import { MemoryCache } from "../../src/server/cache/memory-cache";
import { RedisCache } from "../../src/server/cache/redis-cache";
import { startTestRedis, type TestRedis } from "../helpers/redis-server";

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function behavesLikeACache(make: () => JsonCache | Promise<JsonCache>) {
  it("round-trips JSON and misses on absent keys", async () => {
    const cache = await make();
    await cache.set("user:1", { id: 1, name: "Ada" });
    expect(await cache.get("user:1")).toEqual({ id: 1, name: "Ada" });
    expect(await cache.get("user:2")).toBeUndefined();
  });

  it("deletes a key, a prefix and a glob pattern", async () => {
    const cache = await make();
    await Promise.all([
      cache.set("user:1:apps", [1]),
      cache.set("user:1:profile", {}),
      cache.set("user:10:apps", [2]),
      cache.set("app:7", {}),
      cache.set("app:8", {}),
    ]);
    await cache.deletePrefix("user:1:");
    expect(await cache.get("user:1:apps")).toBeUndefined();
    expect(await cache.get("user:1:profile")).toBeUndefined();
    expect(await cache.get("user:10:apps")).toEqual([2]);
    await cache.deleteByPattern("app:*");
    expect(await cache.get("app:7")).toBeUndefined();
    expect(await cache.get("app:8")).toBeUndefined();
    await cache.deleteByPattern("user:10:apps");
    expect(await cache.get("user:10:apps")).toBeUndefined();
  });
}

describe("in-process cache", () => {
  behavesLikeACache(() => new MemoryCache());

  it("expires entries after their TTL (default 5 minutes)", async () => {
    let now = 1_000_000;
    const cache = new MemoryCache(300, 100, () => now);
    await cache.set("a", 1);
    await cache.set("b", 2, 10);
    now += 11_000;
    expect(await cache.get("b")).toBeUndefined();
    expect(await cache.get("a")).toBe(1);
    now += 300_000;
    expect(await cache.get("a")).toBeUndefined();
  });

  it("stays bounded", async () => {
    const cache = new MemoryCache(300, 3);
    for (const k of ["a", "b", "c", "d"]) await cache.set(k, k);
    expect(await cache.get("a")).toBeUndefined();
    expect(await cache.get("d")).toBe("d");
  });

  it("treats a prefix with glob characters literally", async () => {
    const cache = new MemoryCache();
    await cache.set("odd*key", 1);
    await cache.set("oddXkey", 2);
    await cache.deletePrefix("odd*");
    expect(await cache.get("odd*key")).toBeUndefined();
    expect(await cache.get("oddXkey")).toBe(2);
  });
});

describe("glob matching", () => {
  it("follows Redis glob rules", () => {
    expect(globToRegExp("user:*:apps").test("user:12:apps")).toBe(true);
    expect(globToRegExp("h?llo").test("hello")).toBe(true);
    expect(globToRegExp("h[ae]llo").test("hallo")).toBe(true);
    expect(globToRegExp("h[ae]llo").test("hillo")).toBe(false);
    expect(globToRegExp("a\\*b").test("a*b")).toBe(true);
    expect(globToRegExp("a\\*b").test("axb")).toBe(false);
  });
});

describe("Redis cache (real redis-server)", () => {
  let redis: TestRedis;
  const caches: RedisCache[] = [];
  const make = () => {
    const cache = new RedisCache(redis.url);
    caches.push(cache);
    return cache;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    for (const c of caches) await c.close();
    await redis.stop();
  });

  describe("behaviour", () => {
    behavesLikeACache(async () => {
      const cache = make();
      await waitFor(async () => cache.client.status === "ready");
      return cache;
    });
  });

  it("sets a TTL (default 300 s) on every key", async () => {
    const cache = make();
    await waitFor(async () => cache.client.status === "ready");
    await cache.set("ttl:default", 1);
    await cache.set("ttl:short", 1, 7);
    expect(await cache.client.ttl("wh:cache:ttl:default")).toBeGreaterThan(290);
    expect(await cache.client.ttl("wh:cache:ttl:short")).toBeLessThanOrEqual(7);
  });

  it("deletes corrupted entries and reports a miss", async () => {
    const cache = make();
    await waitFor(async () => cache.client.status === "ready");
    await cache.client.set("wh:cache:broken", "{not json");
    expect(await cache.get("broken")).toBeUndefined();
    expect(await cache.client.exists("wh:cache:broken")).toBe(0);
  });

  it("deletes thousands of keys by prefix with SCAN", async () => {
    const cache = make();
    await waitFor(async () => cache.client.status === "ready");
    const pipeline = cache.client.pipeline();
    for (let i = 0; i < 3_000; i++) pipeline.set(`wh:cache:bulk:${i}`, "1");
    pipeline.set("wh:cache:keep", "1");
    await pipeline.exec();
    await cache.deletePrefix("bulk:");
    expect((await cache.client.keys("wh:cache:bulk:*")).length).toBe(0);
    expect(await cache.client.exists("wh:cache:keep")).toBe(1);
  });

  it("degrades to misses when Redis goes down mid-run, and recovers", async () => {
    const cache = make();
    await waitFor(async () => cache.client.status === "ready");
    await cache.set("k", "v");
    await redis.stop();
    await waitFor(async () => cache.client.status !== "ready");
    expect(await cache.get("k")).toBeUndefined();
    await expect(cache.set("k2", "v2")).resolves.toBeUndefined();
    await expect(cache.deletePrefix("k")).resolves.toBeUndefined();
    await redis.restart();
    await waitFor(async () => cache.client.status === "ready", 15_000);
    await cache.set("k3", "v3");
    expect(await cache.get("k3")).toBe("v3");
  });

  it("works as all misses when Redis is down at start", async () => {
    const cache = new RedisCache("redis://127.0.0.1:1/0");
    caches.push(cache);
    expect(await cache.get("anything")).toBeUndefined();
    await expect(cache.set("anything", 1)).resolves.toBeUndefined();
    await expect(cache.deleteByPattern("a*")).resolves.toBeUndefined();
  });
});
