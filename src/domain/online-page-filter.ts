import { availabilityOf } from './availability';
import type { OnlinePageQuery } from './ports/presence-store.port';
import type { UserPresence } from './presence.types';

type Filtered = Pick<UserPresence, 'userType' | 'chosen' | 'connections'>;

/** Matches every user: a page without filters counts its total without looking at one. */
export const everyUser = (_user: Filtered): boolean => true;

/** Whether an online user matches a page's filters: one of its types (if any) and one of its availabilities (if any). */
export function onlinePageFilter(query: Pick<OnlinePageQuery, 'userTypes' | 'availabilities'>): (user: Filtered) => boolean {
  const types = query.userTypes?.length ? new Set(query.userTypes) : undefined;
  const availabilities = query.availabilities?.length ? new Set(query.availabilities) : undefined;
  if (types === undefined && availabilities === undefined) return everyUser;
  return (user) =>
    (types === undefined || (user.userType !== null && types.has(user.userType))) &&
    (availabilities === undefined || availabilities.has(availabilityOf(user.chosen, user.connections)));
}
