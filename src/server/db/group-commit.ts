export interface GroupCommitOptions<T> {
  /** Apply at once when this much is waiting (counted with `weight`) … */
  maxItems: number;
  /** … or this long after the first waiting item. */
  maxDelayMs: number;
  /** How much one item counts towards `maxItems` (default 1; e.g. the lines in a log frame). */
  weight?: (item: T) => number;
  /**
   * Batches that may be in flight at once (default 1). With more, batches still start in order
   * and each lane applies its batches in order.
   */
  lanes?: number;
  /** Called after each batch with its weight, its duration and whether it was stored. */
  onBatch?: (weight: number, seconds: number, ok: boolean) => void;
}

/**
 * Gathers small writes for a few milliseconds and applies them with one statement, so a thousand
 * workers' heartbeats cost one transaction (one WAL flush) per tick instead of one each. Each
 * caller's promise settles with its own result once the batch it joined is committed, or
 * rejects when that batch fails — nothing is acknowledged before it is stored.
 */
export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: Error) => void }[] = [];
  private queuedWeight = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly lanes: Promise<void>[];
  private nextLane = 0;
  private immediate = false;

  constructor(
    /** Applies a batch; returns one result per item, in order. */
    private readonly apply: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions<T>,
  ) {
    this.lanes = Array.from({ length: Math.max(1, options.lanes ?? 1) }, () => Promise.resolve());
  }

  /** The weight waiting to be applied (a queue-depth metric). */
  get pending(): number {
    return this.queuedWeight;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.queuedWeight += this.options.weight?.(item) ?? 1;
      if (this.queuedWeight >= this.options.maxItems || this.immediate) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.options.maxDelayMs);
    });
  }

  /** Applies everything waiting and waits for every batch in flight. */
  async flush(): Promise<void> {
    this.kick();
    await Promise.all(this.lanes);
  }

  /** From now on every submit is applied at once (shutdown: nothing may wait for a timer). */
  flushImmediately(): void {
    this.immediate = true;
    this.kick();
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    const weight = this.queuedWeight;
    if (batch.length === 0) return;
    this.queue = [];
    this.queuedWeight = 0;
    const lane = this.nextLane;
    this.nextLane = (lane + 1) % this.lanes.length;
    this.lanes[lane] = this.lanes[lane]!.then(async () => {
      const started = performance.now();
      try {
        const results = await this.apply(batch.map((b) => b.item));
        this.options.onBatch?.(weight, (performance.now() - started) / 1000, true);
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (err) {
        this.options.onBatch?.(weight, (performance.now() - started) / 1000, false);
        for (const b of batch) b.reject(err as Error);
      }
    });
  }
}
