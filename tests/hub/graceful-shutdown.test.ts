import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-db";
import { seedApp, seedUser, seedWorker, startHubFixture } from "./helpers/hub-fixture";
import { busRecorder } from "./helpers/observe";
import { spawnHub } from "./helpers/spawn-hub";
import { TestWorker } from "./helpers/worker-client";

describe("graceful shutdown", () => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it("flushes buffered runtime logs and stats before closing sockets with 1001, then refuses upgrades", async () => {
    // Log batches wait up to a minute here, so only the shutdown flush can store them.
    const fx = await startHubFixture({ logBatchDelayMs: 60_000, statsPublishMs: 60_000 });
    const userId = await seedUser(fx.tdb);
    const w = await seedWorker(fx.tdb);
    const app = await seedApp(fx.tdb, userId, w.id);
    const t = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    const snapshots = await busRecorder(fx.tdb.url, "stats.snapshot");
    t.send("app_stats", { apps: [{ app_id: app.id, cpu_pct: 12, mem_bytes: 1, mem_limit: 2, net_mbps: 0, net_total_bytes: 0, disk_mbps: 0 }] });
    await expect.poll(() => fx.hub.stats.get(app.id)?.cpuPct, { timeout: 10_000 }).toBe(12);
    for (let i = 0; i < 5; i++) {
      t.send("runtime_log", { lines: Array.from({ length: 10 }, (_, j) => ({ app_id: app.id, ts: Date.now(), stream: "stdout", line: `line ${i}-${j}` })) });
    }
    await expect.poll(() => fx.hub.pendingLogLines(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(snapshots.messages).toHaveLength(0);
    expect(await fx.tdb.db.runtimeLog.count({ where: { appId: app.id } })).toBe(0);
    const closed = t.waitClose();
    await fx.hub.close();
    expect(await closed).toBe(1001);
    // The hub's own pool is closed; read with the test's client.
    expect(await fx.tdb.db.runtimeLog.count({ where: { appId: app.id } })).toBe(50);
    expect(t.errors()).toHaveLength(0);
    await expect.poll(() => snapshots.messages.flatMap((m) => m.apps).map((a) => a.cpuPct), { timeout: 10_000 }).toEqual([12]);
    await snapshots.close();
    await expect(TestWorker.connect(fx.url, w.apiKey, w.apiKey)).rejects.toThrow();
    await fx.tdb.drop();
  });

  it("the hub process exits 0 on SIGTERM, closing its workers with 1001 and clearing their live-connection marker", async () => {
    const tdb = await createTestDatabase();
    dbs.push(tdb);
    const w = await seedWorker(tdb);
    const hub = await spawnHub(tdb.url);
    const t = await TestWorker.connect(hub.url, w.apiKey, w.apiKey);
    expect((await tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } })).hubConnection).not.toBeNull();
    const closed = t.waitClose();
    expect(await hub.stop()).toBe(0);
    expect(await closed).toBe(1001);
    expect((await tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } })).hubConnection).toBeNull();
  }, 150_000);
});
