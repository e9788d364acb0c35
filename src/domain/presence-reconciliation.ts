import type { ToldPresence } from './ports/transition-feed.port';
import { OFFLINE, onlineState } from './presence-state';
import type { CommittedTransition } from './presence.events';
import type { Instant, OnlineUser } from './presence.types';
import { userKeyOf } from './presence.types';

/**
 * What a node's clients must be told after transitions were missed (a Redis outage, a trimmed stream): every user
 * they believe online that is not is `offline` (reason `expired`: its end was not seen), every user online that
 * they do not know of is `online`. Numbered `seq`, the last seq the node has, since they replace what was missed.
 */
export function reconciliationOf(told: ToldPresence, online: readonly OnlineUser[], now: Instant, seq: number): CommittedTransition[] {
  const believedOnline = told.believedOnline();
  const onlineKeys = new Set(online.map((user) => userKeyOf(user.userId)));
  const believedKeys = new Set(believedOnline.map(userKeyOf));
  const corrections: CommittedTransition[] = [];
  for (const userId of believedOnline) {
    if (onlineKeys.has(userKeyOf(userId))) continue;
    // A user believed online was told a state; the fallback only satisfies the type.
    const from = told.toldStateOf(userId) ?? onlineState(null, null);
    corrections.push({ type: 'UserPresenceChanged', userId, lastSeen: now, from, to: OFFLINE, reason: 'expired', seq });
  }
  for (const { userId, lastSeen, userType, userName } of online) {
    if (believedKeys.has(userKeyOf(userId))) continue;
    corrections.push({ type: 'UserPresenceChanged', userId, lastSeen, from: OFFLINE, to: onlineState(userType, userName), reason: 'online', seq });
  }
  return corrections;
}
