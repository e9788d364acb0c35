import type { OnlinePageQuery } from '../../domain/ports/presence-store.port';
import { availabilityOf } from '../../domain/availability';
import type { UserPresence } from '../../domain/presence.types';
import { tenantKeyPrefix } from '../../domain/presence.types';
import type { RedisKeys } from './redis-keys';

/**
 * A tenant's users as a lex range of an index: its keys all start with its prefix, and no UTF-8 text holds the byte
 * 0xff, so `(prefix` + 0xff ends the range. (A string would be sent as UTF-8, making U+00FF two other bytes.)
 */
export function lexRangeOf(tenant: string): [string, Buffer] {
  const prefix = tenantKeyPrefix(tenant);
  return [`[${prefix}`, Buffer.concat([Buffer.from(`(${prefix}`), Buffer.from([0xff])])];
}

/** The indexes whose union is a page's users: disjoint, since a user has one type and one availability. */
export function pageIndexesOf(keys: RedisKeys, query: OnlinePageQuery): string[] {
  const types = query.userTypes?.length ? [...new Set(query.userTypes)] : undefined;
  const availabilities = query.availabilities?.length ? [...new Set(query.availabilities)] : undefined;
  if (availabilities === undefined) return types === undefined ? [keys.users] : types.map((t) => keys.type(t));
  return availabilities.flatMap((a) => (types === undefined ? [keys.availability(a)] : types.map((t) => keys.availability(a, t))));
}

/**
 * The availability index a stored user is in: its availability, or `?` for one a node of 0.13 or earlier wrote (it
 * keeps no §8 fields and no availability index: the user may be in any index, or none).
 */
export function indexedAvailabilityOf(user: UserPresence, json: string): string {
  return json.includes('"onlineSince":') ? availabilityOf(user.chosen, user.connections) : '?';
}
