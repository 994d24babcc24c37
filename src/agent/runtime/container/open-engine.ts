import { EngineUnavailableError, findEngine, type Engine } from "./engine";
import { findOnPath } from "./find-on-path";
import { startPodmanService, type PodmanService } from "./podman-service";

export interface OpenEngineOptions {
  /** The agent's state directory (where a Podman service of our own keeps its socket). */
  stateDir: string;
  env?: Record<string, string | undefined>;
  /** Start `podman system service` when no engine answers and Podman is installed (default true). */
  startPodman?: boolean;
  /** Podman binary; default: `podman` from PATH. */
  podmanBinary?: string;
  /**
   * close() leaves a service adopted from another run going (a script borrowing the running
   * agent's engine); by default an adopted service is the agent's own again and stops with it.
   */
  leaveAdoptedRunning?: boolean;
  /** Called with one line per decision, for the agent's start-up log. */
  onInfo?: (message: string) => void;
}

/** The engine the agent uses, and the Podman service it started for it, if any. */
export interface EngineSession {
  readonly engine: Engine;
  readonly service: PodmanService | null;
  /** Stops the Podman service when the agent started (or adopted) it; an engine it found is left alone. */
  close(): Promise<void>;
}

/**
 * Finds a container engine (DOCKER_HOST, else the usual Podman and Docker sockets) and, when none
 * answers but Podman is installed, uses a `podman system service` of the agent's own on a
 * private socket: the one an earlier agent run left running, or a new one. Rejects with
 * EngineUnavailableError, listing what was tried, when there is no engine at all.
 */
export async function openEngine(options: OpenEngineOptions): Promise<EngineSession> {
  const env = options.env ?? process.env;
  const info = options.onInfo ?? (() => {});
  const found = await findEngine({ env });
  const engine = found.engine;
  if (engine) {
    info(`container engine: ${engine.describe()}`);
    return { engine, service: null, close: async () => {} };
  }
  const startPodman = options.startPodman ?? true;
  const podman = options.podmanBinary ?? (await findOnPath("podman", env));
  if (!startPodman || !podman || env.DOCKER_HOST?.trim()) {
    const why = env.DOCKER_HOST?.trim()
      ? "DOCKER_HOST names an engine that does not answer"
      : !podman
        ? "Podman is not installed (apt-get install podman runc iptables) and no Docker socket answers"
        : "starting a Podman service is turned off";
    throw new EngineUnavailableError(`no container engine: ${why}\n  tried: ${found.tried.join("\n  tried: ")}`);
  }
  const service = await startPodmanService({ stateDir: options.stateDir, podmanBinary: podman });
  info(`container engine: ${service.engine.describe()} (${service.adopted ? "adopted the service of the previous agent run" : `started pid ${service.pid}`})`);
  const keep = service.adopted && options.leaveAdoptedRunning;
  return { engine: service.engine, service, close: () => (keep ? Promise.resolve() : service.stop()) };
}
