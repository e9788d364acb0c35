/**
 * The rules of CONTRACT §8 that only an online connection can invoke: a user's chosen availability and text
 * (`userStatusSet`), and a connection's activity (`userActivity`). Each leaves the presence unchanged on a connection
 * that is not online; the service refuses the event then.
 */
import type { Availability } from './availability';
import { chosenAfter, withActivity } from './availability';
import type { PresenceDecision } from './presence';
import { reshown, unchanged } from './presence';
import type { ConnectionId, Instant, UserPresence } from './presence.types';

export interface StatusChoice {
  /** `available` clears a chosen `away` or `busy`; absent keeps the choice. */
  readonly availability?: Availability;
  /** Absent keeps the text; null clears it. */
  readonly statusText?: string | null;
}

/** Whether the connection keeps its user online and is not only lingering in its grace. */
export function isLiveOn(user: UserPresence | undefined, connectionId: ConnectionId): user is UserPresence {
  return user !== undefined && user.connections.some((c) => c.connectionId === connectionId && !c.dropped);
}

/** `userStatusSet`: the user's choice, for all its connections, until it changes it or goes offline. */
export function chooseStatus(user: UserPresence | undefined, connectionId: ConnectionId, choice: StatusChoice): PresenceDecision {
  if (!isLiveOn(user, connectionId)) return unchanged(user);
  const chosen = chosenAfter(user.chosen, choice.availability);
  const statusText = choice.statusText !== undefined ? choice.statusText : user.statusText;
  if (chosen === user.chosen && statusText === user.statusText) return unchanged(user);
  return reshown(user, { ...user, chosen, statusText }, true);
}

/**
 * `userActivity`: the connection is idle from now, or active now (and idle at `now + idleMs` unless it reports
 * again). Activity is the user's `lastActive`; saying idle is not activity.
 */
export function reportActivity(
  user: UserPresence | undefined,
  connectionId: ConnectionId,
  idle: boolean,
  now: Instant,
  idleMs: Instant,
): PresenceDecision {
  if (!isLiveOn(user, connectionId)) return unchanged(user);
  const activity = withActivity(idle, now, idleMs);
  let repeated = false;
  const connections = user.connections.map((c) => {
    if (c.connectionId !== connectionId) return c;
    repeated = idle && c.idle;
    return { ...c, ...activity };
  });
  if (repeated) return unchanged(user);
  const lastActive = idle || (user.lastActive !== null && user.lastActive >= now) ? user.lastActive : now;
  return reshown(user, { ...user, connections, lastActive }, false);
}
