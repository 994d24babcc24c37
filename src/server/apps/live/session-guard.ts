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

interface Registry {
  /** Session id → what to call when that session ends. */
  watchers: Map<number, Set<() => void>>;
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
  for (const id of ids) for (const end of registry.watchers.get(id) ?? []) end();
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

/**
 * The fallback for a lost bus message (bus down, another process's publish failed) and for
 * expiry, which nobody announces: one query per interval for every session with an open stream
 * in this process. Runs only while streams are open.
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
  }, everyMs);
  registry.timer.unref();
}

/**
 * Binds a live stream to the session it was authorised with. Streams are authorised once, when
 * they open; without this, a stream kept delivering after sign-out, a revoke or a password
 * change. The session is checked once more after the watch is registered, so a revocation that
 * raced the stream's opening is not missed.
 */
export async function guardStream(deps: Deps, session: { id: number }, clientSignal: AbortSignal | undefined): Promise<SessionGuard> {
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

  let set = registry.watchers.get(session.id);
  if (!set) registry.watchers.set(session.id, (set = new Set()));
  set.add(end);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clientSignal?.removeEventListener("abort", leave);
    const current = registry.watchers.get(session.id);
    current?.delete(end);
    if (current?.size === 0) registry.watchers.delete(session.id);
    if (registry.watchers.size === 0 && registry.timer) {
      clearInterval(registry.timer);
      registry.timer = null;
    }
  };

  try {
    await subscribe(deps, registry);
    startRecheck(deps, registry);
    if ((await endedAmong(deps, [session.id])).length > 0) end();
  } catch (err) {
    release();
    throw err;
  }
  return { signal: controller.signal, ended: () => ended, release };
}
