import type { OnlineState } from '../presence-state';
import type { CommittedTransition } from '../presence.events';
import type { TenantUser } from '../presence.types';

/** Takes committed transitions on this node: the clients' broadcasts, the subscriptions, and whatever comes next. */
export interface TransitionConsumer {
  /** A transition that changes what this node's consumers were told, in seq order. */
  deliver(transition: CommittedTransition): void;
  /** Transitions up to `seq` may have been missed: nothing before it can be replayed any more. */
  missedBefore(seq: number): void;
}

/** Committed transitions in seq order: the one path every consumer takes them from, whatever the store. */
export interface TransitionFeed {
  subscribe(consumer: TransitionConsumer): void;
  /** The seq of the last transition delivered; before the first, the seq numbering started after. */
  readonly lastSeq: number;
}

/** Where a store hands its committed transitions: an in-memory store as it commits, a shared one as it reads them. */
export interface TransitionSink {
  publish(transition: CommittedTransition): void;
  /** The next transition follows a gap: those up to `seq` were not handed over and may be lost. */
  gap(seq: number): void;
}

/**
 * What this node's consumers were told of who is online, and as what: where a transition takes what its source
 * does not carry (a leave read from Redis's stream, whose format has no `from`; a correction after missed ones).
 */
export interface ToldPresence {
  /** The users the consumers were told are online. */
  believedOnline(): TenantUser[];
  /** The state the consumers were told a user has; undefined for one they were told is offline, or not told of. */
  toldStateOf(user: TenantUser): OnlineState | undefined;
}
