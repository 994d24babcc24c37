import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus } from "../../src/server/bus/create-bus";
import type { Bus } from "../../src/server/bus/channels";
import { cipherContext } from "../../src/server/crypto/secret-cipher";
import { samplePayload, seedApp, seedAssignedJob, seedUser, seedWorker, startHubFixture, type HubFixture } from "./helpers/hub-fixture";
import { TestWorker } from "./helpers/worker-client";

async function closesWithCode(fx: HubFixture, code: string): Promise<number> {
  const metric = await fx.hub.metrics.closes.get();
  return metric.values.find((v) => v.labels.code === code)?.value ?? 0;
}

/** Big job frames (≈900 KB each) fill a paused reader's socket buffers quickly. */
async function pushBigJobs(fx: HubFixture, bus: Bus, workerId: number, userId: number, count: number) {
  const app = await seedApp(fx.tdb, userId, workerId);
  const big = samplePayload({ env: { BLOB: "b".repeat(900_000) } });
  for (let i = 0; i < count; i++) {
    const payload = fx.services.cipher.encrypt(JSON.stringify(big), cipherContext.jobPayload(app.id));
    const { job } = await seedAssignedJob(fx, app.id, workerId, { type: "start", payload, reqCpu: 0, reqMem: 0 });
    await bus.publish("job.assigned", { jobId: job.id, workerId });
  }
}

describe("keep-alive, write timeout and bounded outbound queue", () => {
  let fx: HubFixture;
  let bus: Bus;
  let userId: number;
  beforeAll(async () => {
    fx = await startHubFixture({ connection: { pingIntervalMs: 300, idleTimeoutMs: 2_000, writeTimeoutMs: 1_500, maxOutboundBytes: 2 * 1024 * 1024 } });
    bus = createBus({ databaseUrl: fx.tdb.url });
    userId = await seedUser(fx.tdb);
  });
  afterAll(async () => {
    await bus.close();
    await fx.close();
  });

  it("pings keep an answering worker alive past the idle timeout", async () => {
    const w = await seedWorker(fx.tdb);
    const t = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    let pings = 0;
    t.ws.on("ping", () => pings++);
    // The point of the test: stay connected for longer than the 2 s idle timeout.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(t.closeCode).toBeUndefined();
    t.close();
  });

  it("a worker that sends nothing (not even pong) is dropped after the idle timeout", async () => {
    const w = await seedWorker(fx.tdb);
    const t = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    const before = await closesWithCode(fx, "idle");
    t.ws.pause(); // stops reading: pings go unanswered
    await expect.poll(() => closesWithCode(fx, "idle"), { timeout: 15_000 }).toBe(before + 1);
    await expect.poll(async () => (await fx.tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } })).hubConnection, { timeout: 10_000 }).toBeNull();
    t.close();
  });

  it("a worker that cannot keep up is disconnected (1013 or write timeout), never buffered without bound", async () => {
    const w = await seedWorker(fx.tdb);
    const t = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
    const before = (await closesWithCode(fx, "1013")) + (await closesWithCode(fx, "write_timeout"));
    t.ws.pause();
    // Keep the connection "not idle" from the hub's view by sending heartbeats while not reading.
    const keepSending = setInterval(() => t.send("heartbeat", { status: "online", cpu_used: 0, mem_used: 0, running_apps: 0 }), 200);
    try {
      await pushBigJobs(fx, bus, w.id, userId, 20);
      await expect.poll(async () => (await closesWithCode(fx, "1013")) + (await closesWithCode(fx, "write_timeout")), { timeout: 15_000 }).toBe(before + 1);
      expect(fx.hub.connections.get(w.id)).toBeUndefined();
    } finally {
      clearInterval(keepSending);
      t.close();
    }
  }, 30_000);
});
