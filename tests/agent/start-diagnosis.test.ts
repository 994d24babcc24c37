import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/net/free-port";
import { createGitRepo, nodeApp } from "./support/git-fixture";
import { createRuntime, deployJob, httpText, quietReporter, recordEvents, tempStateDir } from "./support/runtime-harness";

/** The runtime's start timeout is long here: each case must be told apart well before it. */
const state = tempStateDir();
const runtime = createRuntime(state.dir, recordEvents(), { startTimeoutMs: 30_000 });
const cleanup: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const c of cleanup) await c();
  await runtime.shutdown(true);
  state.cleanup();
});

// Real processes on a shared 2-core machine: generous time, polled conditions, no fixed waits.
describe("process runtime: what went wrong with the app", { timeout: 120_000 }, () => {
  it("an app listening on a fixed port instead of $PORT is told which port it listens on, long before the start timeout", async () => {
    const fixed = await freePort();
    const repo = createGitRepo(nodeApp(`require("node:http").createServer((q, s) => s.end("hi")).listen(${fixed}, () => console.log("listening on ${fixed}"));`));
    const started = Date.now();
    const result = await runtime.execute(deployJob(51, repo.url), quietReporter().reporter);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(new RegExp(`^your app listens on ${fixed}, not on \\$PORT \\(\\d+\\): the worker sends its traffic to the port in the PORT environment variable`));
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("an app whose fixed port is already taken on the worker crashes: told the same, not a bare exit", async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    cleanup.push(() => new Promise<void>((resolve) => busy.close(() => resolve())));
    const port = (busy.address() as net.AddressInfo).port;
    const repo = createGitRepo(nodeApp(`require("node:http").createServer((q, s) => s.end("hi")).listen(${port}, "127.0.0.1");`));
    const result = await runtime.execute(deployJob(52, repo.url), quietReporter().reporter);
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining(`your app listens on ${port}, not on $PORT`) });
    expect(!result.ok && result.error).toContain(`port ${port} is already in use on this worker`);
  });

  it("an app that crashes at start shows its first error lines in the failure", async () => {
    const repo = createGitRepo(nodeApp(`const config = require("./config.json");\nrequire("node:http").createServer((q, s) => s.end("hi")).listen(Number(process.env.PORT));`));
    const result = await runtime.execute(deployJob(53, repo.url), quietReporter().reporter);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/^the app exited before it answered on port \d+ \(exit code 1\); its first error lines:\n/);
    expect(result.error).toContain("Error: Cannot find module './config.json'");
    expect(result.error).not.toMatch(/npm (warn|notice)/);
  });

  it("a missing start script says what to add, from what the repository holds", async () => {
    const express = createGitRepo({ "package.json": JSON.stringify({ name: "x", version: "1.0.0" }), "server.js": "" });
    const a = await runtime.execute(deployJob(54, express.url), quietReporter().reporter);
    expect(a).toMatchObject({ ok: false, error: expect.stringContaining('package.json has no "start" script, so the worker does not know how to run the app: add "start": "node server.js" to its "scripts"') });
    const next = createGitRepo({ "package.json": JSON.stringify({ name: "x", version: "1.0.0", scripts: { build: "next build" }, dependencies: { next: "16.4.3" } }) });
    const b = await runtime.execute(deployJob(55, next.url), quietReporter().reporter);
    expect(b).toMatchObject({ ok: false, error: expect.stringContaining('add "start": "next start"') });
  });

  it("engines.node the worker cannot satisfy is refused before any install, with what to change", async () => {
    const repo = createGitRepo({ ...nodeApp(`require("node:http").createServer((q, s) => s.end("hi")).listen(Number(process.env.PORT));`), "package.json": JSON.stringify({ name: "x", version: "1.0.0", engines: { node: "18.x" }, scripts: { start: "node server.js" } }) });
    const { lines, reporter } = quietReporter();
    const result = await runtime.execute(deployJob(56, repo.url), reporter);
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining(`package.json asks for Node "18.x" (engines.node), but this worker builds and runs apps with Node ${process.versions.node}`) });
    expect(lines.some((l) => l.startsWith("$ npm"))).toBe(false);
  });

  it("a package.json with a build script and no start script that builds a site is served as a static site", async () => {
    const build = `node -e "require('fs').mkdirSync('dist',{recursive:true}); require('fs').writeFileSync('dist/index.html','<h1>built site</h1>')"`;
    const repo = createGitRepo({ "package.json": JSON.stringify({ name: "x", version: "1.0.0", scripts: { build }, devDependencies: {} }), "index.html": "<h1>source</h1>" });
    const result = await runtime.execute(deployJob(57, repo.url), quietReporter().reporter);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (result.ok) expect(await httpText(result.port!)).toContain("built site");
  });
});
