import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectContainer, listAppContainers } from "../../src/agent/runtime/container/app-container";
import { describeAddress } from "../../src/agent/runtime/container/engine-socket";
import { inspectImage } from "../../src/agent/runtime/container/images";
import { ensureSampleRepository } from "../../src/sample-repo/ensure-sample-repository";
import { startAgentProcess, type AgentProcess } from "../agent/support/agent-process";
import { HUB_SECRETS, startHubProcess, type HubProcess } from "../agent/support/hub-process";
import { startJobsProcess } from "../agent/support/jobs-process";
import { startAppHarness, type AppHarness } from "../apps/helpers/app-harness";
import { freePort } from "../helpers/free-port";
import { eventually, openContainerFixture, removeWorkerObjects, type ContainerFixture } from "./support/container-fixture";

/**
 * The runtime report end to end: a real agent on the container runtime deploys, its
 * `job_result.runtime` goes through the real hub into app_runtime_reports, and the apps router
 * (apps.get, what the Runtime card reads: src/server/apps/app-runtime-view.ts) returns it, and
 * what it says matches the engine's own view of the container.
 */
let fx: ContainerFixture;
let h: AppHarness;
let hub: HubProcess;
let jobs: ReturnType<typeof startJobsProcess>;
let agent: AgentProcess;
const agentName = () => `${fx.workerName}-agent`;

beforeAll(async () => {
  fx = await openContainerFixture("report");
  h = await startAppHarness({ ...HUB_SECRETS, LOCAL_REPOS_ENABLED: "true" });
  const url = h.tdb.url;
  hub = await startHubProcess(url, await freePort());
  jobs = startJobsProcess(url);
  agent = startAgentProcess({
    hubUrl: hub.url,
    name: agentName(),
    stateDir: path.join(fx.stateDir, "agent"),
    env: { AGENT_RUNTIME: "container", DOCKER_HOST: describeAddress(fx.engine.address), AGENT_START_TIMEOUT_SECONDS: "120", AGENT_STATS_SECONDS: "2" },
  });
  await eventually(async () => (await h.tdb.db.worker.findUnique({ where: { name: agentName() } }))?.status === "online", 180_000, "worker online", 500);
}, 600_000);

afterAll(async () => {
  await agent?.stop();
  await jobs?.stop();
  await hub?.stop();
  if (fx) await removeWorkerObjects(fx.engine, agentName());
  await h?.close();
  await fx?.cleanup();
}, 180_000);

describe("runtime report: container worker → hub → app_runtime_reports → apps.get", { timeout: 600_000 }, () => {
  it("the Runtime card's data names the engine, the image and its size, the container and the limits the engine enforces; the app's traffic shows in its live figures", async () => {
    const u = await h.user("free");
    const plan = h.services.plans.for("free");
    const repoUrl = await ensureSampleRepository(path.join(fx.scratch, "sample"));
    const { app } = await u.caller.apps.create({ repoUrl, healthCheck: { path: "/", timeoutSeconds: 90 }, deploy: true });
    const deployment = await eventually(async () => {
      const d = await h.tdb.db.deployment.findFirst({ where: { appId: app.id }, orderBy: { id: "desc" } });
      return d && (d.status === "succeeded" || d.status === "failed") ? d : null;
    }, 400_000, "the deploy", 500);
    expect(deployment.status, `${deployment.error}\n${deployment.buildLogs}`).toBe("succeeded");

    // The hub stores the report just after the job's commit: wait for the row, then read as the dashboard does.
    await eventually(() => h.tdb.db.appRuntimeReport.findUnique({ where: { appId: app.id } }), 30_000, "the runtime report row");
    const { runtime } = await u.caller.apps.get({ appId: app.id });
    const report = runtime.report!;
    expect(runtime.healthCheck).toEqual({ path: "/", timeoutSeconds: 90 });
    expect(report).toMatchObject({
      kind: "container",
      engine: expect.stringMatching(/^Podman \d+\.\d+/),
      image: `localhost/wisehosting/app-${app.id}:${deployment.id}`,
      limits: {
        memory_mb: { value: plan.memoryMb, enforced_by: "engine" },
        cpu: { value: plan.cpu, enforced_by: "engine" },
        pids: { value: plan.pids, enforced_by: "engine" },
        disk_mb: { value: plan.diskMb, enforced_by: "agent" },
      },
      build_limits: { memory_mb: plan.buildMemoryMb, cpu: plan.buildCpu, timeout_seconds: plan.buildTimeoutSeconds },
      health_check: { path: "/", timeout_seconds: 90 },
    });
    expect(report).not.toHaveProperty("isolation_note");
    expect(report.reportedAt).toBeInstanceOf(Date);

    // What the report says is what the engine has: the container, its image, its limits.
    const [container] = await listAppContainers(fx.engine, { workerName: agentName(), appId: app.id });
    expect(report.containerId).toBe(container!.id);
    const info = await inspectContainer(fx.engine, container!.id);
    expect(info?.State.Running).toBe(true);
    expect(info?.HostConfig?.Memory).toBe(plan.memoryMb * 1024 * 1024);
    expect(info?.HostConfig?.NanoCpus).toBe(plan.cpu * 1e9);
    expect(info?.HostConfig?.PidsLimit).toBe(plan.pids);
    const image = await inspectImage(fx.engine, report.image!);
    expect(report.image_size_bytes).toBe(image!.Size);
    expect(report.image_size_bytes).toBeGreaterThan(1024 * 1024);
    // The image the deployment ran is recorded for a later rollback.
    expect((await h.tdb.db.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).image).toBe(report.image);

    // Another user cannot read it through the router.
    const other = await h.user("free");
    await expect(other.caller.apps.get({ appId: app.id })).rejects.toThrow();

    // The app's traffic, counted in its network namespace, reaches its live figures (app_stats →
    // hub → usage.live, what the usage card and the network alert read).
    const { port } = await h.tdb.db.app.findUniqueOrThrow({ where: { id: app.id } });
    const live = await eventually(async () => {
      for (let i = 0; i < 20; i++) await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text()).catch(() => null);
      const usage = await u.caller.usage.live({ appId: app.id });
      return usage && usage.netMbps > 0 ? usage : null;
    }, 90_000, "a live network figure above 0", 200);
    expect(live.netMbps).toBeLessThan(1_000);
  });
});
