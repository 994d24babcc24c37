import { conflict } from "../errors/domain-errors";
import type { DbOrTx } from "../apps/app-access";

export const ACTIVE_JOB_STATUSES = ["pending", "assigned", "processing"] as const;

const VERB: Record<string, string> = {
  deploy: "A deployment",
  restart: "A restart",
  start: "A start",
  stop: "A stop",
  delete: "A delete",
};

export async function findActiveJob(db: DbOrTx, appId: number) {
  return db.job.findFirst({
    where: { appId, status: { in: [...ACTIVE_JOB_STATUSES] } },
    orderBy: { createdAt: "desc" },
    include: { deployment: { select: { number: true } } },
  });
}

/**
 * Deploys and lifecycle jobs of one app serialise: the caller holds the app row lock, so two
 * requests cannot both see "nothing active" and both enqueue.
 */
export async function assertNoActiveJob(db: DbOrTx, appId: number): Promise<void> {
  const active = await findActiveJob(db, appId);
  if (!active) return;
  const what = VERB[active.type] ?? "A job";
  const deployment = active.deployment ? ` (deployment #${active.deployment.number})` : "";
  throw conflict(
    `${what}${deployment} is already ${active.status} for this app. Wait for it to finish before starting another.`,
  );
}
