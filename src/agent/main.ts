import { startAgent } from "./agent";
import { AgentConfigError, USAGE, loadAgentConfig } from "./config/agent-config";
import { FatalAuthError } from "./connection/worker-identity";
import { createAgentLogger } from "./logger";

/** `npm run agent -- --hub URL --name NAME [--api-key KEY]`: the reference worker agent. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadAgentConfig(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof AgentConfigError ? err.message : `agent: ${(err as Error).message}\n${USAGE}`}\n`);
    process.exit(2);
  }
  if (config === "help") {
    process.stdout.write(USAGE);
    return;
  }
  const log = createAgentLogger(config.logLevel);
  let agent: Awaited<ReturnType<typeof startAgent>> = null;
  let stopping = false;
  // Installed before the hub is reached: a stop while registering still ends apps as configured.
  const starting = new AbortController();
  const exit = (code: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    if (!agent) {
      starting.abort();
      return;
    }
    void agent.stop().finally(() => process.exit(code));
  };
  const fatal = (reason: string) => {
    log.fatal({ reason }, "the hub will not take this agent back; exiting");
    exit(1);
  };
  process.on("SIGTERM", () => {
    log.info({ signal: "SIGTERM" }, "stopping");
    exit(0);
  });
  process.on("SIGINT", () => {
    log.info({ signal: "SIGINT" }, "stopping");
    exit(0);
  });
  try {
    agent = await startAgent(config, log, { onFatal: fatal, abort: starting.signal });
  } catch (err) {
    log.fatal({ err: err instanceof FatalAuthError ? err.message : err }, "agent could not start");
    process.exit(1);
  }
  if (!agent) process.exit(0);
}

void main();
