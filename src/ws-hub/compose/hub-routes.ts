import type { Server } from "node:http";
import type { WebSocket } from "ws";
import { releaseWorkerConnection } from "../../server/workers/record-heartbeat";
import type { AuthenticatedWorker } from "../../server/workers/worker-auth";
import { healthRoute } from "../http/health-route";
import { createHubHttpServer } from "../http/http-server";
import { metricsRoute } from "../http/metrics-route";
import { traefikRoutes } from "../http/traefik-routes";
import { workerRoutes } from "../http/worker-routes";
import { createUpgradeHandler } from "../ws/upgrade-handler";
import { WorkerConnection } from "../ws/worker-connection";
import type { HubParts } from "./hub-parts";

/** The hub's HTTP server: health, worker API, Traefik endpoints, metrics, and the WebSocket upgrade. */
export function createHubServer(parts: HubParts): { server: Server; closeUpgrades: () => void } {
  const { services, auth, limiter, lookup, jwt, metrics, state } = parts;
  const { config, db, bus, log } = services;
  const upgrade = createUpgradeHandler({ auth, limiter, log, isClosing: () => state.closing, onConnection: (ws, who, connNonce) => acceptConnection(parts, ws, who, connNonce) });
  const server = createHubHttpServer(
    [
      healthRoute(db, () => state.ready),
      ...workerRoutes({ db, bus, lookup, jwt, auth, limiter, registrationToken: config.WORKER_REGISTRATION_TOKEN }),
      ...traefikRoutes({
        db,
        cipher: services.cipher,
        auth,
        limiter,
        log,
        proxyToken: config.TRAEFIK_PROXY_TOKEN,
        platformDomain: config.PLATFORM_DOMAIN,
        certResolver: config.TRAEFIK_CERT_RESOLVER,
        cache: parts.traefikCache,
      }),
      metricsRoute(metrics, config.METRICS_TOKEN, () => refreshGauges(parts)),
    ],
    log,
  );
  server.on("upgrade", upgrade.handler);
  return { server, closeUpgrades: upgrade.close };
}

/**
 * A worker's authenticated socket: registered at once, welcomed (and sent its oldest job) only
 * after its connection id is recorded, so a takeover by another hub is detected.
 */
function acceptConnection(parts: HubParts, ws: WebSocket, who: AuthenticatedWorker, connNonce: string | null): void {
  const { services, hubId, metrics, connOptions, dispatch, registry, claims, jobs } = parts;
  const { db, log } = services;
  const onClosed = (conn: WorkerConnection) => {
    if (registry.remove(conn)) metrics.connections.set(registry.size);
    void releaseWorkerConnection(db, conn.worker.id, conn.id).catch(() => undefined);
  };
  const conn = new WorkerConnection(ws, who.worker, who.frameKey, { hubId, metrics, log, options: connOptions, dispatch, onClosed }, connNonce);
  registry.add(conn);
  metrics.connections.set(registry.size);
  const ready = claims.submit({ workerId: who.worker.id, connectionId: conn.id }).then(
    () => {
      conn.sendWelcome(Date.now());
      void jobs.pushNext(conn, "connect").catch((err: Error) => log.warn({ err: err.message }, "job replay failed"));
      return true;
    },
    (err: Error) => {
      log.warn({ err: err.message, workerId: who.worker.id }, "could not record the connection; closing it");
      conn.close(1011, "hub database unavailable");
      return false;
    },
  );
  conn.setReady(ready);
}

function refreshGauges({ metrics, registry, logWriter, heartbeats, statsPublisher }: HubParts): void {
  metrics.connections.set(registry.size);
  metrics.queueDepth.set({ queue: "runtime_logs" }, logWriter.pendingLines);
  metrics.queueDepth.set({ queue: "heartbeats" }, heartbeats.pending);
  metrics.queueDepth.set({ queue: "stats_snapshots" }, statsPublisher.pendingCount);
  metrics.queueDepth.set({ queue: "connections" }, registry.all().reduce((n, c) => n + c.queueDepth, 0));
}
