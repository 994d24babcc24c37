import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeReport } from "../../src/protocol/runtime-report";
import { startHubFixture, seedApp, seedAssignedJob, seedUser, seedWorker, type HubFixture, type SeededWorker } from "./helpers/hub-fixture";
import { TestWorker } from "./helpers/worker-client";

/** job_result.runtime over a real WebSocket: validated by the hub, stored per app (src/server/worker-reports/runtime-report.ts). */
describe("job_result.runtime", () => {
  let fx: HubFixture;
  let w: SeededWorker;
  let worker: TestWorker;
  let userId: number;
  beforeAll(async () => {
    fx = await startHubFixture();
    w = await seedWorker(fx.tdb);
    userId = await seedUser(fx.tdb);
    worker = await TestWorker.connect(fx.url, w.apiKey, w.apiKey);
  });
  afterAll(async () => {
    worker.close();
    await fx.close();
  });

  const processReport: RuntimeReport = {
    kind: "process",
    limits: {
      memory_mb: { value: 512, enforced_by: "agent" },
      cpu: { value: 1, enforced_by: "none" },
      pids: { value: 256, enforced_by: "agent" },
      disk_mb: { value: 2048, enforced_by: "agent" },
    },
    build_limits: { memory_mb: 2048, cpu: 2, timeout_seconds: 900 },
    health_check: { path: "/", timeout_seconds: 60 },
    isolation_note: "Apps on this worker run as plain processes, not in containers",
  };

  it("a completed deploy's report is stored for the app, exactly as sent", async () => {
    const app = await seedApp(fx.tdb, userId, null, { status: "deploying", port: null });
    const { job } = await seedAssignedJob(fx, app.id, w.id);
    const seq = worker.send("job_result", { job_id: job.id, status: "completed", container_id: "pid-4242", port: 31001, runtime: processReport });
    await worker.roundTrip();
    expect(worker.errors().filter((e) => e.re === seq)).toEqual([]);
    const row = await fx.tdb.db.appRuntimeReport.findUniqueOrThrow({ where: { appId: app.id } });
    expect(row.workerId).toBe(w.id);
    expect(row.report).toEqual(processReport);
  });

  it("a completed deploy's image is on its deployment as it reads succeeded; a restart's or a failed deploy's leaves it alone", async () => {
    const containerReport: RuntimeReport = { ...processReport, kind: "container", image: "localhost/wisehosting/app-1:7", isolation_note: undefined };
    const app = await seedApp(fx.tdb, userId, null, { status: "deploying", port: null });
    const deployed = await seedAssignedJob(fx, app.id, w.id);
    worker.send("job_result", { job_id: deployed.job.id, status: "completed", container_id: "c1", port: 31002, runtime: containerReport });
    await worker.roundTrip();
    expect(await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: deployed.deployment.id } })).toMatchObject({ status: "succeeded", image: containerReport.image });

    const restarted = await seedAssignedJob(fx, app.id, w.id, { type: "restart" });
    const failed = await seedAssignedJob(fx, app.id, w.id);
    worker.send("job_result", { job_id: restarted.job.id, status: "completed", container_id: "c1", port: 31002, runtime: containerReport });
    worker.send("job_result", { job_id: failed.job.id, status: "failed", error: "health check failed", runtime: containerReport });
    await worker.roundTrip();
    expect((await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: restarted.deployment.id } })).image).toBeNull();
    expect(await fx.tdb.db.deployment.findUniqueOrThrow({ where: { id: failed.deployment.id } })).toMatchObject({ status: "failed", image: null });
  });

  it("a malformed report fails the whole frame (bad_payload): nothing of the result applies", async () => {
    const app = await seedApp(fx.tdb, userId, null, { status: "deploying", port: null });
    const { job } = await seedAssignedJob(fx, app.id, w.id);
    const bad = { ...processReport, limits: { ...processReport.limits, cpu: { value: 1, enforced_by: "hope" } } };
    const seq = worker.send("job_result", { job_id: job.id, status: "completed", runtime: bad });
    expect((await worker.errorFor(seq)).data.code).toBe("bad_payload");
    expect((await fx.tdb.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("assigned");
    expect(await fx.tdb.db.appRuntimeReport.count({ where: { appId: app.id } })).toBe(0);
  });

  it("a failed job's report is ignored (the app is not running as reported)", async () => {
    const app = await seedApp(fx.tdb, userId, null, { status: "deploying", port: null });
    const { job } = await seedAssignedJob(fx, app.id, w.id);
    worker.send("job_result", { job_id: job.id, status: "failed", error: "build failed", runtime: processReport });
    await worker.roundTrip();
    expect((await fx.tdb.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("failed");
    expect(await fx.tdb.db.appRuntimeReport.count({ where: { appId: app.id } })).toBe(0);
  });
});
