import type Dockerode from "dockerode";
import { APP_UID } from "./containerfile";
import { appLabels, type AppRef } from "./labels";
import { containerUlimits, type Ulimit } from "./ulimits";

export interface AppContainerSpec {
  app: AppRef;
  image: string;
  /** Overrides the image's CMD (argv, never a shell string). */
  command?: string[];
  /** Container name; default `wh-<worker>-<appId>-<deploymentId>` (unique per engine, readable in `podman ps`). */
  name?: string;
  /** The port the app listens on inside the container; also its PORT env var. */
  internalPort: number;
  /** The only host address the port is published on: the address the proxy config points at. */
  hostIp: string;
  hostPort: number;
  /**
   * The network holder (network-holder.ts) whose namespace the container joins: the holder
   * publishes `hostIp:hostPort`, so the app container publishes nothing itself.
   */
  networkOf?: string | null;
  env: Record<string, string>;
  limits: { cpu: number; memoryMb: number; pids: number };
  /** True for images the agent generated; an app's own Dockerfile may expect a writable root. */
  readOnlyRootfs: boolean;
  /** The image's USER (images.ts inspectImage), or empty. */
  imageUser?: string | null;
  /** Size of the /tmp tmpfs, counted against the app's memory. */
  tmpfsMb?: number;
  stopGraceSeconds?: number;
  ulimits?: Ulimit[];
}

/** A user spec that is root (or empty, which means root): "", "root", "0", "0:0", "root:0"… */
function isRootUser(user: string): boolean {
  const [name] = user.trim().split(":");
  return !name || name === "root" || name === "0";
}

/** The image's USER when it names one other than root, else the fixed unprivileged uid. */
export function containerUser(imageUser: string | null | undefined): string {
  return imageUser && !isRootUser(imageUser) ? imageUser.trim() : `${APP_UID}:${APP_UID}`;
}

/**
 * KEY=VALUE entries, PORT last and only once (the agent's, as in the process runtime). A name with
 * '=' or NUL cannot be expressed and is dropped.
 */
function envList(env: Record<string, string>, port: number): string[] {
  const entries = Object.entries(env).filter(([k, v]) => k && k !== "PORT" && !/[=\0]/.test(k) && !v.includes("\0"));
  return [...entries.map(([k, v]) => `${k}=${v}`), `PORT=${port}`];
}

/**
 * The confinement every container the agent runs shares, app or network holder (network-holder.ts):
 * every capability dropped, no-new-privileges, not privileged, memory as a hard limit without swap,
 * CPU and pids limits, explicit ulimits (the engine's default open-files limit is refused on some
 * hosts), no host path mounted and no restart policy of the engine's.
 */
export function confinedHostConfig(limits: { memoryBytes: number; nanoCpus: number; pids: number; readOnlyRootfs: boolean; ulimits?: Ulimit[] }): Dockerode.HostConfig {
  return {
    Memory: limits.memoryBytes,
    MemorySwap: limits.memoryBytes,
    NanoCpus: limits.nanoCpus,
    PidsLimit: limits.pids,
    Ulimits: limits.ulimits ?? containerUlimits(),
    CapDrop: ["ALL"],
    SecurityOpt: ["no-new-privileges"],
    Privileged: false,
    ReadonlyRootfs: limits.readOnlyRootfs,
    Binds: [],
    RestartPolicy: { Name: "no" },
  };
}

/**
 * The create request of one app container. Everything the security rules ask for is here, in
 * one place: a non-root user, every capability dropped, no-new-privileges, the plan's memory
 * (hard, no swap), CPU and pids, explicit ulimits, the port on one host address, no host path
 * mounted, a read-only root where the image allows it, and no restart policy of the engine's
 * (the agent restarts crashed apps with backoff itself). Its network is its own bridge network
 * with the published port, or the namespace of a network holder (network-holder.ts).
 */
export function appContainerOptions(spec: AppContainerSpec): Dockerode.ContainerCreateOptions {
  const port = `${spec.internalPort}/tcp`;
  // Publishing and joining another container's network exclude each other (the engine refuses both).
  const network = spec.networkOf
    ? { NetworkMode: `container:${spec.networkOf}` }
    : { PortBindings: { [port]: [{ HostIp: spec.hostIp, HostPort: String(spec.hostPort) }] }, NetworkMode: "bridge" };
  const tmpfsMb = spec.tmpfsMb ?? 64;
  return {
    name: spec.name ?? `wh-${spec.app.workerName}-${spec.app.appId}-${spec.app.deploymentId}`,
    Image: spec.image,
    ...(spec.command ? { Cmd: spec.command } : {}),
    User: containerUser(spec.imageUser),
    Env: envList(spec.env, spec.internalPort),
    Labels: appLabels(spec.app),
    ...(spec.networkOf ? {} : { ExposedPorts: { [port]: {} } }),
    StopSignal: "SIGTERM",
    StopTimeout: spec.stopGraceSeconds ?? 10,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      ...network,
      ...confinedHostConfig({
        memoryBytes: spec.limits.memoryMb * 1024 * 1024,
        nanoCpus: Math.round(spec.limits.cpu * 1e9),
        pids: spec.limits.pids,
        readOnlyRootfs: spec.readOnlyRootfs,
        ulimits: spec.ulimits,
      }),
      Tmpfs: { "/tmp": `rw,nosuid,nodev,size=${tmpfsMb}m` },
    },
  };
}
