import { CLOSE_CODES } from "../../protocol/close-codes";
import type { WorkerConnection } from "./worker-connection";

/** The live connection of each worker held by this hub; one per worker (the newest wins). */
export class ConnectionRegistry {
  private readonly byWorker = new Map<number, WorkerConnection>();
  private readonly sweeper: NodeJS.Timeout;

  /** The sweep runs often enough to honour the shortest configured timer (tests shorten them). */
  constructor(sweepIntervalMs = 1_000) {
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const conn of this.byWorker.values()) conn.tick(now);
    }, sweepIntervalMs);
    this.sweeper.unref();
  }

  /** Registers the connection, closing any older one of the same worker with 4000. */
  add(conn: WorkerConnection): void {
    const previous = this.byWorker.get(conn.worker.id);
    this.byWorker.set(conn.worker.id, conn);
    if (previous && previous !== conn) previous.close(CLOSE_CODES.replaced, "replaced");
  }

  /** Forgets the connection if it is still the worker's current one. */
  remove(conn: WorkerConnection): boolean {
    if (this.byWorker.get(conn.worker.id) !== conn) return false;
    this.byWorker.delete(conn.worker.id);
    return true;
  }

  get(workerId: number): WorkerConnection | undefined {
    const conn = this.byWorker.get(workerId);
    return conn && !conn.closed ? conn : undefined;
  }

  all(): WorkerConnection[] {
    return [...this.byWorker.values()];
  }

  get size(): number {
    return this.byWorker.size;
  }

  stop(): void {
    clearInterval(this.sweeper);
  }
}
