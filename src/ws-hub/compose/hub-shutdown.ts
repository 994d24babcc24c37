import type { Server } from "node:http";
import { CLOSE_CODES } from "../../protocol/close-codes";
import { releaseWorkerConnection } from "../../server/workers/record-heartbeat";
import type { HubParts } from "./hub-parts";

export interface HubShutdownInputs {
  server: Server;
  closeUpgrades: () => void;
  subscriptions: Promise<(() => void)[]>;
  stopProcessHeartbeat: () => Promise<void>;
}

/**
 * The hub's ordered shutdown, one step after another:
 * 1. no new upgrades or requests; 2. stop reading frames, finish the ones received, flush
 * buffers; 3. close worker sockets with 1001 so workers reconnect elsewhere; 4. the services.
 */
export async function shutDownHub(parts: HubParts, inputs: HubShutdownInputs): Promise<void> {
  const { services, state, registry, logWriter, heartbeats, statsPublisher } = parts;
  const { server } = inputs;

  state.closing = true;
  server.close();
  const unsubscribe = await inputs.subscriptions.catch(() => []);
  for (const off of unsubscribe) off();

  logWriter.flushImmediately();
  await Promise.race([Promise.all(registry.all().map((c) => c.quiesce())), new Promise((r) => setTimeout(r, 5_000))]);
  await logWriter.flush();
  await heartbeats.flush().catch(() => undefined);
  await statsPublisher.close();

  const conns = registry.all();
  for (const conn of conns) conn.close(CLOSE_CODES.goingAway, "hub shutting down");
  await Promise.all(conns.map((c) => releaseWorkerConnection(services.db, c.worker.id, c.id).catch(() => undefined)));
  registry.stop();
  inputs.closeUpgrades();
  server.closeAllConnections();

  await inputs.stopProcessHeartbeat();
  await services.close();
}
