import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { Services } from "../server/runtime/services";
import type { LiveStatsStore } from "../server/stats/live-stats-store";
import { startProcessHeartbeat } from "../server/status/process-heartbeat";
import { buildHubParts, type HubOptions } from "./compose/hub-parts";
import { createHubServer } from "./compose/hub-routes";
import { shutDownHub } from "./compose/hub-shutdown";
import { subscribeHub } from "./compose/hub-subscriptions";
import type { HubMetrics } from "./hub-metrics";
import type { ConnectionRegistry } from "./ws/connection-registry";

export type { HubOptions } from "./compose/hub-parts";

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

/** One hub process: build its parts, serve its routes, subscribe to the bus, listen; close in order. */
export async function startHub(services: Services, options: HubOptions): Promise<RunningHub> {
  const parts = buildHubParts(services, options);
  const { server, closeUpgrades } = createHubServer(parts);
  const subscriptions = subscribeHub(parts);
  const subscribed = subscriptions.then(
    () => undefined,
    (err: Error) => {
      services.log.fatal({ err: err.message }, "could not subscribe to the bus");
      throw err;
    },
  );

  const port = await listen(server, options);
  const stopProcessHeartbeat = startProcessHeartbeat(services.db, "ws-hub", () => ({ port, hubId: parts.hubId, connections: parts.registry.size }), { log: services.log });

  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    hubId: parts.hubId,
    subscribed,
    metrics: parts.metrics,
    stats: parts.stats,
    connections: parts.registry,
    pendingLogLines: () => parts.logWriter.pendingLines,
    close: () => (closing ??= shutDownHub(parts, { server, closeUpgrades, subscriptions, stopProcessHeartbeat })),
  };
}

function listen(server: Server, options: Pick<HubOptions, "port" | "host">): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
