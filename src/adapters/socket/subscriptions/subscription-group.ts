import type { PresenceSocket } from '../socket.types';
import type { PresenceScope } from './presence-scope';

/** A subscribe waiting for the next flush's state: settled then, or when it can no longer be served. */
export interface StateWaiter {
  resolve(seq: number): void;
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
 * This node's connections subscribed to one scope, by what they wait for. Its two Socket.IO rooms let a flush
 * encode a payload once for all of them: the diff room holds the members, the state room those waiting for a state.
 */
export class SubscriptionGroup {
  readonly diffRoom: string;
  readonly stateRoom: string;
  /** Connections that get the scope's diffs. */
  readonly members = new Set<string>();
  readonly waitingForState = new Map<string, StateWaiter>();
  /**
   * Resumed connections whose replay reached into the window not flushed yet, by the seq it was current to: at the
   * next flush they get what came after that seq instead of the window's diff, which would repeat part of it.
   */
  readonly catchingUp = new Map<string, number>();

  constructor(readonly scope: PresenceScope) {
    this.diffRoom = `presence:diff:${scope.key}`;
    this.stateRoom = `presence:state:${scope.key}`;
  }

  get unused(): boolean {
    return this.members.size === 0 && this.waitingForState.size === 0 && this.catchingUp.size === 0;
  }

  /** The connection gets the scope's diffs from now on. */
  addMember(socket: RoomMember): void {
    this.members.add(socket.id);
    void socket.join(this.diffRoom);
  }

  /** The connection gets the scope's state at the next flush, and its diffs after that. */
  addWaiting(socket: RoomMember, waiter: StateWaiter): void {
    this.waitingForState.set(socket.id, waiter);
    void socket.join(this.stateRoom);
  }

  /** A connection that was sent its state: it gets the diffs now. */
  promote(socket: RoomMember): void {
    void socket.leave(this.stateRoom);
    this.addMember(socket);
  }

  /**
   * Lets a connection go, out of both rooms. A subscribe of it still waiting for its state is answered with `seq`
   * now: its connection's later events wait behind it.
   */
  remove(socket: RoomMember, seq: number): void {
    this.members.delete(socket.id);
    this.catchingUp.delete(socket.id);
    this.waitingForState.get(socket.id)?.resolve(seq);
    this.waitingForState.delete(socket.id);
    for (const room of [this.diffRoom, this.stateRoom]) void socket.leave(room);
  }

  /** Those waiting for a state, no longer waiting: the caller settles them. */
  takeWaiting(): Array<[string, StateWaiter]> {
    const waiting = [...this.waitingForState];
    this.waitingForState.clear();
    return waiting;
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
