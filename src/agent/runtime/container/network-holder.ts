import type Dockerode from "dockerode";
import { z } from "zod";
import { freePort } from "../../../net/free-port";
import type { AgentLogger } from "../../logger";
import { removeContainer, runContainer, stopContainer } from "./app-container";
import type { Engine } from "./engine";
import { engineCall } from "./engine-request";
import { LABELS, NETWORK_ROLE } from "./labels";
import { confinedHostConfig } from "./container-spec";

/**
 * A network holder is a small container that owns an app container's network: its namespace on
 * the engine's bridge and the app's published port. The app container joins it
 * (`NetworkMode: container:<holder>`, container-spec.ts) instead of getting a network of its own.
 * Setting up a bridge network is most of a container's start (the CNI plugins' 37 iptables calls,
 * about 200 ms here; docs/worker-agent.md, "Rollback"), so holders are made ahead of need: a deploy
 * takes a running spare and its app container starts in about half the time, and a crashed app
 * restarts in the holder it had. Holders run `sleep infinity` from the worker's base image with
 * every capability dropped, a read-only root and tiny limits; they carry the worker's label and
 * the role "network" (not an app id: a spare is made before the app that takes it is known).
 */
export interface NetworkHolder {
  id: string;
  /** The host port published (on the holder's host address) to `internalPort` in the namespace. */
  port: number;
  internalPort: number;
}

export interface HolderSpec {
  workerName: string;
  image: string;
  hostIp: string;
  hostPort: number;
  internalPort: number;
}

export function networkHolderLabels(workerName: string): Record<string, string> {
  return { [LABELS.managed]: "true", [LABELS.role]: NETWORK_ROLE, [LABELS.worker]: workerName };
}

/** The create request of a holder: the confinement of app containers (container-spec.ts), with limits sized for `sleep`. */
export function networkHolderOptions(spec: HolderSpec): Dockerode.ContainerCreateOptions {
  const port = `${spec.internalPort}/tcp`;
  return {
    name: `wh-${spec.workerName}-net-${spec.hostPort}-${Date.now().toString(36)}`,
    Image: spec.image,
    Entrypoint: ["sleep"],
    Cmd: ["infinity"],
    User: "65534:65534",
    Labels: networkHolderLabels(spec.workerName),
    ExposedPorts: { [port]: {} },
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      PortBindings: { [port]: [{ HostIp: spec.hostIp, HostPort: String(spec.hostPort) }] },
      NetworkMode: "bridge",
      ...confinedHostConfig({ memoryBytes: 16 * 1024 * 1024, nanoCpus: 50_000_000, pids: 4, readOnlyRootfs: true }),
    },
  };
}

/** Creates and starts a holder; one that cannot start is removed again. */
export async function runNetworkHolder(engine: Engine, spec: HolderSpec): Promise<NetworkHolder> {
  const { id } = await runContainer(engine, networkHolderOptions(spec));
  return { id, port: spec.hostPort, internalPort: spec.internalPort };
}

/** Stops a holder at once: `sleep` holds no work, so there is nothing to wait for. */
export function stopNetworkHolder(engine: Engine, id: string): Promise<void> {
  return stopContainer(engine, id, 0);
}

/** Removes a holder; its app container must be gone first (the engine refuses while one depends on it). */
export function removeNetworkHolder(engine: Engine, id: string): Promise<void> {
  return removeContainer(engine, id, { force: true });
}

const listSchema = z.array(z.object({ Id: z.string(), State: z.string(), Labels: z.record(z.string(), z.string()).nullish() }));

/** The worker's holders, running or not. */
export async function listNetworkHolders(engine: Engine, workerName: string): Promise<{ id: string; state: string }[]> {
  const raw = await engineCall(engine.docker, {
    path: "/containers/json?",
    method: "GET",
    options: { all: true, filters: JSON.stringify({ label: [`${LABELS.managed}=true`, `${LABELS.worker}=${workerName}`, `${LABELS.role}=${NETWORK_ROLE}`] }) },
    timeoutMs: 30_000,
  });
  return listSchema
    .parse(raw)
    .filter((c) => c.Labels?.[LABELS.role] === NETWORK_ROLE && c.Labels?.[LABELS.worker] === workerName)
    .map((c) => ({ id: c.Id, state: c.State }));
}

/**
 * One running spare holder per internal port the worker's apps use, made off the deploy's path
 * (`refill`, after a deploy's result) and taken by the next deploy (`take`). When none is ready a
 * deploy makes its own; when no holder can be made (the base image is not on the worker: an
 * engine-only worker whose apps bring their own Dockerfile) `take` answers null and the app
 * container publishes its port itself, as it did before holders.
 */
export class NetworkHolderPool {
  private readonly spares = new Map<number, NetworkHolder>();
  private refills: Promise<void> = Promise.resolve();
  private closed = false;
  private warnedUnavailable = false;

  constructor(
    private readonly engine: Engine,
    private readonly options: { workerName: string; image: string; hostIp: string; log: AgentLogger },
  ) {}

  /**
   * A holder for `internalPort`: the spare (`spare: true`, not asked about again: one that stopped
   * is forgotten when its event arrives, and a deploy that finds it stopped all the same makes a
   * new one), else a new one; null when none can be made.
   */
  async take(internalPort: number): Promise<(NetworkHolder & { spare: boolean }) | null> {
    const spare = this.spares.get(internalPort);
    if (spare) {
      this.spares.delete(internalPort);
      return { ...spare, spare: true };
    }
    const made = await this.make(internalPort);
    return made && { ...made, spare: false };
  }

  /** A spare that stopped (its `die` event): removed, and made again. */
  forget(id: string): void {
    for (const [internalPort, h] of this.spares) {
      if (h.id !== id) continue;
      this.spares.delete(internalPort);
      void removeNetworkHolder(this.engine, id).catch(() => undefined);
      void this.refill(internalPort);
    }
  }

  /**
   * A new holder on `port` (a recreated app keeps the port the proxy points at), else on a free
   * port. Tried three times: a port found free can be taken before the engine binds it (by any
   * process's outgoing connection), and the port of a holder just removed can be released a moment
   * after its removal answered. Null when none can be made.
   */
  async make(internalPort: number, port?: number): Promise<NetworkHolder | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const hostPort = port ?? (await freePort(this.options.hostIp));
        return await runNetworkHolder(this.engine, { ...this.options, hostPort, internalPort });
      } catch (err) {
        if (attempt < 3) {
          if (port !== undefined) await new Promise((r) => setTimeout(r, 250 * attempt));
          continue;
        }
        if (!this.warnedUnavailable) {
          this.warnedUnavailable = true;
          this.options.log.warn({ err, image: this.options.image }, "could not start a network holder: app containers publish their ports themselves (each start sets up its own network)");
        }
        return null;
      }
    }
  }

  /** Makes the spare for `internalPort` unless one is ready; refills run one after another. */
  refill(internalPort: number): Promise<void> {
    this.refills = this.refills.then(async () => {
      if (this.closed || this.spares.has(internalPort)) return;
      const holder = await this.make(internalPort);
      if (!holder) return;
      if (this.closed || this.spares.has(internalPort)) await removeNetworkHolder(this.engine, holder.id).catch(() => undefined);
      else this.spares.set(internalPort, holder);
    }).catch((err: unknown) => this.options.log.warn({ err }, "could not make a spare network holder"));
    return this.refills;
  }

  /** Removes the spare for `internalPort`, after refills under way: no app on the worker uses that port any more. */
  drop(internalPort: number): Promise<void> {
    this.refills = this.refills.then(async () => {
      const spare = this.spares.get(internalPort);
      if (!spare) return;
      this.spares.delete(internalPort);
      await removeNetworkHolder(this.engine, spare.id).catch(() => undefined);
    });
    return this.refills;
  }

  /** Waits for refills under way and removes the spares: nothing refers to them. */
  async close(): Promise<void> {
    this.closed = true;
    await this.refills;
    const spares = [...this.spares.values()];
    this.spares.clear();
    await Promise.all(spares.map((h) => removeNetworkHolder(this.engine, h.id).catch(() => undefined)));
  }
}
