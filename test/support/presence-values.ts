import { freshDetails, type OnlineDetails } from '../../src/domain/presence-state';
import type { OfflineUser } from '../../src/domain/presence.service';
import { offlineStatus } from '../../src/domain/user-status';
import type { ConnectionPresence, Instant, OnlineUser, UserId, UserPresence } from '../../src/domain/presence.types';
import type { WirePresenceUser } from '../../src/protocol/socket-events';

/** Values of the domain as tests write them: each with CONTRACT §8's details at their defaults unless given. */

/** An online user as readers are told of it: online since `lastSeen`, having chosen nothing. */
export const onlineUser = (
  userId: UserId,
  lastSeen: Instant,
  userType: string | null = null,
  userName: string | null = null,
  details: Partial<OnlineDetails> = {},
): OnlineUser => ({ userId, lastSeen, userType, userName, ...freshDetails(lastSeen), ...details });

/** An offline user as a read tells of it. */
export const offlineUser = (userId: UserId, lastSeen: Instant | null, lastActive: Instant | null = null): OfflineUser =>
  offlineStatus(undefined, userId, lastSeen, null, lastActive);

/** A live connection of an old client (it never sent `userActivity`). */
export const connection = (
  connectionId: string,
  nodeId: string,
  lastSeen: Instant,
  expiresAt: Instant,
  dropped = false,
): ConnectionPresence => ({ connectionId, nodeId, lastSeen, expiresAt, dropped, idle: false, idleAt: null });

/** A stored user with these connections, online since the first one's last sign of life. */
export const storedUser = (userId: UserId, connections: readonly ConnectionPresence[], extra: Partial<UserPresence> = {}): UserPresence => ({
  userId,
  userType: null,
  userName: null,
  chosen: null,
  statusText: null,
  onlineSince: connections[0]?.lastSeen ?? 0,
  lastActive: null,
  connections,
  ...extra,
});

/** A user of a state or diff on the wire, online with §8's defaults. */
export const wireOnline = (userId: UserId, lastSeen: string, userType: string | null = null, userName: string | null = null): WirePresenceUser => ({
  userId,
  status: 'online',
  lastSeen,
  userType,
  userName,
  availability: 'available',
  statusText: null,
  lastActive: null,
  onlineSince: lastSeen,
});

/** A user of a state on the wire, offline: no availability, no online period. */
export const wireOffline = (userId: UserId, lastSeen: string | null, lastActive: string | null = null): WirePresenceUser => ({
  userId,
  status: 'offline',
  lastSeen,
  userType: null,
  userName: null,
  availability: null,
  statusText: null,
  lastActive,
  onlineSince: null,
});
