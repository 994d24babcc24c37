import type { BusMessage } from "../../bus/channels";
import type { Services } from "../../runtime/services";
import { SESSION_IDLE_TTL_MS } from "../../sessions/session-policy";

type Deps = Pick<Services, "bus" | "db" | "log" | "config" | "now">;

/** The session a stream was opened with, and how its end is noticed. */
export interface SessionGuard {
  /** Aborts when the client goes away or the session ends: pass it to the stream. */
  signal: AbortSignal;
  /** True once the session ended (as opposed to the client leaving). */
  ended(): boolean;
  /** Stops watching; call when the stream finishes, however it finishes. */
  release(): void;
}

/** The team membership a stream shows data of: when it ends, so does the stream. */
export interface StreamMember {
  userId: number;
  teamId: number;
}

interface Watcher {
  end: () => void;
  member?: StreamMember;
}

interface Registry {
  /** Session id → the streams opened with that session. */
  watchers: Map<number, Set<Watcher>>;
  subscribed: Promise<void> | null;
  timer: NodeJS.Timeout | null;
}

const registries = new WeakMap<object, Registry>();

function registryFor(deps: Deps): Registry {
  let registry = registries.get(deps.bus);
  if (!registry) {
    registry = { watchers: new Map(), subscribed: null, timer: null };
    registries.set(deps.bus, registry);
  }
  return registry;
}

function endSessions(registry: Registry, ids: Iterable<number>): void {
  for (const id of ids) for (const w of registry.watchers.get(id) ?? []) w.end();
}

/** One subscription per process: a `session.revoked` message ends that session's streams at once. */
function subscribe(deps: Deps, registry: Registry): Promise<void> {
  registry.subscribed ??= deps.bus
    .subscribe("session.revoked", (m: BusMessage<"session.revoked">) => endSessions(registry, m.sessionIds))
    .then(() => undefined)
    .catch((err: Error) => {
      // Retried by the next stream that opens; until then the periodic check covers it.
      registry.subscribed = null;
      deps.log.warn({ err: err.message }, "session.revoked subscription failed; streams fall back to the periodic session check");
    });
  return registry.subscribed;
}

/** Which of these sessions are no longer live: revoked, past the absolute cap, or idle too long. */
async function endedAmong(deps: Deps, ids: number[]): Promise<number[]> {
  const now = deps.now();
  const live = await deps.db.session.findMany({
    where: { id: { in: ids }, revokedAt: null, expiresAt: { gt: now }, lastSeenAt: { gte: new Date(now.getTime() - SESSION_IDLE_TTL_MS) } },
    select: { id: true },
  });
  const alive = new Set(live.map((s) => s.id));
  return ids.filter((id) => !alive.has(id));
}

const memberKey = (m: StreamMember) => `${m.userId}:${m.teamId}`;

/** Which of these watchers' team memberships are gone: removed, left, or the team deleted. */
async function lostMemberships(deps: Deps, watchers: Watcher[]): Promise<Watcher[]> {
  const members = new Map<string, StreamMember>();
  for (const w of watchers) if (w.member) members.set(memberKey(w.member), w.member);
  if (members.size === 0) return [];
  const rows = await deps.db.teamMember.findMany({
    where: { OR: [...members.values()].map((m) => ({ userId: m.userId, teamId: m.teamId })), team: { deletedAt: null } },
    select: { userId: true, teamId: true },
  });
  const kept = new Set(rows.map(memberKey));
  return watchers.filter((w) => w.member && !kept.has(memberKey(w.member)));
}

/**
 * The fallback for a lost bus message (bus down, another process's publish failed) and for
 * expiry, which nobody announces: per interval, one query for every session with an open stream
 * in this process and one for the team memberships those streams show. Runs only while streams
 * are open.
 */
function startRecheck(deps: Deps, registry: Registry): void {
  if (registry.timer) return;
  const everyMs = deps.config.LIVE_SESSION_RECHECK_SECONDS * 1000;
  registry.timer = setInterval(() => {
    const ids = [...registry.watchers.keys()];
    if (ids.length === 0) return;
    endedAmong(deps, ids).then(
      (ended) => endSessions(registry, ended),
      (err: Error) => deps.log.warn({ err: err.message }, "periodic session check for live streams failed"),
    );
    lostMemberships(deps, [...registry.watchers.values()].flatMap((set) => [...set])).then(
      (lost) => lost.forEach((w) => w.end()),
      (err: Error) => deps.log.warn({ err: err.message }, "periodic team membership check for live streams failed"),
    );
  }, everyMs);
  registry.timer.unref();
}

/**
 * Binds a live stream to the session it was authorised with and, when given, the team membership
 * it shows data of. Streams are authorised once, when they open; without this, a stream kept
 * delivering after sign-out, a revoke, a password change or a removal from the team (which
 * announces the member's sessions on the bus: src/server/teams/member-ended.ts; the periodic
 * check covers a lost announcement). Both are checked once more after the watch is registered,
 * so an end that raced the stream's opening is not missed.
 */
export async function guardStream(deps: Deps, session: { id: number }, clientSignal: AbortSignal | undefined, member?: StreamMember): Promise<SessionGuard> {
  const registry = registryFor(deps);
  const controller = new AbortController();
  let ended = false;
  const end = () => {
    ended = true;
    controller.abort();
  };
  const leave = () => controller.abort();
  clientSignal?.addEventListener("abort", leave, { once: true });
  if (clientSignal?.aborted) leave();

  const watcher: Watcher = { end, member };
  let set = registry.watchers.get(session.id);
  if (!set) registry.watchers.set(session.id, (set = new Set()));
  set.add(watcher);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clientSignal?.removeEventListener("abort", leave);
    const current = registry.watchers.get(session.id);
    current?.delete(watcher);
    if (current?.size === 0) registry.watchers.delete(session.id);
    if (registry.watchers.size === 0 && registry.timer) {
      clearInterval(registry.timer);
      registry.timer = null;
    }
  };

  try {
    await subscribe(deps, registry);
    startRecheck(deps, registry);
    const [endedSessions, lost] = await Promise.all([endedAmong(deps, [session.id]), lostMemberships(deps, [watcher])]);
    if (endedSessions.length > 0 || lost.length > 0) end();
  } catch (err) {
    release();
    throw err;
  }
  return { signal: controller.signal, ended: () => ended, release };
}
