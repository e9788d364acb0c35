/**
 * Availability and activity (CONTRACT §8), as pure rules over a user's chosen status and its connections' activity.
 * Online/offline says whether a user can be reached; availability says whether it wants to be.
 */
import type { Instant } from './presence.types';

export type Availability = 'available' | 'away' | 'busy';

/** What a user chose with `userStatusSet`: `away` or `busy`, or nothing (`available` clears a choice). */
export type ChosenAvailability = 'away' | 'busy' | null;

/**
 * One connection's activity. `lastActive` is null for a connection that never sent `userActivity` (an old client):
 * it is never idle by time. `idle` is what the connection last said.
 */
export interface ConnectionActivity {
  readonly lastActive: Instant | null;
  readonly idle: boolean;
}

/** What an old client's connection has, and every connection before its first `userActivity`. */
export const UNTRACKED: ConnectionActivity = Object.freeze({ lastActive: null, idle: false });

/** Why a user's availability changed: it chose, or its connections went idle, or one became active again. */
export type AvailabilityReason = 'set' | 'idle' | 'active';

/**
 * Whether a connection is idle at `now`: it said so, or it has reported activity before and nothing active for
 * `idleMs` (a frozen or sleeping tab). Heartbeats are not activity.
 */
export function isIdle(activity: ConnectionActivity, now: Instant, idleMs: Instant): boolean {
  return activity.idle || (activity.lastActive !== null && now - activity.lastActive >= idleMs);
}

/** The user's availability: `busy` if chosen; else `away` if chosen, or if every online connection is idle; else available. */
export function availabilityOf(chosen: ChosenAvailability, connections: readonly ConnectionActivity[], now: Instant, idleMs: Instant): Availability {
  if (chosen === 'busy') return 'busy';
  if (chosen === 'away') return 'away';
  if (connections.length > 0 && connections.every((c) => isIdle(c, now, idleMs))) return 'away';
  return 'available';
}

/** A `userActivity` on a connection: active again (now is its last activity), or idle from now. */
export function withActivity(activity: ConnectionActivity, idle: boolean, now: Instant): ConnectionActivity {
  return idle ? { lastActive: activity.lastActive ?? now, idle: true } : { lastActive: now, idle: false };
}

/** What a `userStatusSet` leaves chosen: the availability asked for (`available` clears), or the choice as it was. */
export function chosenAfter(current: ChosenAvailability, asked: Availability | undefined): ChosenAvailability {
  if (asked === undefined) return current;
  return asked === 'available' ? null : asked;
}

/**
 * When the next connection goes idle by time, if one can: the earliest `lastActive + idleMs` among connections that
 * report activity and are not idle yet. A deadline in the index expiry uses, so that going idle costs what goes idle,
 * not a pass over every user.
 */
export function nextIdleDeadline(connections: readonly ConnectionActivity[], idleMs: Instant): Instant | undefined {
  let earliest: Instant | undefined;
  for (const c of connections) {
    if (c.idle || c.lastActive === null) continue;
    const at = c.lastActive + idleMs;
    if (earliest === undefined || at < earliest) earliest = at;
  }
  return earliest;
}

/** The user's last activity on any connection; null when none ever reported any. */
export function lastActiveOf(connections: readonly ConnectionActivity[]): Instant | null {
  let latest: Instant | null = null;
  for (const c of connections) if (c.lastActive !== null && (latest === null || c.lastActive > latest)) latest = c.lastActive;
  return latest;
}

/** How a user is shown beside its status: its availability and its status text. */
export interface AvailabilityView {
  readonly availability: Availability;
  readonly statusText: string | null;
}

/**
 * Why what the user is shown as went from `before` to `after`, or null when nothing changed: a choice (`chose`:
 * `userStatusSet`) says `set`; otherwise going `away` is `idle`, and coming back is `active`.
 */
export function availabilityChange(before: AvailabilityView, after: AvailabilityView, chose: boolean): AvailabilityReason | null {
  if (before.availability === after.availability && before.statusText === after.statusText) return null;
  if (chose) return 'set';
  return after.availability === 'away' ? 'idle' : 'active';
}
