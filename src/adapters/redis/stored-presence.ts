import type { ConnectionId, ConnectionPresence, UserPresence } from '../../domain/presence.types';
import { tenantPart } from '../../domain/presence.types';

type StoredConnection = Omit<ConnectionPresence, 'connectionId'>;

/**
 * A user's presence as Redis holds it: connections keyed by their id. This is the format of 0.7 and earlier, kept
 * so that nodes of different versions can share one Redis during a rolling upgrade.
 */
interface StoredPresence extends Omit<UserPresence, 'connections'> {
  readonly connections: Record<ConnectionId, StoredConnection>;
}

export function encodePresence(user: UserPresence): string {
  const connections: Record<ConnectionId, StoredConnection> = {};
  for (const { connectionId, nodeId, lastSeen, expiresAt, dropped } of user.connections) {
    connections[connectionId] = { nodeId, lastSeen, expiresAt, dropped };
  }
  // No tenant field at all without tenants: the format of 0.7, which nodes of earlier versions read.
  const stored: StoredPresence = { ...tenantPart(user), userId: user.userId, userType: user.userType, userName: user.userName, connections };
  return JSON.stringify(stored);
}

/** How many connections a stored presence holds, without decoding it into a presence. */
export function connectionCountOf(json: string): number {
  return Object.keys((JSON.parse(json) as StoredPresence).connections).length;
}

export function decodePresence(json: string): UserPresence {
  const stored = JSON.parse(json) as StoredPresence;
  return {
    ...tenantPart(stored),
    userId: stored.userId,
    userType: stored.userType,
    userName: stored.userName,
    connections: Object.entries(stored.connections).map(([connectionId, c]) => ({ connectionId, ...c })),
  };
}
