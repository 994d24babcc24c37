import { afterAll, describe, expect, it } from "vitest";
import { seedApp, seedUser, seedWorker, startHubFixture, type HubFixture } from "../hub/helpers/hub-fixture";
import { TestWorker } from "../hub/helpers/worker-client";

/**
 * Ctrl-C of `npm start` stops the agent before the hub (src/launcher/platform.ts): the agent
 * flushes its buffered log lines into runtime_log frames and closes its socket at once
 * (src/agent/agent.ts). Every frame the hub had received by then must still be applied, not
 * dropped because the peer has gone (tests/faults/ctrl-c-under-load.test.ts does it with npm start).
 */
describe("a worker that closes its socket right after sending", () => {
  let fx: HubFixture | undefined;
  afterAll(async () => {
    await fx?.close();
  });

  it("has every runtime_log frame it sent before the close stored", async () => {
    fx = await startHubFixture();
    const userId = await seedUser(fx.tdb);
    const w = await seedWorker(fx.tdb);
    const app = await seedApp(fx.tdb, userId, w.id);
    const t = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    await t.roundTrip();
    // 1,000 lines in 20 frames, as a shipper flushing a backlog sends them, then a clean close (code 1000, as the agent's stop).
    for (let frame = 0; frame < 20; frame++) {
      t.send("runtime_log", { lines: Array.from({ length: 50 }, (_, i) => ({ app_id: app.id, ts: Date.now(), stream: "stdout", line: `stop line ${frame * 50 + i}` })) });
    }
    t.ws.close(1000, "agent stopping");
    expect(await t.waitClose(15_000)).toBe(1000);
    await expect.poll(() => fx!.tdb.db.runtimeLog.count({ where: { appId: app.id } }), { timeout: 15_000 }).toBe(1_000);
    // Nothing was written twice (the hub has applied every frame: its writer holds none back).
    await expect.poll(() => fx!.hub.pendingLogLines(), { timeout: 15_000 }).toBe(0);
    const lines = await fx.tdb.db.runtimeLog.findMany({ where: { appId: app.id }, select: { line: true } });
    expect(new Set(lines.map((l) => l.line)).size).toBe(1_000);
  });
});
