/** Display helpers for deployments and logs; pure, shared by the app pages. */

/** An empty sha means the worker has not checked anything out yet: the branch's head will be built. */
export function shortSha(sha: string): string {
  return sha ? sha.slice(0, 7) : "branch head";
}

const OUTCOME: Record<string, string> = {
  pending: "is waiting for a worker",
  building: "is building",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "was cancelled",
};

/** "Deployment #2 failed." — a sentence for a deployment's status, not "is failed". */
export function deploymentSentence(number: number, status: string): string {
  return `Deployment #${number} ${OUTCOME[status] ?? `is ${status}`}.`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null || ms < 0) return "—";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m ${s % 60}s`;
}

export function timeAgo(date: Date | string | null): string {
  if (!date) return "—";
  const d = typeof date === "string" ? new Date(date) : date;
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return d.toLocaleDateString();
}

export function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}

/** tRPC delivers tracked events as { id, data }; older shapes pass through. */
export function untrack<T>(event: unknown): { id: string | null; data: T } {
  if (event && typeof event === "object" && "id" in event && "data" in event) {
    const e = event as { id: string; data: T };
    return { id: e.id, data: e.data };
  }
  return { id: null, data: event as T };
}

export function triggerLabel(trigger: string, triggeredBy: string): string {
  const who = triggeredBy ? ` · ${triggeredBy}` : "";
  return `${trigger}${who}`;
}

/**
 * Whether two messages say the same thing (the app header's reason, a job's message, a
 * deployment's error), so a page shows an error once rather than in each place (issue 16 item 5).
 */
export function sameMessage(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (s: string) => s.trim().replace(/^deploy failed:\s*/i, "").replace(/[.\s]+$/, "").toLowerCase();
  return !!a && !!b && norm(a) === norm(b);
}
