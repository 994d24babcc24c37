import { wrongPortMessage } from "../process/start-diagnosis";
import { listeningInodes } from "../process/listening-sockets";
import { inspectContainer } from "./app-container";
import type { Engine } from "./engine";

/**
 * What a container that did not answer its health check listens on, read from its network
 * namespace on the host (/proc/<container pid>/net/tcp{,6}, as the process runtime reads an app's
 * sockets, src/agent/runtime/process/listening-sockets.ts): a container's namespace holds only its
 * own sockets, so every listening port in it is the app's. Empty when the container is gone or
 * the engine runs elsewhere (a remote or rootless engine whose /proc the agent cannot read).
 */
export async function containerListeningPorts(engine: Engine, containerId: string): Promise<number[]> {
  const info = await inspectContainer(engine, containerId);
  const pid = info?.State.Running ? info.State.Pid : undefined;
  if (!pid || pid <= 1) return [];
  return [...new Set(listeningInodes(pid).values())].sort((a, b) => a - b);
}

/**
 * "your app listens on 3000, not on $PORT (8080): …" for a container that listens only on ports
 * other than its PORT (the job's internalPort), else null: the sentence a deploy fails with
 * instead of a generic health-check timeout (docs/worker-agent.md, "Deploys" item 4).
 */
export async function containerWrongPort(engine: Engine, containerId: string, internalPort: number): Promise<string | null> {
  const ports = await containerListeningPorts(engine, containerId);
  return ports.length > 0 && !ports.includes(internalPort) ? wrongPortMessage(ports, internalPort) : null;
}
