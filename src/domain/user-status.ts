import type { Availability } from './availability';
import type { Instant, OnlineUser, TenantUser, UserKey } from './presence.types';

/**
 * A user as readers see it: online, or offline with the last sign of life that was persisted, `null` when it could
 * not be read in time (CONTRACT §1, §11).
 */
export type UserStatus = (OnlineUser & { readonly status: 'online' }) | OfflineUser;

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

export interface PresencePageQuery {
  /** Only users whose key sorts after this one: the previous page's `nextAfter`. */
  readonly after?: UserKey;
  readonly limit: number;
  readonly userTypes?: readonly string[];
  /** Only online users shown with one of these (CONTRACT §8). */
  readonly availabilities?: readonly Availability[];
  /** Only users of this tenant (CONTRACT §9); none: tenants are off. */
  readonly tenant?: string;
}

export interface PresencePage {
  readonly users: UserStatus[];
  /** How many users match, on every page. */
  readonly total: number;
  /** Where the next page starts; `null` on the last page. */
  readonly nextAfter: UserKey | null;
}
