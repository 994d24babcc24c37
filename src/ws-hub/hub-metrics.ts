import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { isWorkerMessageType } from "../protocol/worker-messages";

/** Prometheus metrics of one hub process (served on /metrics). */
export class HubMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: "wh_hub_connections", help: "Live worker WebSocket connections", registers: [this.registry] });
  readonly framesIn = new Counter({ name: "wh_hub_frames_in_total", help: "Frames received, by message type", labelNames: ["type"], registers: [this.registry] });
  readonly framesOut = new Counter({ name: "wh_hub_frames_out_total", help: "Frames sent, by message type", labelNames: ["type"], registers: [this.registry] });
  readonly rejected = new Counter({ name: "wh_hub_frames_rejected_total", help: "Frames answered with an error or dropped, by reason", labelNames: ["reason"], registers: [this.registry] });
  readonly replays = new Counter({ name: "wh_hub_replays_dropped_total", help: "Frames dropped by the sequence window", registers: [this.registry] });
  readonly logBytes = new Counter({ name: "wh_hub_log_bytes_total", help: "Bytes of runtime/build log data accepted", labelNames: ["kind"], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: "wh_hub_queue_depth", help: "Items waiting, by queue", labelNames: ["queue"], registers: [this.registry] });
  readonly dbBatch = new Histogram({
    name: "wh_hub_db_batch_seconds",
    help: "Latency of batched database writes",
    labelNames: ["batch", "outcome"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly authFailures = new Counter({ name: "wh_hub_auth_failures_total", help: "Refused worker authentications", labelNames: ["endpoint"], registers: [this.registry] });
  readonly jobsPushed = new Counter({ name: "wh_hub_jobs_pushed_total", help: "Job frames sent", labelNames: ["trigger"], registers: [this.registry] });
  readonly closes = new Counter({ name: "wh_hub_connection_closes_total", help: "Connections closed, by close code", labelNames: ["code"], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "wh_hub_" });
  }

  /** Message types as labels are bounded: anything unknown counts as "unknown". */
  typeLabel(type: string): string {
    return isWorkerMessageType(type) || type === "error" ? type : "unknown";
  }
}
