import { loadConfigOrExit } from "../server/config/config";
import { createServices } from "../server/runtime/services";
import { startJobsProcess } from "./start-jobs-process";

/**
 * The jobs process: pg-boss workers for scheduling, worker health, alerts, usage, webhooks,
 * email and pruning. Any number may run at once; every handler is idempotent.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit("jobs");
  const services = createServices("jobs", config);
  const runtime = await startJobsProcess(services);
  services.log.info(runtime.describe(), "jobs process started");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    services.log.info({ signal }, "jobs process stopping");
    const force = setTimeout(() => {
      services.log.error("graceful shutdown took too long; exiting");
      process.exit(1);
    }, 30_000);
    force.unref();
    try {
      await runtime.stop();
      await services.close();
    } catch (err) {
      services.log.error({ err: (err as Error).message }, "error during shutdown");
    }
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  process.stderr.write(`jobs: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
