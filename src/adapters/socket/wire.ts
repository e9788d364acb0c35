import type { PresenceEvent } from '../../domain/presence.events';
import type { Instant, OnlineUser } from '../../domain/presence.types';
import type { UserStatusChanged, WireOnlineUser } from '../../protocol/socket-events';

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
