import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { followContainerLogs, type ContainerLogLine } from "../../../src/agent/runtime/container/container-logs";
import { inspectContainer, listAppContainers, removeContainer, runAppContainer } from "../../../src/agent/runtime/container/app-container";
import { ensureBaseImage, LOCAL_BASE_IMAGE } from "../../../src/agent/runtime/container/base-image";
import type { AppContainerSpec } from "../../../src/agent/runtime/container/container-spec";
import type { Engine } from "../../../src/agent/runtime/container/engine";
import { withPidLock as withFileLock } from "../../../src/os/pid-lock";
import { listAppImages, removeImage } from "../../../src/agent/runtime/container/images";
import { listNetworkHolders, removeNetworkHolder } from "../../../src/agent/runtime/container/network-holder";
import { openEngine, type EngineSession } from "../../../src/agent/runtime/container/open-engine";
import { freePort } from "../../../src/net/free-port";

/**
 * The engine for a test file: the machine's engine when one answers, else one Podman service
 * shared by the container test files running at the same time (as one agent's service serves a
 * worker; several services on one storage slow each other down), started by the first file and
 * stopped by the last. Plus the local base image (built once per machine, cached). A worker name
 * unique to the file labels everything it creates, so cleanup removes exactly that.
 */
export interface ContainerFixture {
  engine: Engine;
  session: EngineSession;
  workerName: string;
  /** The file's own scratch state directory. */
  stateDir: string;
  /** The state directory of the shared Podman service (open-engine.ts adopts it there). */
  serviceStateDir: string;
  baseImage: string;
  /** A scratch directory removed at cleanup. */
  scratch: string;
  cleanup(): Promise<void>;
}

const SHARED_SERVICE_DIR = path.join(os.tmpdir(), "wh-container-tests");
const USERS_FILE = path.join(SHARED_SERVICE_DIR, "users.json");
const USERS_LOCK = path.join(SHARED_SERVICE_DIR, "users.lock");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The files using the shared service, as "pid:token"; entries of processes that died are dropped. */
function readUsers(): string[] {
  let users: string[] = [];
  try {
    users = JSON.parse(readFileSync(USERS_FILE, "utf8")) as string[];
  } catch {
    users = [];
  }
  return users.filter((u) => alive(Number(u.split(":")[0])));
}

async function acquireSharedEngine(): Promise<{ session: EngineSession; release(): Promise<void> }> {
  mkdirSync(SHARED_SERVICE_DIR, { recursive: true, mode: 0o700 });
  const me = `${process.pid}:${randomBytes(4).toString("hex")}`;
  const session = await withFileLock(USERS_LOCK, async () => {
    const opened = await openEngine({ stateDir: SHARED_SERVICE_DIR });
    writeFileSync(USERS_FILE, JSON.stringify([...readUsers(), me]));
    return opened;
  });
  return {
    session,
    release: () =>
      withFileLock(USERS_LOCK, async () => {
        const users = readUsers().filter((u) => u !== me);
        writeFileSync(USERS_FILE, JSON.stringify(users));
        if (users.length === 0) await session.close();
      }),
  };
}

export async function openContainerFixture(tag: string): Promise<ContainerFixture> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), `wh-ct-${tag}-`));
  const { session, release } = await acquireSharedEngine();
  const workerName = `t-${tag}-${randomBytes(3).toString("hex")}`;
  const base = await ensureBaseImage({ engine: session.engine, image: LOCAL_BASE_IMAGE });
  const scratch = path.join(stateDir, "scratch");
  mkdirSync(scratch);
  return {
    engine: session.engine,
    session,
    workerName,
    stateDir,
    serviceStateDir: SHARED_SERVICE_DIR,
    baseImage: base.image,
    scratch,
    cleanup: async () => {
      try {
        await removeWorkerObjects(session.engine, workerName);
      } finally {
        await release();
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  };
}

/** Removes every container (app containers, then the network holders they joined) and image labelled with the worker's name. */
export async function removeWorkerObjects(engine: Engine, workerName: string): Promise<void> {
  for (const c of await listAppContainers(engine, { workerName })) await removeContainer(engine, c.id, { force: true });
  for (const h of await listNetworkHolders(engine, workerName)) await removeNetworkHolder(engine, h.id);
  for (const image of await listAppImages(engine, { workerName })) await removeImage(engine, image.Id, true);
}

/** Writes files into a fresh directory under the fixture's scratch space. */
export function writeApp(fixture: ContainerFixture, name: string, files: Record<string, string>): string {
  const dir = path.join(fixture.scratch, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

let nextId = 1;
/** App and deployment ids unique within the run (names include the worker, unique per file). */
export function nextApp(fixture: ContainerFixture) {
  const appId = nextId++;
  return { appId, deploymentId: 100 + appId, workerName: fixture.workerName };
}

/** A container spec on the base image with sensible small limits; `overrides` win. */
export async function baseSpec(fixture: ContainerFixture, overrides: Partial<AppContainerSpec> = {}): Promise<AppContainerSpec> {
  return {
    app: nextApp(fixture),
    image: fixture.baseImage,
    internalPort: 8080,
    hostIp: "127.0.0.1",
    hostPort: await freePort(),
    env: {},
    limits: { cpu: 0.5, memoryMb: 128, pids: 64 },
    readOnlyRootfs: true,
    ...overrides,
  };
}

/** Runs a container to its end and returns its exit report and output lines. */
export async function runToEnd(fixture: ContainerFixture, spec: AppContainerSpec, timeoutMs = 60_000) {
  const { id } = await runAppContainer(fixture.engine, spec);
  const lines: ContainerLogLine[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`container ${id} still running after ${timeoutMs} ms`)), timeoutMs);
    followContainerLogs(fixture.engine, id, {
      onLine: (line) => lines.push(line),
      onEnd: (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      },
    });
  });
  const info = await eventually(async () => {
    const i = await inspectContainer(fixture.engine, id);
    return i && !i.State.Running ? i : null;
  }, timeoutMs, "the container to stop");
  return { id, info, lines, text: lines.map((l) => l.line).join("\n") };
}

/** Polls until `check` returns a truthy value or the deadline passes. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 30_000, what = "condition", intervalMs = 200): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

export async function httpGet(port: number, pathName = "/"): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${pathName}`, { signal: AbortSignal.timeout(3_000) });
  return { status: res.status, body: await res.text() };
}
