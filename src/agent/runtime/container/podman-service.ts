import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, open, readFile, readlink, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connectEngine, EngineUnavailableError, type Engine } from "./engine";
import type { EngineAddress } from "./engine-socket";
import { findOnPath } from "./find-on-path";
import { containersConfUlimits, containerUlimits } from "./ulimits";

/** Longest unix socket path the kernel accepts is 107 bytes; leave room. */
const MAX_SOCKET_PATH = 100;

export interface PodmanServiceOptions {
  /** The agent's state directory; the service's socket, config, log and pid file live in `<stateDir>/podman`. */
  stateDir: string;
  podmanBinary?: string;
  /**
   * OCI runtime for every container of this service. Default: runc when installed, because crun
   * refuses hosts with hybrid cgroups ("cgroups in hybrid mode not supported"); else Podman's own choice.
   */
  ociRuntime?: string | null;
  readyTimeoutMs?: number;
}

/** A `podman system service` the agent started (or found still running from its previous run). */
export interface PodmanService {
  readonly address: EngineAddress;
  readonly engine: Engine;
  readonly pid: number;
  /** True when the service was already running from an earlier agent run. */
  readonly adopted: boolean;
  /** SIGTERM, then SIGKILL after the grace period. Containers keep running: conmon owns them. */
  stop(graceMs?: number): Promise<void>;
}

export class PodmanServiceError extends Error {
  override name = "PodmanServiceError";
}

/** The private socket's path: under the state directory when short enough, else a per-state-dir folder in the temp dir. */
export function podmanSocketPath(stateDir: string): string {
  const preferred = path.join(path.resolve(stateDir), "podman", "engine.sock");
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH) return preferred;
  const digest = createHash("sha256").update(path.resolve(stateDir)).digest("hex").slice(0, 16);
  return path.join(os.tmpdir(), `wh-podman-${digest}`, "engine.sock");
}

/** The containers.conf the service reads (through CONTAINERS_CONF), so the host's /etc stays untouched. */
export function podmanServiceConfig(ociRuntime: string | null): string {
  return [
    "# Written by the WiseHosting agent for the Podman service it starts (src/agent/runtime/container/podman-service.ts).",
    "[containers]",
    containersConfUlimits(containerUlimits()),
    "",
    "[engine]",
    ...(ociRuntime ? [`runtime = ${JSON.stringify(ociRuntime)}`] : []),
    "",
  ].join("\n");
}

/** What the service may see of the agent's environment: no API key or registration token, only what Podman uses. */
const SERVICE_ENV = ["PATH", "HOME", "LANG", "TMPDIR", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"];
export function podmanServiceEnv(env: Record<string, string | undefined>, confPath: string): Record<string, string> {
  const out: Record<string, string> = { CONTAINERS_CONF: confPath };
  for (const name of SERVICE_ENV) if (env[name]) out[name] = env[name]!;
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

/** True when `pid` is a `podman system service` listening on this socket (pids get reused). */
async function isServiceOn(pid: number, socketPath: string): Promise<boolean> {
  if (!alive(pid)) return false;
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0");
  return cmdline.includes("service") && cmdline.includes(`unix://${socketPath}`);
}

/** True when the process's working directory no longer exists (Linux marks the link " (deleted)"). */
async function runsInDeletedDirectory(pid: number): Promise<boolean> {
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => "");
  return cwd.endsWith(" (deleted)");
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone (or 5 s after the SIGKILL). */
async function terminate(pid: number, graceMs: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, "SIGTERM");
  if (!(await waitForExit(pid, graceMs))) {
    process.kill(pid, "SIGKILL");
    await waitForExit(pid, 5_000);
  }
}

function serviceHandle(address: EngineAddress, engine: Engine, pid: number, adopted: boolean, pidFile: string): PodmanService {
  let stopping: Promise<void> | null = null;
  const stop = async (graceMs: number) => {
    await terminate(pid, graceMs);
    await rm(pidFile, { force: true });
    if (address.kind === "unix") await rm(address.socketPath, { force: true });
  };
  return {
    address,
    engine,
    pid,
    adopted,
    stop: (graceMs = 10_000) => (stopping ??= stop(graceMs)),
  };
}

/**
 * Starts `podman system service --time=0` on a private socket, for machines where Podman is
 * installed but no engine socket answers (a developer's `npm start`, the tests). When the service
 * of the agent's previous run still answers on that socket, it is adopted instead of started twice.
 */
export async function startPodmanService(options: PodmanServiceOptions): Promise<PodmanService> {
  const dir = path.join(path.resolve(options.stateDir), "podman");
  const socketPath = podmanSocketPath(options.stateDir);
  // Whoever can reach this socket controls every container on the host: only the agent's user may.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  const pidFile = path.join(dir, "service.pid");
  const logPath = path.join(dir, "service.log");
  const address: EngineAddress = { kind: "unix", socketPath, source: "Podman service started by the agent" };

  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const recorded = Number((await readFile(pidFile, "utf8").catch(() => "")).trim()) || null;
  let previousPid = recorded !== null && (await isServiceOn(recorded, socketPath)) ? recorded : null;
  if (previousPid !== null && (await runsInDeletedDirectory(previousPid))) {
    // Started by an earlier version from a directory since deleted: it answers, but no container
    // start would succeed. Its containers keep running under conmon; a new service takes over.
    await terminate(previousPid, 10_000);
    previousPid = null;
  }
  if (previousPid !== null) {
    // Our service, maybe slow (a build holding the storage lock): wait for it rather than start
    // a second one on the same socket.
    const deadline = Date.now() + readyTimeoutMs;
    let lastError = "";
    while (Date.now() < deadline && alive(previousPid)) {
      try {
        return serviceHandle(address, await connectEngine(address, 10_000), previousPid, true, pidFile);
      } catch (err) {
        lastError = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    if (alive(previousPid)) throw new PodmanServiceError(`the Podman service (pid ${previousPid}) runs but does not answer: ${lastError}`);
  }

  const ociRuntime = options.ociRuntime !== undefined ? options.ociRuntime : (await findOnPath("runc")) ? "runc" : null;
  const binary = options.podmanBinary ?? "podman";
  const confPath = path.join(dir, "containers.conf");
  await writeFile(confPath, podmanServiceConfig(ociRuntime), { mode: 0o600 });
  await rm(socketPath, { force: true });

  // Output goes to a file, not a pipe: the service outlives an agent that crashes, and a Go
  // program writing to a closed pipe on stdout/stderr dies of SIGPIPE.
  const logFile = await open(logPath, "a", 0o600);
  let child: ChildProcess;
  try {
    const runtimeArgs = ociRuntime ? ["--runtime", ociRuntime] : [];
    child = spawn(binary, [...runtimeArgs, "system", "service", "--time=0", `unix://${socketPath}`], {
      env: podmanServiceEnv(process.env, confPath) as NodeJS.ProcessEnv,
      // Not the agent's directory: the service outlives the agent (the next run adopts it), and
      // one whose working directory was deleted fails every container start with "write child:
      // broken pipe" (its conmon cannot start there).
      cwd: "/",
      // Its own process group: a Ctrl-C in the terminal reaches the agent, which stops the engine
      // last, in order, instead of the engine dying first under it.
      detached: true,
      stdio: ["ignore", logFile.fd, logFile.fd],
    });
  } finally {
    await logFile.close();
  }
  let exited: string | null = null;
  const ended = new Promise<void>((resolve) => {
    child.once("error", (err) => {
      exited = `could not run ${binary}: ${err.message}`;
      resolve();
    });
    child.once("exit", (code, signal) => {
      exited = `podman system service exited (${signal ?? `code ${code}`})`;
      resolve();
    });
  });
  child.unref();

  // Generous: on a busy host the service waits for storage locks that running builds hold.
  const deadline = Date.now() + readyTimeoutMs;
  let lastError = "";
  while (Date.now() < deadline && exited === null && child.pid !== undefined) {
    try {
      const engine = await connectEngine(address, 5_000);
      await writeFile(pidFile, `${child.pid}\n`, { mode: 0o600 });
      return serviceHandle(address, engine, child.pid, false, pidFile);
    } catch (err) {
      lastError = err instanceof EngineUnavailableError ? err.message : String(err);
    }
    await Promise.race([new Promise((r) => setTimeout(r, 200)), ended]);
  }
  if (exited === null && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
  const log = (await readFile(logPath, "utf8").catch(() => "")).trim().split("\n").slice(-15).join("\n");
  throw new PodmanServiceError(`${exited ?? `the Podman service did not answer in time (${lastError})`}${log ? `\n${log}` : ""}`);
}
