import type { ChosenAvailability } from '../../domain/availability';
import type { ConnectionPresence, Instant, UserId, UserPresence } from '../../domain/presence.types';

export type StoredConnection = { -readonly [K in keyof ConnectionPresence]: ConnectionPresence[K] };

/** The store's own record of a user, changed in place. */
export interface StoredPresence {
  tenant?: string;
  userId: UserId;
  userType: string | null;
  userName: string | null;
  chosen: ChosenAvailability;
  statusText: string | null;
  onlineSince: Instant;
  lastActive: Instant | null;
  connections: StoredConnection[];
}

/** Every record of one shape, `tenant` included even when undefined: a spread of it in every rule stays fast. */
export function copyOf(user: UserPresence): StoredPresence {
  return {
    tenant: user.tenant,
    userId: user.userId,
    userType: user.userType,
    userName: user.userName,
    chosen: user.chosen,
    statusText: user.statusText,
    onlineSince: user.onlineSince,
    lastActive: user.lastActive,
    connections: user.connections.map(copyOfConnection),
  };
}

export function copyOfConnection(c: ConnectionPresence): StoredConnection {
  const { connectionId, nodeId, lastSeen, expiresAt, dropped, idle, idleAt } = c;
  return { connectionId, nodeId, lastSeen, expiresAt, dropped, idle, idleAt };
}

/** Makes the stored record say what `next` says: in place when it has the same connections in the same order. */
export function overwrite(stored: StoredPresence, next: UserPresence): void {
  stored.userId = next.userId;
  stored.userType = next.userType;
  stored.userName = next.userName;
  stored.chosen = next.chosen;
  stored.statusText = next.statusText;
  stored.onlineSince = next.onlineSince;
  stored.lastActive = next.lastActive;
  const connections = next.connections;
  const same = connections.length === stored.connections.length && connections.every((c, i) => c.connectionId === stored.connections[i]?.connectionId);
  if (!same) {
    stored.connections = connections.map(copyOfConnection);
    return;
  }
  connections.forEach((c, i) => {
    const kept = stored.connections[i] as StoredConnection;
    kept.nodeId = c.nodeId;
    kept.lastSeen = c.lastSeen;
    kept.expiresAt = c.expiresAt;
    kept.dropped = c.dropped;
    kept.idle = c.idle;
    kept.idleAt = c.idleAt;
  });
}
