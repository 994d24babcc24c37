import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAppContainers } from "../../src/agent/runtime/container/app-container";
import { ContainerRuntime, type ContainerRuntimeOptions } from "../../src/agent/runtime/container/container-runtime";
import { listAppImages } from "../../src/agent/runtime/container/images";
import { createGitRepo, nodeApp } from "../agent/support/git-fixture";
import { controlJob, deployJob, quietReporter, recordEvents, type RecordedEvents } from "../agent/support/runtime-harness";
import { eventually, httpGet, openContainerFixture, type ContainerFixture } from "./support/container-fixture";

/**
 * The container runtime end to end on the machine's engine: real git checkouts, image builds,
 * containers and HTTP answers (src/agent/runtime/container/container-runtime.ts).
 */
let fx: ContainerFixture;
let events: RecordedEvents;
let runtime: ContainerRuntime;

function makeRuntime(rec: RecordedEvents, overrides: Partial<ContainerRuntimeOptions> = {}): ContainerRuntime {
  return new ContainerRuntime({
    engine: fx.engine,
    workerName: fx.workerName,
    stateDir: fx.stateDir,
    baseImage: fx.baseImage,
    allowLocalRepos: true,
    buildTimeoutMs: 240_000,
    startTimeoutMs: 12_000,
    crashBackoff: { initialMs: 300, maxMs: 3_000 },
    stopGraceSeconds: 2,
    drainMs: 4_000,
    events: rec,
    log: pino({ level: "silent" }),
    ...overrides,
  });
}

const versionServer = (version: string, delayMs = 0) => `
  console.log("booting ${version}");
  setTimeout(() => require("node:http").createServer((q, s) => { console.log("request " + q.url); s.end("${version}"); }).listen(Number(process.env.PORT)), ${delayMs});`;

beforeAll(async () => {
  fx = await openContainerFixture("runtime");
  events = recordEvents();
  runtime = makeRuntime(events);
  await runtime.init();
}, 600_000);

afterAll(async () => {
  await runtime?.shutdown(true);
  await fx?.cleanup();
}, 120_000);

describe("ContainerRuntime", () => {
  it("deploys a Node app and a static site and they answer over HTTP", async () => {
    const node = createGitRepo(nodeApp(versionServer("node v1")));
    const r1 = quietReporter();
    const out = await runtime.execute(deployJob(501, node.url), r1.reporter);
    expect(out, r1.lines.join("\n")).toMatchObject({ ok: true, commitSha: node.sha });
    if (!out.ok) return;
    expect((await httpGet(out.port!)).body).toBe("node v1");
    expect(r1.lines.some((l) => l.includes("generated Containerfile"))).toBe(true);
    expect(r1.progress.at(-1)).toBeGreaterThanOrEqual(95);
    expect(runtime.appStates()).toContainEqual(expect.objectContaining({ appId: 501, status: "running" }));
    // Runtime log lines come from following the container.
    await eventually(() => events.logs.some((l) => l.appId === 501 && l.line === "request /"), 20_000, "the request's log line");

    const site = createGitRepo({ "index.html": "<h1>static site</h1>" });
    const r2 = quietReporter();
    const out2 = await runtime.execute(deployJob(502, site.url), r2.reporter);
    expect(out2, r2.lines.join("\n")).toMatchObject({ ok: true });
    if (!out2.ok) return;
    expect((await httpGet(out2.port!)).body).toContain("static site");

    const samples = await eventually(() => {
      const s = runtime.sampleUsage().find((x) => x.appId === 501);
      return s && s.memBytes > 0 ? s : null;
    }, 30_000, "a stats sample");
    expect(samples.memLimitBytes).toBe(512 * 1024 * 1024);
    await runtime.checkDisk();
    expect(runtime.diskUsedMb()).toBeGreaterThanOrEqual(0);
  }, 400_000);

  it("swaps a redeploy in only once it is healthy; the old one serves meanwhile, then goes", async () => {
    const repo = createGitRepo(nodeApp(versionServer("swap v1")));
    const first = await runtime.execute({ ...deployJob(503, repo.url), deployment_id: 5031 }, quietReporter().reporter);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const oldPort = first.port!;
    const [oldContainer] = await listAppContainers(fx.engine, { workerName: fx.workerName, appId: 503 });

    const v2 = createGitRepo(nodeApp(versionServer("swap v2", 3_000)));
    let done = false;
    const seen: string[] = [];
    const r = quietReporter();
    const deploying = runtime.execute({ ...deployJob(503, v2.url), deployment_id: 5032 }, r.reporter).finally(() => (done = true));
    while (!done) {
      seen.push((await httpGet(oldPort)).body);
      await new Promise((res) => setTimeout(res, 100));
    }
    const second = await deploying;
    expect(second, r.lines.join("\n")).toMatchObject({ ok: true });
    if (!second.ok) return;
    // The old container still answers after the result, while the proxy moves (the drain period).
    expect((await httpGet(oldPort)).body).toBe("swap v1");
    expect(new Set(seen)).toEqual(new Set(["swap v1"]));
    expect(second.port).not.toBe(oldPort);
    expect((await httpGet(second.port!)).body).toBe("swap v2");
    // Then it is stopped and removed.
    await eventually(async () => {
      const left = await listAppContainers(fx.engine, { workerName: fx.workerName, appId: 503 });
      return left.length === 1 && left[0]!.id !== oldContainer!.id;
    }, 30_000, "the old container to be removed");
  }, 400_000);

  it("a health check that never passes leaves the old version serving and fails with the log tail", async () => {
    const v1 = createGitRepo(nodeApp(versionServer("hc v1")));
    const first = await runtime.execute({ ...deployJob(504, v1.url), deployment_id: 5041 }, quietReporter().reporter);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const bad = createGitRepo(
      nodeApp(`console.log("v2 starting, answering 500"); require("node:http").createServer((q, s) => { s.statusCode = 500; s.end("no"); }).listen(Number(process.env.PORT));`),
    );
    const r = quietReporter();
    const out = await runtime.execute({ ...deployJob(504, bad.url), deployment_id: 5042 }, r.reporter);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error).toMatch(/did not answer/);
    expect(out.error).toMatch(/previous version keeps serving/);
    expect(out.logs).toContain("v2 starting, answering 500");
    expect((await httpGet(first.port!)).body).toBe("hc v1");
    const left = await listAppContainers(fx.engine, { workerName: fx.workerName, appId: 504 });
    expect(left).toHaveLength(1);
  }, 400_000);

  it("builds the repository's own Dockerfile at the dockerfilePath setting", async () => {
    const repo = createGitRepo({
      "server.js": versionServer("from my Dockerfile"),
      "deploy/App.Dockerfile": `FROM ${fx.baseImage}\nWORKDIR /srv\nCOPY server.js .\nCMD ["node", "server.js"]\n`,
    });
    const r = quietReporter();
    const base = deployJob(509, repo.url);
    const out = await runtime.execute({ ...base, payload: { ...base.payload!, buildSettings: { ...base.payload!.buildSettings, dockerfilePath: "deploy/App.Dockerfile" } } }, r.reporter);
    expect(out, r.lines.join("\n")).toMatchObject({ ok: true });
    if (!out.ok) return;
    expect(r.lines.some((l) => l.includes("building the repository's deploy/App.Dockerfile as is"))).toBe(true);
    expect((await httpGet(out.port!)).body).toBe("from my Dockerfile");
  }, 300_000);

  it("a Dockerfile that fails gives a failed job with the build output", async () => {
    const repo = createGitRepo({ Dockerfile: `FROM ${fx.baseImage}\nRUN echo "step output before failing" && exit 3\n` });
    const r = quietReporter();
    const out = await runtime.execute(deployJob(505, repo.url), r.reporter);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error).toMatch(/image build failed/);
    expect(out.logs).toContain("step output before failing");
    expect(await listAppContainers(fx.engine, { workerName: fx.workerName, appId: 505 })).toHaveLength(0);
  }, 300_000);

  it("an app that keeps exiting is reported crashed and restarted with growing backoff", async () => {
    const repo = createGitRepo(nodeApp(`require("node:http").createServer((q, s) => s.end("up")).listen(Number(process.env.PORT)); setTimeout(() => process.exit(1), 2500);`));
    const out = await runtime.execute(deployJob(506, repo.url), quietReporter().reporter);
    expect(out.ok).toBe(true);
    const mine = () => events.statuses.filter((s) => s.appId === 506);
    await eventually(() => mine().filter((s) => s.status === "crashed").length >= 3, 90_000, "three crash reports");
    const crashes = mine().filter((s) => s.status === "crashed");
    expect(crashes[0]!.reason).toMatch(/exited with code 1; restarting in 0.3 s/);
    expect(crashes[1]!.reason).toMatch(/restarting in 0.6 s/);
    expect(crashes[2]!.reason).toMatch(/restarting in 1.2 s/);
    // Each restart came after its delay.
    const list = mine();
    const gaps = crashes.slice(0, 2).map((c) => (list.find((s) => s.at >= c.at && s.status === "running" && s !== c)?.at ?? Infinity) - c.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(300);
    expect(gaps[1]).toBeGreaterThanOrEqual(600);
    await runtime.execute(controlJob(506, "stop"), quietReporter().reporter);
    expect(runtime.appStates()).toContainEqual(expect.objectContaining({ appId: 506, status: "stopped" }));
  }, 300_000);

  it("a rollback to a deployment whose image is kept reuses it without a rebuild; old images beyond the kept ones are pruned", async () => {
    const v1 = createGitRepo(nodeApp(versionServer("roll v1")));
    const job = (deploymentId: number, url: string, commitSha = "") => ({ ...deployJob(508, url, { commitSha }), deployment_id: deploymentId });
    expect((await runtime.execute(job(5081, v1.url, v1.sha), quietReporter().reporter)).ok).toBe(true);
    for (const [id, text] of [[5082, "roll v2"], [5083, "roll v3"], [5084, "roll v4"]] as const) {
      const repo = createGitRepo(nodeApp(versionServer(text)));
      expect((await runtime.execute(job(id, repo.url), quietReporter().reporter)).ok).toBe(true);
    }
    // Keep 3 (the default): 5081 went once 5084 was in.
    const tags = async () => (await listAppImages(fx.engine, { workerName: fx.workerName, appId: 508 })).flatMap((i) => i.RepoTags);
    await eventually(async () => (await tags()).length === 3, 30_000, "pruning to three images");
    expect((await tags()).sort()).toEqual([5082, 5083, 5084].map((d) => `localhost/wisehosting/app-508:${d}`));

    const r = quietReporter();
    const back = await runtime.execute(job(5082, "file:///nonexistent-repo-not-cloned", "a".repeat(40)), r.reporter);
    expect(back, r.lines.join("\n")).toMatchObject({ ok: true });
    if (!back.ok) return;
    expect(r.lines.some((l) => l.includes("Reusing the image localhost/wisehosting/app-508:5082"))).toBe(true);
    expect(r.lines.some((l) => l.includes("generated Containerfile"))).toBe(false);
    expect((await httpGet(back.port!)).body).toBe("roll v2");
  }, 400_000);

  it("adopts running containers after shutdown(false) with no duplicate log lines, and delete leaves nothing", async () => {
    const repo = createGitRepo(nodeApp(versionServer("adopt v1")));
    const out = await runtime.execute(deployJob(507, repo.url), quietReporter().reporter);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    await httpGet(out.port!, "/before");
    await eventually(() => events.logs.some((l) => l.appId === 507 && l.line === "request /before"), 20_000, "the first log line");
    const [before] = await listAppContainers(fx.engine, { workerName: fx.workerName, appId: 507 });

    await runtime.shutdown(false);
    // The app keeps serving while no agent runs.
    expect((await httpGet(out.port!)).body).toBe("adopt v1");
    await httpGet(out.port!, "/while-down");

    const next = recordEvents();
    runtime = makeRuntime(next);
    await runtime.init();
    expect(runtime.appStates()).toContainEqual(expect.objectContaining({ appId: 507, status: "running" }));
    const [after] = await listAppContainers(fx.engine, { workerName: fx.workerName, appId: 507 });
    expect(after!.id).toBe(before!.id);
    await httpGet(out.port!, "/after");
    await eventually(() => next.logs.some((l) => l.appId === 507 && l.line === "request /after"), 20_000, "the line after adoption");
    const lines = next.logs.filter((l) => l.appId === 507).map((l) => l.line);
    // Only what was written since the last line the first runtime delivered: none twice, none lost.
    expect(lines).toEqual(["request /", "request /while-down", "request /after"]);

    const r = quietReporter();
    expect(await runtime.execute(controlJob(507, "delete"), r.reporter)).toMatchObject({ ok: true });
    expect(await listAppContainers(fx.engine, { workerName: fx.workerName, appId: 507 })).toHaveLength(0);
    expect(await listAppImages(fx.engine, { workerName: fx.workerName, appId: 507 })).toHaveLength(0);
    expect(runtime.appStates().some((s) => s.appId === 507)).toBe(false);
  }, 400_000);
});
