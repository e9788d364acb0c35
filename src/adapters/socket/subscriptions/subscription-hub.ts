import type { Logger } from 'pino';
import type { TransitionConsumer } from '../../../domain/ports/transition-feed.port';
import type { CommittedTransition } from '../../../domain/presence.events';
import type { OnlineUser } from '../../../domain/presence.types';
import type { PresenceDiffPayload, PresenceStatePayload } from '../../../protocol/socket-events';
import type { SocketAudience } from '../socket-audience';
import type { PresenceServer, PresenceSocket } from '../socket.types';
import { DeliveredTransitions } from './delivered-transitions';
import { FlushedSnapshot } from './flushed-snapshot';
import type { PresenceScope } from './presence-scope';
import { diffFor, isEmptyDiff, pictureStateFor, withOfflineListed, type StatusReader } from './scope-encoding';
import { resumedWaiter, type StateWaiter, type SubscribeAnswer, type SubscriptionGroup } from './subscription-group';
import { SubscriptionGroups, takeAll } from './subscription-groups';

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
 * buffer at once, up to the last transition delivered (flushed or not). A state that lists offline users is read
 * from persistence beside the flushes, never in their way: it is sent when read, followed by what changed meanwhile.
 */
export class SubscriptionHub implements TransitionConsumer {
  private readonly snapshot = new FlushedSnapshot();
  private readonly delivered: DeliveredTransitions;
  private readonly groups = new SubscriptionGroups();
  /** Groups with a connection to catch up, and with one waiting for a state, at the next flush. */
  private readonly toCatchUp = new Set<SubscriptionGroup>();
  private readonly toSendState = new Set<SubscriptionGroup>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly io: PresenceServer,
    private readonly audience: Pick<SocketAudience, 'joinEvents' | 'leaveEvents'>,
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
   * for a replay, when its state is sent for a state (or as `replaced`, when the connection subscribes again first).
   */
  subscribe(socket: PresenceSocket, scope: PresenceScope, since: number | undefined): Promise<SubscribeAnswer> {
    this.unsubscribe(socket);
    const group = this.groups.assign(socket.id, scope);
    this.audience.leaveEvents(socket);

    const replayed = since === undefined ? undefined : this.replayFor(scope, since);
    if (replayed === undefined) return new Promise((resolve, reject) => this.waitForState(group, socket, { resolve, reject }));
    socket.emit('presenceDiff', replayed);
    this.counter.frames('presenceDiff', 1);
    if (replayed.seq > this.snapshot.seq) this.catchUpLater(group, socket.id, replayed.seq);
    else group.addMember(socket);
    return Promise.resolve({ seq: replayed.seq });
  }

  /**
   * Connections start with §1's events, through the rooms of what they may see: a broadcast then costs the
   * connections that get it, not a pass over every connection to leave the subscribed ones out.
   */
  accept(socket: PresenceSocket): void {
    this.audience.joinEvents(socket);
  }

  /** Back to §1's events. */
  unsubscribe(socket: PresenceSocket): void {
    const group = this.groups.release(socket.id);
    if (group === undefined) return;
    group.remove(socket, this.snapshot.seq);
    if (socket.connected) this.audience.joinEvents(socket);
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
    for (const group of this.groups.all()) group.answerAll(this.snapshot.seq);
  }

  /**
   * Sends the window's net change to every scope, then states to those waiting for one. Resolves once the window and
   * the states it could send at once are out; states that wait for persistence follow when read.
   */
  flush(): Promise<void> {
    try {
      this.sendWindowAndStates();
    } catch (error) {
      this.logger.error({ err: error }, 'presence diff flush failed');
    }
    return Promise.resolve();
  }

  private sendWindowAndStates(): void {
    const net = this.delivered.takeUnflushed();
    if (net !== undefined) {
      this.snapshot.apply(net);
      // Costs the changes times the groups they concern, and one encoding per group (a room), not per connection.
      for (const [group, change] of this.groups.split(net)) {
        if (group.members.size === 0) continue;
        const diff = diffFor(group.scope, change, this.snapshot.seq);
        if (isEmptyDiff(diff)) continue;
        this.io.local.to(group.diffRoom).emit('presenceDiff', diff);
        this.counter.frames('presenceDiff', group.members.size);
      }
    }
    // Only the groups with someone to place: a flush costs what changed, not a pass over every scope.
    for (const group of takeAll(this.toCatchUp)) if (group.catchingUp.size > 0) this.catchUp(group);
    for (const group of takeAll(this.toSendState)) if (group.waitingForState.size > 0) this.sendState(group);
  }

  /** The connection gets the group's state at the next flush. */
  private waitForState(group: SubscriptionGroup, socket: PresenceSocket, waiter: StateWaiter): void {
    group.addWaiting(socket, waiter);
    this.toSendState.add(group);
  }

  /** The connection, resumed to `seq`, is sent what followed it at the next flush, then joins the group's diffs. */
  private catchUpLater(group: SubscriptionGroup, socketId: string, seq: number): void {
    group.catchingUp.set(socketId, seq);
    this.toCatchUp.add(group);
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
      if (diff !== undefined && !isEmptyDiff(diff)) {
        this.io.local.to(live.map((s) => s.id)).emit('presenceDiff', diff);
        this.counter.frames('presenceDiff', live.length);
      }
      for (const socket of live) {
        if (diff === undefined) this.waitForState(group, socket, resumedWaiter(socket));
        else group.addMember(socket);
      }
    }
  }

  /**
   * One state for every connection waiting in the group, which then gets the group's diffs: at once when the picture
   * holds it all, else when its listed offline users have been read (beside the flushes, which go on meanwhile).
   */
  private sendState(group: SubscriptionGroup): void {
    const waiting = group.takeWaiting();
    const inPicture = pictureStateFor(group.scope, this.snapshot);
    if (inPicture.offlineListed.length === 0) {
      this.deliverState(group, waiting, { seq: inPicture.seq, users: inPicture.users });
      return;
    }
    withOfflineListed(inPicture, this.statusesOf, group.scope).then(
      (state) => this.deliverState(group, waiting, state),
      (error: unknown) => this.failState(group, waiting, error instanceof Error ? error : new Error(String(error))),
    );
  }

  /**
   * Sends the state to those still waiting for it, in one encoding. A state read after later flushes is followed by
   * what they sent, as for a resumed connection.
   */
  private deliverState(group: SubscriptionGroup, taken: ReadonlyArray<[string, StateWaiter]>, state: PresenceStatePayload): void {
    const still = group.takeRead(taken);
    const live = still.map(([socketId]) => this.io.of('/').sockets.get(socketId)).filter((s) => s !== undefined);
    // `to([])` would mean every socket of the node.
    if (live.length > 0) {
      this.io.local.to(live.map((s) => s.id)).emit('presenceState', state);
      this.counter.frames('presenceState', live.length);
    }
    for (const socket of live) {
      if (this.groups.of(socket.id) !== group) continue;
      if (state.seq === this.snapshot.seq) group.addMember(socket);
      else this.catchUpLater(group, socket.id, state.seq);
    }
    for (const [, waiter] of still) waiter.resolve({ seq: state.seq });
    this.groups.dropIfUnused(group);
  }

  /** The state could not be read (the store failed): these subscribes fail, and their connections go back to §1. */
  private failState(group: SubscriptionGroup, taken: ReadonlyArray<[string, StateWaiter]>, error: Error): void {
    const still = group.takeRead(taken);
    for (const [socketId, waiter] of still) {
      const socket = this.io.of('/').sockets.get(socketId);
      if (socket !== undefined) this.unsubscribe(socket);
      waiter.reject(error);
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
