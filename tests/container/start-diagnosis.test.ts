import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAppContainers, removeContainer, runAppContainer } from "../../src/agent/runtime/container/app-container";
import { ContainerRuntime } from "../../src/agent/runtime/container/container-runtime";
import { containerListeningPorts, containerWrongPort } from "../../src/agent/runtime/container/container-start-diagnosis";
import { createGitRepo, nodeApp } from "../agent/support/git-fixture";
import { deployJob, quietReporter, recordEvents } from "../agent/support/runtime-harness";
import { baseSpec, eventually, httpGet, openContainerFixture, type ContainerFixture } from "./support/container-fixture";

/**
 * A container app that does not come up is told why (container-start-diagnosis.ts), as the
 * process runtime's apps are: the port it listens on instead of $PORT, read from its own network
 * namespace's listening sockets; the first error lines of a crash at start; what to add for a
 * missing start script. Heavy (image builds): run under the machine's lock.
 */
let fixture: ContainerFixture;
let runtime: ContainerRuntime;
beforeAll(async () => {
  fixture = await openContainerFixture("diag");
  runtime = new ContainerRuntime({
    engine: fixture.engine,
    workerName: fixture.workerName,
    stateDir: fixture.stateDir,
    baseImage: fixture.baseImage,
    allowLocalRepos: true,
    buildTimeoutMs: 240_000,
    // Far above the tests' own timeouts: a wrong port must end the health check early, by itself.
    startTimeoutMs: 3_600_000,
    crashBackoff: { initialMs: 300, maxMs: 3_000 },
    stopGraceSeconds: 2,
    events: recordEvents(),
    log: pino({ level: "silent" }),
  });
  await runtime.init();
}, 600_000);
afterAll(async () => {
  await runtime?.shutdown(true);
  await fixture?.cleanup();
}, 120_000);

const server = (port: string) => ["node", "-e", `require("node:http").createServer((q, s) => s.end("up")).listen(${port}, () => console.log("listening"))`];

describe("start diagnosis of a container", () => {
  it("names the port an app listens on instead of $PORT", async () => {
    const spec = await baseSpec(fixture, { command: server("3000") });
    const { id } = await runAppContainer(fixture.engine, spec);
    try {
      const ports = await eventually(async () => {
        const p = await containerListeningPorts(fixture.engine, id);
        return p.length ? p : null;
      }, 30_000, "the container to listen");
      expect(ports).toEqual([3000]);
      expect(await containerWrongPort(fixture.engine, id, spec.internalPort)).toBe(
        `your app listens on 3000, not on $PORT (${spec.internalPort}): the worker sends its traffic to the port in the PORT environment variable. Listen on that port, e.g. app.listen(process.env.PORT || 3000) or \`next start -p $PORT\``,
      );
    } finally {
      await removeContainer(fixture.engine, id, { force: true });
    }
  }, 120_000);

  it("says nothing for an app that listens on $PORT", async () => {
    const spec = await baseSpec(fixture, { command: server("Number(process.env.PORT)") });
    const { id } = await runAppContainer(fixture.engine, spec);
    try {
      await eventually(() => httpGet(spec.hostPort), 30_000, "the app to answer");
      expect(await containerWrongPort(fixture.engine, id, spec.internalPort)).toBeNull();
    } finally {
      await removeContainer(fixture.engine, id, { force: true });
    }
  }, 120_000);
});

describe("a container deploy that does not come up fails with what went wrong", () => {
  it("an app on a fixed port: 'your app listens on 3000, not on $PORT', before the health check's timeout", async () => {
    const repo = createGitRepo(nodeApp(`require("node:http").createServer((q, s) => s.end("fixed")).listen(3000);`));
    const r = quietReporter();
    const job = deployJob(701, repo.url);
    const out = await runtime.execute(job, r.reporter);
    expect(out.ok, r.lines.join("\n")).toBe(false);
    if (out.ok) return;
    expect(out.error).toMatch(new RegExp(`^your app listens on 3000, not on \\$PORT \\(${job.payload!.internalPort}\\): `));
    expect(r.lines.at(-1)).toBe(`Deploy failed: ${out.error}`);
    // The candidate went with the failure: nothing of the app is left running.
    expect(await listAppContainers(fixture.engine, { appId: 701, workerName: fixture.workerName })).toEqual([]);
  }, 400_000);

  it("an app that crashes at start: its exit code and its first error lines, not the last ones", async () => {
    const repo = createGitRepo(nodeApp(`console.log("booting"); require("./config/missing-settings.js");`));
    const r = quietReporter();
    const out = await runtime.execute(deployJob(702, repo.url), r.reporter);
    expect(out.ok, r.lines.join("\n")).toBe(false);
    if (out.ok) return;
    expect(out.error).toMatch(/^the app exited before it answered on port \d+ \(exit code 1\); its first error lines:\n/);
    expect(out.error).toContain("Error: Cannot find module './config/missing-settings.js'");
    // npm's own report of the failed script comes after the app's error: not among its first lines.
    expect(out.error.split("\n")[1]).not.toMatch(/npm/);
  }, 400_000);

  it("a Node app without a start script: what to add, before anything is built", async () => {
    const repo = createGitRepo({ "package.json": JSON.stringify({ name: "no-start", version: "1.0.0" }), "server.js": "console.log('hi')" });
    const r = quietReporter();
    const out = await runtime.execute(deployJob(703, repo.url, { buildSettings: { kind: "node", installCommand: "", buildCommand: "", startCommand: "", rootDirectory: "" } }), r.reporter);
    expect(out.ok, r.lines.join("\n")).toBe(false);
    if (out.ok) return;
    expect(out.error).toBe(
      `package.json has no "start" script, so the worker does not know how to run the app: add "start": "node server.js" to its "scripts", or set a start command in the app's build settings. The app must listen on the port in $PORT`,
    );
  }, 400_000);
});
