import type { Availability, UsersByAvailability } from '../availability';
import type { UsersByConnections } from '../connection-buckets';
import type { PresenceDecision } from '../presence';
import type { CommittedTransition } from '../presence.events';
import type { Instant, UserKey, UserPresence } from '../presence.types';

export type { PresenceDecision } from '../presence';

export interface CommittedDecision {
  readonly next: UserPresence | undefined;
  readonly transition: CommittedTransition | null;
}

export interface OnlinePageQuery {
  /** Only users whose key sorts after this one (JavaScript string order). */
  readonly after?: UserKey;
  readonly limit: number;
  /** Only users of these types; none given: every type. */
  readonly userTypes?: readonly string[];
  /** Only users shown with one of these availabilities (CONTRACT §8); none given: every one. */
  readonly availabilities?: readonly Availability[];
  /** Only users of this tenant, a range of the key order; none given: tenants are off. */
  readonly tenant?: string;
}

export interface OnlinePage {
  readonly users: UserPresence[];
  /** How many online users match the filters, on every page. */
  readonly total: number;
  /** Whether matching users sort after the last one of this page. */
  readonly more: boolean;
  /**
   * The last key this page read, where the next one starts: past the last user given, when an index held users it
   * should not (they are left out, and the next page must not read them again). Absent: the last user's.
   */
  readonly lastKey?: UserKey;
}

/**
 * Where presence lives: one process's memory, or a store that several nodes share.
 *
 * A store never decides a transition itself: `update` applies a pure rule of the domain to a user's current presence
 * atomically. The rule may run more than once (a shared store retries it when another node changed the user in the
 * meantime); only the result computed from the presence that was actually current is committed, in one step with
 * the transition's `seq` and the user's place in the deadline index. What the reads return is a snapshot that
 * never changes afterwards, whatever is committed later; a rule may be handed the stored presence itself, for the
 * length of its call only (rules are pure: they change nothing and keep nothing).
 */
export interface PresenceStore {
  update(key: UserKey, decide: (current: UserPresence | undefined) => PresenceDecision): Promise<CommittedDecision>;

  find(key: UserKey): Promise<UserPresence | undefined>;

  /** The presence of each key, in the order asked; `undefined` for a user that is not online. */
  findMany(keys: readonly UserKey[]): Promise<Array<UserPresence | undefined>>;

  /** Every online user (every stored user is online), or those of `tenant`. */
  listOnline(tenant?: string): Promise<UserPresence[]>;

  /** Online users in key order after `after`, of the given types if any: a stable page however users come and go. */
  pageOnline(query: OnlinePageQuery): Promise<OnlinePage>;

  countOnline(): Promise<number>;
  /** How many tenants have a user online (0 when tenants are off). */
  countTenants(): Promise<number>;

  /** How many online users hold how many connections, counted where the users are: no user is copied out. */
  usersByConnections(): Promise<UsersByConnections>;

  /** How many online users are shown with each availability (CONTRACT §8). */
  usersByAvailability(): Promise<UsersByAvailability>;

  /** Users with a connection on that node. */
  usersOnNode(nodeId: string): Promise<UserKey[]>;

  /** Up to `limit` users with a connection deadline at or before `now`; costs what is due, not what is stored. */
  dueUsers(now: Instant, limit: number): Promise<UserKey[]>;

  /** How many users have their earliest deadline after `after` and at or before `until`; costs what is due, not what is stored. */
  countDue(after: Instant, until: Instant): Promise<number>;

  /** The earliest deadline of any stored user (expiry's or going idle's): when `dueUsers` next has work. */
  earliestDeadline(): Promise<Instant | undefined>;
}
