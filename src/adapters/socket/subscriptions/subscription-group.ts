import type { PresenceSocket } from '../socket.types';
import type { PresenceScope } from './presence-scope';

/** A subscribe's ack: the seq its state or replay is current to; `replaced` when a later subscribe took its place first. */
export interface SubscribeAnswer {
  readonly seq: number;
  readonly replaced?: true;
}

/** A subscribe waiting for its state: settled when it is sent, or when it can no longer be served. */
export interface StateWaiter {
  resolve(answer: SubscribeAnswer): void;
  reject(error: Error): void;
}

/**
 * The waiter of a resumed connection that needs a state after all: its subscribe was acked already, so a state that
 * cannot be read is told as a `presenceError` (it is back on §1's events, and should subscribe again).
 */
export const resumedWaiter = (socket: PresenceSocket): StateWaiter => ({
  resolve: () => undefined,
  reject: () =>
    socket.emit('presenceError', { event: 'presenceSubscribe', code: 'INTERNAL', message: 'the subscription state could not be read; subscribe again' }),
});

/** What a group moves between its rooms: a connection. */
export type RoomMember = Pick<PresenceSocket, 'id' | 'join' | 'leave'>;

/**
 * This node's connections subscribed to one scope, by what they wait for. Its Socket.IO room, which holds the
 * members, lets a flush encode the scope's diff once for all of them.
 */
export class SubscriptionGroup {
  readonly diffRoom: string;
  /** Connections that get the scope's diffs. */
  readonly members = new Set<string>();
  /** Connections that get a state at the next flush. */
  readonly waitingForState = new Map<string, StateWaiter>();
  /** Connections whose state was taken at a flush and waits for persistence to be read. */
  readonly readingState = new Map<string, StateWaiter>();
  /**
   * Resumed connections whose replay reached into the window not flushed yet, by the seq it was current to: at the
   * next flush they get what came after that seq instead of the window's diff, which would repeat part of it.
   */
  readonly catchingUp = new Map<string, number>();

  constructor(readonly scope: PresenceScope) {
    this.diffRoom = `presence:diff:${scope.key}`;
  }

  get unused(): boolean {
    return this.members.size === 0 && this.waitingForState.size === 0 && this.readingState.size === 0 && this.catchingUp.size === 0;
  }

  /** The connection gets the scope's diffs from now on. */
  addMember(socket: RoomMember): void {
    this.members.add(socket.id);
    void socket.join(this.diffRoom);
  }

  /** The connection gets the scope's state at the next flush, and its diffs after that. */
  addWaiting(socket: RoomMember, waiter: StateWaiter): void {
    this.waitingForState.set(socket.id, waiter);
  }

  /**
   * Lets a connection go, out of the room. A subscribe of it still waiting for its state is answered now, as
   * `replaced`, with the seq the group's state is current to: it gets no state of this scope.
   */
  remove(socket: RoomMember, seq: number): void {
    this.members.delete(socket.id);
    this.catchingUp.delete(socket.id);
    for (const waiting of [this.waitingForState, this.readingState]) {
      waiting.get(socket.id)?.resolve({ seq, replaced: true });
      waiting.delete(socket.id);
    }
    void socket.leave(this.diffRoom);
  }

  /** Those waiting for a state, now reading it: the caller settles them through `takeRead`. */
  takeWaiting(): Array<[string, StateWaiter]> {
    const waiting = [...this.waitingForState];
    this.waitingForState.clear();
    for (const [socketId, waiter] of waiting) this.readingState.set(socketId, waiter);
    return waiting;
  }

  /** Of the connections whose state was read, those still waiting for it (not replaced meanwhile), no longer waiting. */
  takeRead(taken: ReadonlyArray<[string, StateWaiter]>): Array<[string, StateWaiter]> {
    const still = taken.filter(([socketId, waiter]) => this.readingState.get(socketId) === waiter);
    for (const [socketId] of still) this.readingState.delete(socketId);
    return still;
  }

  /** Answers every subscribe waiting for a state with `seq`, and forgets them: at shutdown. */
  answerAll(seq: number): void {
    for (const waiting of [this.waitingForState, this.readingState]) {
      for (const waiter of waiting.values()) waiter.resolve({ seq });
      waiting.clear();
    }
  }

  /** Those catching up, by the seq they are current to, no longer catching up: the caller places them. */
  takeCatchingUp(): Map<number, string[]> {
    const bySeq = new Map<number, string[]>();
    for (const [socketId, seq] of this.catchingUp) {
      const sockets = bySeq.get(seq) ?? [];
      sockets.push(socketId);
      bySeq.set(seq, sockets);
    }
    this.catchingUp.clear();
    return bySeq;
  }
}
