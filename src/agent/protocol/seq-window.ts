/**
 * Replay guard for one connection: remembers the last `size` sequence numbers seen and refuses a
 * duplicate of any of them or anything older than the window (PROTOCOL.md check 5).
 */
export class SeqWindow {
  private readonly seen = new Set<number>();
  private highest = 0;
  private replays = 0;

  constructor(private readonly size = 256) {}

  /** True when `seq` is new and now recorded; false when it is a replay to drop. */
  accept(seq: number): boolean {
    if (seq <= this.highest - this.size || this.seen.has(seq)) {
      this.replays += 1;
      return false;
    }
    this.seen.add(seq);
    if (seq > this.highest) this.highest = seq;
    // Pruning lazily keeps accept() O(1) amortised on long-lived connections.
    if (this.seen.size > this.size * 4) {
      const floor = this.highest - this.size;
      for (const s of this.seen) if (s <= floor) this.seen.delete(s);
    }
    return true;
  }

  get replayCount(): number {
    return this.replays;
  }
}
