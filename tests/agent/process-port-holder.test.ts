import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AppInstance } from "../../src/agent/runtime/process/app-instance";
import { pickAppPort } from "../../src/agent/runtime/process/app-port";
import type { Release } from "../../src/agent/runtime/process/app-store";
import { appPids, portHolder } from "../../src/agent/runtime/process/port-holder";
import { portTakenMessage, startFailureMessage, waitForStart } from "../../src/agent/runtime/process/start-diagnosis";
import { freePort } from "../helpers/free-port";
import { createGitRepo, nodeApp } from "./support/git-fixture";
import { controlJob, createRuntime, deployJob, httpText, quietReporter, recordEvents, tempStateDir } from "./support/runtime-harness";

/**
 * The process runtime's readiness proves that the server answering on $PORT is the new app's own
 * process (src/agent/runtime/process/port-holder.ts): a port another server holds (another app,
 * a process an earlier run left) must not pass the new app's health check, or traffic switches to
 * that server's page.
 */
const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** Another HTTP server on loopback, answering every path with its own page. */
async function foreignServer(port = 0): Promise<number> {
  const server = http.createServer((_req, res) => res.end("someone else's page"));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** A release of a dependency-free Node script, started the way the runtime starts apps. */
async function launch(appId: number, port: number, script: string): Promise<AppInstance> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wh-port-holder-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const release: Release = {
    id: `r${appId}`,
    dir,
    cwd: dir,
    // Through a shell that stays the parent: the listening socket is a child's, as under `npm start`.
    argv: ["/bin/sh", "-c", `"${process.execPath}" -e '${script}'; exit $?`],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PORT: String(port) },
    port,
    commitSha: "0".repeat(40),
    commitMessage: "test",
    kind: "node",
    diskBytes: 0,
  };
  const instance = await AppInstance.launch(appId, release, recordEvents());
  cleanup.push(() => instance.stop(2_000));
  return instance;
}

const listensOnPort = `require("node:http").createServer((q, s) => s.end("the app")).listen(Number(process.env.PORT), "127.0.0.1")`;

// Real processes on a shared 2-core machine: generous deadlines, outcomes awaited, never timed.
describe("process runtime: only the app's own server passes its health check", { timeout: 120_000 }, () => {
  it("a port another server holds does not pass the health check of an app that has not bound it", async () => {
    const port = await foreignServer();
    const instance = await launch(1, port, "setInterval(() => {}, 1000)");
    const outcome = await waitForStart(instance, port, 60_000);
    expect(outcome).toEqual({ kind: "port-taken" });
    if (outcome.kind === "ready") return;
    expect(await startFailureMessage(instance, outcome, port, 60_000)).toBe(portTakenMessage(port));
  });

  it("an app that crashes on its taken $PORT is told the port is another process's, not a bare exit", async () => {
    const port = await foreignServer();
    const instance = await launch(2, port, listensOnPort);
    const outcome = await waitForStart(instance, port, 60_000);
    // Exited on EADDRINUSE, or still starting after the grace on a loaded machine: told the same.
    expect(["exited", "port-taken"]).toContain(outcome.kind);
    if (outcome.kind === "ready") return;
    expect(await startFailureMessage(instance, outcome, port, 60_000)).toBe(portTakenMessage(port));
  });

  it("an app whose child process listens on $PORT is ready, and holds the port alone", async () => {
    const port = await freePort();
    const instance = await launch(3, port, listensOnPort);
    expect(await waitForStart(instance, port, 60_000)).toEqual({ kind: "ready" });
    expect(portHolder(appPids(instance), port)).toBe("app");
  });

  it("a new app's port is none that another app on this worker was given", async () => {
    const given = new Set([41001, 41002]);
    const offered = [41001, 41002, 41003];
    expect(await pickAppPort(given, async () => offered.shift()!)).toBe(41003);
  });

  it("a stopped app whose port another server took meanwhile starts on a free port, not behind that server", async () => {
    const state = tempStateDir();
    const runtime = createRuntime(state.dir, recordEvents(), { startTimeoutMs: 30_000 });
    cleanup.push(() => state.cleanup());
    cleanup.push(() => runtime.shutdown(true));
    const repo = createGitRepo(nodeApp(`require("node:http").createServer((q, s) => s.end("app 71")).listen(Number(process.env.PORT));`));
    const deployed = await runtime.execute(deployJob(71, repo.url), quietReporter().reporter);
    expect(deployed.ok, JSON.stringify(deployed)).toBe(true);
    if (!deployed.ok) return;
    expect(await runtime.execute(controlJob(71, "stop"), quietReporter().reporter)).toMatchObject({ ok: true });
    await foreignServer(deployed.port);

    const started = await runtime.execute(controlJob(71, "start"), quietReporter().reporter);
    expect(started.ok, JSON.stringify(started)).toBe(true);
    if (!started.ok) return;
    expect(started.port).not.toBe(deployed.port);
    expect(await httpText(started.port!)).toBe("app 71");
    expect(await httpText(deployed.port!)).toBe("someone else's page");
  });
});
