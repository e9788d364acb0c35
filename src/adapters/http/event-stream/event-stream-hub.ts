import { maySee, type AudienceRules, type Viewer } from '../../../domain/audience';
import type { TransitionConsumer } from '../../../domain/ports/transition-feed.port';
import { isOnline, OFFLINE } from '../../../domain/presence-state';
import type { CommittedTransition } from '../../../domain/presence.events';
import { tenantOf, userKeyOf } from '../../../domain/presence.types';
import { ReplayBuffer } from '../../../application/replay-buffer';
import type { EventStreamClient } from './event-stream-client';
import { streamEventOf } from '../../presence-events/presence-event-of';
import { sseFrame } from './sse-frame';

/**
 * CONTRACT §10's event stream on this node: every transition the node delivers (in seq order, the same numbering on
 * every node of a cluster) to each consumer that may see it, and the last `replaySize` of them, to resume a consumer
 * from its `Last-Event-ID`.
 */
export class EventStreamHub implements TransitionConsumer {
  private readonly clients = new Set<EventStreamClient>();
  private readonly replay: ReplayBuffer;
  private lastSeq = 0;
  private started = 0;

  constructor(
    private readonly rules: AudienceRules,
    replaySize: number,
  ) {
    this.replay = new ReplayBuffer(replaySize, 0);
  }

  /** The seq this node started after: nothing at or before it can be replayed. */
  get startSeq(): number {
    return this.started;
  }

  get seq(): number {
    return this.lastSeq;
  }

  get size(): number {
    return this.clients.size;
  }

  deliver(transition: CommittedTransition): void {
    this.lastSeq = Math.max(this.lastSeq, transition.seq);
    this.replay.add({ transition, userType: null });
    // Encoded once for every consumer told it as it is, once for those told that the user went out of their sight.
    const frames: { as?: string; lost?: string } = {};
    for (const client of this.clients) {
      const told = this.toldAs(client.viewer, transition);
      if (told === undefined) continue;
      const frame = (frames[told] ??= this.frameOf(transition, told));
      client.send(transition.seq, frame);
    }
  }

  /** The node starts delivering after `seq`: a cursor at or before it cannot be replayed. */
  startAt(seq: number): void {
    this.replay.restartAt(seq);
    this.lastSeq = Math.max(this.lastSeq, seq);
    this.started = seq;
  }

  missedBefore(seq: number): void {
    this.replay.restartAt(seq);
  }

  add(client: EventStreamClient): void {
    this.clients.add(client);
  }

  remove(client: EventStreamClient): void {
    this.clients.delete(client);
  }

  /** The events after `since` the viewer may see, as frames, up to now; undefined when they are not all held. */
  replayFor(viewer: Viewer, since: number): string | undefined {
    const missed = this.replay.between(since, this.lastSeq);
    if (missed === undefined) return undefined;
    let frames = '';
    for (const { transition } of missed) {
      const told = this.toldAs(viewer, transition);
      if (told !== undefined) frames += this.frameOf(transition, told);
    }
    return frames;
  }

  /**
   * How this viewer is told the transition, if at all (CONTRACT §9): `as` it is, when it sees the user before or
   * after; `lost`, as the user going offline, when a type change takes the user out of its sight.
   */
  private toldAs(viewer: Viewer, transition: CommittedTransition): 'as' | 'lost' | undefined {
    const user = { tenant: tenantOf(transition), key: userKeyOf(transition.userId) };
    const { from, to } = transition;
    const sawBefore = isOnline(from) && maySee(this.rules, viewer, { ...user, userType: from.userType });
    const seesAfter = isOnline(to) && maySee(this.rules, viewer, { ...user, userType: to.userType });
    if (seesAfter) return 'as';
    if (!sawBefore) return undefined;
    return isOnline(to) ? 'lost' : 'as';
  }

  private frameOf(transition: CommittedTransition, told: 'as' | 'lost'): string {
    return sseFrame(transition.seq, 'presence', streamEventOf(transition, told === 'lost' ? OFFLINE : transition.to));
  }
}
