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
  let agent: Awaited<ReturnType<typeof startAgent>> | undefined;
  let stopping = false;
  const fatal = (reason: string) => {
    log.fatal({ reason }, "the hub will not take this agent back; exiting (apps keep running)");
    if (stopping) return;
    stopping = true;
    void (agent?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  };
  try {
    agent = await startAgent(config, log, fatal);
  } catch (err) {
    log.fatal({ err: err instanceof FatalAuthError ? err.message : err }, "agent could not start");
    process.exit(1);
  }
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    void agent!.stop().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

void main();
