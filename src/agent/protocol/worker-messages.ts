/** Worker → hub payloads (PROTOCOL.md, "Message types"). Field names are the wire names. */

export interface HeartbeatPayload {
  status: "online";
  /** Cores busy with this agent's apps. */
  cpu_used: number;
  /** MiB resident in this agent's apps. */
  mem_used: number;
  /** MiB on disk under the agent's app directories. */
  disk_used?: number;
  running_apps: number;
}

export interface AppStatsEntry {
  app_id: number;
  cpu_pct: number;
  mem_bytes: number;
  mem_limit: number;
  net_mbps: number;
  net_total_bytes: number;
  disk_mbps: number;
}

export interface JobStatusPayload {
  job_id: number;
  status: "processing";
  message: string;
  progress: number;
}

export interface JobResultPayload {
  job_id: number;
  status: "completed" | "failed";
  container_id?: string;
  port?: number;
  logs?: string;
  commit_sha?: string;
  commit_message?: string;
  error?: string;
}

export interface AppStatusPayload {
  app_id: number;
  status: "running" | "stopped" | "crashed";
  reason?: string;
}

export interface ViolationPayload {
  app_id: number;
  reason: string;
}

export interface RuntimeLogLine {
  app_id: number;
  /** RFC 3339 time the agent read the line. */
  ts: string;
  stream: "stdout" | "stderr";
  line: string;
}

export interface BuildLogPayload {
  deployment_id: number;
  chunk: string;
}

export interface WorkerMessages {
  heartbeat: HeartbeatPayload;
  app_stats: { apps: AppStatsEntry[] };
  job_status: JobStatusPayload;
  job_result: JobResultPayload;
  app_status: AppStatusPayload;
  violation: ViolationPayload;
  runtime_log: { lines: RuntimeLogLine[] };
  build_log: BuildLogPayload;
  error: { code: string; message: string };
}
export type WorkerMessageType = keyof WorkerMessages;
