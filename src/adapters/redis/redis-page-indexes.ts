import type { OnlinePageQuery } from '../../domain/ports/presence-store.port';
import type { UserKey, UserPresence } from '../../domain/presence.types';
import { tenantKeyPrefix } from '../../domain/presence.types';
import { availabilities, availabilityOf } from '../../domain/availability';
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

/** The availability indexes a user belongs in: its availability's, and its availability and type's. */
function availabilityIndexesOf(keys: RedisKeys, user: UserPresence): string[] {
  const availability = availabilityOf(user.chosen, user.connections);
  const base = keys.availability(availability);
  return user.userType === null ? [base] : [base, keys.availability(availability, user.userType)];
}

/**
 * The (key, index, presence read) triples of PRUNE_AVAILABILITY for a page's keys that its availability indexes
 * should not hold: their user gone (`found` undefined), or shown with another availability or type.
 */
export function misindexed(
  keys: RedisKeys,
  page: readonly UserKey[],
  read: ReadonlyArray<string | null>,
  found: ReadonlyArray<UserPresence | undefined>,
  indexes: readonly string[],
): string[] {
  const triples: string[] = [];
  // A user gone is taken out of every availability's own index too, not only those the page read.
  const everyBase = availabilities.map((a) => keys.availability(a));
  page.forEach((key, i) => {
    const user = found[i];
    const own = user === undefined ? [] : availabilityIndexesOf(keys, user);
    const checked = user === undefined ? [...new Set([...indexes, ...everyBase])] : indexes;
    for (const index of checked) if (!own.includes(index)) triples.push(key, index, read[i] ?? '');
  });
  return triples;
}
