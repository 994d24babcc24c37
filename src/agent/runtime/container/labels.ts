/**
 * Labels on every image and container the agent makes, so it finds its own after a restart and
 * an operator can tell them apart in `podman ps` / `docker ps` (filter `label=wisehosting.managed`).
 */
export const LABELS = {
  managed: "wisehosting.managed",
  appId: "wisehosting.app-id",
  deploymentId: "wisehosting.deployment-id",
  worker: "wisehosting.worker",
  /** "app" for an app's container or image, "base" for a base image the agent built, NETWORK_ROLE for a network holder. */
  role: "wisehosting.role",
  /** The build kind the image came from (dockerfile, node, static). */
  kind: "wisehosting.kind",
} as const;

/** The role of a network holder (network-holder.ts): a container of the worker that runs no app. */
export const NETWORK_ROLE = "network";

export interface AppRef {
  appId: number;
  deploymentId: number;
  workerName: string;
}

export function appLabels(ref: AppRef, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [LABELS.managed]: "true",
    [LABELS.role]: "app",
    [LABELS.appId]: String(ref.appId),
    [LABELS.deploymentId]: String(ref.deploymentId),
    [LABELS.worker]: ref.workerName,
    ...extra,
  };
}

export interface LabelScope {
  workerName?: string;
  appId?: number;
  deploymentId?: number;
}

/** True when an object's labels are ours and within the scope (the check that follows an engine-side filter). */
export function inScope(labels: Record<string, string> | null | undefined, scope: LabelScope): boolean {
  if (!labels || labels[LABELS.managed] !== "true") return false;
  if (scope.workerName !== undefined && labels[LABELS.worker] !== scope.workerName) return false;
  if (scope.appId !== undefined && labels[LABELS.appId] !== String(scope.appId)) return false;
  if (scope.deploymentId !== undefined && labels[LABELS.deploymentId] !== String(scope.deploymentId)) return false;
  return true;
}

/**
 * The one `label` filter sent with an image listing. Podman 4.3's image listing returns nothing
 * for two or more label filters (containers combine them correctly), so images are narrowed by
 * the most selective label at the engine and by `inScope` here.
 */
export function imageLabelFilter(scope: LabelScope): string[] {
  if (scope.workerName !== undefined) return [`${LABELS.worker}=${scope.workerName}`];
  if (scope.appId !== undefined) return [`${LABELS.appId}=${scope.appId}`];
  return [`${LABELS.managed}=true`];
}

/** The Engine API `label` filter values (`key=value`) selecting what a worker (and optionally one app) owns. */
export function labelFilter(scope: LabelScope): string[] {
  const filters = [`${LABELS.managed}=true`];
  if (scope.workerName !== undefined) filters.push(`${LABELS.worker}=${scope.workerName}`);
  if (scope.appId !== undefined) filters.push(`${LABELS.appId}=${scope.appId}`);
  if (scope.deploymentId !== undefined) filters.push(`${LABELS.deploymentId}=${scope.deploymentId}`);
  return filters;
}

/** The image tag of one deployment: `wisehosting/app-<appId>:<deploymentId>` under the configured repository prefix. */
export function appImageTag(appId: number, deploymentId: number, prefix = "localhost/wisehosting"): string {
  return `${prefix}/app-${appId}:${deploymentId}`;
}

/** Reads the app id and deployment id back from an object's labels; null when they are not ours. */
export function parseAppLabels(labels: Record<string, string> | null | undefined): AppRef | null {
  if (!labels || labels[LABELS.managed] !== "true") return null;
  const appId = Number(labels[LABELS.appId]);
  const deploymentId = Number(labels[LABELS.deploymentId]);
  const workerName = labels[LABELS.worker];
  if (!Number.isInteger(appId) || !Number.isInteger(deploymentId) || !workerName) return null;
  return { appId, deploymentId, workerName };
}
