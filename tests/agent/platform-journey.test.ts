import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitSampleRelease, ensureSampleRepository } from "../../src/sample-repo/ensure-sample-repository";
import { softDeleteApp } from "../../src/server/apps/delete-app";
import { createApp } from "../../src/server/apps/create-app";
import { startApp, stopApp } from "../../src/server/apps/app-lifecycle";
import { deployApp, rollbackApp } from "../../src/server/apps/deployments/deploy-app";
import { type Services } from "../../src/server/runtime/services";
import { type TestDatabase } from "../helpers/test-db";
import { HUB_SECRETS } from "./support/hub-process";
import { eventually, httpText } from "./support/runtime-harness";
import { startJourneyPlatform, type JourneyActor, type JourneyPlatform } from "./support/journey-platform";

/**
 * The platform's own services create and control an app; the real jobs process schedules, the
 * real hub delivers and the real agent runs it — everything of the journey except the browser.
 */
let platform: JourneyPlatform;
let tdb: TestDatabase;
let services: Services;
let actor: JourneyActor;
let dir: string;

beforeAll(async () => {
  platform = await startJourneyPlatform({ agentName: "journey-agent", email: "journey@example.test", plan: "free" });
  ({ tdb, services, actor, dir } = platform);
}, 300_000);

afterAll(async () => {
  await platform?.stop();
});

/** Waits until the app has no job waiting or running (the control plane allows one at a time). */
async function jobsSettled() {
  await eventually(async () => (await tdb.db.job.count({ where: { status: { in: ["pending", "assigned", "processing"] } } })) === 0, 60_000, "jobs settled");
}

async function appRow(id: number) {
  return tdb.db.app.findUniqueOrThrow({ where: { id } });
}

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("journey without the browser: sample repo → running app → stop → start → new commit → rollback → delete", { timeout: 180_000 }, () => {
  let appId = 0;
  let repoDir = "";

  it("creates an app from the sample repository and the scheduled deploy runs on the agent", async () => {
    repoDir = path.join(dir, "sample-app");
    const repoUrl = await ensureSampleRepository(repoDir);
    const created = await createApp(services, actor, { repoUrl, deploy: true, env: [{ key: "GREETING", value: "Journey says hi" }] });
    appId = created.app.id;
    expect(created.deployment).toBeTruthy();
    const deployment = await eventually(async () => {
      const d = await tdb.db.deployment.findFirst({ where: { appId }, orderBy: { id: "desc" } });
      return d && (d.status === "succeeded" || d.status === "failed") ? d : null;
    }, 120_000, "first deploy");
    expect(deployment.status, `${deployment.error}\n${deployment.buildLogs}\n${platform.jobs.output()}`).toBe("succeeded");
    expect(deployment.commitMessage).toBe("Sample app: first release");
    const app = await appRow(appId);
    expect(app.status).toBe("running");
    expect(await httpText(app.port!)).toContain("Journey says hi");
  });

  it("the app is in Traefik's proxy config, pointing at the agent's address and the app's port", async () => {
    const app = await appRow(appId);
    const res = await fetch(`${platform.hub.url}/v1/traefik/proxy-config`, { headers: { authorization: `Bearer ${HUB_SECRETS.TRAEFIK_PROXY_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(app.subdomain);
    expect(text).toContain(`http://127.0.0.1:${app.port}`);
  });

  it("live stats: the app's CPU measured by the agent reaches the platform, and rises when the app is busy", async () => {
    const { createBus } = await import("../../src/server/bus/create-bus");
    const bus = createBus({ databaseUrl: tdb.url });
    const seen: Array<{ cpuPct: number; memBytes: number; memLimit: number }> = [];
    const unsubscribe = await bus.subscribe("stats.snapshot", (msg) => {
      for (const a of msg.apps) if (a.appId === appId) seen.push(a);
    });
    try {
      await eventually(() => seen.filter((s) => s.memBytes > 0).length >= 3, 30_000, "stats snapshots for the app");
      const idle = Math.max(...seen.map((s) => s.cpuPct));
      // The plan's memory limit travels with the stats (the free plan's, in bytes).
      expect(seen.at(-1)!.memLimit).toBe(services.plans.for("free").memoryMb * 1024 * 1024);
      const { port } = await appRow(appId);
      expect(JSON.parse(await httpText(port!, "/busy?seconds=20")).busy).toBe(true);
      const before = seen.length;
      // A thread spinning flat out: far above the idle figure, even on a loaded 2-core machine
      // (where it gets only its share of the cores).
      await eventually(() => seen.slice(before).some((s) => s.cpuPct > Math.max(10, idle * 5)), 30_000, "high CPU reported");
    } finally {
      unsubscribe();
      await bus.close();
    }
  });

  it("stop and start go through the scheduler to the agent", async () => {
    const { port } = await appRow(appId);
    await stopApp(services, actor, { appId });
    await jobsSettled();
    expect((await appRow(appId)).status).toBe("stopped");
    await expect(httpText(port!)).rejects.toThrow();
    await startApp(services, actor, { appId });
    await jobsSettled();
    expect((await appRow(appId)).status).toBe("running");
    expect(await httpText((await appRow(appId)).port!)).toContain('<strong id="release">1</strong>');
  });

  async function settledDeployment(id: number) {
    return eventually(async () => {
      const d = await tdb.db.deployment.findUnique({ where: { id } });
      return d && (d.status === "succeeded" || d.status === "failed") ? d : null;
    }, 120_000, `deployment ${id}`);
  }

  it("a new commit deploys, then a rollback brings the first release back", async () => {
    const first = await tdb.db.deployment.findFirstOrThrow({ where: { appId, status: "succeeded" }, orderBy: { id: "asc" } });
    const { sha } = await commitSampleRelease(repoDir);
    const second = await settledDeployment((await deployApp(services, actor, { appId })).id);
    expect(second.status, second.error ?? "").toBe("succeeded");
    expect(second.commitSha).toBe(sha);
    expect(await httpText((await appRow(appId)).port!)).toContain('<strong id="release">2</strong>');

    const rollback = await settledDeployment((await rollbackApp(services, actor, { appId, deploymentId: first.id })).id);
    expect(rollback.status, rollback.error ?? "").toBe("succeeded");
    expect(rollback.commitSha).toBe(first.commitSha);
    expect(await httpText((await appRow(appId)).port!)).toContain('<strong id="release">1</strong>');
  });

  it("deleting the app removes its process from the agent", async () => {
    const { port } = await appRow(appId);
    await softDeleteApp(services, actor, { appId });
    await eventually(() => httpText(port!).then(() => false, () => true), 60_000, "app process gone");
    await eventually(async () => !(await import("node:fs")).existsSync(path.join(dir, "agent", "apps", String(appId))), 30_000, "app directory removed");
  });
});
