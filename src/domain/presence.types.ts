/** Milliseconds since the Unix epoch, UTC. The domain never reads the wall clock: instants come from the Clock port. */
export type Instant = number;

/** The application's `sys_user_id`: a string or a safe integer. `7` and `"7"` name the same user. */
export type UserId = string | number;

/** The canonical form of a UserId, used to key a user wherever one is stored. */
export type UserKey = string;

/** A transport connection (a socket), unique across every node of the service. */
export type ConnectionId = string;

export function userKeyOf(userId: UserId): UserKey {
  return String(userId);
}

export type OfflineReason = 'explicit' | 'disconnect' | 'expired' | 'node_lost';

/**
 * One connection that keeps its user online. A live connection is refreshed by heartbeats and ends as `expired`
 * at `expiresAt`; a dropped connection (socket closed without userOffline) waits out the disconnect grace and
 * ends as `disconnect` at `expiresAt`.
 */
export interface ConnectionPresence {
  readonly connectionId: ConnectionId;
  readonly nodeId: string;
  readonly lastSeen: Instant;
  readonly expiresAt: Instant;
  readonly dropped: boolean;
}

/** A user's presence: online while it has at least one connection. A user with none is not stored at all. */
export interface UserPresence {
  readonly userId: UserId;
  readonly userType: string | null;
  readonly userName: string | null;
  /**
   * Each connection once. A list, not a record keyed by connection id: a user has a few, and objects keyed by
   * random ids would each get a hidden class of their own, slow to copy and to walk on every heartbeat.
   */
  readonly connections: readonly ConnectionPresence[];
}

/** What readers are told about an online user. */
export interface OnlineUser {
  readonly userId: UserId;
  readonly lastSeen: Instant;
  readonly userType: string | null;
  readonly userName: string | null;
}
