import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cipherContext } from "../../src/server/crypto/secret-cipher";
import { deployPayloadSchema } from "../../src/protocol/job-payload";
import type { RuntimeReport } from "../../src/protocol/runtime-report";
import { storeRuntimeReport } from "../../src/server/worker-reports/runtime-report";
import { expectTrpcError, insertWorker, markDeployed, startAppHarness, type AppHarness } from "./helpers/app-harness";

const REPO = "https://github.com/acme/shop.git";

const REPORT: RuntimeReport = {
  kind: "container",
  engine: "podman 4.3.1",
  image: "wisehosting-app-1:deployment-1",
  image_size_bytes: 210 * 1048576,
  limits: {
    memory_mb: { value: 256, enforced_by: "engine" },
    cpu: { value: 0.5, enforced_by: "engine" },
    pids: { value: 128, enforced_by: "engine" },
    disk_mb: { value: 1024, enforced_by: "agent" },
  },
  build_limits: { memory_mb: 2048, cpu: 2, timeout_seconds: 900 },
  health_check: { path: "/healthz", timeout_seconds: 30 },
};

describe("build and health-check settings, and the runtime report the dashboard shows", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness();
  });
  afterAll(async () => h.close());

  async function payloadOf(appId: number) {
    const job = await h.tdb.db.job.findFirstOrThrow({ where: { appId }, orderBy: { id: "desc" } });
    return deployPayloadSchema.parse(JSON.parse(h.services.cipher.decrypt(job.payload!, cipherContext.jobPayload(appId))));
  }

  it("a Dockerfile app with a health check reaches the job payload as set", async () => {
    const u = await h.user("pro");
    const { app } = await u.caller.apps.create({
      repoUrl: REPO,
      buildSettings: { kind: "dockerfile", dockerfilePath: " docker/web.Dockerfile ", rootDirectory: "services/web" },
      healthCheck: { path: "/healthz", timeoutSeconds: 30 },
      deploy: true,
    });
    const row = await h.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    expect(row).toMatchObject({ healthCheckPath: "/healthz", healthCheckTimeoutSeconds: 30 });
    const payload = await payloadOf(app.id);
    expect(payload.buildSettings).toMatchObject({ kind: "dockerfile", dockerfilePath: "docker/web.Dockerfile", rootDirectory: "services/web" });
    expect(payload.healthCheck).toEqual({ path: "/healthz", timeoutSeconds: 30 });
  });

  it("defaults: GET / within 60 s, and no Dockerfile path on other kinds", async () => {
    const u = await h.user("pro");
    const { app } = await u.caller.apps.create({ repoUrl: REPO, buildSettings: { kind: "node", dockerfilePath: "Dockerfile" }, deploy: true });
    const payload = await payloadOf(app.id);
    expect(payload.healthCheck).toEqual({ path: "/", timeoutSeconds: 60 });
    expect(payload.buildSettings.kind).toBe("node");
    expect(payload.buildSettings).not.toHaveProperty("dockerfilePath");
    const got = await u.caller.apps.get({ appId: app.id });
    expect(got.runtime).toEqual({ healthCheck: { path: "/", timeoutSeconds: 60 }, report: null });
  });

  it.each(["../Dockerfile", "/etc/passwd", "docker/../../Dockerfile", "\\\\host\\share", "-f"])("refuses the Dockerfile path %j", async (dockerfilePath) => {
    const u = await h.user("pro");
    await expectTrpcError(u.caller.apps.create({ repoUrl: REPO, buildSettings: { kind: "dockerfile", dockerfilePath } }), "BAD_REQUEST", /Dockerfile path must be a file inside the root directory/);
    expect(await h.tdb.db.app.count({ where: { userId: u.id } })).toBe(0);
  });

  it.each([
    [{ path: "healthz", timeoutSeconds: 30 }, /must start with '\/'/],
    [{ path: "/health check", timeoutSeconds: 30 }, /spaces or control characters/],
    [{ path: "/ok\r\nX-Evil: 1", timeoutSeconds: 30 }, /spaces or control characters/],
    [{ path: "/", timeoutSeconds: 0 }, /between 1 and 600 seconds/],
    [{ path: "/", timeoutSeconds: 601 }, /between 1 and 600 seconds/],
    [{ path: "/", timeoutSeconds: 1.5 }, /whole number of seconds/],
  ])("refuses the health check %j", async (healthCheck, message) => {
    const u = await h.user("pro");
    await expectTrpcError(u.caller.apps.create({ repoUrl: REPO, healthCheck }), "BAD_REQUEST", message);
  });

  it("the settings page's updateSpec changes the kind, Dockerfile path and health check for the next deploy", async () => {
    const u = await h.user("pro");
    const { app } = await u.caller.apps.create({ repoUrl: REPO });
    await u.caller.apps.updateSpec({
      appId: app.id,
      spec: { buildSettings: { kind: "dockerfile", dockerfilePath: "Containerfile.prod" }, healthCheck: { path: "/ready", timeoutSeconds: 120 } },
    });
    const got = await u.caller.apps.get({ appId: app.id });
    expect(got.buildSettings).toMatchObject({ kind: "dockerfile", dockerfilePath: "Containerfile.prod" });
    expect(got.runtime.healthCheck).toEqual({ path: "/ready", timeoutSeconds: 120 });
    await expectTrpcError(u.caller.apps.updateSpec({ appId: app.id, spec: { healthCheck: { path: "ready", timeoutSeconds: 5 } } }), "BAD_REQUEST", /must start with '\/'/);
    await u.caller.apps.deploy({ appId: app.id });
    expect((await payloadOf(app.id)).healthCheck).toEqual({ path: "/ready", timeoutSeconds: 120 });
  });

  it("a worker's report is stored for the app it runs, shown by apps.get, and refused for an app it does not run", async () => {
    const u = await h.user("pro");
    const worker = await insertWorker(h.services);
    const other = await insertWorker(h.services);
    const { app } = await u.caller.apps.create({ repoUrl: REPO, healthCheck: { path: "/healthz", timeoutSeconds: 30 }, deploy: true });
    await markDeployed(h.services, app.id, worker.id);
    await h.tdb.db.app.update({ where: { id: app.id }, data: { containerId: "3f2a9c1b7d4e5f60718293a4" } });

    expect(await storeRuntimeReport(h.services, other.id, app.id, REPORT)).toBe(false);
    expect(await h.tdb.db.appRuntimeReport.count({ where: { appId: app.id } })).toBe(0);

    expect(await storeRuntimeReport(h.services, worker.id, app.id, REPORT)).toBe(true);
    const got = await u.caller.apps.get({ appId: app.id });
    expect(got.runtime.report).toMatchObject({ ...REPORT, containerId: "3f2a9c1b7d4e5f60718293a4" });
    expect(got.runtime.report?.reportedAt).toBeInstanceOf(Date);

    // A newer report replaces it (one row per app).
    const processReport: RuntimeReport = { ...REPORT, kind: "process", engine: undefined, image: undefined, image_size_bytes: undefined, isolation_note: "not isolated \u001b[31m!" };
    expect(await storeRuntimeReport(h.services, worker.id, app.id, processReport)).toBe(true);
    const again = await u.caller.apps.get({ appId: app.id });
    expect(again.runtime.report).toMatchObject({ kind: "process", isolation_note: "not isolated !" });
    expect(again.runtime.report).not.toHaveProperty("image");
    expect(await h.tdb.db.appRuntimeReport.count({ where: { appId: app.id } })).toBe(1);

    // Moved to another worker that has not reported yet: the old report's container id is not this app's now.
    await h.tdb.db.app.update({ where: { id: app.id }, data: { workerId: other.id } });
    expect((await u.caller.apps.get({ appId: app.id })).runtime.report?.containerId).toBeNull();

    // A stranger sees neither the app nor its report.
    const stranger = await h.user("pro");
    await expectTrpcError(stranger.caller.apps.get({ appId: app.id }), "NOT_FOUND");
  });
});
