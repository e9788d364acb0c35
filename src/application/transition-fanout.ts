import type { ToldPresence, TransitionConsumer, TransitionFeed, TransitionSink } from '../domain/ports/transition-feed.port';
import type { OnlineState } from '../domain/presence-state';
import { isOnline, OFFLINE, onlineStateOfUser, samePresence } from '../domain/presence-state';
import { cameOnline, changedWhileOnline, type CommittedTransition } from '../domain/presence.events';
import type { OnlineUser, TenantUser, UserKey } from '../domain/presence.types';
import { keyOfUser, tenantPart } from '../domain/presence.types';

/** A user the consumers were told is online: its id as announced (and its tenant), and the state it was told with. */
interface ToldOnline extends TenantUser {
  readonly to: OnlineState;
}

/**
 * This node's one delivery path: what the store committed, in seq order, to every consumer. It keeps who the
 * consumers were told is online and passes on only a transition that changes that, so each consumer sees every
 * user's transitions alternating, even when after an outage a transition arrives twice or a correction is made.
 */
export class TransitionFanout implements TransitionFeed, TransitionSink, ToldPresence {
  private readonly consumers: TransitionConsumer[] = [];
  // A transition online is kept as it is (it holds the id and the state): nothing allocated per transition.
  private readonly online = new Map<UserKey, ToldOnline>();
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
    const delivered = this.asChangeOfPicture(transition);
    if (delivered === undefined) return;
    for (const consumer of this.consumers) consumer.deliver(delivered);
  }

  gap(seq: number): void {
    for (const consumer of this.consumers) consumer.missedBefore(seq);
  }

  /** Starts from the users online now, current to `seq`, without telling anyone: consumers seed themselves. */
  seed(users: Iterable<OnlineUser>, seq: number): void {
    for (const user of users) {
      this.online.set(keyOfUser(user), { ...tenantPart(user), userId: user.userId, to: onlineStateOfUser(user) });
    }
    this.seq = Math.max(this.seq, seq);
  }

  /** The users the consumers were told are online. */
  believedOnline(): TenantUser[] {
    return [...this.online.values()];
  }

  toldStateOf(user: TenantUser): OnlineState | undefined {
    return this.online.get(keyOfUser(user))?.to;
  }

  /**
   * The transition as a change of what the consumers were told, or undefined when it changes nothing: a change while
   * online of a user they were not told is online is, to them, the user coming online.
   */
  private asChangeOfPicture(transition: CommittedTransition): CommittedTransition | undefined {
    const key = keyOfUser(transition);
    if (!endsOnline(transition)) return this.online.delete(key) ? transition : undefined;
    const told = this.online.get(key);
    if (told !== undefined && (cameOnline(transition) || samePresence(told.to, transition.to))) return undefined;
    const delivered = told === undefined && changedWhileOnline(transition) ? { ...transition, from: OFFLINE, reason: 'online' as const } : transition;
    this.online.set(key, delivered);
    return delivered;
  }
}

const endsOnline = (transition: CommittedTransition): transition is CommittedTransition & ToldOnline => isOnline(transition.to);
