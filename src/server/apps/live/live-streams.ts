import { z } from "zod";
import type { Actor } from "../../auth/actor";
import { notFound } from "../../errors/domain-errors";
import type { Services } from "../../runtime/services";
import { appIdInput, ownedAppWhere, ownedDeploymentWhere, requireOwnedApp } from "../app-access";
import { deploymentIdInput } from "../deployments/list-deployments";
import { matchesLogFilter, readRuntimeLogs, runtimeLogFilterInput, type RuntimeLogLine } from "../runtime-logs";
import { openBusQueue } from "./bus-queue";

/** An event with the id the client sends back (Last-Event-ID) when it reconnects. */
export interface LiveEvent<T> {
  id: string;
  data: T;
}

type Deps = Pick<Services, "db" | "bus">;
type Caller = Pick<Actor, "userId" | "team">;
/** Subscriptions end when the client goes away. */
type Streaming<T> = T & { signal: AbortSignal | undefined };

/** Resumable streams take the id of the last event the client saw (Last-Event-ID). */
const lastEventIdInput = z.string().nullish();
export const runtimeLogStreamInput = appIdInput.extend({ filter: runtimeLogFilterInput.default({}), lastEventId: lastEventIdInput });
export const deployProgressStreamInput = appIdInput.extend({ lastEventId: lastEventIdInput });
export const buildLogStreamInput = deploymentIdInput.extend({ lastEventId: lastEventIdInput });
export const appStatusStreamInput = z.object({ appId: z.number().int().positive().optional(), lastEventId: lastEventIdInput }).optional();

function parseBigIntId(value: string | null | undefined): bigint | undefined {
  return value && /^\d{1,19}$/.test(value) ? BigInt(value) : undefined;
}

/**
 * Runtime logs: the persisted tail (or everything after the last line the client saw), then live
 * lines. Ids are runtime_logs ids, so a reconnect continues exactly after the last line shown.
 */
export async function* streamRuntimeLogs(
  deps: Deps,
  actor: Caller,
  { appId, filter, lastEventId, signal }: Streaming<z.infer<typeof runtimeLogStreamInput>>,
): AsyncGenerator<LiveEvent<RuntimeLogLine>> {
  await requireOwnedApp(deps.db, actor, appId);
  const queue = await openBusQueue(deps.bus, "app.logs", (m) => m.appId === appId, signal);
  try {
    let last = parseBigIntId(lastEventId);
    const replay = await readRuntimeLogs(deps, appId, filter, last !== undefined ? { afterId: last, limit: 5_000 } : { limit: 500 });
    for (const line of replay) {
      last = BigInt(line.id);
      yield { id: line.id, data: line };
    }
    // Lines stored while the bus was away (Redis restarting, a hub killed between its insert and
    // its publish) never arrive on the bus: when it has been quiet a while, the table is read after
    // the last line shown. Ids only grow, so neither path repeats what the other showed.
    let next = queue.next();
    for (;;) {
      const m = await nextOrQuiet(next, CATCH_UP_AFTER_MS);
      if (m === null) return;
      if (m === QUIET) {
        // The database away too: the bus (or the next quiet spell) brings the lines later.
        const missed = await readRuntimeLogs(deps, appId, filter, last !== undefined ? { afterId: last, limit: 5_000 } : { limit: 500 }).catch(() => []);
        for (const line of missed) {
          const id = BigInt(line.id);
          if (last !== undefined && id <= last) continue;
          last = id;
          yield { id: line.id, data: line };
        }
        continue;
      }
      next = queue.next();
      for (const line of m.lines) {
        const id = parseBigIntId(line.id);
        if (id !== undefined && last !== undefined && id <= last) continue;
        if (!matchesLogFilter(line, filter)) continue;
        if (id !== undefined) last = id;
        yield { id: line.id, data: { id: line.id, ts: line.ts, stream: line.stream, line: line.line } };
      }
    }
  } finally {
    queue.close();
  }
}

/** How long a runtime log stream waits on the bus before it reads the table for lines it missed. */
const CATCH_UP_AFTER_MS = 5_000;
const QUIET = Symbol("quiet");

/** The pending bus message, or QUIET when none came within `ms` (the message stays pending). */
async function nextOrQuiet<T>(pending: Promise<T>, ms: number): Promise<T | typeof QUIET> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([pending, new Promise<typeof QUIET>((resolve) => (timer = setTimeout(() => resolve(QUIET), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface BuildLogChunk {
  offset: number;
  chunk: string;
}

/**
 * A deployment's build log: what is stored, then chunks as the worker streams them. The event id
 * is the character offset reached, so a reconnect resumes mid-log without repeating text.
 */
export async function* streamBuildLog(
  deps: Deps,
  actor: Caller,
  { deploymentId, lastEventId, signal }: Streaming<z.infer<typeof buildLogStreamInput>>,
): AsyncGenerator<LiveEvent<BuildLogChunk>> {
  const exists = await deps.db.deployment.findFirst({ where: ownedDeploymentWhere(actor, deploymentId), select: { id: true } });
  if (!exists) throw notFound("Deployment");
  const queue = await openBusQueue(deps.bus, "deployment.log", (m) => m.deploymentId === deploymentId, signal);
  const stored = async () =>
    (await deps.db.deployment.findUnique({ where: { id: deploymentId }, select: { buildLogs: true } }))?.buildLogs ?? "";
  try {
    let sent = lastEventId && /^\d+$/.test(lastEventId) ? Number(lastEventId) : 0;
    const initial = await stored();
    if (initial.length > sent) {
      yield { id: String(initial.length), data: { offset: sent, chunk: initial.slice(sent) } };
      sent = initial.length;
    }
    for (let m = await queue.next(); m; m = await queue.next()) {
      const end = m.offset + m.chunk.length;
      if (end <= sent) continue;
      if (m.offset > sent) {
        // A chunk went missing between hub and here: the database has it.
        const full = await stored();
        if (full.length > sent) {
          yield { id: String(full.length), data: { offset: sent, chunk: full.slice(sent) } };
          sent = full.length;
        }
        continue;
      }
      yield { id: String(end), data: { offset: sent, chunk: m.chunk.slice(sent - m.offset) } };
      sent = end;
    }
  } finally {
    queue.close();
  }
}

export interface DeployProgress {
  jobId: number;
  appId: number;
  deploymentId: number | null;
  /** Per-app numbers, as the Deployments tab shows them ("Job #1 · deployment #1"). */
  jobNumber: number;
  deploymentNumber: number | null;
  status: string;
  progress: number;
  message: string;
}

const ENDED_JOB_STATUSES = new Set(["completed", "failed", "cancelled"]);

/**
 * Job status and progress % of one app's jobs: the current state first, then every change.
 * Bus messages carry ids; the per-app numbers are read once per job and kept for the stream.
 */
export async function* streamDeployProgress(
  deps: Deps,
  actor: Caller,
  { appId, lastEventId, signal }: Streaming<z.infer<typeof deployProgressStreamInput>>,
): AsyncGenerator<LiveEvent<DeployProgress>> {
  await requireOwnedApp(deps.db, actor, appId);
  const queue = await openBusQueue(deps.bus, "job.updated", (m) => m.appId === appId, signal);
  const idOf = (p: Pick<DeployProgress, "jobId" | "status" | "progress">) => `${p.jobId}:${p.status}:${p.progress}`;
  // A job that ended never moves again (every status update requires a job not yet ended), but
  // its announcements come from different processes: a worker's progress the hub stored just
  // before a cancel can reach the bus after the cancel's own message. Nothing after the end shows.
  const ended = new Set<number>();
  const noteEnd = (p: Pick<DeployProgress, "jobId" | "status">) => {
    if (ENDED_JOB_STATUSES.has(p.status)) ended.add(p.jobId);
  };
  const numbers = new Map<number, { jobNumber: number; deploymentNumber: number | null }>();
  const numbersOf = async (jobId: number) => {
    let n = numbers.get(jobId);
    if (!n) {
      const row = await deps.db.job.findFirst({ where: { id: jobId, appId }, select: { number: true, deployment: { select: { number: true } } } });
      n = { jobNumber: row?.number ?? 0, deploymentNumber: row?.deployment?.number ?? null };
      numbers.set(jobId, n);
    }
    return n;
  };
  try {
    const job = await deps.db.job.findFirst({ where: { appId }, orderBy: { id: "desc" }, include: { deployment: { select: { number: true } } } });
    let lastId = lastEventId ?? "";
    if (job) {
      numbers.set(job.id, { jobNumber: job.number, deploymentNumber: job.deployment?.number ?? null });
      const snapshot: DeployProgress = {
        jobId: job.id,
        appId,
        deploymentId: job.deploymentId,
        jobNumber: job.number,
        deploymentNumber: job.deployment?.number ?? null,
        status: job.status,
        progress: job.progress,
        message: job.message || job.pendingReason || "",
      };
      noteEnd(snapshot);
      if (idOf(snapshot) !== lastId) {
        lastId = idOf(snapshot);
        yield { id: lastId, data: snapshot };
      }
    }
    for (let m = await queue.next(); m; m = await queue.next()) {
      const id = idOf(m);
      if (id === lastId || ended.has(m.jobId)) continue;
      noteEnd(m);
      lastId = id;
      yield { id, data: { ...m, ...(await numbersOf(m.jobId)) } };
    }
  } finally {
    queue.close();
  }
}

export interface AppStatusEvent {
  appId: number;
  status: string;
  at: number;
}

/**
 * Status changes of the caller's apps (one app when appId is given). Pages refetch on each event;
 * ids carry a timestamp so a reconnect does not replay an event the page already handled.
 */
export async function* streamAppStatus(
  deps: Deps,
  actor: Caller,
  { appId, signal }: Streaming<NonNullable<z.infer<typeof appStatusStreamInput>>>,
): AsyncGenerator<LiveEvent<AppStatusEvent>> {
  if (appId !== undefined) await requireOwnedApp(deps.db, actor, appId);
  const queue = await openBusQueue(
    deps.bus,
    "app.changed",
    (m) => appId === undefined || m.appId === appId,
    signal,
  );
  // Another team's app can never appear: each app id is checked once against the team scope
  // (ownedAppWhere), and apps never change team.
  const inTeam = new Map<number, boolean>();
  const isTeamApp = async (id: number) => {
    let known = inTeam.get(id);
    if (known === undefined) {
      known = (await deps.db.app.count({ where: ownedAppWhere(actor, id) })) > 0;
      inTeam.set(id, known);
    }
    return known;
  };
  try {
    let seq = 0;
    for (let m = await queue.next(); m; m = await queue.next()) {
      if (!(await isTeamApp(m.appId))) continue;
      const at = Date.now();
      yield { id: `${at}-${++seq}`, data: { appId: m.appId, status: m.status, at } };
    }
  } finally {
    queue.close();
  }
}
