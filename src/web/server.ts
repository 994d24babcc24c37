/**
 * The web process: Next.js behind a plain node:http server. Every request passes the front door
 * first (src/web/front-door.ts: Host allow-list, X-Forwarded-For, CSP nonce and security
 * headers); SIGTERM drains requests.
 */
import { createServer } from "node:http";
import next from "next";
import { loadConfigOrExit } from "../server/config/config";
import { createLogger } from "../server/logging/logger";
import { getServices } from "../server/runtime/services";
import { announceSetupToken } from "./announce-setup";
import { createFrontDoor } from "./front-door";

const DRAIN_MS = 10_000;

const config = loadConfigOrExit("web");
const log = createLogger("web", config.LOG_LEVEL);
const dev = process.env.WH_WEB_DEV === "1";
const app = next({ dev, dir: process.cwd(), hostname: config.BIND_HOST, port: config.WEB_PORT });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer(createFrontDoor({ config, log, dev, handle }));
server.headersTimeout = 20_000;
server.requestTimeout = 60_000;
server.listen(config.WEB_PORT, config.BIND_HOST, () => {
  log.info({ port: config.WEB_PORT, host: config.BIND_HOST, dev }, "web listening");
  void announceSetupToken(getServices("web"), log);
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "web stopping: no new connections, draining requests");
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  await drained;
  clearTimeout(timer);
  await app.close().catch(() => undefined);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
