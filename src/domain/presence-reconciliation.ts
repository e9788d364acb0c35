import type { ToldPresence } from './ports/transition-feed.port';
import { availabilityChange } from './availability';
import { OFFLINE, onlineState, onlineStateOfUser } from './presence-state';
import type { CommittedTransition } from './presence.events';
import type { Instant, OnlineUser } from './presence.types';
import { keyOfUser, tenantPart } from './presence.types';

/**
 * What a node's clients must be told after transitions were missed (a Redis outage, a trimmed stream): every user
 * they believe online that is not is `offline` (reason `expired`: its end was not seen), every user online that
 * they do not know of is `online`, and every user they know online with another type than it has now changed type
 * (who may see it depends on it, CONTRACT §9), or else with another availability or text, changed that (§8). Numbered `seq`, the last seq the node has, since they replace what
 * was missed.
 */
export function reconciliationOf(told: ToldPresence, online: readonly OnlineUser[], now: Instant, seq: number): CommittedTransition[] {
  const believedOnline = told.believedOnline();
  const onlineKeys = new Set(online.map(keyOfUser));
  const believedKeys = new Set(believedOnline.map(keyOfUser));
  const corrections: CommittedTransition[] = [];
  for (const user of believedOnline) {
    if (onlineKeys.has(keyOfUser(user))) continue;
    // A user believed online was told a state; the fallback only satisfies the type.
    const from = told.toldStateOf(user) ?? onlineState(null, null);
    corrections.push({ type: 'UserPresenceChanged', ...tenantPart(user), userId: user.userId, lastSeen: now, from, to: OFFLINE, reason: 'expired', seq });
  }
  for (const user of online) {
    const { userId, lastSeen } = user;
    const to = onlineStateOfUser(user);
    if (!believedKeys.has(keyOfUser(user))) {
      corrections.push({ type: 'UserPresenceChanged', ...tenantPart(user), userId, lastSeen, from: OFFLINE, to, reason: 'online', seq });
      continue;
    }
    const from = told.toldStateOf(user);
    if (from === undefined) continue;
    // A name is not a transition (it changes with userOnline, silently): only a type or what it is shown as is.
    const reason = from.userType !== to.userType ? 'type_changed' : availabilityChange(from, to, false);
    if (reason === null) continue;
    corrections.push({ type: 'UserPresenceChanged', ...tenantPart(user), userId, lastSeen, from, to, reason, seq });
  }
  return corrections;
}
