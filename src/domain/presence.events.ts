import type { Instant, OfflineReason, UserId } from './presence.types';

/** A user's first connection went online. */
export interface UserWentOnline {
  readonly type: 'UserWentOnline';
  readonly userId: UserId;
  readonly lastSeen: Instant;
  readonly reason: 'online';
  readonly userType: string | null;
  readonly userName: string | null;
}

/** A user's last connection ended. */
export interface UserWentOffline {
  readonly type: 'UserWentOffline';
  readonly userId: UserId;
  readonly lastSeen: Instant;
  readonly reason: OfflineReason;
}

/** A transition as decided by the rules, before the store has numbered it. */
export type PresenceTransition = UserWentOnline | UserWentOffline;

/** A transition as committed: `seq` numbers transitions service-wide and only grows. */
export type CommittedTransition = PresenceTransition & { readonly seq: number };

/** A heartbeat of an already online user; published only when heartbeat broadcasts are turned on. */
export interface UserHeartbeatReceived {
  readonly type: 'UserHeartbeatReceived';
  readonly userId: UserId;
  readonly lastSeen: Instant;
  readonly reason: 'heartbeat';
}

export type PresenceEvent = CommittedTransition | UserHeartbeatReceived;
