import { randomBytes } from "node:crypto";
import type { Services } from "../../server/runtime/services";
import { LiveStatsStore } from "../../server/stats/live-stats-store";
import type { EncodedConfig } from "../../server/traefik/encoded-config";
import { TraefikConfigCache } from "../../server/traefik/traefik-config-cache";
import { StatsSnapshotPublisher } from "../../server/stats/stats-snapshot-publisher";
import type { WorkerServiceDeps } from "../../server/workers/hub-deps";
import { createConnectionClaimer, createHeartbeatWriter } from "../../server/workers/record-heartbeat";
import { RuntimeLogWriter } from "../../server/worker-reports/runtime-log-writer";
import { WorkerAuthenticator } from "../../server/workers/worker-auth";
import { WorkerJwtSigner } from "../../server/workers/worker-jwt";
import { WorkerLookup } from "../../server/workers/worker-lookup";
import { createDispatcher } from "../handlers/message-handlers";
import { OwnedAppsCache } from "../handlers/owned-apps-cache";
import { HubMetrics } from "../hub-metrics";
import { AuthFailureLimiter } from "../http/auth-failure-limiter";
import { ConnectionRegistry } from "../ws/connection-registry";
import { DEFAULT_CONNECTION_OPTIONS, type ConnectionOptions } from "../ws/connection-options";
import { JobPusher } from "../ws/job-pusher";

export interface HubOptions {
  port: number;
  host: string;
  connection?: Partial<ConnectionOptions>;
  /** Interval of the batched "stats.snapshot" publish. */
  statsPublishMs?: number;
  /** Longest wait before a runtime log batch is written. */
  logBatchDelayMs?: number;
  /** How long a Traefik answer is served without a rebuild when no route change was heard (5 s). */
  traefikCacheTtlMs?: number;
}

/** What the hub's routes, subscriptions and shutdown share; `closing` and `ready` change over its life. */
export interface HubState {
  closing: boolean;
  /** True once the bus subscriptions are in place (until then /health answers 503). */
  ready: boolean;
}

export type HubParts = ReturnType<typeof buildHubParts>;

/** Builds every part of one hub, in dependency order. Nothing here listens or subscribes yet. */
export function buildHubParts(services: Services, options: HubOptions) {
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
  const traefikCache = new TraefikConfigCache<EncodedConfig>(options.traefikCacheTtlMs ?? 5_000, Math.max(60_000, options.traefikCacheTtlMs ?? 0));
  const state: HubState = { closing: false, ready: false };

  return { services, hubId, metrics, lookup, jwt, auth, limiter, connOptions, stats, statsPublisher, logWriter, heartbeats, claims, registry, jobs, dispatch, traefikCache, state };
}
