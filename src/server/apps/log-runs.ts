import type { Actor } from "../auth/actor";
import type { Db } from "../db/client";
import { requireOwnedApp } from "./app-access";

/**
 * One version of the app that served from `from` on: a deploy (deployment #N), or a restart or
 * start of that deployment. Runtime log lines are marked with the run that was serving when they
 * were written (issue 16 item 8). The switch time is the job's completion, when traffic moved:
 * a new version's first lines, written while its health check ran, carry the previous run's mark.
 */
export interface LogRun {
  from: number;
  deploymentNumber: number | null;
  kind: "deploy" | "restart" | "start";
  /** 1 for the first restart (or start) of this deployment, 2 for the next; 0 for the deploy. */
  seq: number;
  label: string;
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
    select: { type: true, completedAt: true, deployment: { select: { number: true } } },
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
    const run = { from: job.completedAt!.getTime(), deploymentNumber, kind, seq };
    runs.push({ ...run, label: runLabel(run) });
  }
  return runs;
}

export async function listLogRuns(deps: { db: Db }, actor: Pick<Actor, "userId" | "team">, { appId }: { appId: number }): Promise<LogRun[]> {
  await requireOwnedApp(deps.db, actor, appId);
  return readLogRuns(deps.db, appId);
}
