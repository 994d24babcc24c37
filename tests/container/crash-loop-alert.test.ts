import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startJobsProcess,
  type JobsProcess,
} from "../../src/jobs-process/start-jobs-process";
import { CRASHLOOP_CRASHES } from "../../src/server/alerts/event-alerts";
import type { Services } from "../../src/server/runtime/services";
import { payloadFor } from "../agent/support/control-plane";
import { createGitRepo } from "../agent/support/git-fixture";
import { eventually } from "../agent/support/runtime-harness";
import { WorkerPlatform } from "../agent/support/worker-platform";
import { testServices } from "../jobs/fixtures/test-services";
import {
  openContainerFixture,
  type ContainerFixture,
} from "./support/container-fixture";

/**
 * Issue 11's crash loop end to end: an app in a Podman container that crashes on every start,
 * run by a real agent on the container runtime, reported through a real hub, turned into the
 * crash-loop alert by a real jobs process (src/server/alerts/event-alerts.ts). The runtime's
 * own crash and backoff behaviour is tests/container/faults.test.ts; the alert's counting rule is
 * tests/jobs/alerts.test.ts.
 */
let fixture: ContainerFixture;
let platform: WorkerPlatform;
let services: Services;
let jobs: JobsProcess;

beforeAll(async () => {
  fixture = await openContainerFixture("crashalert");
  const address = fixture.engine.address;
  if (address.kind !== "unix")
    throw new Error(
      `this test expects a unix engine socket, not ${fixture.engine.describe()}`,
    );
  const stateDir = path.join(fixture.stateDir, "agent");
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  platform = new WorkerPlatform({
    name: fixture.workerName,
    stateDir,
    env: {
      AGENT_RUNTIME: "container",
      DOCKER_HOST: `unix://${address.socketPath}`,
    },
    cleanup: async () => {},
  });
  // Short crash backoff, so the loop reaches the alert's count in seconds.
  await platform.start({
    AGENT_CRASH_BACKOFF_INITIAL_SECONDS: "0.3",
    AGENT_CRASH_BACKOFF_MAX_SECONDS: "1",
  });
  services = testServices(platform.parts.tdb.url);
  jobs = await startJobsProcess(services, { ticks: false });
}, 600_000);

afterAll(async () => {
  await jobs?.stop();
  await services?.close();
  await platform?.stop();
  await fixture?.cleanup();
}, 180_000);

describe("a container that crash-loops", { timeout: 300_000 }, () => {
  it("is restarted with backoff, shown crashed, and raises the crash-loop alert; a stop ends it", async () => {
    const { cp, tdb, workerId } = platform.parts;
    // Serves on its first start (the deploy passes its health check) and exits a second later;
    // every later start of the same container finds the mark in its writable layer and exits at once.
    const repo = createGitRepo({
      Dockerfile: `FROM ${fixture.baseImage}\nWORKDIR /srv\nRUN mkdir /srv/data && chown 10001:10001 /srv/data\nCOPY server.js .\nCMD ["node", "server.js"]\n`,
      "server.js": `const fs = require("node:fs");
if (fs.existsSync("/srv/data/started")) { console.error("boom: exiting at once"); process.exit(1); }
fs.writeFileSync("/srv/data/started", "1");
require("node:http").createServer((q, s) => s.end("first start")).listen(Number(process.env.PORT));
setTimeout(() => process.exit(1), 1000);`,
    });
    const app = await cp.createApp(workerId);
    const { jobId } = await cp.assignJob(
      app.id,
      workerId,
      "deploy",
      payloadFor(repo.url),
    );
    const deployed = await cp.finishedJob(jobId, 240_000);
    expect(deployed.status, deployed.error ?? "").toBe("completed");

    // Between a crash and its restart the dashboard's app reads crashed.
    await eventually(
      async () =>
        (await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } }))
          .status === "crashed",
      60_000,
      "the app shown crashed",
    );
    const alert = await eventually(
      () =>
        tdb.db.alert.findFirst({ where: { appId: app.id, kind: "crashloop" } }),
      120_000,
      "the crash-loop alert",
    );
    expect(alert).toMatchObject({
      status: "active",
      title: `${app.name} is crash-looping`,
    });
    expect(alert.message).toMatch(/^\d+ crashes in the last 10 minutes/);
    const crashes = await tdb.db.appEvent.findMany({
      where: { appId: app.id, kind: { contains: "crash" } },
      orderBy: { createdAt: "asc" },
    });
    expect(crashes.length).toBeGreaterThanOrEqual(CRASHLOOP_CRASHES);
    expect(crashes[0]!.message).toMatch(
      /exited with code 1; restarting in 0\.\d s/,
    );
    await eventually(
      async () =>
        (await tdb.db.runtimeLog.count({
          where: { appId: app.id, line: "boom: exiting at once" },
        })) > 0,
      60_000,
      "the crash's output in the app's logs",
    );

    const { jobId: stopJob } = await cp.assignJob(
      app.id,
      workerId,
      "stop",
      null,
    );
    expect((await cp.finishedJob(stopJob, 120_000)).status).toBe("completed");
    await eventually(
      async () =>
        (await tdb.db.app.findUniqueOrThrow({ where: { id: app.id } }))
          .status === "stopped",
      60_000,
      "the app stopped",
    );
  });
});
