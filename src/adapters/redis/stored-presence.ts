import type { ChosenAvailability } from '../../domain/availability';
import type { ConnectionId, ConnectionPresence, Instant, UserPresence } from '../../domain/presence.types';
import { tenantPart } from '../../domain/presence.types';

/** A connection as 0.13 and earlier stored it, and §8's activity, absent where it is the default (an old client's). */
interface StoredConnection extends Omit<ConnectionPresence, 'connectionId' | 'idle' | 'idleAt'> {
  readonly idle?: true;
  readonly idleAt?: Instant;
}

/** §8's part of a user, each field absent where it is the default, so that most users are stored as 0.13 stores them. */
interface StoredDetails {
  readonly chosen?: ChosenAvailability;
  readonly statusText?: string | null;
  readonly onlineSince?: Instant;
  readonly lastActive?: Instant | null;
}

/**
 * A user's presence as Redis holds it: connections keyed by their id. This is the format of 0.7 and earlier, kept
 * so that nodes of different versions can share one Redis during a rolling upgrade: §8's fields are extra fields
 * that earlier versions ignore (and drop when they write the user back: its availability is then the default).
 */
interface StoredPresence extends Omit<UserPresence, 'connections' | keyof StoredDetails>, StoredDetails {
  readonly connections: Record<ConnectionId, StoredConnection>;
}

export function encodePresence(user: UserPresence): string {
  const connections: Record<ConnectionId, StoredConnection> = {};
  for (const { connectionId, nodeId, lastSeen, expiresAt, dropped, idle, idleAt } of user.connections) {
    const activity = { ...(idle ? { idle } : {}), ...(idleAt !== null ? { idleAt } : {}) };
    connections[connectionId] = { nodeId, lastSeen, expiresAt, dropped, ...activity };
  }
  const { chosen, statusText, onlineSince, lastActive } = user;
  // No tenant field at all without tenants: the format of 0.7, which nodes of earlier versions read.
  const stored: StoredPresence = {
    ...tenantPart(user),
    userId: user.userId,
    userType: user.userType,
    userName: user.userName,
    connections,
    onlineSince,
    ...(chosen !== null ? { chosen } : {}),
    ...(statusText !== null ? { statusText } : {}),
    ...(lastActive !== null ? { lastActive } : {}),
  };
  return JSON.stringify(stored);
}

/** How many connections a stored presence holds, without decoding it into a presence. */
export function connectionCountOf(json: string): number {
  return Object.keys((JSON.parse(json) as StoredPresence).connections).length;
}

export function decodePresence(json: string): UserPresence {
  const stored = JSON.parse(json) as StoredPresence;
  const connections = Object.entries(stored.connections).map(
    ([connectionId, { nodeId, lastSeen, expiresAt, dropped, idle, idleAt }]): ConnectionPresence => ({
      connectionId,
      nodeId,
      lastSeen,
      expiresAt,
      dropped,
      idle: idle === true,
      idleAt: idleAt ?? null,
    }),
  );
  return {
    ...tenantPart(stored),
    userId: stored.userId,
    userType: stored.userType,
    userName: stored.userName,
    chosen: stored.chosen ?? null,
    statusText: stored.statusText ?? null,
    // Written by 0.13 or earlier: online at least since its oldest connection's last sign of life.
    onlineSince: stored.onlineSince ?? Math.min(...connections.map((c) => c.lastSeen)),
    lastActive: stored.lastActive ?? null,
    connections,
  };
}
