import type { Logger } from "pino";
import { applyAppStatus, applyViolation } from "../../server/worker-reports/app-status";
import { appendBuildLog } from "../../server/worker-reports/build-log";
import { storeRuntimeReport } from "../../server/worker-reports/runtime-report";
import { completeJob } from "../../server/jobs/complete-job";
import type { WorkerServiceDeps } from "../../server/workers/hub-deps";
import { afterJobCompleted } from "../../server/jobs/job-completion-effects";
import { updateJobStatus } from "../../server/jobs/job-status";
import { capUtf8, printableLogLine } from "../../server/worker-reports/log-text";
import { CLOSE_CODES } from "../../protocol/close-codes";
import { FrameError } from "../../protocol/frame-error";
import { MAX_LOG_LINE_BYTES, type WorkerMessage, type WorkerMessageType } from "../../protocol/worker-messages";
import type { GroupCommit } from "../../server/db/group-commit";
import type { HeartbeatWrite } from "../../server/workers/record-heartbeat";
import type { RuntimeLogWriter } from "../../server/worker-reports/runtime-log-writer";
import type { LiveStatsStore } from "../../server/stats/live-stats-store";
import type { StatsSnapshotPublisher } from "../../server/stats/stats-snapshot-publisher";
import type { HubMetrics } from "../hub-metrics";
import type { JobPusher } from "../ws/job-pusher";
import type { InboundFrame, WorkerConnection } from "../ws/worker-connection";
import type { OwnedAppsCache } from "./owned-apps-cache";

export interface HandlerContext {
  deps: WorkerServiceDeps;
  stats: LiveStatsStore;
  statsPublisher: StatsSnapshotPublisher;
  logWriter: RuntimeLogWriter;
  heartbeats: GroupCommit<HeartbeatWrite, boolean>;
  jobs: JobPusher;
  owned: OwnedAppsCache;
  metrics: HubMetrics;
  log: Logger;
}

type Handler<T extends WorkerMessageType> = (ctx: HandlerContext, conn: WorkerConnection, msg: WorkerMessage<T>, frame: InboundFrame) => Promise<void>;

function spendLogBudget(conn: WorkerConnection, frame: InboundFrame): void {
  if (!conn.logBucket.take(frame.dataBytes)) {
    throw new FrameError("rate_limited", "Log budget exceeded (256 KiB/s, 1 MiB burst); this frame was dropped. Send less or resend later.");
  }
}

function lineTime(ts: string | number): Date {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

const handlers: { [T in WorkerMessageType]: Handler<T> } = {
  async heartbeat(ctx, conn, msg) {
    const stillLive = await ctx.heartbeats.submit({ workerId: conn.worker.id, connectionId: conn.id, heartbeat: msg });
    if (!stillLive) conn.close(CLOSE_CODES.replaced, "replaced");
  },

  async app_stats(ctx, conn, msg) {
    await ctx.owned.assertOwned(conn, conn.worker.id, msg.apps.map((a) => a.app_id));
    const now = Date.now();
    const snapshots = msg.apps.map((a) => ({
      appId: a.app_id,
      workerId: conn.worker.id,
      cpuPct: a.cpu_pct,
      memBytes: a.mem_bytes,
      memLimit: a.mem_limit,
      netMbps: a.net_mbps,
      netTotalBytes: a.net_total_bytes,
      diskMbps: a.disk_mbps,
      updatedAt: now,
    }));
    ctx.stats.put(snapshots);
    ctx.statsPublisher.add(snapshots);
  },

  async job_status(ctx, conn, msg) {
    await updateJobStatus(ctx.deps, conn.worker.id, msg);
  },

  async job_result(ctx, conn, msg) {
    const done = await completeJob(ctx.deps.db, conn.worker.id, msg);
    if (done) {
      ctx.owned.forget(conn);
      if (done.appStatus === "deleted" || done.appStatus === "stopped") ctx.stats.delete(done.appId);
      // Before the app.changed notification, so the dashboard's refetch sees the new report.
      if (done.status === "completed" && msg.runtime && done.type !== "stop" && done.type !== "delete") {
        await storeRuntimeReport(ctx.deps, conn.worker.id, done.appId, msg.runtime);
      }
      await afterJobCompleted(ctx.deps, done);
    }
    await ctx.jobs.pushNext(conn, "result");
  },

  async app_status(ctx, conn, msg) {
    await applyAppStatus(ctx.deps, conn.worker.id, msg);
    if (msg.status !== "running") ctx.stats.delete(msg.app_id);
  },

  async violation(ctx, conn, msg) {
    await applyViolation(ctx.deps, conn.worker.id, msg);
    ctx.stats.delete(msg.app_id);
  },

  async runtime_log(ctx, conn, msg, frame) {
    spendLogBudget(conn, frame);
    await ctx.owned.assertOwned(conn, conn.worker.id, msg.lines.map((l) => l.app_id));
    const lines = msg.lines.map((l) => ({
      appId: l.app_id,
      workerId: conn.worker.id,
      ts: lineTime(l.ts),
      stream: l.stream,
      line: capUtf8(printableLogLine(l.line), MAX_LOG_LINE_BYTES),
    }));
    await ctx.logWriter.write(lines);
    ctx.metrics.logBytes.inc({ kind: "runtime" }, frame.dataBytes);
  },

  async build_log(ctx, conn, msg, frame) {
    spendLogBudget(conn, frame);
    await appendBuildLog(ctx.deps, conn.worker.id, msg);
    ctx.metrics.logBytes.inc({ kind: "build" }, frame.dataBytes);
  },
};

/** Routes a verified, validated frame to its handler. */
export function createDispatcher(ctx: HandlerContext) {
  return async (conn: WorkerConnection, frame: InboundFrame): Promise<void> => {
    const handler = handlers[frame.type] as Handler<WorkerMessageType>;
    await handler(ctx, conn, frame.payload as WorkerMessage<WorkerMessageType>, frame);
  };
}
