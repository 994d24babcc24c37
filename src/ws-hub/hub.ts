import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { WebSocket } from "ws";
import type { Services } from "../server/runtime/services";
import { LiveStatsStore } from "../server/stats/live-stats-store";
import { StatsSnapshotPublisher } from "../server/stats/stats-snapshot-publisher";
import { startProcessHeartbeat } from "../server/status/process-heartbeat";
import type { WorkerServiceDeps } from "../server/workers/hub-deps";
import { CLOSE_CODES } from "../server/workers/protocol/envelope";
import { createConnectionClaimer, createHeartbeatWriter, releaseWorkerConnection } from "../server/workers/record-heartbeat";
import { RuntimeLogWriter } from "../server/worker-reports/runtime-log-writer";
import { WorkerAuthenticator, type AuthenticatedWorker } from "../server/workers/worker-auth";
import { WorkerJwtSigner } from "../server/workers/worker-jwt";
import { WorkerLookup } from "../server/workers/worker-lookup";
import { createDispatcher } from "./handlers/message-handlers";
import { OwnedAppsCache } from "./handlers/owned-apps-cache";
import { HubMetrics } from "./hub-metrics";
import { AuthFailureLimiter } from "./http/auth-failure-limiter";
import { healthRoute, waitForDatabase } from "./http/health-route";
import { createHubHttpServer } from "./http/http-server";
import { metricsRoute } from "./http/metrics-route";
import { traefikRoutes } from "./http/traefik-routes";
import { workerRoutes } from "./http/worker-routes";
import { ConnectionRegistry } from "./ws/connection-registry";
import { DEFAULT_CONNECTION_OPTIONS, type ConnectionOptions } from "./ws/connection-options";
import { JobPusher } from "./ws/job-pusher";
import { createUpgradeHandler } from "./ws/upgrade-handler";
import { WorkerConnection } from "./ws/worker-connection";

export interface HubOptions {
  port: number;
  host: string;
  connection?: Partial<ConnectionOptions>;
  /** Interval of the batched "stats.snapshot" publish. */
  statsPublishMs?: number;
  /** Longest wait before a runtime log batch is written. */
  logBatchDelayMs?: number;
}

export interface RunningHub {
  server: Server;
  port: number;
  hubId: string;
  /** Resolves once the hub listens on the bus (job pushes, revocations, shared stats). */
  subscribed: Promise<void>;
  metrics: HubMetrics;
  stats: LiveStatsStore;
  connections: ConnectionRegistry;
  /** Runtime log lines received but not yet stored. */
  pendingLogLines(): number;
  /** Graceful stop: no new upgrades, flush buffers, close sockets 1001, then the services. */
  close(): Promise<void>;
}

export async function startHub(services: Services, options: HubOptions): Promise<RunningHub> {
  const { config, log, db, bus } = services;
  const hubId = randomBytes(4).toString("hex");
  const metrics = new HubMetrics();
  const lookup = new WorkerLookup(db, services.cache);
  const jwt = new WorkerJwtSigner(config.APP_SECRET);
  const auth = new WorkerAuthenticator(jwt, lookup);
  const limiter = new AuthFailureLimiter(30, 60_000, (endpoint) => metrics.authFailures.inc({ endpoint }));
  const deps: WorkerServiceDeps = { db, bus, cache: services.cache, events: services.events, cipher: services.cipher, log, queue: services.queue };
  const connOptions: ConnectionOptions = { ...DEFAULT_CONNECTION_OPTIONS, ...options.connection };

  const stats = new LiveStatsStore();
  const statsPublisher = new StatsSnapshotPublisher(bus, log, options.statsPublishMs ?? 1_000);
  const logWriter = new RuntimeLogWriter(db, bus, log, {
    maxDelayMs: options.logBatchDelayMs,
    onBatch: (_lines, seconds, ok) => metrics.dbBatch.observe({ batch: "runtime_logs", outcome: ok ? "ok" : "error" }, seconds),
  });
  const heartbeats = createHeartbeatWriter(db, (_n, seconds, ok) => metrics.dbBatch.observe({ batch: "heartbeats", outcome: ok ? "ok" : "error" }, seconds));
  const claims = createConnectionClaimer(db);
  const registry = new ConnectionRegistry(Math.max(50, Math.min(1_000, connOptions.pingIntervalMs / 3, connOptions.writeTimeoutMs / 3)));
  const jobs = new JobPusher(deps, registry, metrics, log);
  const owned = new OwnedAppsCache(db);
  const dispatch = createDispatcher({ deps, stats, statsPublisher, logWriter, heartbeats, jobs, owned, metrics, log });

  let closing = false;
  let ready = false;

  const onClosed = (conn: WorkerConnection) => {
    if (registry.remove(conn)) metrics.connections.set(registry.size);
    void releaseWorkerConnection(db, conn.worker.id, conn.id).catch(() => undefined);
  };

  const onConnection = (ws: WebSocket, who: AuthenticatedWorker) => {
    const conn = new WorkerConnection(ws, who.worker, who.frameKey, { hubId, metrics, log, options: connOptions, dispatch, onClosed });
    registry.add(conn);
    metrics.connections.set(registry.size);
    const ready = claims.submit({ workerId: who.worker.id, connectionId: conn.id }).then(
      () => {
        conn.send("welcome", { worker_id: who.worker.id, server_time: Date.now() });
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
  };

  const upgrade = createUpgradeHandler({ auth, limiter, log, isClosing: () => closing, onConnection });
  const refreshGauges = () => {
    metrics.connections.set(registry.size);
    metrics.queueDepth.set({ queue: "runtime_logs" }, logWriter.pendingLines);
    metrics.queueDepth.set({ queue: "heartbeats" }, heartbeats.pending);
    metrics.queueDepth.set({ queue: "stats_snapshots" }, statsPublisher.pendingCount);
    metrics.queueDepth.set({ queue: "connections" }, registry.all().reduce((n, c) => n + c.queueDepth, 0));
  };
  const server = createHubHttpServer(
    [
      healthRoute(db, () => ready),
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
      }),
      metricsRoute(metrics, config.METRICS_TOKEN, refreshGauges),
    ],
    log,
  );
  server.on("upgrade", upgrade.handler);

  const unsubscribe: (() => void)[] = [];
  // The process serves /health (503) while the database is unreachable, and subscribes once it is.
  const subscribeAll = async () => {
    if (!(await waitForDatabase(db, () => closing, (n) => n % 10 === 0 && log.warn("waiting for the database")))) return;
    unsubscribe.push(
      await bus.subscribe("job.assigned", (m) => jobs.onAssigned(m.workerId, m.jobId)),
      await bus.subscribe("worker.revoked", (m) => {
        const conn = registry.get(m.workerId);
        void lookup.invalidate(m.workerId, ...(conn ? [conn.worker.apiKeyHash] : []));
        conn?.close(CLOSE_CODES.revoked, "revoked");
      }),
      await stats.subscribe(bus),
    );
    ready = true;
  };
  const subscribed = subscribeAll().catch((err: Error) => {
    log.fatal({ err: err.message }, "could not subscribe to the bus");
    throw err;
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const stopHeartbeat = startProcessHeartbeat(db, "ws-hub", () => ({ port, hubId, connections: registry.size }), { log });

  let closingPromise: Promise<void> | undefined;
  return {
    server,
    port,
    hubId,
    subscribed,
    metrics,
    stats,
    connections: registry,
    pendingLogLines: () => logWriter.pendingLines,
    close() {
      closingPromise ??= (async () => {
        // 1. No new upgrades or requests.
        closing = true;
        server.close();
        await subscribed.catch(() => undefined);
        for (const off of unsubscribe) off();
        // 2. Stop reading frames and finish the ones already received, then flush buffers.
        logWriter.flushImmediately();
        await Promise.race([Promise.all(registry.all().map((c) => c.quiesce())), new Promise((r) => setTimeout(r, 5_000))]);
        await logWriter.flush();
        await heartbeats.flush().catch(() => undefined);
        await statsPublisher.close();
        // 3. Close worker sockets with 1001 so workers reconnect elsewhere.
        const conns = registry.all();
        for (const conn of conns) conn.close(CLOSE_CODES.goingAway, "hub shutting down");
        await Promise.all(conns.map((c) => releaseWorkerConnection(db, c.worker.id, c.id).catch(() => undefined)));
        registry.stop();
        upgrade.close();
        server.closeAllConnections();
        // 4. Then the database and the rest of the services.
        await stopHeartbeat();
        await services.close();
      })();
      return closingPromise;
    },
  };
}
