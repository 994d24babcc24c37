import type { Services } from "../runtime/services";

export interface AuditTarget {
  targetType: string | null;
  targetId: string | null;
  metadata: Record<string, unknown>;
}

const asId = (value: unknown): number | null => {
  const n = typeof value === "string" && /^\d{1,9}$/.test(value) ? Number(value) : typeof value === "number" ? value : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
};

/**
 * Names for the targets of a page of the caller's own audit events: "app shop",
 * "deployment #2 of shop", "domain shop.example.com", instead of internal ids ("app 3"). Apps and
 * deployments are read in two queries for the whole page; a target erased since falls back to the
 * name its event recorded, then to "a deleted app".
 */
export async function auditTargetLabels(deps: Pick<Services, "db">, events: AuditTarget[]): Promise<(string | null)[]> {
  const appIds = new Set<number>();
  const deploymentIds = new Set<number>();
  for (const e of events) {
    const id = asId(e.targetId);
    if (e.targetType === "app" && id) appIds.add(id);
    if (e.targetType === "deployment" && id) deploymentIds.add(id);
    const metaApp = asId(e.metadata.appId);
    if (metaApp) appIds.add(metaApp);
  }
  const [apps, deployments] = await Promise.all([
    appIds.size ? deps.db.app.findMany({ where: { id: { in: [...appIds] } }, select: { id: true, name: true } }) : [],
    deploymentIds.size ? deps.db.deployment.findMany({ where: { id: { in: [...deploymentIds] } }, select: { id: true, number: true, app: { select: { name: true } } } }) : [],
  ]);
  const appName = new Map(apps.map((a) => [a.id, a.name]));
  const deployment = new Map(deployments.map((d) => [d.id, d]));
  return events.map((e) => {
    const id = asId(e.targetId);
    const recordedName = typeof e.metadata.name === "string" ? e.metadata.name : null;
    switch (e.targetType) {
      case null:
        return null;
      case "app":
        return `app ${(id && appName.get(id)) ?? recordedName ?? "(deleted)"}`;
      case "deployment": {
        const d = id ? deployment.get(id) : undefined;
        if (d) return `deployment #${d.number} of ${d.app.name}`;
        const app = asId(e.metadata.appId);
        return app && appName.get(app) ? `a deployment of ${appName.get(app)}` : "a deleted deployment";
      }
      case "domain":
        return typeof e.metadata.hostname === "string" ? `domain ${e.metadata.hostname}` : "a domain";
      case "session":
        return null;
      case "git_provider":
        return typeof e.metadata.username === "string" ? `git account ${e.metadata.username}` : "a git account";
      default:
        return e.targetType.replace(/_/g, " ");
    }
  });
}
