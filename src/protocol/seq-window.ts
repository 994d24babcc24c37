/**
 * Replay protection for one connection (docs/worker-protocol.md, "Checks, in order", check 5):
 * remembers the last `size` seqs. A seq already seen inside the window, or lower than the
 * window's floor (highest − size + 1), is a replay. Seqs may arrive out of order inside it.
 */
export class SeqWindow {
  private highest = 0;
  private readonly seen = new Set<number>();
  private replays = 0;

  constructor(private readonly size = 256) {}

  /** True (and remembered) when the seq is new; false (and counted) when it must be dropped. */
  accept(seq: number): boolean {
    const floor = this.highest - this.size + 1;
    if (seq < floor || this.seen.has(seq)) {
      this.replays += 1;
      return false;
    }
    this.seen.add(seq);
    if (seq > this.highest) {
      this.highest = seq;
      const newFloor = seq - this.size + 1;
      // Pruning only when the set grows past a multiple keeps accept() O(1) amortised.
      if (this.seen.size > this.size * 4) for (const s of this.seen) if (s < newFloor) this.seen.delete(s);
    }
    return true;
  }

  /** Frames dropped as replays on this connection so far. */
  get replayCount(): number {
    return this.replays;
  }
}
