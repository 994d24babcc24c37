import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKeyBytes } from "../../src/protocol/api-key";
import { signFrame } from "../../src/protocol/signing";
import { startHubFixture, seedApp, seedUser, seedWorker, type HubFixture, type SeededWorker } from "./helpers/hub-fixture";
import { TestWorker } from "./helpers/worker-client";

/** Every check of docs/worker-protocol.md, "Checks, in order", in order, with its answer. */
describe("frame checks", () => {
  let fx: HubFixture;
  let w: SeededWorker;
  let worker: TestWorker;
  beforeAll(async () => {
    fx = await startHubFixture({ connection: { badSignatureLimit: 10 } });
    w = await seedWorker(fx.tdb);
  });
  afterAll(async () => {
    await fx.close();
  });

  const connect = async () => (worker = await TestWorker.connect(fx.url, w.apiKey, w.apiKey));
  const hb = { status: "online", cpu_used: 1, mem_used: 10, running_apps: 0 };

  it("1. a frame over 1 MiB closes the connection with 1009", async () => {
    await connect();
    worker.sendRaw("x".repeat(1024 * 1024 + 10));
    expect(await worker.waitClose()).toBe(1009);
  });

  it("2. bad_envelope: not JSON, binary, missing fields, wrong v, seq 0 — re is the seq when readable", async () => {
    await connect();
    worker.sendRaw("not json");
    expect((await worker.errorFor(0)).data.code).toBe("bad_envelope");
    worker.frames.length = 0;
    worker.sendRaw(Buffer.from("{}"), true);
    expect((await worker.errorFor(0)).data.code).toBe("bad_envelope");
    worker.sendRaw(JSON.stringify({ v: 2, type: "heartbeat", seq: 41, ts: Date.now(), re: 0, data: "{}", sig: "a".repeat(43) }));
    const e41 = await worker.errorFor(41);
    expect(e41.data.code).toBe("bad_envelope");
    expect(e41.data.message).toMatch(/v/);
    worker.sendRaw(JSON.stringify({ v: 1, type: "heartbeat", seq: 42, ts: Date.now(), re: 0, data: {}, sig: "a".repeat(43) }));
    expect((await worker.errorFor(42)).data.code).toBe("bad_envelope");
    worker.sendRaw(JSON.stringify({ v: 1, type: "heartbeat", seq: 0, ts: Date.now(), re: 0, data: "{}", sig: "a".repeat(43) }));
    expect((await worker.errorFor(0)).data.code).toBe("bad_envelope");
    worker.close();
  });

  it("3. bad_signature, and 10 bad signatures within a minute close with 1008", async () => {
    await connect();
    const wrongKey = hashApiKeyBytes("another-key-another-key-another-key!!");
    for (let seq = 1; seq <= 9; seq++) {
      const fields = { type: "heartbeat", seq, ts: Date.now(), re: 0, data: JSON.stringify(hb) };
      worker.sendRaw(JSON.stringify({ v: 1, ...fields, sig: signFrame(wrongKey, fields) }));
      expect((await worker.errorFor(seq)).data.code).toBe("bad_signature");
    }
    // A tampered data field with the original signature is also refused.
    const fields = { type: "heartbeat", seq: 10, ts: Date.now(), re: 0, data: JSON.stringify(hb) };
    const sig = signFrame(worker.key, fields);
    worker.sendRaw(JSON.stringify({ v: 1, ...fields, data: JSON.stringify({ ...hb, cpu_used: 99 }), sig }));
    expect((await worker.errorFor(10)).data.code).toBe("bad_signature");
    expect(await worker.waitClose()).toBe(1008);
    // Nothing from the refused frames was applied.
    expect((await fx.tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } })).cpuUsed).toBe(0);
  });

  it("4. clock_skew beyond ±300 s", async () => {
    await connect();
    const late = worker.send("heartbeat", hb, { ts: Date.now() - 301_000 });
    expect((await worker.errorFor(late)).data.code).toBe("clock_skew");
    const early = worker.send("heartbeat", hb, { ts: Date.now() + 301_000 });
    expect((await worker.errorFor(early)).data.code).toBe("clock_skew");
    const fine = worker.send("heartbeat", hb, { ts: Date.now() - 200_000 });
    await worker.roundTrip();
    expect(worker.errors().find((e) => e.re === fine)).toBeUndefined();
    worker.close();
  });

  it("5. a replayed seq, or one below the 256 window, is dropped without an answer and counted", async () => {
    await connect();
    const before = (await fx.hub.metrics.replays.get()).values[0]?.value ?? 0;
    worker.send("heartbeat", hb, { seq: 5 });
    worker.send("heartbeat", { ...hb, cpu_used: 7 }, { seq: 5 });
    worker.send("heartbeat", hb, { seq: 300 });
    worker.send("heartbeat", { ...hb, cpu_used: 8 }, { seq: 44 }); // below 300 - 255
    worker.send("heartbeat", hb, { seq: 299 }); // out of order but inside the window: accepted
    worker.seq = 300;
    await worker.roundTrip();
    const answered = worker.errors().filter((e) => [5, 44, 299, 300].includes(e.re));
    expect(answered).toHaveLength(0);
    const after = (await fx.hub.metrics.replays.get()).values[0]?.value ?? 0;
    expect(after - before).toBe(2);
    expect((await fx.tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } })).cpuUsed).toBe(1);
    worker.close();
  });

  it("6. unknown_type and bad_payload (message names the field)", async () => {
    await connect();
    const u = worker.send("teleport", {});
    expect((await worker.errorFor(u)).data.code).toBe("unknown_type");
    const p = worker.send("heartbeat", { status: "online", cpu_used: -1, mem_used: 1, running_apps: 0 });
    const err = await worker.errorFor(p);
    expect(err.data.code).toBe("bad_payload");
    expect(err.data.message).toMatch(/cpu_used/);
    const fields = { type: "heartbeat", seq: ++worker.seq, ts: Date.now(), re: 0, data: "{not json" };
    worker.sendRaw(JSON.stringify({ v: 1, ...fields, sig: signFrame(worker.key, fields) }));
    expect((await worker.errorFor(fields.seq)).data.code).toBe("bad_payload");
    const tooMany = worker.send("runtime_log", { lines: Array.from({ length: 5001 }, () => ({ app_id: 1, ts: Date.now(), stream: "stdout", line: "x" })) });
    expect((await worker.errorFor(tooMany)).data.code).toBe("bad_payload");
    worker.close();
  });

  it("7. forbidden: another worker's app or job, nothing written", async () => {
    const userId = await seedUser(fx.tdb);
    const other = await seedWorker(fx.tdb);
    const foreignApp = await seedApp(fx.tdb, userId, other.id);
    const ownApp = await seedApp(fx.tdb, userId, w.id);
    const dep = await fx.tdb.db.deployment.create({ data: { appId: foreignApp.id, workerId: other.id } });
    const job = await fx.tdb.db.job.create({ data: { type: "deploy", appId: foreignApp.id, deploymentId: dep.id, workerId: other.id, status: "processing" } });
    await connect();
    const stat = { app_id: foreignApp.id, cpu_pct: 1, mem_bytes: 1, mem_limit: 1, net_mbps: 0, net_total_bytes: 0, disk_mbps: 0 };
    const sent = [
      worker.send("app_stats", { apps: [{ ...stat, app_id: ownApp.id }, stat] }),
      worker.send("runtime_log", { lines: [{ app_id: foreignApp.id, ts: new Date().toISOString(), stream: "stdout", line: "evil" }] }),
      worker.send("job_result", { job_id: job.id, status: "completed", port: 1234 }),
      worker.send("job_status", { job_id: job.id, status: "processing", message: "x", progress: 50 }),
      worker.send("app_status", { app_id: foreignApp.id, status: "stopped" }),
      worker.send("violation", { app_id: foreignApp.id, reason: "mining" }),
      worker.send("build_log", { deployment_id: dep.id, chunk: "evil" }),
    ];
    for (const seq of sent) expect((await worker.errorFor(seq)).data.code).toBe("forbidden");
    expect(fx.hub.stats.get(foreignApp.id)).toBeUndefined();
    expect(fx.hub.stats.get(ownApp.id)).toBeUndefined();
    expect(await fx.tdb.db.runtimeLog.count({ where: { appId: foreignApp.id } })).toBe(0);
    expect(await fx.tdb.db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: "processing", progress: 0 });
    expect(await fx.tdb.db.app.findUniqueOrThrow({ where: { id: foreignApp.id } })).toMatchObject({ status: "running", port: 30001 });
    expect((await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: dep.id } })).buildLogs).toBe("");
    worker.close();
  });
});
