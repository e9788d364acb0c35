import type { PresenceEvent } from '../../domain/presence.events';
import type { Instant, OnlineUser } from '../../domain/presence.types';
import type { UserStatus } from '../../domain/presence.service';
import type { UserStatusChanged, WireOnlineUser, WirePresenceUser } from '../../protocol/socket-events';

export const isoOf = (instant: Instant): string => new Date(instant).toISOString();

export function toStatusChanged(event: PresenceEvent): UserStatusChanged {
  return {
    userId: event.userId,
    // A heartbeat is of an online user; a transition says the status it went to.
    status: event.type === 'UserHeartbeatReceived' ? 'online' : event.to.status,
    lastSeen: isoOf(event.lastSeen),
    reason: event.reason,
  };
}

export function toWireOnlineUser(user: OnlineUser): WireOnlineUser {
  return { userId: user.userId, status: 'online', lastSeen: isoOf(user.lastSeen), userType: user.userType, userName: user.userName };
}

/** A user of a state: online, or offline with `lastSeen: null` when it could not be read in time. */
export function toWirePresenceUser(user: UserStatus): WirePresenceUser {
  if (user.status === 'online') return toWireOnlineUser(user);
  const lastSeen = user.lastSeen === null ? null : isoOf(user.lastSeen);
  return { userId: user.userId, status: 'offline', lastSeen, userType: user.userType, userName: user.userName };
}
