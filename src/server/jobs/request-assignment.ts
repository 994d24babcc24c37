import type { Services } from "../runtime/services";

/** The pg-boss queue whose tasks make a jobs process run one assignment pass. */
export const ASSIGN_QUEUE = "scheduler.assign";

type Deps = Pick<Services, "bus" | "queue" | "log">;

/**
 * Per queue (one per process): the fallback send in flight, and whether requests arrived while it
 * was. A burst of requests costs at most two sends: the one in flight and one after it, which is
 * queued after every request it covers was made (so its pass sees their jobs).
 */
interface SendState {
  inFlight: Promise<void> | null;
  next: Promise<void> | null;
}
const sends = new WeakMap<Deps["queue"], SendState>();

function sendOnce(deps: Deps): Promise<void> {
  return deps.queue
    .send(ASSIGN_QUEUE, {}, { singletonKey: "assign", singletonSeconds: 1, singletonNextSlot: true })
    .then(() => undefined)
    .catch((err: Error) => {
      // The job row is already pending in Postgres; the periodic sweep picks it up within 30 s.
      deps.log.warn({ err: err.message }, "could not request a scheduler pass; the sweep will assign the job");
    });
}

function queueFallback(deps: Deps): Promise<void> {
  let state = sends.get(deps.queue);
  if (!state) sends.set(deps.queue, (state = { inFlight: null, next: null }));
  const s = state;
  if (!s.inFlight) {
    s.inFlight = sendOnce(deps).finally(() => (s.inFlight = null));
    return s.inFlight;
  }
  // A send is in flight, but it may have been queued before this request's job committed: one
  // more send after it covers every request that arrives meanwhile.
  s.next ??= s.inFlight.then(() => {
    s.next = null;
    return queueFallback(deps);
  });
  return s.next;
}

/**
 * Asks the jobs processes to assign pending jobs now. Call it right after creating a pending job
 * (deploy, restart, start, stop, delete) or freeing capacity.
 * - Fast path: `jobs.pending` on the bus; every jobs process listening runs a pass at once
 *   (src/jobs-process/assign-on-request.ts). `FOR UPDATE SKIP LOCKED` in the pass makes
 *   concurrent passes safe.
 * - Durable fallback: a pg-boss task, debounced into one-second slots (a burst costs at most two
 *   passes), for when no jobs process heard the bus message (bus down, processes restarting).
 *   Concurrent requests in one process share the send (queueFallback above): 200 deploys at once
 *   make two inserts into pg-boss, not 200 that contend for the same singleton slot.
 * - Last resort: the periodic sweep (30 s) assigns anything still pending.
 */
export async function requestAssignment(services: Deps): Promise<void> {
  await Promise.all([
    services.bus.publish("jobs.pending", {}).catch((err: Error) => {
      services.log.warn({ err: err.message }, "could not announce pending jobs on the bus; the queued request assigns them");
    }),
    queueFallback(services),
  ]);
}
