import type { CommittedTransition } from './presence.events';
import type { Instant, OnlineUser, UserId } from './presence.types';
import { userKeyOf } from './presence.types';

/**
 * What a node's clients must be told after transitions were missed (a Redis outage, a trimmed stream): every user
 * they believe online that is not is `offline` (reason `expired`: its end was not seen), every user online that
 * they do not know of is `online`. Numbered `seq`, the last seq the node has, since they replace what was missed.
 */
export function reconciliationOf(
  believedOnline: readonly UserId[],
  online: readonly OnlineUser[],
  now: Instant,
  seq: number,
): CommittedTransition[] {
  const onlineKeys = new Set(online.map((user) => userKeyOf(user.userId)));
  const believedKeys = new Set(believedOnline.map(userKeyOf));
  const corrections: CommittedTransition[] = [];
  for (const userId of believedOnline) {
    if (!onlineKeys.has(userKeyOf(userId))) corrections.push({ type: 'UserWentOffline', userId, lastSeen: now, reason: 'expired', seq });
  }
  for (const user of online) {
    if (!believedKeys.has(userKeyOf(user.userId))) corrections.push({ type: 'UserWentOnline', ...user, reason: 'online', seq });
  }
  return corrections;
}
