import { z } from "zod";
import type { ErrorPayload } from "./error-codes";
import { nonNegative, rowId } from "./fields";
import { runtimeReportSchema } from "./runtime-report";

/** Runtime log limits (docs/worker-protocol.md, "Worker → hub", `runtime_log`). */
export const MAX_LOG_LINES_PER_FRAME = 5000;
export const MAX_LOG_LINE_BYTES = 8 * 1024;

/** Payloads (the JSON inside `data`) of worker → hub messages. Unknown keys are ignored. */
export const workerMessageSchemas = {
  heartbeat: z.object({
    status: z.enum(["online", "draining"]),
    /** CPU cores in use on the machine. */
    cpu_used: nonNegative,
    /** MiB of memory in use. */
    mem_used: z.number().int().min(0).max(2_147_483_647),
    /** MiB of disk in use. */
    disk_used: z.number().int().min(0).max(2_147_483_647).optional(),
    running_apps: z.number().int().min(0).max(1_000_000),
  }),
  app_stats: z.object({
    apps: z
      .array(
        z.object({
          app_id: rowId,
          cpu_pct: nonNegative,
          mem_bytes: nonNegative,
          mem_limit: nonNegative,
          net_mbps: nonNegative,
          net_total_bytes: nonNegative,
          disk_mbps: nonNegative,
        }),
      )
      .max(10_000),
  }),
  job_status: z.object({
    job_id: rowId,
    status: z.literal("processing"),
    message: z.string().max(2000).default(""),
    progress: z.number().int().min(0).max(100),
  }),
  job_result: z.object({
    job_id: rowId,
    status: z.enum(["completed", "failed"]),
    container_id: z.string().max(256).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    logs: z.string().optional(),
    commit_sha: z.string().max(64).optional(),
    commit_message: z.string().max(4000).optional(),
    error: z.string().max(10_000).optional(),
    /** How the app now runs (a completed deploy, start or restart); src/protocol/runtime-report.ts. */
    runtime: runtimeReportSchema.optional(),
  }),
  app_status: z.object({
    app_id: rowId,
    status: z.enum(["running", "stopped", "crashed"]),
    reason: z.string().max(2000).optional(),
  }),
  violation: z.object({
    app_id: rowId,
    reason: z.string().min(1).max(2000),
  }),
  runtime_log: z.object({
    lines: z
      .array(
        z.object({
          app_id: rowId,
          /** When the line was written: an RFC 3339 string or Unix time in milliseconds. */
          ts: z.union([z.iso.datetime({ offset: true }), z.number().int().min(0).max(8_640_000_000_000_000)]),
          stream: z.enum(["stdout", "stderr"]),
          line: z.string(),
        }),
      )
      .min(1)
      .max(MAX_LOG_LINES_PER_FRAME),
  }),
  build_log: z.object({
    deployment_id: rowId,
    chunk: z.string(),
  }),
} as const;

export type WorkerMessageType = keyof typeof workerMessageSchemas;
export type WorkerMessage<T extends WorkerMessageType> = z.infer<(typeof workerMessageSchemas)[T]>;

export function isWorkerMessageType(type: string): type is WorkerMessageType {
  return Object.prototype.hasOwnProperty.call(workerMessageSchemas, type);
}

/** Everything a worker sends: the messages above plus `error`, which the hub logs and never answers. */
export type WorkerFrames = { [T in WorkerMessageType]: WorkerMessage<T> } & { error: ErrorPayload };
export type WorkerFrameType = keyof WorkerFrames;

export type HeartbeatPayload = WorkerMessage<"heartbeat">;
export type JobResultPayload = WorkerMessage<"job_result">;
/** One `runtime_log` line as the agent writes it: `ts` always an RFC 3339 string. */
export type RuntimeLogLine = WorkerMessage<"runtime_log">["lines"][number] & { ts: string };
