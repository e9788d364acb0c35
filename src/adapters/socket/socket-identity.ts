import { sameUser, speakerOf, userToEnd } from '../../domain/connection-identity';
import type { KeyedUser, UserId, UserKey } from '../../domain/presence.types';
import { keyOfUser, tenantPart } from '../../domain/presence.types';
import type { ConnectionLimits } from './connection-limits';
import { SocketRefusal } from './socket-refusal.mapper';
import type { PresenceSocket } from './socket.types';

/**
 * Who a connection speaks for: the domain's identity rule applied to its token and to the user it announced, and,
 * without authentication, its place in the per-user connection limit (authenticated connections take theirs at
 * the handshake, since the token names the user).
 */
export class SocketIdentity {
  constructor(private readonly limits: ConnectionLimits) {}

  /** The user an event naming `named` speaks for, or the domain's refusal. */
  speakerOf(socket: PresenceSocket, named: UserId | undefined): UserId {
    return speakerOf(socket.data.authUserId, named);
  }

  /** The user of this connection's tenant (its token's) with this id, and its key. */
  userOf(socket: PresenceSocket, userId: UserId): KeyedUser {
    return { ...tenantPart(socket.data), userId, key: this.keyOf(socket, userId) };
  }

  /** The key of the user with this id in the connection's tenant: made once, and again only for another user. */
  keyOf(socket: PresenceSocket, userId: UserId): UserKey {
    const { data } = socket;
    if (data.userKey === undefined || data.keyedUserId !== userId) {
      data.userKey = keyOfUser({ ...tenantPart(data), userId });
      data.keyedUserId = userId;
    }
    return data.userKey;
  }

  /** The user this connection announced before, whose presence has to end before it announces `userId`. */
  userToEnd(socket: PresenceSocket, userId: UserId): UserId | undefined {
    return userToEnd(socket.data.userId, userId);
  }

  /**
   * Without authentication the user is known only when announced: that is when the connection counts against the
   * per-user limit, and moves from the user it counted against before. Over the limit it is RATE_LIMITED.
   */
  admit(socket: PresenceSocket, userId: UserId): void {
    if (socket.data.authUserId !== null) return;
    const counted = socket.data.countedUserId;
    if (counted !== undefined && sameUser(counted, userId)) return;
    const refusal = this.limits.admitUser(this.userOf(socket, userId));
    if (refusal !== undefined) throw new SocketRefusal('RATE_LIMITED', refusal);
    if (counted !== undefined) this.limits.releaseUser(this.userOf(socket, counted));
    socket.data.countedUserId = userId;
  }

  /** Gives back the place `admit` took, when the connection closes. */
  release(socket: PresenceSocket): void {
    if (socket.data.countedUserId !== undefined) this.limits.releaseUser(this.userOf(socket, socket.data.countedUserId));
  }
}
