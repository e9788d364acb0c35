import type { OfflineState, OnlineState, PresenceState } from './presence-state';
import { isOnline } from './presence-state';
import { tenantPart } from './presence.types';
import type { LastSeenSubject } from './ports/last-seen.port';
import type { Instant, OfflineReason, OnlineUser, TenantUser } from './presence.types';
import type { Availability, AvailabilityReason } from './availability';

/**
 * Why a user's presence changed: it came online, one of the ways its last connection ends, or, online all along, it
 * is shown with another type now (which changes who may see it, CONTRACT §9) or with another availability or text
 * (CONTRACT §8: it chose, went idle, or became active again).
 */
export type TransitionReason = 'online' | OfflineReason | 'type_changed' | AvailabilityReason;

/**
 * A user's presence changed from one state to another: online to offline or back, per user alternating, or from one
 * online state to another. `lastSeen` is the user's last sign of life: when it came online, or the latest before it
 * went offline or changed.
 */
export interface UserPresenceChanged extends TenantUser {
  readonly type: 'UserPresenceChanged';
  readonly lastSeen: Instant;
  readonly from: PresenceState;
  readonly to: PresenceState;
  readonly reason: TransitionReason;
}

/** A user's first connection went online. */
export type CameOnline = UserPresenceChanged & { readonly from: OfflineState; readonly to: OnlineState; readonly reason: 'online' };

/** A user's last connection ended. */
export type WentOffline = UserPresenceChanged & { readonly from: OnlineState; readonly to: OfflineState; readonly reason: OfflineReason };

/** A transition as committed: `seq` numbers transitions service-wide and only grows. */
export type CommittedTransition = UserPresenceChanged & { readonly seq: number };

/** A heartbeat of an already online user; published only when heartbeat broadcasts are turned on. */
export interface UserHeartbeatReceived extends TenantUser {
  readonly type: 'UserHeartbeatReceived';
  /** The type the user is shown with: who may see the heartbeat (CONTRACT §9). */
  readonly userType: string | null;
  readonly lastSeen: Instant;
  readonly reason: 'heartbeat';
  /** What the user is shown as (CONTRACT §8), told with every status. */
  readonly availability: Availability;
  readonly statusText: string | null;
  readonly onlineSince: Instant;
}

export type PresenceEvent = CommittedTransition | UserHeartbeatReceived;

/** An online user announced with another type: online before and after, shown differently. */
export type TypeChanged = UserPresenceChanged & { readonly from: OnlineState; readonly to: OnlineState; readonly reason: 'type_changed' };

export function typeChanged<T extends UserPresenceChanged>(transition: T): transition is T & TypeChanged {
  return transition.reason === 'type_changed';
}

/** An online user shown with another availability or text (CONTRACT §8). */
export type AvailabilityChanged = UserPresenceChanged & {
  readonly from: OnlineState;
  readonly to: OnlineState;
  readonly reason: AvailabilityReason;
};

export function availabilityChanged<T extends UserPresenceChanged>(transition: T): transition is T & AvailabilityChanged {
  return transition.reason === 'set' || transition.reason === 'idle' || transition.reason === 'active';
}

/** Online before and after: the user is shown differently (another type, availability or text). */
export function changedWhileOnline<T extends UserPresenceChanged>(transition: T): transition is T & { readonly from: OnlineState; readonly to: OnlineState } {
  return isOnline(transition.from) && isOnline(transition.to);
}

export function cameOnline<T extends UserPresenceChanged>(transition: T): transition is T & CameOnline {
  return isOnline(transition.to) && !isOnline(transition.from);
}

export function wentOffline<T extends UserPresenceChanged>(transition: T): transition is T & WentOffline {
  return isOnline(transition.from) && !isOnline(transition.to);
}

/** Whether a transition leaves its user online: it came online, or changed while online. */
export function endsOnline<T extends UserPresenceChanged>(transition: T): transition is T & { readonly to: OnlineState } {
  return isOnline(transition.to);
}

/** The user as a transition that leaves it online shows it: what lists of online users show. */
export function onlineUserOf(transition: UserPresenceChanged & { readonly to: OnlineState }): OnlineUser {
  const { userType, userName, availability, statusText, lastActive, onlineSince } = transition.to;
  const { userId, lastSeen } = transition;
  return { ...tenantPart(transition), userId, lastSeen, userType, userName, availability, statusText, lastActive, onlineSince };
}

/** Whose `last_seen` a transition records: its user, with the type it was online with. */
export function subjectOf(transition: UserPresenceChanged): LastSeenSubject {
  const state = isOnline(transition.to) ? transition.to : transition.from;
  const online = isOnline(state);
  return {
    ...tenantPart(transition),
    userId: transition.userId,
    userType: online ? state.userType : null,
    lastActive: online ? state.lastActive : null,
  };
}
