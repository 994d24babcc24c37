import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeAddress } from "../../src/agent/runtime/container/engine-socket";
import { inspectImage, removeImage } from "../../src/agent/runtime/container/images";
import { commitSampleRelease, ensureSampleRepository } from "../../src/sample-repo/ensure-sample-repository";
import { createApp } from "../../src/server/apps/create-app";
import { deployApp, rollbackApp } from "../../src/server/apps/deployments/deploy-app";
import { type Services } from "../../src/server/runtime/services";
import { httpText } from "../agent/support/runtime-harness";
import { startJourneyPlatform, type JourneyActor, type JourneyPlatform } from "../agent/support/journey-platform";
import { type TestDatabase } from "../helpers/test-db";
import { eventually, openContainerFixture, type ContainerFixture } from "./support/container-fixture";

/**
 * Rollback through the platform on the container runtime: the hub records the image each deploy
 * ran (deployments.image), rollbackApp sends it as payload.rollbackTarget, and the real agent
 * starts that image again without cloning or building; once the image is pruned it says so and
 * builds the commit again (src/agent/runtime/container/container-runtime.ts, `reusableImage`).
 */
let fx: ContainerFixture;
let platform: JourneyPlatform;
let tdb: TestDatabase;
let services: Services;
let actor: JourneyActor;
let dir: string;

beforeAll(async () => {
  fx = await openContainerFixture("rollback");
  platform = await startJourneyPlatform({ agentName: fx.workerName, email: "rollback@example.test", plan: "free", agentEnv: { AGENT_RUNTIME: "container", DOCKER_HOST: describeAddress(fx.engine.address), AGENT_START_TIMEOUT_SECONDS: "60", AGENT_DRAIN_SECONDS: "1" }, onlineTimeoutMs: 180_000 });
  ({ tdb, services, actor, dir } = platform);
}, 600_000);

afterAll(async () => {
  await platform?.stop();
  await fx?.cleanup();
}, 180_000);

async function settledDeployment(id: number) {
  return eventually(async () => {
    const d = await tdb.db.deployment.findUnique({ where: { id } });
    return d && (d.status === "succeeded" || d.status === "failed") ? d : null;
  }, 400_000, `deployment ${id}`, 500);
}

/** The agent retires the replaced container after the result; the next job waits for nothing then. */
async function oneContainer(appId: number) {
  const { listAppContainers } = await import("../../src/agent/runtime/container/app-container");
  await eventually(async () => (await listAppContainers(fx.engine, { workerName: fx.workerName, appId })).length === 1, 60_000, "the replaced container retired");
}

const release = async (appId: number) => httpText((await tdb.db.app.findUniqueOrThrow({ where: { id: appId } })).port!);

describe("rollback on the container runtime, through hub and agent", { timeout: 900_000 }, () => {
  it("reuses the target deployment's image without a rebuild, and rebuilds with a clear line once it was pruned", async () => {
    const repoDir = path.join(dir, "sample-app");
    const repoUrl = await ensureSampleRepository(repoDir);
    const created = await createApp(services, actor, { repoUrl, deploy: true, env: [{ key: "GREETING", value: "Rollback says hi" }] });
    const appId = created.app.id;
    const first = await settledDeployment(created.deployment!.id);
    expect(first.status, `${first.error}\n${first.buildLogs}`).toBe("succeeded");
    // The hub stored the image the deploy ran, as the worker reported it.
    expect(first.image).toBe(`localhost/wisehosting/app-${appId}:${first.id}`);
    expect(await release(appId)).toContain('<strong id="release">1</strong>');

    await commitSampleRelease(repoDir);
    const second = await settledDeployment((await deployApp(services, actor, { appId })).id);
    expect(second.status, `${second.error}\n${second.buildLogs}`).toBe("succeeded");
    expect(await release(appId)).toContain('<strong id="release">2</strong>');
    await oneContainer(appId);

    // The job's payload names the target and its image.
    const rolled = await rollbackApp(services, actor, { appId, deploymentId: first.id });
    const rollback = await settledDeployment(rolled.id);
    expect(rollback.status, `${rollback.error}\n${rollback.buildLogs}`).toBe("succeeded");
    expect(rollback.buildLogs).toContain(`Rolling back to deployment ${first.id}: reusing its image ${first.image} (no rebuild)`);
    expect(rollback.buildLogs).toContain(`Rolled back to deployment ${first.id} by starting its image ${first.image} again`);
    expect(rollback.buildLogs).not.toContain("git clone");
    expect(rollback.buildLogs).not.toMatch(/^Built /m);
    expect(rollback.commitSha).toBe(first.commitSha);
    expect(rollback.image).toBe(first.image);
    expect(await release(appId)).toContain('<strong id="release">1</strong>');
    const report = await tdb.db.appRuntimeReport.findUniqueOrThrow({ where: { appId } });
    // Nothing was built, so the report carries no build limits.
    expect(report.report).toMatchObject({ kind: "container", image: first.image });
    expect((report.report as Record<string, unknown>).build_limits).toBeUndefined();
    await oneContainer(appId);

    // The second deployment's image goes (as pruning would); a rollback to it builds the commit again.
    expect(await inspectImage(fx.engine, second.image!)).not.toBeNull();
    await removeImage(fx.engine, second.image!, true);
    const rebuilt = await settledDeployment((await rollbackApp(services, actor, { appId, deploymentId: second.id })).id);
    expect(rebuilt.status, `${rebuilt.error}\n${rebuilt.buildLogs}`).toBe("succeeded");
    // The result's log tail replaces the streamed log (src/server/jobs/complete-job.ts): the summary near its end says what happened.
    expect(rebuilt.buildLogs).toContain(`Rolled back to deployment ${second.id} by building its commit again (its image was no longer on this worker)`);
    expect(rebuilt.buildLogs).toMatch(/^Built localhost\/wisehosting\/app-\d+:\d+ /m);
    expect(rebuilt.image).toBe(`localhost/wisehosting/app-${appId}:${rebuilt.id}`);
    expect(await release(appId)).toContain('<strong id="release">2</strong>');
  });
});
