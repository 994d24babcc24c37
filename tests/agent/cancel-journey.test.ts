import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { softDeleteApp } from "../../src/server/apps/delete-app";
import { createApp } from "../../src/server/apps/create-app";
import { cancelDeployment } from "../../src/server/apps/deployments/cancel-deployment";
import { type Services } from "../../src/server/runtime/services";
import { type TestDatabase } from "../helpers/test-db";
import { createGitRepo, helloServer, nodeApp } from "./support/git-fixture";
import { eventually } from "./support/runtime-harness";
import { startJourneyPlatform, type JourneyActor, type JourneyPlatform } from "./support/journey-platform";

/**
 * Cancel deployment and delete, through the platform's own services, the real jobs process, hub
 * and agent: the worker's build (a step that sleeps until it is killed) really stops.
 */
const NAME = "cancel-agent";
let platform: JourneyPlatform;
let tdb: TestDatabase;
let services: Services;
let actor: JourneyActor;
let dir: string;

beforeAll(async () => {
  platform = await startJourneyPlatform({ agentName: NAME, email: "cancel@example.test", plan: "pro" });
  ({ tdb, services, actor, dir } = platform);
}, 300_000);

afterAll(async () => {
  await platform?.stop();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An app whose build step writes its pid and then sleeps until something kills it. */
function sleepingBuildRepo(tag: string) {
  const pidFile = path.join(dir, `${tag}.pid`);
  const sleeper = `require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); console.log("build sleeps until cancelled"); setInterval(() => {}, 1000);`;
  const repo = createGitRepo({ ...nodeApp(helloServer, { build: "node sleep-build.js" }), "sleep-build.js": sleeper });
  return { repo, pidFile };
}

async function buildPid(pidFile: string): Promise<number> {
  await eventually(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").length > 0, 120_000, "the build step to start on the worker");
  const pid = Number(readFileSync(pidFile, "utf8"));
  expect(alive(pid)).toBe(true);
  return pid;
}

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("cancelling a deploy stops the worker's build", { timeout: 240_000 }, () => {
  it("Cancel deployment mid-build: deployment and job cancelled at once, the build process killed, capacity given back", async () => {
    const { repo, pidFile } = sleepingBuildRepo("cancel");
    const created = await createApp(services, actor, { repoUrl: repo.url, deploy: true });
    const appId = created.app.id;
    const pid = await buildPid(pidFile);

    const result = await cancelDeployment(services, actor, { appId });
    expect(result).toEqual({ deploymentId: created.deployment!.id, status: "cancelled" });
    const deployment = await tdb.db.deployment.findUniqueOrThrow({ where: { id: created.deployment!.id } });
    expect(deployment).toMatchObject({ status: "cancelled", error: "Deployment cancelled from the dashboard" });
    const job = await tdb.db.job.findFirstOrThrow({ where: { appId } });
    expect(job.status).toBe("cancelled");
    expect((await tdb.db.app.findUniqueOrThrow({ where: { id: appId } })).status).toBe("pending");
    const worker = await tdb.db.worker.findUniqueOrThrow({ where: { name: NAME } });
    expect(worker.usedCpu).toBe(0);

    await eventually(() => !alive(pid), 60_000, "the build process to be killed");
    await eventually(() => platform.agent.logs().some((l) => l.msg === "job cancelled by the hub" && l.jobId === job.id), 30_000, "the agent to log the cancel");
    // The worker's late failed result changes nothing: the job stays cancelled.
    await eventually(() => platform.agent.logs().some((l) => l.msg === "job finished" && l.jobId === job.id), 60_000, "the agent to end the job");
    expect((await tdb.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("cancelled");
    expect((await tdb.db.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).status).toBe("cancelled");
    await expect(cancelDeployment(services, actor, { appId })).rejects.toThrow(/nothing to cancel/);
  });

  it("deleting an app mid-build cancels its running job on the worker", async () => {
    const { repo, pidFile } = sleepingBuildRepo("delete");
    const created = await createApp(services, actor, { repoUrl: repo.url, deploy: true });
    const pid = await buildPid(pidFile);
    await softDeleteApp(services, actor, { appId: created.app.id });
    const job = await tdb.db.job.findFirstOrThrow({ where: { appId: created.app.id, type: "deploy" } });
    expect(job).toMatchObject({ status: "cancelled", error: "App deleted" });
    await eventually(() => !alive(pid), 60_000, "the build process to be killed");
    expect((await tdb.db.deployment.findUniqueOrThrow({ where: { id: created.deployment!.id } })).status).toBe("cancelled");
  });
});
