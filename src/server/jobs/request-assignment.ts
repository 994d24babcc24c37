import type { Services } from "../runtime/services";

/** The pg-boss queue whose tasks make a jobs process run one assignment pass. */
export const ASSIGN_QUEUE = "scheduler.assign";

/**
 * Asks the jobs processes to assign pending jobs now. Call it right after creating a pending job
 * (deploy, restart, start, stop, delete) or freeing capacity.
 * - Fast path: `jobs.pending` on the bus; every jobs process listening runs a pass at once
 *   (src/jobs-process/assign-on-request.ts). `FOR UPDATE SKIP LOCKED` in the pass makes
 *   concurrent passes safe.
 * - Durable fallback: a pg-boss task, debounced into one-second slots (a burst costs at most two
 *   passes), for when no jobs process heard the bus message (bus down, processes restarting).
 * - Last resort: the periodic sweep (30 s) assigns anything still pending.
 */
export async function requestAssignment(services: Pick<Services, "bus" | "queue" | "log">): Promise<void> {
  await Promise.all([
    services.bus.publish("jobs.pending", {}).catch((err: Error) => {
      services.log.warn({ err: err.message }, "could not announce pending jobs on the bus; the queued request assigns them");
    }),
    services.queue.send(ASSIGN_QUEUE, {}, { singletonKey: "assign", singletonSeconds: 1, singletonNextSlot: true }).catch((err: Error) => {
      // The job row is already pending in Postgres; the periodic sweep picks it up within 30 s.
      services.log.warn({ err: err.message }, "could not request a scheduler pass; the sweep will assign the job");
    }),
  ]);
}
