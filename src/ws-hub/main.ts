import { loadConfigOrExit } from "../server/config/config";
import { createServices } from "../server/runtime/services";
import { startHub } from "./hub";

const config = loadConfigOrExit("ws-hub");
const services = createServices("ws-hub", config);

const hub = await startHub(services, { port: config.HUB_PORT, host: config.BIND_HOST }).catch((err: Error) => {
  services.log.fatal({ err: err.message }, "ws-hub could not start");
  process.exit(1);
});
services.log.info({ port: hub.port, host: config.BIND_HOST }, "ws-hub listening");
hub.subscribed.catch(() => process.exit(1));

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  services.log.info({ signal }, "ws-hub shutting down");
  const force = setTimeout(() => {
    services.log.error("shutdown took longer than 15 s; exiting");
    process.exit(1);
  }, 15_000);
  force.unref();
  try {
    await hub.close();
    process.exit(0);
  } catch (err) {
    services.log.error({ err: (err as Error).message }, "shutdown failed");
    process.exit(1);
  }
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
