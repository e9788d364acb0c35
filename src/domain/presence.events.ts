import type { OfflineState, OnlineState, PresenceState } from './presence-state';
import { isOnline } from './presence-state';
import { tenantPart } from './presence.types';
import type { LastSeenSubject } from './ports/last-seen.port';
import type { Instant, OfflineReason, OnlineUser, TenantUser } from './presence.types';

/**
 * Why a user's presence changed: it came online, one of the ways its last connection ends, or, online all along, it
 * is shown with another type now (which changes who may see it, CONTRACT §9).
 */
export type TransitionReason = 'online' | OfflineReason | 'type_changed';

/**
 * A user's presence changed from one state to another: today online to offline or back, per user alternating.
 * `lastSeen` is the user's last sign of life: when it came online, or the latest before it went offline.
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
}

export type PresenceEvent = CommittedTransition | UserHeartbeatReceived;

/** An online user announced with another type: online before and after, shown differently. */
export type TypeChanged = UserPresenceChanged & { readonly from: OnlineState; readonly to: OnlineState; readonly reason: 'type_changed' };

export function typeChanged<T extends UserPresenceChanged>(transition: T): transition is T & TypeChanged {
  return isOnline(transition.from) && isOnline(transition.to);
}

export function cameOnline<T extends UserPresenceChanged>(transition: T): transition is T & CameOnline {
  return isOnline(transition.to) && !isOnline(transition.from);
}

export function wentOffline<T extends UserPresenceChanged>(transition: T): transition is T & WentOffline {
  return isOnline(transition.from) && !isOnline(transition.to);
}

/** Whether a transition leaves its user online: it came online, or changed type while online. */
export function endsOnline<T extends UserPresenceChanged>(transition: T): transition is T & { readonly to: OnlineState } {
  return isOnline(transition.to);
}

/** The user as a transition that leaves it online shows it: what lists of online users show. */
export function onlineUserOf(transition: UserPresenceChanged & { readonly to: OnlineState }): OnlineUser {
  const { userType, userName } = transition.to;
  return { ...tenantPart(transition), userId: transition.userId, lastSeen: transition.lastSeen, userType, userName };
}

/** Whose `last_seen` a transition records: its user, with the type it was online with. */
export function subjectOf(transition: UserPresenceChanged): LastSeenSubject {
  const state = isOnline(transition.to) ? transition.to : transition.from;
  return { ...tenantPart(transition), userId: transition.userId, userType: isOnline(state) ? state.userType : null };
}
