import type { LastSeenLookup } from './ports/last-seen.port';
import type { PresenceStore } from './ports/presence-store.port';
import { everyUser, onlinePageFilter } from './online-page-filter';
import { toOnlineUser } from './presence';
import type { PresencePage, PresencePageQuery, UserStatus } from './presence.service';
import type { UserId } from './presence.types';
import { keyIn, keyOfUser } from './presence.types';
import { offlineStatus } from './user-status';

/**
 * The named users in key order, a page at a time: online ones as they are, offline ones with the `last_seen` and
 * `last_active` persistence holds (and no name, nor availability), never-seen ones left out. A type or availability
 * filter keeps online users only. When persistence could not be read in time, the users it might know are offline
 * with `lastSeen: null`.
 */
export async function pageOfNamedUsers(
  deps: { readonly store: PresenceStore; readonly lastSeen: LastSeenLookup },
  userIds: readonly UserId[],
  query: PresencePageQuery,
): Promise<PresencePage> {
  const { tenant } = query;
  const asked = new Map(userIds.map((userId) => [keyIn(tenant, userId), userId]));
  const keys = [...asked.keys()].sort();
  const online = await deps.store.findMany(keys);
  const offline = keys.filter((_, i) => online[i] === undefined).map((key) => asked.get(key) as UserId);
  const read = await deps.lastSeen.lookUp(offline, tenant);
  const persisted = new Map(read.entries.map((e) => [keyOfUser(e), e]));
  const matches = onlinePageFilter(query);
  const onlineOnly = matches !== everyUser;
  const matched: UserStatus[] = [];
  keys.forEach((key, i) => {
    const stored = online[i];
    const entry = persisted.get(key);
    if (stored !== undefined) {
      if (matches(stored)) matched.push({ ...toOnlineUser(stored), status: 'online' });
    } else if (!onlineOnly && (entry !== undefined || !read.complete)) {
      const userId = entry?.userId ?? (asked.get(key) as UserId);
      matched.push(offlineStatus(tenant, userId, entry?.lastSeen ?? null, entry?.userType ?? null, entry?.lastActive ?? null));
    }
  });
  const after = query.after;
  const rest = after === undefined ? matched : matched.filter((u) => keyOfUser(u) > after);
  const users = rest.slice(0, query.limit);
  const last = users[users.length - 1];
  return { users, total: matched.length, nextAfter: rest.length > users.length && last ? keyOfUser(last) : null };
}
