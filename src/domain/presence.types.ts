import type { AvailabilityView, ChosenAvailability, ConnectionActivity } from './availability';

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

/** Presence's partition (CONTRACT §9): the tenant from the token, or `null` when tenants are off (one partition for all). */
export type Tenant = string | null;

/**
 * A user where it lives: its id and, when tenants are on, its tenant. Absent means no tenant, so that every value
 * stored or sent before tenants existed reads as it did.
 */
export interface TenantUser {
  readonly tenant?: string;
  readonly userId: UserId;
}

/**
 * A user an event is about, with its key when the caller has it already: a connection's user is the same for every
 * event, so its key is made once, not for every heartbeat (a key made anew is hashed anew at every lookup).
 */
export interface KeyedUser extends TenantUser {
  readonly key?: UserKey;
}

/**
 * The key of a user in a tenant: the user's own key when tenants are off (so that stored keys do not change), else
 * the tenant's length, the tenant and the user's key, so that no tenant and id can make another pair's key, and a
 * tenant's keys sort together (a tenant's users are one range of every index in key order). Tenants are on or off for a
 * whole deployment, so a key of one kind never meets one of the other.
 */
export function tenantUserKey(tenant: Tenant, key: UserKey): UserKey {
  return tenant === null ? key : `${tenant.length}:${tenant}:${key}`;
}

/** The key a user is stored and indexed by. */
export function keyOfUser(user: KeyedUser): UserKey {
  return user.key ?? keyIn(user.tenant, user.userId);
}

/** The key of the user with this id in a tenant (none: tenants are off). */
export function keyIn(tenant: Tenant | undefined, userId: UserId): UserKey {
  return tenantUserKey(tenant ?? null, userKeyOf(userId));
}

/** A tenant as a part of a new value: nothing at all for none, so that values read as they did before tenants. */
export function inTenant(tenant: Tenant | undefined): { readonly tenant?: string } {
  return tenant === undefined || tenant === null ? NO_TENANT : { tenant };
}

/** A user's tenant as a part of a new value (see inTenant). */
export function tenantPart(user: { readonly tenant?: string }): { readonly tenant?: string } {
  return inTenant(user.tenant);
}

const NO_TENANT = Object.freeze({});

/** The tenant of a user as a partition: `null` when it has none. */
export const tenantOf = (user: { readonly tenant?: string }): Tenant => user.tenant ?? null;

/** The keys of a tenant's users all start with this, and no other tenant's do. */
export const tenantKeyPrefix = (tenant: string): string => tenantUserKey(tenant, '');

export type OfflineReason = 'explicit' | 'disconnect' | 'expired' | 'node_lost';

/**
 * One connection that keeps its user online. A live connection is refreshed by heartbeats and ends as `expired`
 * at `expiresAt`; a dropped connection (socket closed without userOffline) waits out the disconnect grace and
 * ends as `disconnect` at `expiresAt`.
 */
export interface ConnectionPresence extends ConnectionActivity {
  readonly connectionId: ConnectionId;
  readonly nodeId: string;
  readonly lastSeen: Instant;
  readonly expiresAt: Instant;
  readonly dropped: boolean;
}

/** A user's presence: online while it has at least one connection. A user with none is not stored at all. */
export interface UserPresence extends TenantUser {
  readonly userType: string | null;
  readonly userName: string | null;
  /** What the user chose with `userStatusSet` (CONTRACT §8), for all its connections, until it goes offline. */
  readonly chosen: ChosenAvailability;
  readonly statusText: string | null;
  /** When the current online period began: a reconnect within the grace keeps it. */
  readonly onlineSince: Instant;
  /** The last activity on any connection in this online period; null when none reported any. */
  readonly lastActive: Instant | null;
  /**
   * Each connection once. A list, not a record keyed by connection id: a user has a few, and objects keyed by
   * random ids would each get a hidden class of their own, slow to copy and to walk on every heartbeat.
   */
  readonly connections: readonly ConnectionPresence[];
}

/** What readers are told about an online user. */
export interface OnlineUser extends TenantUser, AvailabilityView {
  readonly lastSeen: Instant;
  readonly userType: string | null;
  readonly userName: string | null;
  readonly lastActive: Instant | null;
  readonly onlineSince: Instant;
}
