import type { AgentConfig } from "../config/agent-config";
import type { AgentLogger } from "../logger";
import type { AppRuntime, RuntimeEvents } from "./app-runtime";
import { ProcessRuntime } from "./process/process-runtime";

/** The runtime this agent runs apps with: local process groups, no container engine needed. */
export function createRuntime(config: AgentConfig, events: RuntimeEvents, log: AgentLogger): AppRuntime {
  return new ProcessRuntime({
    stateDir: config.stateDir,
    allowLocalRepos: config.allowLocalRepos,
    repoNetwork: { allowCidrs: config.repoAllowCidrs },
    buildTimeoutMs: config.buildTimeoutSeconds === undefined ? undefined : config.buildTimeoutSeconds * 1000,
    registry: config.registry,
    startTimeoutMs: config.startTimeoutSeconds * 1000,
    crashBackoff: { initialMs: config.crashBackoffInitialSeconds * 1000, maxMs: config.crashBackoffMaxSeconds * 1000 },
    events,
    log,
  });
}
