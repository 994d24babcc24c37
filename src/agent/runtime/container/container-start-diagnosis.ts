import { pickFirstErrorLines, wrongPortMessage } from "../process/start-diagnosis";
import { listeningInodes } from "../process/listening-sockets";
import { inspectContainer } from "./app-container";
import type { ContainerExit } from "./container-exit";
import { containerOutputByStream } from "./container-log-tail";
import type { Engine } from "./engine";
import type { HealthCheckResult } from "./health-check";

/** A container that listens elsewhere this long (and not on $PORT) is not going to bind $PORT later (as in the process runtime). */
export const WRONG_PORT_GRACE_MS = 3_000;

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

/**
 * Between two looks at a starting container's sockets: each look is an engine call, and the
 * health check's first pauses are far shorter (health-check.ts) while the grace is seconds.
 */
const LOOK_EVERY_MS = 250;

/**
 * The health check's `giveUp` for a starting container: the wrong-port sentence once the container
 * has listened only on other ports for `graceMs` (an app may open a side port before its main one),
 * so a deploy fails with it at once instead of after the whole health-check timeout.
 */
export function wrongPortWatch(engine: Engine, containerId: string, internalPort: number, graceMs = WRONG_PORT_GRACE_MS): () => Promise<string | null> {
  let elsewhereSince: number | null = null;
  let lookedAt = 0;
  return async () => {
    if (Date.now() - lookedAt < LOOK_EVERY_MS) return null;
    lookedAt = Date.now();
    const wrong = await containerWrongPort(engine, containerId, internalPort).catch(() => null);
    if (!wrong) {
      elsewhereSince = null;
      return null;
    }
    elsewhereSince ??= Date.now();
    return Date.now() - elsewhereSince >= graceMs ? wrong : null;
  };
}

export interface StartFailureInput {
  engine: Engine;
  containerId: string;
  health: Exclude<HealthCheckResult, { healthy: true }>;
  exit: ContainerExit | null;
  internalPort: number;
  check: { path: string; timeoutMs: number };
}

/**
 * Why a new container did not pass its health check, as the deploy's error: the port it listens
 * on instead of $PORT, or how it exited with its first error lines, or the timeout. Read while
 * the container still exists (its sockets and output go with it).
 */
export async function containerStartFailure(input: StartFailureInput): Promise<string> {
  const { health, exit, internalPort, check } = input;
  if (health.reason === "gave-up") return health.detail;
  if (health.reason === "aborted") return "the deploy was cancelled";
  if (health.reason === "exited") {
    const how = exit ? `exit code ${exit.exitCode}${exit.oomKilled ? ", out of memory" : ""}${exit.error ? `: ${exit.error}` : ""}` : "it stopped";
    const lines = pickFirstErrorLines(await containerOutputByStream(input.engine, input.containerId));
    const first = lines.length ? `; its first error lines:\n${lines.map((l) => `  ${l}`).join("\n")}` : "; it wrote nothing";
    return `the app exited before it answered on port ${internalPort} (${how})${first}`;
  }
  const wrong = await containerWrongPort(input.engine, input.containerId, internalPort).catch(() => null);
  if (wrong) return wrong;
  const last = health.lastError ? ` (last: ${health.lastError})` : "";
  return `the app did not answer GET ${check.path} on port ${internalPort} with a 2xx/3xx within ${Math.round(check.timeoutMs / 1000)} s (the app's health check)${last}`;
}
