import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LiveStatsStore } from "../../src/server/stats/live-stats-store";
import { createBus } from "../../src/server/bus/create-bus";
import { startHubFixture, seedApp, seedAssignedJob, seedUser, seedWorker, type HubFixture, type SeededWorker } from "./helpers/hub-fixture";
import { busRecorder, platformEvents } from "./helpers/observe";
import { TestWorker } from "./helpers/worker-client";

describe("worker → hub messages", () => {
  let fx: HubFixture;
  let w: SeededWorker;
  let worker: TestWorker;
  let userId: number;
  beforeAll(async () => {
    fx = await startHubFixture({ statsPublishMs: 100 });
    w = await seedWorker(fx.tdb);
    userId = await seedUser(fx.tdb);
    worker = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
  });
  afterAll(async () => {
    worker.close();
    await fx.close();
  });

  /** Sends and waits until the hub processed it; fails if it was answered with an error. */
  const apply = async (type: string, payload: unknown) => {
    const seq = worker.send(type, payload);
    await worker.roundTrip();
    const err = worker.errors().find((e) => e.re === seq);
    if (err) throw new Error(`${type} answered ${err.data.code}: ${err.data.message}`);
  };

  it("heartbeat stamps usage and last_heartbeat and brings an offline worker back online", async () => {
    await fx.tdb.db.worker.update({ where: { id: w.id }, data: { status: "offline", lastHeartbeat: new Date(0) } });
    await apply("heartbeat", { status: "online", cpu_used: 1.5, mem_used: 2048, disk_used: 900, running_apps: 3 });
    const row = await fx.tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } });
    expect(row).toMatchObject({ status: "online", cpuUsed: 1.5, memUsed: 2048, diskUsed: 900, runningApps: 3 });
    expect(Date.now() - row.lastHeartbeat!.getTime()).toBeLessThan(10_000);
  });

  it("app_stats fills the hub's live store and reaches other processes' LiveStatsStore in a batch", async () => {
    const app = await seedApp(fx.tdb, userId, w.id);
    const reader = new LiveStatsStore();
    const bus = createBus({ databaseUrl: fx.tdb.url });
    await reader.subscribe(bus);
    try {
      await apply("app_stats", { apps: [{ app_id: app.id, cpu_pct: 42.5, mem_bytes: 1e8, mem_limit: 5e8, net_mbps: 1.2, net_total_bytes: 12345, disk_mbps: 0.3 }] });
      expect(fx.hub.stats.get(app.id)).toMatchObject({ appId: app.id, workerId: w.id, cpuPct: 42.5, memBytes: 1e8 });
      await expect.poll(() => reader.get(app.id)?.cpuPct, { timeout: 15_000 }).toBe(42.5);
      expect(reader.all().map((s) => s.appId)).toContain(app.id);
    } finally {
      await bus.close();
    }
  });

  it("runtime_log: stored in one batch with ANSI/NUL stripped and lines capped at 8 KiB, and fanned out on app.logs", async () => {
    const app = await seedApp(fx.tdb, userId, w.id);
    const rec = await busRecorder(fx.tdb.url, "app.logs");
    try {
      const ts = "2026-11-22T07:00:00.123Z";
      await apply("runtime_log", {
        lines: [
          { app_id: app.id, ts, stream: "stdout", line: "\u001b[31mred\u001b[0m text\u0000!" },
          { app_id: app.id, ts: Date.parse(ts) + 1, stream: "stderr", line: "é".repeat(5000) },
        ],
      });
      const rows = await fx.tdb.db.runtimeLog.findMany({ where: { appId: app.id }, orderBy: { id: "asc" } });
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ line: "red text!", stream: "stdout", workerId: w.id });
      expect(rows[0]!.ts.toISOString()).toBe(ts);
      expect(Buffer.byteLength(rows[1]!.line)).toBeLessThanOrEqual(8192);
      expect(rows[1]!.line).toBe("é".repeat(4096));
      await expect.poll(() => rec.messages.flatMap((m) => m.lines).length, { timeout: 15_000 }).toBe(2);
      expect(rec.messages.every((m) => m.appId === app.id)).toBe(true);
      const live = rec.messages.flatMap((m) => m.lines);
      expect(live[0]).toMatchObject({ id: String(rows[0]!.id), line: "red text!", stream: "stdout" });
      // The live stream caps long lines (a Postgres NOTIFY holds < 8000 bytes); the stored line is whole.
      expect(live[1]!.line).toBe("é".repeat(1500));
    } finally {
      await rec.close();
    }
  });

  it("build_log appends chunks and caps the log head+tail around the marker; published on deployment.log", async () => {
    const app = await seedApp(fx.tdb, userId, w.id);
    const dep = await fx.tdb.db.deployment.create({ data: { appId: app.id, workerId: w.id } });
    const rec = await busRecorder(fx.tdb.url, "deployment.log");
    try {
      await apply("build_log", { deployment_id: dep.id, chunk: "HEAD-START\n" });
      await apply("build_log", { deployment_id: dep.id, chunk: "\u001b[1mstep 1\u001b[0m\n" });
      expect((await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: dep.id } })).buildLogs).toBe("HEAD-START\nstep 1\n");
      // Push it past the cap with frames inside the log budget (1 MiB burst).
      for (let i = 0; i < 3; i++) await apply("build_log", { deployment_id: dep.id, chunk: String(i).repeat(200_000) });
      await apply("build_log", { deployment_id: dep.id, chunk: "THE-END" });
      const logs = (await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: dep.id } })).buildLogs;
      expect(logs.length).toBeLessThanOrEqual(512 * 1024);
      expect(logs.startsWith("HEAD-START\nstep 1\n")).toBe(true);
      expect(logs.endsWith("THE-END")).toBe(true);
      expect(logs).toContain("\n...[truncated]...\n");
      await expect.poll(() => rec.messages.length, { timeout: 15_000 }).toBeGreaterThan(2);
      expect(rec.messages[0]).toMatchObject({ deploymentId: dep.id, appId: app.id, offset: 0, chunk: "HEAD-START\n" });
    } finally {
      await rec.close();
    }
  });

  it("app_status stopped marks the app stopped and emits app.stopped; crashed records an app_events row and app.crashed", async () => {
    const app = await seedApp(fx.tdb, userId, w.id);
    const changed = await busRecorder(fx.tdb.url, "app.changed");
    try {
      await apply("app_status", { app_id: app.id, status: "stopped", reason: "exited 0" });
      expect((await fx.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).status).toBe("stopped");
      await apply("app_status", { app_id: app.id, status: "crashed", reason: "exit 137" });
      await apply("app_status", { app_id: app.id, status: "crashed", reason: "exit 1" });
      expect((await fx.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).status).toBe("crashed");
      expect(await fx.tdb.db.appEvent.count({ where: { appId: app.id, kind: "crashed" } })).toBe(2);
      const events = (await platformEvents(fx.tdb)).filter((e) => e.appId === app.id);
      expect(events.map((e) => e.type)).toEqual(["app.stopped", "app.crashed", "app.crashed"]);
      expect(events[0]).toMatchObject({ userId, data: { appName: app.name, reason: "exited 0" } });
      await expect.poll(() => changed.messages.filter((m) => m.appId === app.id).length, { timeout: 15_000 }).toBe(3);
    } finally {
      await changed.close();
    }
  });

  it("violation marks the app violated with the reason and emits app.violation", async () => {
    const app = await seedApp(fx.tdb, userId, w.id);
    await apply("violation", { app_id: app.id, reason: "crypto mining detected" });
    expect(await fx.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).toMatchObject({ status: "violated", statusReason: "crypto mining detected" });
    const events = (await platformEvents(fx.tdb)).filter((e) => e.appId === app.id);
    expect(events).toMatchObject([{ type: "app.violation", data: { reason: "crypto mining detected" } }]);
  });

  it("job_status moves the job to processing (started_at once) and the deployment to building; job.updated is published", async () => {
    const app = await seedApp(fx.tdb, userId, w.id, { status: "deploying" });
    const { job, deployment } = await seedAssignedJob(fx, app.id, w.id);
    const rec = await busRecorder(fx.tdb.url, "job.updated");
    try {
      await apply("job_status", { job_id: job.id, status: "processing", message: "cloning", progress: 10 });
      const first = await fx.tdb.db.job.findUniqueOrThrow({ where: { id: job.id } });
      expect(first).toMatchObject({ status: "processing", message: "cloning", progress: 10 });
      await apply("job_status", { job_id: job.id, status: "processing", message: "building", progress: 60 });
      const second = await fx.tdb.db.job.findUniqueOrThrow({ where: { id: job.id } });
      expect(second.progress).toBe(60);
      expect(second.startedAt!.getTime()).toBe(first.startedAt!.getTime());
      expect((await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).status).toBe("building");
      await expect.poll(() => rec.messages.filter((m) => m.jobId === job.id).map((m) => m.progress), { timeout: 15_000 }).toEqual([10, 60]);
    } finally {
      await rec.close();
    }
  });

  it("job_result completed: job, deployment and app in one go, reservation released, deployment.succeeded emitted; a repeat is ignored", async () => {
    const app = await seedApp(fx.tdb, userId, null, { status: "deploying", port: null });
    await fx.tdb.db.worker.update({ where: { id: w.id }, data: { usedCpu: 0, usedMem: 0 } });
    const { job, deployment } = await seedAssignedJob(fx, app.id, w.id, { reqCpu: 1.5, reqMem: 768 });
    await apply("job_result", { job_id: job.id, status: "completed", container_id: "ctr-1", port: 31000, logs: "\u001b[32mok\u001b[0m", commit_sha: "abc123", commit_message: "fix" });
    expect(await fx.tdb.db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: "completed", progress: 100 });
    expect(await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).toMatchObject({
      status: "succeeded",
      workerId: w.id,
      commitSha: "abc123",
      commitMessage: "fix",
      buildLogs: "ok",
    });
    expect(await fx.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).toMatchObject({
      status: "running",
      workerId: w.id,
      port: 31000,
      containerId: "ctr-1",
      currentDeploymentId: deployment.id,
    });
    expect(await fx.tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } })).toMatchObject({ usedCpu: 0, usedMem: 0 });
    // Results apply exactly once: a repeat changes nothing and is not an error.
    await apply("job_result", { job_id: job.id, status: "failed", error: "late duplicate" });
    expect((await fx.tdb.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("completed");
    const events = (await platformEvents(fx.tdb)).filter((e) => e.appId === app.id);
    expect(events).toMatchObject([{ type: "deployment.succeeded", userId, data: { deploymentId: deployment.id, commitSha: "abc123" } }]);
  });

  it("job_result keeps the streamed build log from its first line: the result's logs (the agent's tail) fill it only when nothing was streamed", async () => {
    const app = await seedApp(fx.tdb, userId, w.id, { status: "deploying" });
    const { job, deployment } = await seedAssignedJob(fx, app.id, w.id);
    // As an agent streams a container build (src/agent/jobs/build-log-stream.ts): more lines than
    // the 60-line tail its job_result carries, so the result alone would start mid-build.
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`);
    for (let i = 0; i < lines.length; i += 25) await apply("build_log", { deployment_id: deployment.id, chunk: `${lines.slice(i, i + 25).join("\n")}\n` });
    await apply("job_result", { job_id: job.id, status: "failed", error: "step 7 failed", logs: lines.slice(-60).join("\n") });
    expect((await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).buildLogs).toBe(`${lines.join("\n")}\n`);
  });

  it("job_result failed: app failed with the error, deployment failed, deployment.failed emitted, release never below zero", async () => {
    const app = await seedApp(fx.tdb, userId, w.id, { status: "deploying" });
    const { job, deployment } = await seedAssignedJob(fx, app.id, w.id, { reqCpu: 2, reqMem: 1024 });
    // Someone already lowered the counters: the release must clamp at zero, not fail the CHECK.
    await fx.tdb.db.worker.update({ where: { id: w.id }, data: { usedCpu: 0.5, usedMem: 100 } });
    await apply("job_result", { job_id: job.id, status: "failed", error: "npm install failed" });
    expect(await fx.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).toMatchObject({ status: "failed", statusReason: "npm install failed" });
    expect(await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).toMatchObject({ status: "failed", error: "npm install failed" });
    expect(await fx.tdb.db.worker.findUniqueOrThrow({ where: { id: w.id } })).toMatchObject({ usedCpu: 0, usedMem: 0 });
    const events = (await platformEvents(fx.tdb)).filter((e) => e.appId === app.id);
    expect(events).toMatchObject([{ type: "deployment.failed", data: { error: "npm install failed" } }]);
  });

  it("job_result for stop and delete jobs sets the app stopped / deleted", async () => {
    const app = await seedApp(fx.tdb, userId, w.id);
    const { job: stop } = await seedAssignedJob(fx, app.id, w.id, { type: "stop", payload: null, reqCpu: 0, reqMem: 0 });
    await apply("job_result", { job_id: stop.id, status: "completed" });
    expect((await fx.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } })).status).toBe("stopped");
    const { job: del } = await seedAssignedJob(fx, app.id, w.id, { type: "delete", payload: null, reqCpu: 0, reqMem: 0 });
    await apply("job_result", { job_id: del.id, status: "completed" });
    const row = await fx.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    expect(row.status).toBe("deleted");
    expect(row.deletedAt).not.toBeNull();
  });
});
