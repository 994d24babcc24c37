import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { requireOwnedApp } from "./app-access";
import type { RunMarkSource } from "./log-run-at";

/**
 * One version of the app: a deploy (deployment #N), or a restart or start of that deployment,
 * from when its job was sent to the worker; traffic moved to it when the job completed
 * (`switchedAt`). Sent, not "started" (the first `job_status` the hub stored): a rollback's
 * container can write its first line before that frame is stored, and the line would be marked
 * with the version before. Runtime log lines are marked with it (issue 16 item 8, log-run-at.ts).
 */
export interface LogRun extends RunMarkSource {
  /** 1 for the first restart (or start) of this deployment, 2 for the next; 0 for the deploy. */
  seq: number;
}

const MAX_RUNS = 1_000;

export function runLabel(run: Pick<LogRun, "deploymentNumber" | "kind" | "seq">): string {
  const dep = run.deploymentNumber !== null ? `deployment #${run.deploymentNumber}` : "an earlier deployment";
  if (run.kind === "deploy") return dep;
  return `${dep}, ${run.kind === "restart" ? "restart" : "start"} ${run.seq}`;
}

/** The app's runs in time order, from its completed deploy, restart and start jobs. */
export async function readLogRuns(db: Db, appId: number): Promise<LogRun[]> {
  const jobs = await db.job.findMany({
    where: { appId, status: "completed", type: { in: ["deploy", "restart", "start"] }, completedAt: { not: null } },
    select: { type: true, dispatchedAt: true, startedAt: true, completedAt: true, deployment: { select: { number: true } } },
    orderBy: [{ completedAt: "desc" }, { id: "desc" }],
    take: MAX_RUNS,
  });
  const runs: LogRun[] = [];
  let deploymentNumber: number | null = null;
  let seq = 0;
  for (const job of jobs.reverse()) {
    const kind = job.type as LogRun["kind"];
    if (kind === "deploy") {
      deploymentNumber = job.deployment?.number ?? null;
      seq = 0;
    } else {
      seq++;
    }
    const switchedAt = job.completedAt!.getTime();
    const from = Math.min(job.dispatchedAt?.getTime() ?? switchedAt, job.startedAt?.getTime() ?? switchedAt, switchedAt);
    const run = { from, switchedAt, deploymentNumber, kind, seq };
    runs.push({ ...run, label: runLabel(run) });
  }
  return runs;
}

export async function listLogRuns(deps: { db: Db }, actor: Pick<Actor, "userId" | "team">, { appId }: { appId: number }): Promise<LogRun[]> {
  await requireOwnedApp(deps.db, actor, appId);
  return readLogRuns(deps.db, appId);
}
