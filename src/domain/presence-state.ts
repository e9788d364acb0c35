import type { AvailabilityView } from './availability';
import type { Instant, OnlineUser } from './presence.types';

/**
 * The details an online user is shown with beside its type and name (CONTRACT §8): its availability and text, its
 * last activity and when it came online.
 */
export interface OnlineDetails extends AvailabilityView {
  readonly lastActive: Instant | null;
  readonly onlineSince: Instant;
}

/**
 * A user's presence as a value, compared as a value: what a transition goes from and to. A change between two online
 * states (another type, another availability or text) is a transition of its own.
 */
export interface OnlineState extends OnlineDetails {
  readonly status: 'online';
  readonly userType: string | null;
  readonly userName: string | null;
}

export interface OfflineState {
  readonly status: 'offline';
}

export type PresenceState = OnlineState | OfflineState;

export type PresenceStatus = PresenceState['status'];

/** Offline carries nothing: every offline state is this one, so that a transition online allocates no `from`. */
export const OFFLINE: OfflineState = Object.freeze({ status: 'offline' });

/** The details of a user that just came online at `now`, having chosen nothing and reported no activity. */
export const freshDetails = (now: Instant): OnlineDetails => ({ availability: 'available', statusText: null, lastActive: null, onlineSince: now });

/** Only where a state is needed for its type, never shown: a fallback for a state that was not told. */
export const UNKNOWN_DETAILS: OnlineDetails = Object.freeze(freshDetails(0));

export function onlineState(userType: string | null, userName: string | null, details: OnlineDetails = UNKNOWN_DETAILS): OnlineState {
  const { availability, statusText, lastActive, onlineSince } = details;
  return { status: 'online', userType, userName, availability, statusText, lastActive, onlineSince };
}

/** The state an online user, as readers are told of it, is in. */
export function onlineStateOfUser(user: OnlineUser): OnlineState {
  return onlineState(user.userType, user.userName, user);
}

export function isOnline(state: PresenceState): state is OnlineState {
  return state.status === 'online';
}

/**
 * Whether two states are the same presence: the same status and, online, the same type, name, availability and text.
 * The last activity and the start of the online period are facts about the user, not what it is shown as.
 */
export function samePresence(a: PresenceState, b: PresenceState): boolean {
  if (a === b) return true;
  if (!isOnline(a) || !isOnline(b)) return a.status === b.status;
  return a.userType === b.userType && a.userName === b.userName && a.availability === b.availability && a.statusText === b.statusText;
}
