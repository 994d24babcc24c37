import type { AgentConfig } from "../config/agent-config";
import type { AgentLogger } from "../logger";
import type { AppRuntime, RuntimeEvents } from "./app-runtime";
import { ContainerRuntime } from "./container/container-runtime";
import { RuntimeSelection } from "./container/runtime-selection";
import { ProcessRuntime } from "./process/process-runtime";

/**
 * The runtime this agent runs apps with (`--runtime` / AGENT_RUNTIME): containers on the
 * machine's engine (src/agent/runtime/container/), local process groups, or `auto`, which picks
 * containers when an engine answers or Podman is installed (runtime-selection.ts).
 */
export function createRuntime(config: AgentConfig, events: RuntimeEvents, log: AgentLogger): AppRuntime {
  const crashBackoff = { initialMs: config.crashBackoffInitialSeconds * 1000, maxMs: config.crashBackoffMaxSeconds * 1000 };
  const buildTimeoutMs = config.buildTimeoutSeconds === undefined ? undefined : config.buildTimeoutSeconds * 1000;
  const cloneTimeoutMs = config.cloneTimeoutSeconds * 1000;
  return new RuntimeSelection({
    choice: config.runtime,
    stateDir: config.stateDir,
    log,
    process: () =>
      new ProcessRuntime({
        stateDir: config.stateDir,
        allowLocalRepos: config.allowLocalRepos,
        repoNetwork: { allowCidrs: config.repoAllowCidrs },
        buildTimeoutMs,
        cloneTimeoutMs,
        stepTimeoutMs: config.stepTimeoutSeconds * 1000,
        registry: config.registry,
        startTimeoutMs: config.startTimeoutSeconds * 1000,
        crashBackoff,
        events,
        log,
      }),
    container: (session, baseImage) =>
      new ContainerRuntime({
        engine: session.engine,
        workerName: config.name,
        stateDir: config.stateDir,
        baseImage,
        allowLocalRepos: config.allowLocalRepos,
        repoNetwork: { allowCidrs: config.repoAllowCidrs },
        buildTimeoutMs,
        cloneTimeoutMs,
        startTimeoutMs: config.startTimeoutSeconds * 1000,
        crashBackoff,
        keepImages: config.keepImages,
        drainMs: config.drainSeconds * 1000,
        registry: config.registry,
        events,
        log,
      }),
  });
}
