import type { CommittedTransition } from '../domain/presence.events';

/** A transition as replayed, with the type its user had then (a leave carries none of its own). */
export interface ReplayedTransition {
  readonly transition: CommittedTransition;
  readonly userType: string | null;
}

/**
 * The last `capacity` transitions this node delivered, to resume a subscriber from the seq it last saw. It answers
 * only for a seq it covers entirely: from the first transition it saw (or after a gap) onwards.
 */
export class ReplayBuffer {
  private readonly ring: Array<ReplayedTransition | undefined>;
  private start = 0;
  private count = 0;
  /** Every transition with a seq above this one is in the buffer. */
  private coveredAfter: number;

  constructor(
    private readonly capacity: number,
    startSeq: number,
  ) {
    this.ring = new Array<ReplayedTransition | undefined>(capacity);
    this.coveredAfter = startSeq;
  }

  add(entry: ReplayedTransition): void {
    if (this.count === this.capacity) {
      const evicted = this.ring[this.start] as ReplayedTransition;
      this.coveredAfter = Math.max(this.coveredAfter, evicted.transition.seq);
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.ring[(this.start + this.count) % this.capacity] = entry;
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
  between(since: number, until: number): ReplayedTransition[] | undefined {
    if (since < this.coveredAfter) return undefined;
    const found: ReplayedTransition[] = [];
    for (let i = 0; i < this.count; i++) {
      const entry = this.ring[(this.start + i) % this.capacity] as ReplayedTransition;
      if (entry.transition.seq > since && entry.transition.seq <= until) found.push(entry);
    }
    return found;
  }
}
