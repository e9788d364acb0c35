import type { NetLeave } from '../../src/adapters/socket/subscriptions/transition-window';
import { freshDetails, OFFLINE, onlineState, type OnlineState } from '../../src/domain/presence-state';
import type { CommittedTransition, UserPresenceChanged } from '../../src/domain/presence.events';
import type { Instant, OfflineReason, UserId } from '../../src/domain/presence.types';

/** Transitions as the rules make them, for tests that feed one to a store, a feed or a subscription piece. */

/** A user's first connection went online, with the type and name it is shown with. */
export const onlineTransition = (
  userId: UserId,
  lastSeen: Instant,
  userType: string | null = null,
  userName: string | null = null,
): UserPresenceChanged => ({ type: 'UserPresenceChanged', userId, lastSeen, from: OFFLINE, to: onlineState(userType, userName, freshDetails(lastSeen)), reason: 'online' });

/** A user's last connection ended; `from` is the state it left. */
export const offlineTransition = (
  userId: UserId,
  lastSeen: Instant,
  reason: OfflineReason,
  from: OnlineState = onlineState(null, null),
): UserPresenceChanged => ({ type: 'UserPresenceChanged', userId, lastSeen, from, to: OFFLINE, reason });

export const committed = (transition: UserPresenceChanged, seq: number): CommittedTransition => ({ ...transition, seq });

/** `online`/`offline` per transition: the shape the tests reason about. */
export const statusOf = (transition: UserPresenceChanged): 'online' | 'offline' => transition.to.status;

/** A leave in a subscription window's net change: the transition, with the type its user had. */
export const netLeave = (userId: UserId, lastSeen: Instant, reason: OfflineReason, userType: string | null, seq = 1): NetLeave => ({
  type: 'UserPresenceChanged',
  userId,
  lastSeen,
  from: onlineState(userType, null),
  to: OFFLINE,
  reason,
  seq,
  userType,
});
