import { cipherContext } from "../crypto/secret-cipher";
import { deployPayloadSchema, type JobFrame } from "../../protocol/job-payload";
import type { WorkerServiceDeps } from "../workers/hub-deps";

interface ClaimedJob {
  id: number;
  type: JobFrame["type"];
  app_id: number;
  deployment_id: number | null;
  payload: string;
  app_uuid: string;
  app_name: string;
}

export type DispatchOutcome =
  | { kind: "send"; frame: JobFrame }
  /** Not this connection's to send: already sent on it, no longer assigned, or the worker's live connection is elsewhere. */
  | { kind: "skip"; replaced: boolean }
  /** The stored job cannot be sent; the caller must fail it (never send it half-formed). */
  | { kind: "broken"; jobId: number; reason: string };

/**
 * Claims a job for one connection with a compare-and-set: it must be assigned to the worker,
 * the worker's live connection must be this one (so with several hubs only the hub holding the
 * socket sends), and it must not have been sent on this connection already. Several hubs (and a
 * connect-time replay racing a bus push) can try; exactly one claim per connection succeeds.
 */
export async function claimJobForConnection(
  deps: WorkerServiceDeps,
  workerId: number,
  connectionId: string,
  jobId: number,
): Promise<DispatchOutcome> {
  const rows = await deps.db.$queryRaw<ClaimedJob[]>`
    UPDATE jobs j SET dispatched_to = ${connectionId}, dispatched_at = now()
      FROM workers w, apps a
     WHERE j.id = ${jobId} AND j.worker_id = ${workerId} AND j.status = 'assigned'
       AND w.id = j.worker_id AND w.hub_connection = ${connectionId}
       AND a.id = j.app_id
       AND j.dispatched_to IS DISTINCT FROM ${connectionId}
     RETURNING j.id, j.type::text AS type, j.app_id, j.deployment_id, j.payload, a.uuid::text AS app_uuid, a.name AS app_name`;
  const job = rows[0];
  if (!job) {
    const owner = await deps.db.worker.findUnique({ where: { id: workerId }, select: { hubConnection: true } });
    return { kind: "skip", replaced: owner?.hubConnection !== connectionId };
  }
  return toFrame(deps, job);
}

function toFrame(deps: WorkerServiceDeps, job: ClaimedJob): DispatchOutcome {
  let payload: JobFrame["payload"] = null;
  if (job.payload !== "") {
    let plain: string;
    try {
      plain = deps.cipher.decrypt(job.payload, cipherContext.jobPayload(job.app_id));
    } catch (err) {
      return { kind: "broken", jobId: job.id, reason: `the job payload could not be decrypted (${(err as Error).message})` };
    }
    let json: unknown;
    try {
      json = JSON.parse(plain);
    } catch {
      return { kind: "broken", jobId: job.id, reason: "the job payload is not JSON" };
    }
    const parsed = deployPayloadSchema.safeParse(json);
    if (!parsed.success) return { kind: "broken", jobId: job.id, reason: `the job payload is invalid (${parsed.error.issues[0]?.message ?? "schema"})` };
    payload = parsed.data;
  } else if (job.type === "deploy" || job.type === "restart" || job.type === "start") {
    return { kind: "broken", jobId: job.id, reason: `a ${job.type} job needs a deploy payload and this one has none` };
  }
  return {
    kind: "send",
    frame: {
      job_id: job.id,
      type: job.type,
      app_id: job.app_id,
      app_uuid: job.app_uuid,
      app_name: job.app_name,
      deployment_id: job.deployment_id,
      payload,
    },
  };
}

/** The worker's oldest assigned job not yet sent on this connection. */
export async function nextAssignedJobId(deps: WorkerServiceDeps, workerId: number, connectionId: string): Promise<number | undefined> {
  const rows = await deps.db.$queryRaw<{ id: number }[]>`
    SELECT id FROM jobs
     WHERE worker_id = ${workerId} AND status = 'assigned' AND dispatched_to IS DISTINCT FROM ${connectionId}
     ORDER BY created_at, id LIMIT 1`;
  return rows[0]?.id;
}

/**
 * Workers (of `workerIds`, the ones connected to this hub) with an assigned job not yet sent on
 * their live connection for a few seconds: its "job.assigned" bus message was lost (Redis
 * restarting, the assignment committed while the hub was down). The hub's sweep sends them.
 */
export async function workersWithUndeliveredJobs(deps: WorkerServiceDeps, workerIds: number[], olderThanSeconds = 3): Promise<number[]> {
  if (workerIds.length === 0) return [];
  const rows = await deps.db.$queryRaw<{ worker_id: number }[]>`
    SELECT DISTINCT j.worker_id FROM jobs j JOIN workers w ON w.id = j.worker_id
     WHERE j.status = 'assigned' AND j.worker_id = ANY(${workerIds}::int[])
       AND j.dispatched_to IS DISTINCT FROM w.hub_connection
       AND COALESCE(j.assigned_at, j.updated_at) < now() - make_interval(secs => ${olderThanSeconds})`;
  return rows.map((r) => r.worker_id);
}
