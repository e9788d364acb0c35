import { isOnline } from '../../../domain/presence-state';
import type { CommittedTransition } from '../../../domain/presence.events';
import type { UserKey } from '../../../domain/presence.types';
import { keyOfUser } from '../../../domain/presence.types';
import { ReplayBuffer } from '../../../application/replay-buffer';
import { netOf } from './scope-encoding';
import { TransitionWindow, type NetChange } from './transition-window';

/**
 * The transitions this node delivered, in seq order: those not flushed yet (the window), and the last `replaySize`
 * (the replay, to resume a subscriber from the seq it last saw). Each leave keeps the type its user had, from the
 * window or, before it, from `typeBefore` (the flushed picture), so that scopes by type see it.
 */
export class DeliveredTransitions {
  private readonly window: TransitionWindow;
  private replay: ReplayBuffer;

  constructor(
    private readonly replaySize: number,
    private readonly typeBefore: (key: UserKey) => string | null,
  ) {
    this.window = new TransitionWindow(typeBefore);
    this.replay = new ReplayBuffer(replaySize, 0);
  }

  add(transition: CommittedTransition): void {
    const key = keyOfUser(transition);
    const { to } = transition;
    const userType = isOnline(to) ? to.userType : (this.window.typeKnown(key) ?? this.typeBefore(key));
    this.window.add(transition);
    this.replay.add({ transition, userType });
  }

  /** A new start: nothing up to `seq` will be replayed. */
  startAt(seq: number): void {
    this.replay = new ReplayBuffer(this.replaySize, seq);
  }

  /** Transitions were missed: replays cannot reach back before `seq` any more. */
  missedBefore(seq: number): void {
    this.replay.restartAt(seq);
  }

  /** The seq of the last transition delivered (0 before any). */
  get seq(): number {
    return this.window.seq;
  }

  /** The net change of the transitions not flushed yet, which are then flushed; undefined when there are none. */
  takeUnflushed(): NetChange | undefined {
    if (this.window.size === 0) return undefined;
    const net = this.window.net();
    this.window.clear();
    return net;
  }

  /** The net change of the transitions after `since` up to `until`; undefined when the replay does not hold them all. */
  between(since: number, until: number): NetChange | undefined {
    const missed = this.replay.between(since, until);
    return missed === undefined ? undefined : netOf(missed);
  }
}
