/**
 * A user's presence as a value, compared as a value: what a transition goes from and to. It is a value and not a
 * boolean because it will grow: §8's availability and status text belong to the online state, beside the type and
 * name a user is shown with, and a change between two online states will then be a transition of its own.
 */
export interface OnlineState {
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

export function onlineState(userType: string | null, userName: string | null): OnlineState {
  return { status: 'online', userType, userName };
}

export function isOnline(state: PresenceState): state is OnlineState {
  return state.status === 'online';
}

/** Whether two states are the same presence: the same status and, online, the same everything else. */
export function samePresence(a: PresenceState, b: PresenceState): boolean {
  if (a === b) return true;
  if (!isOnline(a) || !isOnline(b)) return a.status === b.status;
  return a.userType === b.userType && a.userName === b.userName;
}
