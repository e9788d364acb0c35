import type { OnlinePageQuery } from './ports/presence-store.port';
import type { Instant, OnlineUser, Tenant, TenantUser, UserId, UserKey } from './presence.types';
import { inTenant } from './presence.types';

/**
 * A user as readers see it: online, or offline with the last sign of life that was persisted, `null` when it could
 * not be read in time (CONTRACT §1, §11).
 */
export type UserStatus = (OnlineUser & { readonly status: 'online' }) | OfflineUser;

/** An offline user of a tenant (none: tenants are off), with what persistence holds of it, and no availability. */
export function offlineStatus(tenant: Tenant | undefined, userId: UserId, lastSeen: Instant | null, userType: string | null, lastActive: Instant | null): OfflineUser {
  const shown = { availability: null, statusText: null, onlineSince: null } as const;
  return { ...inTenant(tenant), userId, status: 'offline', lastSeen, userType, userName: null, ...shown, lastActive };
}

/** An offline user: its persisted `lastSeen` and `lastActive`, and no availability (CONTRACT §8). */
export interface OfflineUser extends TenantUser {
  readonly status: 'offline';
  readonly lastSeen: Instant | null;
  readonly userType: string | null;
  readonly userName: string | null;
  readonly availability: null;
  readonly statusText: null;
  readonly lastActive: Instant | null;
  readonly onlineSince: null;
}

/** A page of users: the store's query, the same filters (CONTRACT §8's availabilities, §9's tenant) and cursor. */
export type PresencePageQuery = OnlinePageQuery;

export interface PresencePage {
  readonly users: UserStatus[];
  /** How many users match, on every page. */
  readonly total: number;
  /** Where the next page starts; `null` on the last page. */
  readonly nextAfter: UserKey | null;
}
