import { getBuildLogs, getDeployment } from "../apps/deployments/list-deployments";
import { streamBuildLog, streamRuntimeLogs } from "../apps/live/live-streams";
import { authorizeToken } from "../api-tokens/authorize-token";
import { DomainError } from "../errors/domain-errors";
import type { ApiContext } from "./api-route";
import { lineSplitter, type SseEvent } from "./sse";
import { FINISHED_DEPLOYMENT, iso } from "./schemas";

/** How often a follow checks that the deployment is still running and the token still valid. */
const CHECK_MS = 1_000;

/**
 * Yields what `sources` push, in order, until one of them calls end(); then stops them all. A
 * small queue between producers (a service's live stream, a periodic check) and the SSE writer.
 */
async function* merged(signal: AbortSignal, start: (push: (e: SseEvent) => void, end: (err?: unknown) => void, stop: AbortSignal) => void): AsyncGenerator<SseEvent> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  const queue: SseEvent[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  start(
    (e) => {
      if (!done) queue.push(e);
      notify();
    },
    (err) => {
      done = true;
      failure = err;
      notify();
    },
    stop.signal,
  );
  try {
    while (true) {
      while (queue.length > 0) yield queue.shift()!;
      if (done || stop.signal.aborted) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        stop.signal.addEventListener("abort", () => resolve(), { once: true });
      });
    }
    if (failure) throw failure;
  } finally {
    stop.abort();
    signal.removeEventListener("abort", onAbort);
  }
}

/** Waits ms, or less when the stream stops. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** The token is still usable for the team now (not revoked or expired, its owner still a member). */
async function tokenStillValid(ctx: ApiContext): Promise<void> {
  const { db, now } = ctx.services;
  const row = await db.apiToken.findFirst({
    where: { id: ctx.token.tokenId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now() } }] },
    select: { team: { select: { deletedAt: true, members: { where: { userId: ctx.token.user.id }, select: { role: true } } } } },
  });
  if (!row) throw new DomainError("UNAUTHORIZED", "This token was revoked or expired while following; the stream stopped.");
  if (row.team.deletedAt || row.team.members.length === 0) throw new DomainError("FORBIDDEN", "The token's owner is no longer a member of its team; the stream stopped.");
}

/**
 * A deployment's build log as SSE (docs/api.md): `line` events from the deployments service's own
 * live stream (the one behind deployments.onBuildLog), then `end` with the final status once the
 * deployment has finished and the stored log has been sent to its last line.
 */
export function followBuildLog(ctx: ApiContext, deploymentId: number): AsyncGenerator<SseEvent> {
  authorizeToken(ctx.token, "deployments.onBuildLog");
  return merged(ctx.signal, (push, end, stop) => {
    const lines = lineSplitter();
    let sent = 0;
    const emit = (text: string) => {
      for (const line of lines.push(text)) push({ event: "line", data: { at: null, stream: "build", line } });
    };
    (async () => {
      for await (const e of streamBuildLog(ctx.services, ctx.token.actor, { deploymentId, lastEventId: null, signal: stop })) {
        if (e.data.offset + e.data.chunk.length <= sent) continue;
        emit(e.data.chunk.slice(Math.max(0, sent - e.data.offset)));
        sent = e.data.offset + e.data.chunk.length;
      }
    })().catch(end);
    const check = async () => {
      while (!stop.aborted) {
        await tokenStillValid(ctx);
        const d = await getDeployment(ctx.services, ctx.token.actor, { deploymentId });
        if (FINISHED_DEPLOYMENT.has(d.status)) {
          const { logs } = await getBuildLogs(ctx.services, ctx.token.actor, { deploymentId });
          if (logs.length > sent) emit(logs.slice(sent));
          sent = Math.max(sent, logs.length);
          for (const line of lines.flush()) push({ event: "line", data: { at: null, stream: "build", line } });
          push({ event: "end", data: { status: d.status, error: d.error ?? null } });
          end();
          return;
        }
        await sleep(CHECK_MS, stop);
      }
    };
    check().catch(end);
  });
}

/**
 * An app's runtime logs as SSE: the recent tail, then live `line` events until the client leaves.
 * Each line's id is its runtime_logs id, so a client reconnecting with Last-Event-ID gets the
 * lines after it and none it already has (an id that is not one is ignored: the tail again).
 */
export function followRuntimeLogs(ctx: ApiContext, appId: number): AsyncGenerator<SseEvent> {
  authorizeToken(ctx.token, "apps.onRuntimeLogs");
  const lastEventId = ctx.lastEventId && /^\d{1,18}$/.test(ctx.lastEventId) ? ctx.lastEventId : null;
  return merged(ctx.signal, (push, end, stop) => {
    (async () => {
      for await (const e of streamRuntimeLogs(ctx.services, ctx.token.actor, { appId, filter: {}, lastEventId, signal: stop })) {
        push({ id: e.id, event: "line", data: { at: iso(new Date(e.data.ts)), stream: e.data.stream, line: e.data.line } });
      }
    })().catch(end);
    const recheck = async () => {
      const every = ctx.services.config.LIVE_SESSION_RECHECK_SECONDS * 1000;
      while (!stop.aborted) {
        await sleep(every, stop);
        if (!stop.aborted) await tokenStillValid(ctx);
      }
    };
    recheck().catch(end);
  });
}
