import type { Logger } from "pino";
import { assignAllPending } from "../server/jobs/assign-jobs";
import { requestAssignment } from "../server/jobs/request-assignment";
import type { Services } from "../server/runtime/services";

/**
 * Runs an assignment pass as soon as `jobs.pending` is heard on the bus (the fast path of
 * src/server/jobs/request-assignment.ts). Requests arriving during a pass are folded into one
 * more pass after it, so a burst costs at most two passes and no request is left unserved.
 * Returns the stop call.
 */
export async function assignOnRequest(services: Services, log: Logger): Promise<() => Promise<void>> {
  let running: Promise<void> | null = null;
  let again = false;
  const pass = async (): Promise<void> => {
    do {
      again = false;
      try {
        const result = await assignAllPending(services.db, services.bus, log);
        // Jobs deferred behind another process's locks: ask again so one of us places them.
        if (result.retrySoon) await requestAssignment(services);
      } catch (err) {
        // The queued request and the sweep still place the job; nothing is lost.
        log.warn({ err: (err as Error).message }, "assignment pass on a bus request failed");
      }
    } while (again);
  };
  const unsubscribe = await services.bus.subscribe("jobs.pending", () => {
    if (running) {
      again = true;
      return;
    }
    running = pass().finally(() => (running = null));
  });
  // Stopping waits for a pass in flight, so the database is never closed under it.
  return async () => {
    unsubscribe();
    await running;
  };
}
