import type { Logger } from 'pino';
import type { CommittedTransition, UserWentOnline } from '../../../domain/presence.events';
import type { UserStatus } from '../../../domain/presence.service';
import type { OnlineUser, UserId, UserKey } from '../../../domain/presence.types';
import { userKeyOf } from '../../../domain/presence.types';
import type { PresenceDiffPayload, PresenceStatePayload, WirePresenceUser } from '../../../protocol/socket-events';
import type { PresenceServer, PresenceSocket } from '../socket.types';
import { isoOf, toWireOnlineUser } from '../wire';
import type { PresenceScope } from './presence-scope';
import { ReplayBuffer, type ReplayedTransition } from './replay-buffer';
import { TransitionWindow, type NetChange } from './transition-window';

/**
 * Connections that have not subscribed are in this room, and §1's `userStatusChanged` goes to it: a broadcast then
 * costs the connections that get it, not a pass over every connection to leave the subscribed ones out.
 */
export const EVENTS_ROOM = 'presence:events';
const diffRoom = (scope: PresenceScope): string => `presence:diff:${scope.key}`;
const stateRoom = (scope: PresenceScope): string => `presence:state:${scope.key}`;

export interface SubscriptionHubSettings {
  readonly replaySize: number;
}

/** Counts what the hub writes: one frame per receiving connection. */
export interface FrameCounter {
  frames(event: string, connections: number): void;
}

/** A subscribe waiting for the next flush's state: settled then, or when it can no longer be served. */
interface StateWaiter {
  resolve(seq: number): void;
  reject(error: Error): void;
}

interface Group {
  readonly scope: PresenceScope;
  readonly members: Set<string>;
  readonly waitingForState: Map<string, StateWaiter>;
  /**
   * Resumed connections whose replay reached into the window not flushed yet, by the seq it was current to: at the
   * next flush they get what came after that seq instead of the window's diff, which would repeat part of it.
   */
  readonly catchingUp: Map<string, number>;
}

/**
 * The waiter of a resumed connection that needs a state after all: its subscribe was acked already, so a state that
 * cannot be read is told as a `presenceError` (it is back on §1's events, and should subscribe again).
 */
const resumedWaiter = (socket: PresenceSocket): StateWaiter => ({
  resolve: () => undefined,
  reject: () =>
    socket.emit('presenceError', { event: 'presenceSubscribe', code: 'INTERNAL', message: 'the subscription state could not be read; subscribe again' }),
});


/**
 * §7 for this node's clients. Transitions the node delivers collect in a window; every interval the window's net
 * change is applied to the node's snapshot and sent as one `presenceDiff` per scope, encoded once for all the
 * connections that share that scope (a Socket.IO room). A new subscriber gets the snapshot as `presenceState` at the
 * next flush (so a reconnect wave shares that encoding too), or, resuming with `since`, one diff replayed from the
 * buffer at once, up to the last transition delivered (flushed or not).
 */
export class SubscriptionHub {
  private readonly snapshot = new Map<UserKey, UserWentOnline>();
  private snapshotSeq = 0;
  private readonly window = new TransitionWindow((key) => this.snapshot.get(key)?.userType ?? null);
  private replay: ReplayBuffer;
  private readonly groups = new Map<string, Group>();
  /** Which groups a user's change concerns: by its id, by its type, or every user's. */
  private readonly groupsByUser = new Map<UserKey, Set<Group>>();
  private readonly groupsByType = new Map<string, Set<Group>>();
  private readonly groupsOfAll = new Set<Group>();
  private readonly subscriptions = new Map<string, Group>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly io: PresenceServer,
    /** The named users' presence (online, or offline with their lastSeen), read when a state needs it. */
    private readonly statusesOf: (userIds: readonly UserId[]) => Promise<UserStatus[]>,
    private readonly settings: SubscriptionHubSettings,
    private readonly counter: FrameCounter,
    private readonly logger: Logger,
  ) {
    this.replay = new ReplayBuffer(settings.replaySize, 0);
  }

  /** Starts from the users online now, current to `seq`. */
  seed(users: readonly OnlineUser[], seq: number): void {
    for (const user of users) {
      this.snapshot.set(userKeyOf(user.userId), { type: 'UserWentOnline', ...user, reason: 'online' });
    }
    this.snapshotSeq = seq;
    this.replay = new ReplayBuffer(this.settings.replaySize, seq);
  }

  record(transition: CommittedTransition): void {
    const key = userKeyOf(transition.userId);
    const userType =
      transition.type === 'UserWentOnline' ? transition.userType : (this.window.typeKnown(key) ?? this.snapshot.get(key)?.userType ?? null);
    this.window.add(transition);
    this.replay.add({ transition, userType });
  }

  /** Transitions were missed: replays cannot reach back before `seq` any more. */
  missedBefore(seq: number): void {
    this.replay.restartAt(seq);
  }

  /** The seq a subscriber is current to after this node's next flush (or now, when nothing is pending). */
  get seq(): number {
    return Math.max(this.snapshotSeq, this.window.seq);
  }

  isSubscribed(socket: PresenceSocket): boolean {
    return this.subscriptions.has(socket.id);
  }

  /**
   * Subscribes (or re-subscribes) a connection. Resolves with the seq its first state or diff is current to: at once
   * for a replay, at the next flush for a state.
   */
  subscribe(socket: PresenceSocket, scope: PresenceScope, since: number | undefined): Promise<number> {
    this.unsubscribe(socket);
    const group = this.groupOf(scope);
    this.subscriptions.set(socket.id, group);
    void socket.leave(EVENTS_ROOM);

    const replayed = since === undefined ? undefined : this.replayFor(scope, since);
    if (replayed !== undefined) {
      socket.emit('presenceDiff', replayed);
      this.counter.frames('presenceDiff', 1);
      if (replayed.seq > this.snapshotSeq) {
        group.catchingUp.set(socket.id, replayed.seq);
      } else {
        group.members.add(socket.id);
        void socket.join(diffRoom(scope));
      }
      return Promise.resolve(replayed.seq);
    }
    void socket.join(stateRoom(scope));
    return new Promise((resolve, reject) => group.waitingForState.set(socket.id, { resolve, reject }));
  }

  /** Connections start with §1's events. */
  accept(socket: PresenceSocket): void {
    void socket.join(EVENTS_ROOM);
  }

  /** Back to §1's events. */
  unsubscribe(socket: PresenceSocket): void {
    const group = this.subscriptions.get(socket.id);
    if (group === undefined) return;
    this.subscriptions.delete(socket.id);
    group.members.delete(socket.id);
    group.catchingUp.delete(socket.id);
    // A subscribe still waiting for its state is answered now: its connection's later events wait behind it.
    group.waitingForState.get(socket.id)?.resolve(this.snapshotSeq);
    group.waitingForState.delete(socket.id);
    for (const room of [diffRoom(group.scope), stateRoom(group.scope)]) void socket.leave(room);
    if (socket.connected) void socket.join(EVENTS_ROOM);
    this.dropGroupIfUnused(group);
  }

  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Stops the window; subscribes still waiting for a state are answered, so that nothing waits for ever. */
  stop(): void {
    clearInterval(this.timer);
    for (const group of this.groups.values()) {
      for (const waiter of group.waitingForState.values()) waiter.resolve(this.snapshotSeq);
      group.waitingForState.clear();
    }
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
    if (this.window.size > 0) {
      const net = this.window.net();
      this.window.clear();
      for (const join of net.joins) this.snapshot.set(userKeyOf(join.userId), join);
      for (const leave of net.leaves) this.snapshot.delete(userKeyOf(leave.userId));
      this.snapshotSeq = Math.max(this.snapshotSeq, net.seq);
      for (const [group, change] of this.changesByGroup(net)) {
        if (group.members.size === 0) continue;
        const diff = this.diffFor(group.scope, change, this.snapshotSeq);
        this.io.local.to(diffRoom(group.scope)).emit('presenceDiff', diff);
        this.counter.frames('presenceDiff', group.members.size);
      }
    }
    for (const group of this.groups.values()) if (group.catchingUp.size > 0) this.catchUp(group);
    for (const group of [...this.groups.values()]) {
      if (group.waitingForState.size === 0) continue;
      const waiting = [...group.waitingForState];
      group.waitingForState.clear();
      let state: PresenceStatePayload;
      try {
        state = await this.stateFor(group.scope);
      } catch (error) {
        // The state could not be read (persistence down): these subscribes fail, and their connections go back to §1.
        for (const [socketId, waiter] of waiting) {
          const socket = this.io.of('/').sockets.get(socketId);
          if (socket !== undefined) this.unsubscribe(socket);
          waiter.reject(error instanceof Error ? error : new Error(String(error)));
        }
        continue;
      }
      this.io.local.to(stateRoom(group.scope)).emit('presenceState', state);
      this.counter.frames('presenceState', waiting.length);
      for (const [socketId, waiter] of waiting) {
        const socket = this.io.of('/').sockets.get(socketId);
        if (socket !== undefined && this.subscriptions.get(socketId) === group) {
          void socket.leave(stateRoom(group.scope));
          void socket.join(diffRoom(group.scope));
          group.members.add(socketId);
        }
        waiter.resolve(state.seq);
      }
      this.dropGroupIfUnused(group);
    }
  }

  /**
   * Resumed connections join the scope's diffs, each first sent what followed its replay (one encoding per seq they
   * were replayed to); one whose part the buffer no longer holds gets a state in this flush instead.
   */
  private catchUp(group: Group): void {
    const bySeq = new Map<number, string[]>();
    for (const [socketId, seq] of group.catchingUp) {
      const sockets = bySeq.get(seq) ?? [];
      sockets.push(socketId);
      bySeq.set(seq, sockets);
    }
    group.catchingUp.clear();
    for (const [seq, socketIds] of bySeq) {
      const missed = this.replay.between(seq, this.snapshotSeq);
      const diff = missed === undefined ? undefined : this.diffFor(group.scope, this.netOf(missed), this.snapshotSeq);
      const live = socketIds.filter((id) => this.io.of('/').sockets.has(id));
      // Closed before their unsubscribe ran: `to([])` would mean every socket of the node.
      if (live.length === 0) continue;
      if (diff !== undefined && (diff.joins.length > 0 || diff.leaves.length > 0)) {
        this.io.local.to(live).emit('presenceDiff', diff);
        this.counter.frames('presenceDiff', live.length);
      }
      for (const socketId of live) {
        const socket = this.io.of('/').sockets.get(socketId) as PresenceSocket;
        if (diff === undefined) {
          group.waitingForState.set(socketId, resumedWaiter(socket));
          void socket.join(stateRoom(group.scope));
        } else {
          group.members.add(socketId);
          void socket.join(diffRoom(group.scope));
        }
      }
    }
  }

  private groupOf(scope: PresenceScope): Group {
    let group = this.groups.get(scope.key);
    if (group === undefined) {
      group = { scope, members: new Set(), waitingForState: new Map(), catchingUp: new Map() };
      this.groups.set(scope.key, group);
      this.index(group, true);
    }
    return group;
  }

  private dropGroupIfUnused(group: Group): void {
    if (group.members.size > 0 || group.waitingForState.size > 0 || group.catchingUp.size > 0) return;
    this.groups.delete(group.scope.key);
    this.index(group, false);
  }

  /** Adds the group to, or removes it from, the indexes that find the groups a user's change concerns. */
  private index(group: Group, add: boolean): void {
    if (group.scope.all) {
      if (add) this.groupsOfAll.add(group);
      else this.groupsOfAll.delete(group);
      return;
    }
    const update = (index: Map<string, Set<Group>>, key: string): void => {
      const set = index.get(key) ?? new Set<Group>();
      if (add) set.add(group);
      else set.delete(group);
      if (set.size > 0) index.set(key, set);
      else index.delete(key);
    };
    for (const key of group.scope.idKeys) update(this.groupsByUser, key);
    for (const type of group.scope.typeSet) update(this.groupsByType, type);
  }

  /** The window's net change, split by the groups it concerns: costs the changes times their groups, not all groups. */
  private changesByGroup(net: NetChange): Map<Group, NetChange> {
    const split = new Map<Group, { joins: NetChange['joins']; leaves: NetChange['leaves']; seq: number }>();
    const concerned = (userId: UserId, userType: string | null): Set<Group> => {
      const groups = new Set(this.groupsOfAll);
      for (const g of this.groupsByUser.get(userKeyOf(userId)) ?? []) groups.add(g);
      if (userType !== null) for (const g of this.groupsByType.get(userType) ?? []) groups.add(g);
      return groups;
    };
    const entry = (group: Group) => {
      let change = split.get(group);
      if (change === undefined) {
        change = { joins: [], leaves: [], seq: net.seq };
        split.set(group, change);
      }
      return change;
    };
    for (const join of net.joins) for (const g of concerned(join.userId, join.userType)) entry(g).joins.push(join);
    for (const leave of net.leaves) for (const g of concerned(leave.userId, leave.userType)) entry(g).leaves.push(leave);
    return split;
  }

  /**
   * One diff with what a subscriber that saw `since` missed, if this node still holds all of it: every transition
   * delivered, those still in the window included, so that a resume never gets an empty diff and then the rest.
   */
  private replayFor(scope: PresenceScope, since: number): PresenceDiffPayload | undefined {
    const until = this.seq;
    // A seq this node has not reached (seen on a node ahead of this one) cannot be resumed from here.
    if (since > until || since < 0) return undefined;
    const missed = this.replay.between(since, until);
    return missed === undefined ? undefined : this.diffFor(scope, this.netOf(missed), until);
  }

  private netOf(transitions: readonly ReplayedTransition[]): NetChange {
    const window = new TransitionWindow();
    for (const { transition, userType } of transitions) window.add(transition, userType);
    return window.net();
  }

  private diffFor(scope: PresenceScope, net: NetChange, seq: number): PresenceDiffPayload {
    return {
      seq,
      joins: net.joins.filter((j) => scope.covers(j.userId, j.userType)).map(toWireOnlineUser),
      leaves: net.leaves
        .filter((l) => scope.covers(l.userId, l.userType))
        .map((l) => ({ userId: l.userId, lastSeen: isoOf(l.lastSeen), reason: l.reason })),
    };
  }

  /** The scope as of the snapshot: its online users, and its listed users that are offline with their lastSeen. */
  private async stateFor(scope: PresenceScope): Promise<PresenceStatePayload> {
    const seq = this.snapshotSeq;
    const users: WirePresenceUser[] = [];
    if (scope.all || scope.typeSet.size > 0) {
      for (const user of this.snapshot.values()) if (scope.covers(user.userId, user.userType)) users.push(toWireOnlineUser(user));
    } else {
      for (const key of scope.idKeys) {
        const user = this.snapshot.get(key);
        if (user !== undefined) users.push(toWireOnlineUser(user));
      }
    }
    const offlineListed = scope.listedIds.filter((id) => !this.snapshot.has(userKeyOf(id)));
    if (offlineListed.length > 0) {
      for (const user of await this.statusesOf(offlineListed)) {
        if (user.status === 'offline') users.push({ ...toWireOnlineUser(user), status: 'offline' });
      }
    }
    return { seq, users };
  }
}
