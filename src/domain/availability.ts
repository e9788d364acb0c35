/**
 * Availability and activity (CONTRACT §8), as pure rules over a user's chosen status and its connections' activity.
 * Online/offline says whether a user can be reached; availability says whether it wants to be.
 *
 * Going idle by time is kept as a deadline on the connection (`idleAt`), which expiry's sweep reaches like any
 * other: the connection is then marked idle, so that a user's availability is a function of what is stored, not of
 * the clock, and going idle costs what goes idle, not a pass over every user.
 */
import type { Instant } from './presence.types';

export const availabilities = ['available', 'away', 'busy'] as const;
export type Availability = (typeof availabilities)[number];

/** What a user chose with `userStatusSet`: `away` or `busy`, or nothing (`available` clears a choice). */
export type ChosenAvailability = 'away' | 'busy' | null;

/** The longest status text, in code points. */
export const MAX_STATUS_TEXT = 140;

/**
 * One connection's activity. `idle` is what the connection last said, or that it went idle by time. `idleAt` is when
 * it goes idle without saying so: `PRESENCE_IDLE_MS` after its last activity; null for a connection that never
 * sent `userActivity` (an old client: never idle by time) or that is idle already.
 */
export interface ConnectionActivity {
  readonly idle: boolean;
  readonly idleAt: Instant | null;
}

/** What an old client's connection has, and every connection before its first `userActivity`. */
export const UNTRACKED: ConnectionActivity = Object.freeze({ idle: false, idleAt: null });

/** Why a user's availability or text changed: it chose, or its connections went idle, or one became active again. */
export const availabilityReasons = ['set', 'idle', 'active'] as const;
export type AvailabilityReason = (typeof availabilityReasons)[number];

/** The user's availability: `busy` if chosen; else `away` if chosen, or if every online connection is idle; else available. */
export function availabilityOf(chosen: ChosenAvailability, connections: readonly ConnectionActivity[]): Availability {
  if (chosen !== null) return chosen;
  if (connections.length > 0 && connections.every((c) => c.idle)) return 'away';
  return 'available';
}

/** A `userActivity` at `now`: active again (idle at `now + idleMs` unless it reports again), or idle from now. */
export function withActivity(idle: boolean, now: Instant, idleMs: Instant): ConnectionActivity {
  return idle ? { idle: true, idleAt: null } : { idle: false, idleAt: now + idleMs };
}

/** The activity at `now`: idle if its idle deadline has come. */
export function activityAt<A extends ConnectionActivity>(activity: A, now: Instant): A {
  if (activity.idleAt === null || activity.idleAt > now) return activity;
  return { ...activity, idle: true, idleAt: null };
}

/** What a `userStatusSet` leaves chosen: the availability asked for (`available` clears), or the choice as it was. */
export function chosenAfter(current: ChosenAvailability, asked: Availability | undefined): ChosenAvailability {
  if (asked === undefined) return current;
  return asked === 'available' ? null : asked;
}

/** How many online users are shown with each availability: the `presence_users` gauge. */
export type UsersByAvailability = Record<Availability, number>;

export const noUsersByAvailability = (): UsersByAvailability => ({ available: 0, away: 0, busy: 0 });

/** How a user is shown beside its status: its availability and its status text. */
export interface AvailabilityView {
  readonly availability: Availability;
  readonly statusText: string | null;
}

export function sameView(a: AvailabilityView, b: AvailabilityView): boolean {
  return a.availability === b.availability && a.statusText === b.statusText;
}

/**
 * Why what the user is shown as went from `before` to `after`, or null when nothing changed: a choice (`chose`:
 * `userStatusSet`) says `set`; otherwise going `away` is `idle`, and coming back is `active`.
 */
export function availabilityChange(before: AvailabilityView, after: AvailabilityView, chose: boolean): AvailabilityReason | null {
  if (sameView(before, after)) return null;
  if (chose) return 'set';
  return after.availability === 'away' ? 'idle' : 'active';
}

/** A status text's length as the contract counts it: in code points. */
export const codePointLength = (text: string): number => {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
};
