import type { AvailabilityChanged, CommittedTransition, PresenceEvent } from '../../domain/presence.events';
import { isOnline } from '../../domain/presence-state';
import type { Instant, OnlineUser } from '../../domain/presence.types';
import type { UserStatus } from '../../domain/presence.service';
import { isoOf, isoOrNull } from '../presence-events/iso-time';
import type {
  UserAvailabilityChanged,
  UserStatusChanged,
  WireAvailabilityDetails,
  WireOnlineUser,
  WirePresenceUser,
} from '../../protocol/socket-events';


/** A transition or heartbeat of §1; a change of availability goes as `userAvailabilityChanged` instead. */
type StatusEvent = Exclude<PresenceEvent, CommittedTransition & AvailabilityChanged>;

export function toStatusChanged(event: StatusEvent): UserStatusChanged {
  const { userId } = event;
  const lastSeen = isoOf(event.lastSeen);
  if (event.type === 'UserHeartbeatReceived') {
    const { availability, statusText } = event;
    return { userId, status: 'online', lastSeen, reason: event.reason, availability, statusText, onlineSince: isoOf(event.onlineSince) };
  }
  const { to } = event;
  // The broadcaster sends a change of availability as userAvailabilityChanged: what is left is a reason of §1's.
  const reason = event.reason as UserStatusChanged['reason'];
  if (!isOnline(to)) return { userId, status: 'offline', lastSeen, reason, availability: null, statusText: null, onlineSince: null };
  return { userId, status: 'online', lastSeen, reason, availability: to.availability, statusText: to.statusText, onlineSince: isoOf(to.onlineSince) };
}

export function toAvailabilityChanged(transition: CommittedTransition & AvailabilityChanged): UserAvailabilityChanged {
  const { userId, to, reason, seq } = transition;
  return { userId, availability: to.availability, statusText: to.statusText, lastActive: isoOrNull(to.lastActive), reason, seq };
}

export function toWireOnlineUser(user: OnlineUser): WireOnlineUser {
  const { userId, userType, userName, availability, statusText } = user;
  return {
    userId,
    status: 'online',
    lastSeen: isoOf(user.lastSeen),
    userType,
    userName,
    availability,
    statusText,
    lastActive: isoOrNull(user.lastActive),
    onlineSince: isoOf(user.onlineSince),
  };
}

const offlineDetails = (lastActive: Instant | null): WireAvailabilityDetails => ({
  availability: null,
  statusText: null,
  lastActive: isoOrNull(lastActive),
  onlineSince: null,
});

/** A user of a state: online, or offline with `lastSeen: null` when it could not be read in time. */
export function toWirePresenceUser(user: UserStatus): WirePresenceUser {
  if (user.status === 'online') return toWireOnlineUser(user);
  const { userId, userType, userName } = user;
  return { userId, status: 'offline', lastSeen: isoOrNull(user.lastSeen), userType, userName, ...offlineDetails(user.lastActive) };
}
