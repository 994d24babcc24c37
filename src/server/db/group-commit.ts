/**
 * Gathers small writes for a few milliseconds and applies them with one statement, so a thousand
 * workers' heartbeats cost one transaction (one WAL flush) per tick instead of one each. Each
 * caller's promise settles with its own result once the batch it joined is committed, or
 * rejects when that batch fails — nothing is acknowledged before it is stored.
 */
export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: Error) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    /** Applies a batch; returns one result per item, in order. */
    private readonly apply: (items: T[]) => Promise<R[]>,
    private readonly options: { maxItems: number; maxDelayMs: number; onBatch?: (items: number, seconds: number, ok: boolean) => void },
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxItems) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.options.maxDelayMs);
    });
  }

  async flush(): Promise<void> {
    this.kick();
    await this.chain;
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.chain = this.chain.then(async () => {
      const started = performance.now();
      try {
        const results = await this.apply(batch.map((b) => b.item));
        this.options.onBatch?.(batch.length, (performance.now() - started) / 1000, true);
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (err) {
        this.options.onBatch?.(batch.length, (performance.now() - started) / 1000, false);
        for (const b of batch) b.reject(err as Error);
      }
    });
  }
}
