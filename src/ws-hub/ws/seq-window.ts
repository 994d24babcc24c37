/**
 * Replay protection for one connection: remembers the last 256 seqs. A seq already seen inside
 * the window, or lower than the window's floor (highest − 255), is a replay.
 */
export class SeqWindow {
  private highest = 0;
  private readonly seen = new Set<number>();

  constructor(private readonly size = 256) {}

  /** True (and remembered) when the seq is new; false when it must be dropped. */
  accept(seq: number): boolean {
    const floor = this.highest - this.size + 1;
    if (seq < floor || this.seen.has(seq)) return false;
    this.seen.add(seq);
    if (seq > this.highest) {
      this.highest = seq;
      const newFloor = seq - this.size + 1;
      // Pruning only when the set grows past a multiple keeps accept() O(1) amortised.
      if (this.seen.size > this.size * 4) for (const s of this.seen) if (s < newFloor) this.seen.delete(s);
    }
    return true;
  }
}
