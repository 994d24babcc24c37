import type { Services } from "../runtime/services";

/** A process is alive when its heartbeat is younger than this. */
export const HEARTBEAT_STALE_MS = 30_000;

export interface ComponentStatus {
  ok: boolean;
  detail: string;
}

export interface PlatformStatus {
  checkedAt: Date;
  database: ComponentStatus & { latencyMs: number | null };
  jobs: ComponentStatus & { processes: number; lastSeenAt: Date | null };
  hub: ComponentStatus & { processes: number; lastSeenAt: Date | null };
  workers: { total: number; online: number; offline: number };
}

async function hubHealth(url: string): Promise<ComponentStatus> {
  try {
    const res = await fetch(new URL("/health", url), { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json().catch(() => ({}))) as { status?: string };
    return res.ok && body.status === "ok"
      ? { ok: true, detail: "answering /health" }
      : { ok: false, detail: `/health answered ${res.status}` };
  } catch (err) {
    return { ok: false, detail: `unreachable: ${(err as Error).message}` };
  }
}

/** Health of every component, for the status page (read through tRPC). */
export async function readPlatformStatus(deps: Pick<Services, "db" | "config">): Promise<PlatformStatus> {
  const { db } = deps;
  const hubUrl = deps.config.HUB_INTERNAL_URL;
  const now = Date.now();
  let latencyMs: number | null = null;
  try {
    const started = performance.now();
    await db.$queryRaw`SELECT 1`;
    latencyMs = Math.round((performance.now() - started) * 10) / 10;
  } catch (err) {
    return {
      checkedAt: new Date(),
      database: { ok: false, detail: `unreachable: ${(err as Error).message}`, latencyMs: null },
      jobs: { ok: false, detail: "unknown (database down)", processes: 0, lastSeenAt: null },
      hub: { ...(await hubHealth(hubUrl)), processes: 0, lastSeenAt: null },
      workers: { total: 0, online: 0, offline: 0 },
    };
  }
  const since = new Date(now - HEARTBEAT_STALE_MS);
  const [beats, workerGroups, hub] = await Promise.all([
    db.processHeartbeat.findMany({ where: { lastSeenAt: { gte: since } }, orderBy: { lastSeenAt: "desc" } }),
    db.worker.groupBy({ by: ["status"], _count: { _all: true } }),
    hubHealth(hubUrl),
  ]);
  const jobs = beats.filter((b) => b.kind === "jobs");
  const hubs = beats.filter((b) => b.kind === "ws-hub");
  const count = (status: string) => workerGroups.find((g) => g.status === status)?._count._all ?? 0;
  const total = workerGroups.reduce((sum, g) => sum + g._count._all, 0);
  return {
    checkedAt: new Date(),
    database: { ok: true, detail: `SELECT 1 in ${latencyMs} ms`, latencyMs },
    jobs: {
      ok: jobs.length > 0,
      detail: jobs.length > 0 ? `${jobs.length} ${jobs.length === 1 ? "process" : "processes"} reporting` : "no jobs process has reported in the last 30 s",
      processes: jobs.length,
      lastSeenAt: jobs[0]?.lastSeenAt ?? null,
    },
    hub: {
      ok: hub.ok,
      detail: hub.ok ? `${hub.detail}; ${hubs.length} ${hubs.length === 1 ? "process" : "processes"} reporting` : hub.detail,
      processes: hubs.length,
      lastSeenAt: hubs[0]?.lastSeenAt ?? null,
    },
    workers: { total, online: count("online"), offline: count("offline") },
  };
}
