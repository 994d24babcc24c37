import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBaseImage, LOCAL_BASE_IMAGE } from "../../src/agent/runtime/container/base-image";
import { connectEngine, EngineUnavailableError } from "../../src/agent/runtime/container/engine";
import { engineSocketCandidates, parseDockerHost } from "../../src/agent/runtime/container/engine-socket";
import { withPidLock as withFileLock } from "../../src/os/pid-lock";
import { imageExists } from "../../src/agent/runtime/container/images";
import { openEngine } from "../../src/agent/runtime/container/open-engine";
import { podmanSocketPath } from "../../src/agent/runtime/container/podman-service";
import { buildUlimitsParam, containerUlimits } from "../../src/agent/runtime/container/ulimits";
import { buildBaseImage } from "../../scripts/build-base-image";
import { eventually, openContainerFixture, type ContainerFixture } from "./support/container-fixture";

let fixture: ContainerFixture;
beforeAll(async () => {
  fixture = await openContainerFixture("engine");
}, 600_000);
afterAll(async () => {
  await fixture?.cleanup();
}, 120_000);

describe("engine socket discovery", () => {
  it("uses DOCKER_HOST alone when it is set, in the Docker CLI's forms", () => {
    expect(engineSocketCandidates({ env: { DOCKER_HOST: "unix:///tmp/x.sock" } })).toEqual([
      { kind: "unix", socketPath: "/tmp/x.sock", source: "DOCKER_HOST" },
    ]);
    expect(parseDockerHost("tcp://127.0.0.1:2375")).toMatchObject({ kind: "tcp", host: "127.0.0.1", port: 2375 });
    expect(parseDockerHost("/run/podman/podman.sock")).toEqual({ kind: "unix", socketPath: "/run/podman/podman.sock", source: "DOCKER_HOST" });
    expect(() => parseDockerHost("ssh://user@host")).toThrow(/only unix:\/\/ and plain tcp:\/\//);
  });

  it("tries rootful Podman, rootless Podman, then the Docker sockets", () => {
    const paths = (search: Parameters<typeof engineSocketCandidates>[0]) =>
      engineSocketCandidates(search).map((c) => (c.kind === "unix" ? c.socketPath : `${c.host}:${c.port}`));
    const root = paths({ env: {}, uid: 0, home: "/root" });
    expect(root.slice(0, 3)).toEqual(["/run/podman/podman.sock", "/var/run/docker.sock", "/run/docker.sock"]);
    const user = paths({ env: { XDG_RUNTIME_DIR: "/run/user/1000" }, uid: 1000, home: "/home/u" });
    expect(user).toEqual([
      "/run/user/1000/podman/podman.sock",
      "/var/run/docker.sock",
      "/run/docker.sock",
      "/run/user/1000/docker.sock",
      "/home/u/.docker/run/docker.sock",
    ]);
  });

  it("keeps the private socket path short enough for a unix socket", () => {
    expect(podmanSocketPath("/tmp/state")).toBe("/tmp/state/podman/engine.sock");
    const long = podmanSocketPath(`/tmp/${"d".repeat(120)}`);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(100);
    expect(long).toBe(podmanSocketPath(`/tmp/${"d".repeat(120)}`));
  });
});

describe("engine connection", () => {
  it("finds the engine and reads its name and version", () => {
    const { engine } = fixture;
    expect(["podman", "docker"]).toContain(engine.name);
    expect(engine.version).toMatch(/^\d+\.\d+/);
    expect(engine.apiVersion).toMatch(/^1\.\d+$/);
    expect(engine.describe()).toContain(engine.version);
  });

  it("reports an engine that does not answer as unavailable", async () => {
    await expect(connectEngine({ kind: "unix", socketPath: path.join(fixture.stateDir, "nothing.sock"), source: "test" }, 1_000)).rejects.toBeInstanceOf(
      EngineUnavailableError,
    );
    await expect(
      openEngine({ stateDir: fixture.stateDir, env: { DOCKER_HOST: `unix://${path.join(fixture.stateDir, "nothing.sock")}`, PATH: process.env.PATH } }),
    ).rejects.toThrow(/DOCKER_HOST names an engine that does not answer/);
  });

  it("connects through DOCKER_HOST", async () => {
    const address = fixture.engine.address;
    if (address.kind !== "unix") return;
    const session = await openEngine({ stateDir: fixture.stateDir, env: { DOCKER_HOST: `unix://${address.socketPath}` } });
    expect(session.service).toBeNull();
    expect(session.engine.version).toBe(fixture.engine.version);
    await session.close();
  });
});

describe("the agent's own Podman service", () => {
  it("starts on a private socket, is adopted by the next run, and stops on close", async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), "wh-ct-svc-"));
    try {
      // No DOCKER_HOST and no system socket on these machines: the agent starts its own service.
      const first = await openEngine({ stateDir, env: { PATH: process.env.PATH, HOME: os.homedir() } });
      if (!first.service) {
        await first.close();
        return; // a machine with a system engine: nothing of ours to start
      }
      expect(first.service.adopted).toBe(false);
      expect(first.engine.name).toBe("podman");
      const pid = first.service.pid;
      // Not in the agent's directory, which may be deleted while the service lives on.
      expect(readlinkSync(`/proc/${pid}/cwd`)).toBe("/");

      const second = await openEngine({ stateDir, env: { PATH: process.env.PATH, HOME: os.homedir() } });
      expect(second.service?.adopted).toBe(true);
      expect(second.service?.pid).toBe(pid);

      await first.close();
      await eventually(() => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, 15_000, "the service to exit");
      expect(existsSync(podmanSocketPath(stateDir))).toBe(false);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 180_000);

  it("replaces a previous run's service whose directory was deleted, and containers start through the new one", async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), "wh-ct-svc-"));
    const gone = mkdtempSync(path.join(os.tmpdir(), "wh-ct-svc-cwd-"));
    const socketPath = podmanSocketPath(stateDir);
    let containerId: string | null = null;
    let session: Awaited<ReturnType<typeof openEngine>> | null = null;
    let old: ChildProcess | null = null;
    try {
      // As an earlier agent version left it: started from a directory that was deleted since.
      mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
      mkdirSync(path.join(stateDir, "podman"), { recursive: true, mode: 0o700 });
      old = spawn("podman", ["--runtime", "runc", "system", "service", "--time=0", `unix://${socketPath}`], { cwd: gone, detached: true, stdio: "ignore" });
      old.unref();
      writeFileSync(path.join(stateDir, "podman", "service.pid"), String(old.pid));
      await eventually(() => existsSync(socketPath), 60_000, "the old service's socket");
      rmSync(gone, { recursive: true, force: true });

      session = await openEngine({ stateDir, env: { PATH: process.env.PATH, HOME: os.homedir() } });
      expect(session.service?.adopted).toBe(false);
      expect(session.service?.pid).not.toBe(old.pid);
      const left = old;
      await eventually(() => left.exitCode !== null || left.signalCode !== null, 15_000, "the old service to exit");
      const created = await session.engine.docker.createContainer({ Image: fixture.baseImage, Cmd: ["node", "-e", "setTimeout(() => {}, 60000)"], Labels: { "wisehosting.test": "engine-cwd" } });
      containerId = created.id;
      await created.start();
      expect((await created.inspect()).State.Running).toBe(true);
    } finally {
      if (containerId && session) await session.engine.docker.getContainer(containerId).remove({ force: true }).catch(() => undefined);
      await session?.close();
      if (old && old.exitCode === null && old.signalCode === null) old.kill("SIGKILL");
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(gone, { recursive: true, force: true });
    }
  }, 180_000);
});

describe("ulimits", () => {
  it("asks for no more than the agent's own hard limits and the kernel's pid_max", () => {
    const limits = [
      "Limit                     Soft Limit           Hard Limit           Units     ",
      "Max processes             96363                96363                processes ",
      "Max open files            1024                 2048                 files     ",
    ].join("\n");
    expect(containerUlimits(limits, "32768\n")).toEqual([
      { Name: "nofile", Soft: 2048, Hard: 2048 },
      { Name: "nproc", Soft: 32768, Hard: 32768 },
    ]);
    expect(containerUlimits(limits, "4096\n")[1]).toEqual({ Name: "nproc", Soft: 4096, Hard: 4096 });
    expect(buildUlimitsParam("podman", containerUlimits(limits, "4096"))).toBe('["nofile=2048:2048","nproc=4096:4096"]');
    expect(JSON.parse(buildUlimitsParam("docker", containerUlimits(limits, "4096")))[0]).toEqual({ Name: "nofile", Soft: 2048, Hard: 2048 });
  });
});

describe("base image", () => {
  it("is built once and then found in the cache", async () => {
    expect(await imageExists(fixture.engine, LOCAL_BASE_IMAGE)).toBe(true);
    const started = Date.now();
    const [a, b] = await Promise.all([
      ensureBaseImage({ engine: fixture.engine }),
      // The script borrows the running service (and leaves it running for the other files).
      buildBaseImage({ stateDir: fixture.serviceStateDir, image: LOCAL_BASE_IMAGE }),
    ]);
    expect(a.built).toBe(false);
    expect(b.built).toBe(false);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it("holds Node 24 and npm", async () => {
    const { runToEnd, baseSpec } = await import("./support/container-fixture");
    const run = await runToEnd(fixture, await baseSpec(fixture, { command: ["/bin/sh", "-c", "node --version && npm --version"] }));
    expect(run.info.State.ExitCode).toBe(0);
    expect(run.text).toMatch(/^v24\./m);
    expect(run.text).toMatch(/^\d+\.\d+\.\d+$/m);
  });

  it("lets concurrent callers take turns through the lock file", async () => {
    const lock = path.join(fixture.stateDir, "turns.lock");
    const order: string[] = [];
    const job = (name: string) =>
      withFileLock(
        lock,
        async () => {
          order.push(`${name} in`);
          await new Promise((r) => setTimeout(r, 100));
          order.push(`${name} out`);
        },
        { pollMs: 20 },
      );
    await Promise.all([job("a"), job("b"), job("c")]);
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]!.replace(" in", " out"));
    expect(existsSync(lock)).toBe(false);
  });

  it("takes over a lock whose owner died", async () => {
    const lock = path.join(fixture.stateDir, "stale.lock");
    const { writeFileSync } = await import("node:fs");
    // A pid that cannot be alive: above the kernel's pid_max.
    writeFileSync(lock, "4194304\n");
    const result = await withFileLock(lock, async () => "ran", { timeoutMs: 5_000, pollMs: 20 });
    expect(result).toBe("ran");
  });
});
