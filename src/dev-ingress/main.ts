import { createLogger } from "../server/logging/logger";
import { createIngressServer } from "./ingress-server";
import { parseIngressEnv } from "./ingress-env";
import { RouteFeed } from "./route-feed";

/**
 * The development ingress process `npm start` runs (docs/getting-started.md, "Your app's
 * address"): every running app at http://<app name>.localhost:<DEV_INGRESS_PORT>, fed by the
 * hub's Traefik proxy-config.
 */
let env;
try {
  env = parseIngressEnv(process.env);
} catch (err) {
  process.stderr.write(`dev-ingress: ${(err as Error).message}\n`);
  process.exit(78);
}
const log = createLogger("dev-ingress", env.LOG_LEVEL);
const feed = new RouteFeed({ hubUrl: env.HUB_INTERNAL_URL, token: env.TRAEFIK_PROXY_TOKEN, platformDomain: env.PLATFORM_DOMAIN, intervalMs: env.DEV_INGRESS_POLL_MS, log });
feed.start();
const server = createIngressServer({ feed, log });
server.on("error", (err) => {
  log.fatal({ err: err.message, port: env.DEV_INGRESS_PORT }, "the development ingress could not listen");
  process.exit(1);
});
server.listen(env.DEV_INGRESS_PORT, env.BIND_HOST, () => log.info({ port: env.DEV_INGRESS_PORT, host: env.BIND_HOST }, "development ingress listening"));

const shutdown = () => {
  feed.stop();
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 5_000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
