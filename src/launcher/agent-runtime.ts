import path from "node:path";
import { z } from "zod";
import { BaseImageError, ensureBaseImage, LOCAL_BASE_IMAGE } from "../agent/runtime/container/base-image";
import { EngineUnavailableError } from "../agent/runtime/container/engine";
import { describeAddress } from "../agent/runtime/container/engine-socket";
import { openEngine, type EngineSession } from "../agent/runtime/container/open-engine";
import { PodmanServiceError } from "../agent/runtime/container/podman-service";
import { ConfigError } from "../server/config/env";

/** What to install for containers, named in the one line that says apps run as processes. */
export const ENGINE_PACKAGES = "apt-get install podman runc iptables mmdebstrap (or Docker Engine)";

const runtimeSetting = z.enum(["container", "process", "auto"]).optional();

export interface AgentRuntimeOptions {
  /** The launcher's environment: AGENT_RUNTIME, DOCKER_HOST, PATH, AGENT_STATE_DIR. */
  env: Record<string, string | undefined>;
  dataDir: string;
  note: (line: string) => void;
}

/** How the local agent runs apps, decided before it starts so the summary can say so. */
export interface AgentRuntimePlan {
  kind: "container" | "process";
  /** One line for the launcher's summary. */
  summary: string;
  /** Added to the agent's environment (AGENT_RUNTIME, and DOCKER_HOST for a service the launcher started). */
  agentEnv: Record<string, string>;
  /** Stops the Podman service the launcher started; call after the agent has stopped. */
  close(): Promise<void>;
}

/** The agent's state directory, resolved as src/agent/config/agent-config.ts does. */
export function agentStateDir(env: Record<string, string | undefined>, dataDir: string): string {
  return path.resolve(env.AGENT_STATE_DIR?.trim() || path.join(dataDir, "agent"));
}

const processPlan = (summary: string, agentEnv: Record<string, string>): AgentRuntimePlan => ({
  kind: "process",
  summary,
  agentEnv,
  close: async () => {},
});

/**
 * `npm start`'s choice for the local agent (issue 11 item 9). AGENT_RUNTIME, when set, wins and is
 * passed through as is. Otherwise: containers when an engine answers (DOCKER_HOST, the usual
 * sockets) or Podman is installed, in which case `podman system service` runs on a private socket
 * in the agent's state directory until the platform stops (src/agent/runtime/container/open-engine.ts);
 * the local base image is built once and cached (scripts/build-base-image.ts does the same by hand).
 * Without an engine the agent runs apps as processes and this says so once, naming the packages.
 */
export async function planAgentRuntime(options: AgentRuntimeOptions): Promise<AgentRuntimePlan> {
  const { env, note } = options;
  const raw = env.AGENT_RUNTIME?.trim() || undefined;
  const parsed = runtimeSetting.safeParse(raw);
  if (!parsed.success) throw new ConfigError([`AGENT_RUNTIME: must be container, process or auto (got ${JSON.stringify(raw)}); unset it to let npm start choose`]);
  const setting = parsed.data;
  if (setting === "process") return processPlan("processes (AGENT_RUNTIME=process; apps are not isolated)", {});

  let session: EngineSession;
  try {
    session = await openEngine({ stateDir: agentStateDir(env, options.dataDir), env, onInfo: note });
  } catch (err) {
    if (!(err instanceof EngineUnavailableError || err instanceof PodmanServiceError) || setting === "container") throw err;
    note(`no container engine (${firstLine(err)}): the local agent runs apps as processes, not isolated from each other or this machine; to use containers: ${ENGINE_PACKAGES}`);
    return processPlan(`processes (no container engine; ${ENGINE_PACKAGES})`, { AGENT_RUNTIME: "process" });
  }
  try {
    const base = await ensureBaseImage({
      engine: session.engine,
      image: LOCAL_BASE_IMAGE,
      onLine: (line) => note(`base image: ${line}`),
    });
    if (base.built) note(`built the base image ${base.image} once (${Object.entries(base.timings).map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`).join(", ")}); later starts reuse it`);
  } catch (err) {
    await session.close();
    if (!(err instanceof BaseImageError) || setting === "container") throw err;
    note(`could not build the container base image (${firstLine(err)}): the local agent runs apps as processes; to use containers: ${ENGINE_PACKAGES}`);
    return processPlan(`processes (the base image could not be built; ${ENGINE_PACKAGES})`, { AGENT_RUNTIME: "process" });
  }
  const started = session.service !== null;
  const agentEnv: Record<string, string> = { AGENT_RUNTIME: setting ?? "container" };
  // The agent uses the launcher's service rather than owning it: it stops with the platform.
  if (session.service) agentEnv.DOCKER_HOST = describeAddress(session.service.address);
  const where = started ? `Podman service on ${describeAddress(session.engine.address)}, stopped with the platform` : describeAddress(session.engine.address);
  return {
    kind: "container",
    summary: `containers (${session.engine.name === "podman" ? "Podman" : "Docker"} ${session.engine.version}, ${where})`,
    agentEnv,
    close: () => session.close(),
  };
}

function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split("\n")[0]!;
}
