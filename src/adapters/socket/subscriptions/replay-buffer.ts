import type { CommittedTransition } from '../../../domain/presence.events';

/**
 * The last `capacity` transitions this node delivered, to resume a subscriber from the seq it last saw. It answers
 * only for a seq it covers entirely: from the first transition it saw (or after a gap) onwards.
 */
export class ReplayBuffer {
  private readonly ring: Array<CommittedTransition | undefined>;
  private start = 0;
  private count = 0;
  /** Every transition with a seq above this one is in the buffer. */
  private coveredAfter: number;

  constructor(
    private readonly capacity: number,
    startSeq: number,
  ) {
    this.ring = new Array<CommittedTransition | undefined>(capacity);
    this.coveredAfter = startSeq;
  }

  add(transition: CommittedTransition): void {
    if (this.count === this.capacity) {
      const evicted = this.ring[this.start] as CommittedTransition;
      this.coveredAfter = Math.max(this.coveredAfter, evicted.seq);
      this.ring[this.start] = transition;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.ring[(this.start + this.count) % this.capacity] = transition;
      this.count += 1;
    }
  }

  /** Transitions were missed (the feed skipped): nothing before `seq` can be replayed any more. */
  restartAt(seq: number): void {
    this.start = 0;
    this.count = 0;
    this.coveredAfter = seq;
  }

  /** The transitions after `since` up to `until`, in order; undefined when some of them are not held. */
  between(since: number, until: number): CommittedTransition[] | undefined {
    if (since < this.coveredAfter) return undefined;
    const found: CommittedTransition[] = [];
    for (let i = 0; i < this.count; i++) {
      const t = this.ring[(this.start + i) % this.capacity] as CommittedTransition;
      if (t.seq > since && t.seq <= until) found.push(t);
    }
    return found;
  }
}
