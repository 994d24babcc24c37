import type { WorkerServiceDeps } from "../workers/hub-deps";
import type { RuntimeReport } from "../../protocol/runtime-report";
import { printableLogText } from "./log-text";

/**
 * Stores how an app runs on the worker that just started it (`job_result.runtime`, validated by
 * src/protocol/worker-messages.ts). Called after the job result committed, so the app is placed
 * on this worker by then: the upsert only touches an app whose `worker_id` is the reporting
 * worker, and a report for any other app is dropped (a worker cannot describe apps it does not
 * run). Returns whether the report was stored.
 */
export async function storeRuntimeReport(deps: Pick<WorkerServiceDeps, "db">, workerId: number, appId: number, report: RuntimeReport): Promise<boolean> {
  const clean: RuntimeReport = { ...report, ...(report.isolation_note ? { isolation_note: printableLogText(report.isolation_note) } : {}) };
  const stored = await deps.db.$executeRaw`
    INSERT INTO app_runtime_reports (app_id, worker_id, report, reported_at)
    SELECT a.id, ${workerId}, ${JSON.stringify(clean)}::jsonb, now()
      FROM apps a
     WHERE a.id = ${appId} AND a.worker_id = ${workerId} AND a.deleted_at IS NULL
    ON CONFLICT (app_id) DO UPDATE SET worker_id = EXCLUDED.worker_id, report = EXCLUDED.report, reported_at = EXCLUDED.reported_at`;
  return stored > 0;
}
