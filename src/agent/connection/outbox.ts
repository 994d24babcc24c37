import type { WorkerFrameType, WorkerFrames } from "../../protocol/worker-messages";

export interface PendingFrame<T extends WorkerFrameType = WorkerFrameType> {
  type: T;
  payload: WorkerFrames[T];
  re: number;
}

/**
 * Frames that must reach the hub even across a disconnect (job progress, results, app states).
 * They are signed only when sent, so their `seq` and `ts` belong to the connection that carries
 * them. Bounded: when the hub stays away long enough, the oldest non-result frames go first; a
 * job_result is never dropped, since without it the job would hang until the stuck timeout.
 */
export class Outbox {
  private readonly frames: PendingFrame[] = [];

  constructor(private readonly limit = 5_000) {}

  push(frame: PendingFrame): void {
    this.frames.push(frame);
    if (this.frames.length > this.limit) {
      const victim = this.frames.findIndex((f) => f.type !== "job_result");
      if (victim >= 0) this.frames.splice(victim, 1);
    }
  }

  /** Takes everything queued, oldest first. */
  drain(): PendingFrame[] {
    return this.frames.splice(0, this.frames.length);
  }

  /** Puts frames back at the front (the socket died while flushing). */
  restore(frames: PendingFrame[]): void {
    this.frames.unshift(...frames);
  }

  get size(): number {
    return this.frames.length;
  }
}
