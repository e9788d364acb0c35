import type { Logger } from 'pino';
import type { TransitionConsumer } from '../../../domain/ports/transition-feed.port';
import type { CommittedTransition } from '../../../domain/presence.events';
import type { OnlineUser } from '../../../domain/presence.types';
import type { PresenceDiffPayload, PresenceStatePayload } from '../../../protocol/socket-events';
import type { PresenceServer, PresenceSocket } from '../socket.types';
import { DeliveredTransitions } from './delivered-transitions';
import { FlushedSnapshot } from './flushed-snapshot';
import type { PresenceScope } from './presence-scope';
import { diffFor, stateFor, type StatusReader } from './scope-encoding';
import { resumedWaiter, type SubscriptionGroup } from './subscription-group';
import { SubscriptionGroups } from './subscription-groups';

/**
 * Connections that have not subscribed are in this room, and §1's `userStatusChanged` goes to it: a broadcast then
 * costs the connections that get it, not a pass over every connection to leave the subscribed ones out.
 */
export const EVENTS_ROOM = 'presence:events';

export interface SubscriptionHubSettings {
  readonly replaySize: number;
}

/** Counts what the hub writes: one frame per receiving connection. */
export interface FrameCounter {
  frames(event: string, connections: number): void;
}

/**
 * §7 for this node's clients. Transitions the node delivers collect in a window; every interval the window's net
 * change is applied to the flushed snapshot and sent as one `presenceDiff` per scope, encoded once for all the
 * connections that share that scope (a Socket.IO room). A new subscriber gets the snapshot as `presenceState` at the
 * next flush (so a reconnect wave shares that encoding too), or, resuming with `since`, one diff replayed from the
 * buffer at once, up to the last transition delivered (flushed or not).
 */
export class SubscriptionHub implements TransitionConsumer {
  private readonly snapshot = new FlushedSnapshot();
  private readonly delivered: DeliveredTransitions;
  private readonly groups = new SubscriptionGroups();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly io: PresenceServer,
    private readonly statusesOf: StatusReader,
    settings: SubscriptionHubSettings,
    private readonly counter: FrameCounter,
    private readonly logger: Logger,
  ) {
    this.delivered = new DeliveredTransitions(settings.replaySize, (key) => this.snapshot.get(key)?.userType ?? null);
  }

  /** Starts from the users online now, current to `seq`. */
  seed(users: readonly OnlineUser[], seq: number): void {
    this.snapshot.seed(users, seq);
    this.delivered.startAt(seq);
  }

  /** A committed transition, in seq order: in the next flush's diff, and replayable from now on. */
  deliver(transition: CommittedTransition): void {
    this.delivered.add(transition);
  }

  /** Transitions were missed: replays cannot reach back before `seq` any more. */
  missedBefore(seq: number): void {
    this.delivered.missedBefore(seq);
  }

  /** The seq a subscriber is current to after this node's next flush (or now, when nothing is pending). */
  get seq(): number {
    return Math.max(this.snapshot.seq, this.delivered.seq);
  }

  isSubscribed(socket: PresenceSocket): boolean {
    return this.groups.of(socket.id) !== undefined;
  }

  /**
   * Subscribes (or re-subscribes) a connection. Resolves with the seq its first state or diff is current to: at once
   * for a replay, at the next flush for a state.
   */
  subscribe(socket: PresenceSocket, scope: PresenceScope, since: number | undefined): Promise<number> {
    this.unsubscribe(socket);
    const group = this.groups.assign(socket.id, scope);
    void socket.leave(EVENTS_ROOM);

    const replayed = since === undefined ? undefined : this.replayFor(scope, since);
    if (replayed === undefined) return new Promise((resolve, reject) => group.addWaiting(socket, { resolve, reject }));
    socket.emit('presenceDiff', replayed);
    this.counter.frames('presenceDiff', 1);
    if (replayed.seq > this.snapshot.seq) group.catchingUp.set(socket.id, replayed.seq);
    else group.addMember(socket);
    return Promise.resolve(replayed.seq);
  }

  /** Connections start with §1's events. */
  accept(socket: PresenceSocket): void {
    void socket.join(EVENTS_ROOM);
  }

  /** Back to §1's events. */
  unsubscribe(socket: PresenceSocket): void {
    const group = this.groups.release(socket.id);
    if (group === undefined) return;
    group.remove(socket, this.snapshot.seq);
    if (socket.connected) void socket.join(EVENTS_ROOM);
    this.groups.dropIfUnused(group);
  }

  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Stops the window; subscribes still waiting for a state are answered, so that nothing waits for ever. */
  stop(): void {
    clearInterval(this.timer);
    for (const group of this.groups.all()) for (const [, waiter] of group.takeWaiting()) waiter.resolve(this.snapshot.seq);
  }

  /** Sends the window's net change to every scope, then states to those waiting for one. Never two at once. */
  flush(): Promise<void> {
    this.flushing ??= this.sendWindowAndStates()
      .catch((error: unknown) => this.logger.error({ err: error }, 'presence diff flush failed'))
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private async sendWindowAndStates(): Promise<void> {
    const net = this.delivered.takeUnflushed();
    if (net !== undefined) {
      this.snapshot.apply(net);
      // Costs the changes times the groups they concern, and one encoding per group (a room), not per connection.
      for (const [group, change] of this.groups.split(net)) {
        if (group.members.size === 0) continue;
        this.io.local.to(group.diffRoom).emit('presenceDiff', diffFor(group.scope, change, this.snapshot.seq));
        this.counter.frames('presenceDiff', group.members.size);
      }
    }
    for (const group of this.groups.all()) if (group.catchingUp.size > 0) this.catchUp(group);
    for (const group of this.groups.all()) if (group.waitingForState.size > 0) await this.sendState(group);
  }

  /**
   * Resumed connections join the scope's diffs, each first sent what followed its replay (one encoding per seq they
   * were replayed to); one whose part the buffer no longer holds gets a state in this flush instead.
   */
  private catchUp(group: SubscriptionGroup): void {
    for (const [seq, socketIds] of group.takeCatchingUp()) {
      const missed = this.delivered.between(seq, this.snapshot.seq);
      const diff = missed === undefined ? undefined : diffFor(group.scope, missed, this.snapshot.seq);
      const live = socketIds.map((id) => this.io.of('/').sockets.get(id)).filter((s) => s !== undefined);
      // Closed before their unsubscribe ran: `to([])` would mean every socket of the node.
      if (live.length === 0) continue;
      if (diff !== undefined && (diff.joins.length > 0 || diff.leaves.length > 0)) {
        this.io.local.to(live.map((s) => s.id)).emit('presenceDiff', diff);
        this.counter.frames('presenceDiff', live.length);
      }
      for (const socket of live) {
        if (diff === undefined) group.addWaiting(socket, resumedWaiter(socket));
        else group.addMember(socket);
      }
    }
  }

  /** One state for every connection waiting in the group, which then gets the group's diffs. */
  private async sendState(group: SubscriptionGroup): Promise<void> {
    const waiting = group.takeWaiting();
    let state: PresenceStatePayload;
    try {
      state = await stateFor(group.scope, this.snapshot, this.statusesOf);
    } catch (error) {
      // The state could not be read (persistence down): these subscribes fail, and their connections go back to §1.
      for (const [socketId, waiter] of waiting) {
        const socket = this.io.of('/').sockets.get(socketId);
        if (socket !== undefined) this.unsubscribe(socket);
        waiter.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return;
    }
    this.io.local.to(group.stateRoom).emit('presenceState', state);
    this.counter.frames('presenceState', waiting.length);
    for (const [socketId, waiter] of waiting) {
      const socket = this.io.of('/').sockets.get(socketId);
      if (socket !== undefined && this.groups.of(socketId) === group) group.promote(socket);
      waiter.resolve(state.seq);
    }
    this.groups.dropIfUnused(group);
  }

  /**
   * One diff with what a subscriber that saw `since` missed, if this node still holds all of it: every transition
   * delivered, those still in the window included, so that a resume never gets an empty diff and then the rest.
   */
  private replayFor(scope: PresenceScope, since: number): PresenceDiffPayload | undefined {
    const until = this.seq;
    // A seq this node has not reached (seen on a node ahead of this one) cannot be resumed from here.
    if (since > until || since < 0) return undefined;
    const missed = this.delivered.between(since, until);
    return missed === undefined ? undefined : diffFor(scope, missed, until);
  }
}
