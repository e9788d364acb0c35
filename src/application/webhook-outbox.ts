import type { OutboxEvent } from './webhook-feed';

/**
 * The events webhooks deliver (CONTRACT §10), in seq order, until every endpoint has acknowledged them or they are
 * too old. Each endpoint reads after its own cursor; an event leaves when no endpoint needs it any more.
 */
export class WebhookOutbox {
  private events: OutboxEvent[] = [];
  /** Where the array's live part starts: taking from the front is a move of this index, compacted now and then. */
  private head = 0;

  append(event: OutboxEvent): void {
    this.events.push(event);
  }

  /** Up to `max` events after `seq`, in order. */
  after(seq: number, max: number): OutboxEvent[] {
    const from = this.indexAfter(seq);
    return this.events.slice(from, from + max);
  }

  /** How many events are after `seq`. */
  countAfter(seq: number): number {
    return this.events.length - this.indexAfter(seq);
  }

  /** The oldest event after `seq`, if any. */
  oldestAfter(seq: number): OutboxEvent | undefined {
    return this.events[this.indexAfter(seq)];
  }

  get size(): number {
    return this.events.length - this.head;
  }

  private indexAfter(seq: number): number {
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.events[mid] as OutboxEvent).seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Lets go of the events every endpoint has (at or before `acknowledgedBy`), and of those appended before `before`
   * (too old to send): says how many of the latter were dropped unsent.
   */
  release(acknowledgedBy: number, before: number): number {
    let dropped = 0;
    while (this.head < this.events.length) {
      const first = this.events[this.head] as OutboxEvent;
      if (first.seq > acknowledgedBy && first.at >= before) break;
      if (first.seq > acknowledgedBy) dropped += 1;
      this.head += 1;
    }
    this.compact();
    return dropped;
  }

  /** Drops the `count` oldest events, sent or not (the outbox is over its size): says how many it dropped. */
  dropOldest(count: number): number {
    const dropped = Math.max(0, Math.min(count, this.size));
    this.head += dropped;
    this.compact();
    return dropped;
  }

  private compact(): void {
    if (this.head > 1_024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }
}
