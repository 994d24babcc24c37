import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus, BusMessage } from "../../src/server/bus/channels";
import { createBus } from "../../src/server/bus/create-bus";
import { splitForNotify, truncateUtf8 } from "../../src/server/bus/pg-bus";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { startTestRedis, type TestRedis } from "../helpers/redis-server";

/** Subscribes; resolves once the subscription is in place, with the first message it delivers to come. */
async function nextMessage<T>(subscribe: (handler: (m: T) => void) => Promise<unknown>, timeoutMs = 15_000): Promise<{ received: Promise<T> }> {
  let deliver!: (m: T) => void;
  const received = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no message")), timeoutMs);
    deliver = (m) => {
      clearTimeout(timer);
      resolve(m);
    };
  });
  // subscribe() resolves once the LISTEN / SUBSCRIBE is acknowledged: a publish after it is heard.
  await subscribe((m) => deliver(m));
  return { received };
}

function crossProcessBehaviour(makePair: () => Promise<[Bus, Bus]>) {
  it("delivers a message published by one process to a subscriber in another", async () => {
    const [a, b] = await makePair();
    const { received } = await nextMessage<BusMessage<"job.assigned">>((h) => b.subscribe("job.assigned", h));
    await a.publish("job.assigned", { jobId: 7, workerId: 3 });
    expect(await received).toEqual({ jobId: 7, workerId: 3 });
  });

  it("drops malformed messages instead of crashing subscribers", async () => {
    const [a, b] = await makePair();
    const seen: unknown[] = [];
    await b.subscribe("job.assigned", (m) => seen.push(m));
    await a.publish("job.assigned", { jobId: "nope" } as never);
    await a.publish("job.assigned", { jobId: 1, workerId: 2 });
    // Messages arrive in publish order, so once the valid one is here the malformed one was handled.
    await expect.poll(() => seen.length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(seen).toEqual([{ jobId: 1, workerId: 2 }]);
  });
}

describe("Postgres LISTEN/NOTIFY bus", () => {
  let database: TestDatabase;
  const buses: Bus[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const b of buses) await b.close();
    await database.drop();
  });

  crossProcessBehaviour(async () => {
    const pair: [Bus, Bus] = [createBus({ databaseUrl: database.url }), createBus({ databaseUrl: database.url })];
    buses.push(...pair);
    return pair;
  });

  it("a second concurrent subscriber to a channel resolves only once the channel is listened to", async () => {
    const a = createBus({ databaseUrl: database.url });
    const b = createBus({ databaseUrl: database.url });
    buses.push(a, b);
    const first: unknown[] = [];
    const second: unknown[] = [];
    // Both subscribe before either LISTEN is acknowledged; the second must not return early.
    const firstSubscribed = b.subscribe("job.assigned", (m) => first.push(m));
    await b.subscribe("job.assigned", (m) => second.push(m));
    await a.publish("job.assigned", { jobId: 11, workerId: 4 });
    await expect.poll(() => second.length, { timeout: 15_000 }).toBe(1);
    await firstSubscribed;
    await expect.poll(() => first.length, { timeout: 15_000 }).toBe(1);
    expect(second).toEqual([{ jobId: 11, workerId: 4 }]);
  });

  it("splits log batches larger than a NOTIFY payload and delivers every line", async () => {
    const a = createBus({ databaseUrl: database.url });
    const b = createBus({ databaseUrl: database.url });
    buses.push(a, b);
    const lines: string[] = [];
    await b.subscribe("app.logs", (m) => lines.push(...m.lines.map((l) => l.line)));
    const batch = Array.from({ length: 200 }, (_, i) => ({ id: `l${i}`, ts: i, stream: "stdout" as const, line: `line ${i} ${"x".repeat(100)}` }));
    await a.publish("app.logs", { appId: 1, lines: batch });
    await expect.poll(() => lines.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(200);
    expect(lines).toHaveLength(200);
    expect(lines[199]).toMatch(/^line 199/);
  });

  it("keeps every NOTIFY part under the byte limit for long multi-byte lines", () => {
    const line = "日本語のログ行".repeat(2_000);
    const parts = splitForNotify("app.logs", { appId: 1, lines: [{ id: "1", ts: 1, stream: "stdout", line }] }, "x".repeat(9_000));
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(7_900);
    const sent = JSON.parse(parts[0]!).lines[0].line as string;
    expect(line.startsWith(sent)).toBe(true);
  });

  it("cuts UTF-8 on a character boundary", () => {
    expect(truncateUtf8("aé", 2)).toBe("a");
    expect(truncateUtf8("aé", 3)).toBe("aé");
    expect(truncateUtf8("😀😀", 5)).toBe("😀");
  });

  it("refuses an oversized message on a channel that cannot be split", () => {
    expect(() => splitForNotify("app.changed", {}, "x".repeat(9_000))).toThrow(/limit/);
  });
});

describe("Redis pub/sub bus (real redis-server)", () => {
  let redis: TestRedis;
  const buses: Bus[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    for (const b of buses) await b.close();
    await redis.stop();
  });

  crossProcessBehaviour(async () => {
    const pair: [Bus, Bus] = [
      createBus({ databaseUrl: "postgresql://unused", redisUrl: redis.url }),
      createBus({ databaseUrl: "postgresql://unused", redisUrl: redis.url }),
    ];
    buses.push(...pair);
    return pair;
  });
});
