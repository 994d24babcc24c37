import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPeriodicTicks } from "../../src/jobs-process/periodic-ticks";
import { QUEUES } from "../../src/jobs-process/queue-names";
import { startBoss } from "../../src/jobs-process/start-boss";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe("periodic ticks from several jobs processes", () => {
  it("yield one job per slot however many processes send them", { timeout: 60_000 }, async () => {
    const log = pino({ level: "silent" });
    const bosses = await Promise.all([0, 1, 2].map(() => startBoss({ connectionString: t.url, log, max: 2 })));
    const started = Date.now();
    const stops = await Promise.all(bosses.map((b) => startPeriodicTicks(b, log, { tickMs: 200 })));
    // The window the ticks fire in: the test counts the jobs sent during it.
    await new Promise((r) => setTimeout(r, 3_000));
    stops.forEach((s) => s());
    // A tick in flight may still send: stopping pg-boss waits for its pool, so every send has
    // landed (in its slot) before `ended` is read and no slot after `ended` can hold a job.
    for (const b of bosses) await b.stop({ graceful: false });
    const ended = Date.now();

    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    const slotsSpanned = (seconds: number) => Math.floor(ended / 1000 / seconds) - Math.floor(started / 1000 / seconds) + 1;
    const count = async (queue: string) =>
      Number((await client.query("SELECT count(*) FROM pgboss.job WHERE name = $1", [queue])).rows[0].count);
    try {
      // Three processes firing every 200 ms for 3 s: about 45 sends per queue, one job per slot.
      const usage = await count(QUEUES.usageTick);
      expect(usage).toBeGreaterThanOrEqual(1);
      expect(usage).toBeLessThanOrEqual(slotsSpanned(60));
      const alerts = await count(QUEUES.alertTick);
      expect(alerts).toBeGreaterThanOrEqual(1);
      expect(alerts).toBeLessThanOrEqual(slotsSpanned(30));
      // Cron schedules are registered once, by name, whoever registers them.
      const schedules = Number((await client.query("SELECT count(*) FROM pgboss.schedule")).rows[0].count);
      expect(schedules).toBe(4);
    } finally {
      await client.end();
    }
  });
});
