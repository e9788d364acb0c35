import type { CommittedTransition } from '../presence.events';

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
