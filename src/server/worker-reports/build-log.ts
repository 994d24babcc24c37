import { publishQuietly, type WorkerServiceDeps } from "../workers/hub-deps";
import { MAX_BUILD_LOG_BYTES, printableLogText, TRUNCATION_MARKER } from "./log-text";
import { forbiddenFrame } from "../../protocol/frame-error";
import type { WorkerMessage } from "../../protocol/worker-messages";

/**
 * Appends a chunk to the deployment's build log in one UPDATE (no read-modify-write race between
 * frames), capping it head+tail. Only a deployment this worker builds — one of
 * its jobs points at it — may be written.
 */
export async function appendBuildLog(deps: WorkerServiceDeps, workerId: number, msg: WorkerMessage<"build_log">): Promise<void> {
  const chunk = printableLogText(msg.chunk);
  const half = Math.floor((MAX_BUILD_LOG_BYTES - TRUNCATION_MARKER.length) / 2);
  const rows = await deps.db.$queryRaw<{ app_id: number; offset: number }[]>`
    WITH target AS (
      SELECT d.id, length(d.build_logs) AS offset FROM deployments d
       WHERE d.id = ${msg.deployment_id}
         AND (d.worker_id = ${workerId}
              OR EXISTS (SELECT 1 FROM jobs j WHERE j.deployment_id = d.id AND j.worker_id = ${workerId}))
       FOR UPDATE
    )
    UPDATE deployments d
       SET build_logs = CASE WHEN length(d.build_logs) + length(${chunk}::text) > ${MAX_BUILD_LOG_BYTES}
                             THEN left(d.build_logs || ${chunk}::text, ${half}) || ${TRUNCATION_MARKER}
                                  || right(d.build_logs || ${chunk}::text, ${half})
                             ELSE d.build_logs || ${chunk}::text END
      FROM target
     WHERE d.id = target.id
     RETURNING d.app_id, target.offset`;
  const dep = rows[0];
  if (!dep) throw forbiddenFrame(`Deployment ${msg.deployment_id}`);
  publishQuietly(
    deps,
    deps.bus.publish("deployment.log", { deploymentId: msg.deployment_id, appId: dep.app_id, offset: Number(dep.offset), chunk }),
    "deployment.log",
  );
}
