import { CLOSE_CODES } from "../../protocol/close-codes";
import { waitForDatabase } from "../http/health-route";
import type { HubParts } from "./hub-parts";

/** How often the hub looks for assigned jobs that no push reached. */
const SWEEP_MS = 5_000;

/**
 * Subscribes the hub to the bus once the database answers (until then /health says 503):
 * assigned jobs to push, revoked workers to disconnect, app changes that make the cached Traefik
 * answers stale (src/server/traefik/traefik-config-cache.ts), and other hubs' live stats; and
 * sweeps for assigned jobs no bus message delivered.
 * Resolves with the unsubscribe calls; `state.ready` turns true when all are in place.
 */
export async function subscribeHub(parts: HubParts): Promise<(() => void)[]> {
  const { services, jobs, registry, lookup, stats, traefikCache, state } = parts;
  const { db, bus, log } = services;
  const unsubscribe: (() => void)[] = [];
  if (!(await waitForDatabase(db, () => state.closing, (n) => n % 10 === 0 && log.warn("waiting for the database")))) return unsubscribe;
  unsubscribe.push(
    await bus.subscribe("job.assigned", (m) => jobs.onAssigned(m.workerId, m.jobId)),
    // The job is already cancelled in the database; only the hub holding the socket tells the worker.
    await bus.subscribe("job.cancel", (m) => registry.get(m.workerId)?.send("cancel", { job_id: m.jobId, reason: m.reason })),
    await bus.subscribe("worker.revoked", (m) => {
      const conn = registry.get(m.workerId);
      void lookup.invalidate(m.workerId, ...(conn ? [conn.worker.apiKeyHash] : []));
      conn?.close(CLOSE_CODES.revoked, "revoked");
    }),
    // Every status change, domain verification or removal and delete publishes app.changed after
    // its commit, so the next poll rebuilds from rows that include it.
    await bus.subscribe("app.changed", () => traefikCache.invalidate()),
    await stats.subscribe(bus),
  );
  // Assigned jobs whose bus message was lost reach their worker anyway (src/ws-hub/ws/job-pusher.ts).
  const sweep = setInterval(() => void jobs.sweep().catch((err: Error) => log.warn({ err: err.message }, "undelivered job sweep failed")), SWEEP_MS);
  sweep.unref();
  unsubscribe.push(() => clearInterval(sweep));
  state.ready = true;
  return unsubscribe;
}
