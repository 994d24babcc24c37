/**
 * The web process: Next.js behind a plain node:http server. The server appends the socket peer
 * to X-Forwarded-For before Next.js sees the request (Next only fills the header when it is
 * absent, which would let a client choose its own address), and drains requests on SIGTERM.
 */
import { createServer } from "node:http";
import next from "next";
import { loadConfigOrExit } from "../server/config/config";
import { appendPeerToForwardedFor } from "../server/http/forwarded-for";
import { createLogger } from "../server/logging/logger";

const DRAIN_MS = 10_000;

const config = loadConfigOrExit("web");
const log = createLogger("web", config.LOG_LEVEL);
const dev = process.env.WH_WEB_DEV === "1";
const app = next({ dev, dir: process.cwd(), hostname: config.BIND_HOST, port: config.WEB_PORT });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  appendPeerToForwardedFor(req);
  handle(req, res).catch((err: unknown) => {
    log.error({ err, url: req.url }, "request failed");
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("Internal error");
  });
});
server.headersTimeout = 20_000;
server.requestTimeout = 60_000;
server.listen(config.WEB_PORT, config.BIND_HOST, () => {
  log.info({ port: config.WEB_PORT, host: config.BIND_HOST, dev }, "web listening");
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
