import type { TransitionConsumer, TransitionFeed, TransitionSink } from '../domain/ports/transition-feed.port';
import type { CommittedTransition } from '../domain/presence.events';
import type { UserId, UserKey } from '../domain/presence.types';
import { userKeyOf } from '../domain/presence.types';

/**
 * This node's one delivery path: what the store committed, in seq order, to every consumer. It keeps who the
 * consumers were told is online and passes on only a transition that changes that, so each consumer sees every
 * user's transitions alternating, even when after an outage a transition arrives twice or a correction is made.
 */
export class TransitionFanout implements TransitionFeed, TransitionSink {
  private readonly consumers: TransitionConsumer[] = [];
  private readonly online = new Map<UserKey, UserId>();
  // Declared, not defined as undefined first: a number field that starts undefined is boxed, one allocation per transition.
  private declare seq: number;

  constructor(startSeq: number) {
    this.seq = startSeq;
  }

  subscribe(consumer: TransitionConsumer): void {
    this.consumers.push(consumer);
  }

  get lastSeq(): number {
    return this.seq;
  }

  publish(transition: CommittedTransition): void {
    this.seq = Math.max(this.seq, transition.seq);
    if (!this.changesPicture(transition)) return;
    for (const consumer of this.consumers) consumer.deliver(transition);
  }

  gap(seq: number): void {
    for (const consumer of this.consumers) consumer.missedBefore(seq);
  }

  /** Starts from the users online now, current to `seq`, without telling anyone: consumers seed themselves. */
  seed(userIds: Iterable<UserId>, seq: number): void {
    for (const id of userIds) this.online.set(userKeyOf(id), id);
    this.seq = Math.max(this.seq, seq);
  }

  /** The users the consumers were told are online. */
  believedOnline(): UserId[] {
    return [...this.online.values()];
  }

  private changesPicture(transition: CommittedTransition): boolean {
    const key = userKeyOf(transition.userId);
    if (transition.type === 'UserWentOffline') return this.online.delete(key);
    if (this.online.has(key)) return false;
    this.online.set(key, transition.userId);
    return true;
  }
}
