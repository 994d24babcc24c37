import type { Services } from "../runtime/services";

/** The pg-boss queue whose jobs make the jobs process run one assignment pass. */
export const ASSIGN_QUEUE = "scheduler.assign";

/**
 * Asks the jobs process to assign pending jobs now. Call it right after creating a pending job
 * (deploy, restart, start, stop, delete). Requests are debounced into one-second slots: a burst of
 * creations costs at most two passes, and a request arriving after a pass started still gets a
 * pass in the next slot, so no job waits for the periodic sweep.
 */
export async function requestAssignment(services: Pick<Services, "queue" | "log">): Promise<void> {
  try {
    await services.queue.send(ASSIGN_QUEUE, {}, { singletonKey: "assign", singletonSeconds: 1, singletonNextSlot: true });
  } catch (err) {
    // The job row is already pending in Postgres; the periodic sweep picks it up within 30 s.
    services.log.warn({ err: (err as Error).message }, "could not request a scheduler pass; the sweep will assign the job");
  }
}
