import { connectionBucketOf, noUsersByConnections, type UsersByConnections } from '../../domain/connection-buckets';
import { nextDeadline } from '../../domain/presence';
import type {
  CommittedDecision,
  OnlinePage,
  OnlinePageQuery,
  PresenceDecision,
  PresenceStore,
} from '../../domain/ports/presence-store.port';
import type { TransitionSink } from '../../domain/ports/transition-feed.port';
import type { Instant, UserKey, UserPresence } from '../../domain/presence.types';
import { copyOf, overwrite, type StoredPresence } from './stored-presence-record';
import { tenantKeyPrefix } from '../../domain/presence.types';
import { availabilityOf, noUsersByAvailability, type UsersByAvailability } from '../../domain/availability';
import { everyUser, onlinePageFilter } from '../../domain/online-page-filter';
import { DeadlineQueue } from '../../application/deadline-queue';
import { firstIndexAfter, rangeWithPrefix } from './sorted-keys';

/** For a store whose transitions nobody follows (unit tests of the rules). */
const discardTransitions: TransitionSink = { publish: () => undefined, gap: () => undefined };

/**
 * Presence in this process's memory: one node. A rule runs synchronously, so each update is atomic.
 *
 * The rules return a new presence for every heartbeat; kept as it is, each would live until the user's next
 * heartbeat, long enough to be promoted out of V8's young generation and die in the old one, a steady source of
 * full collections at high rates. So the store copies a rule's result into its own records, in place where the
 * user keeps the same connections, and the rule's objects die young; readers get copies.
 */
export class InMemoryPresenceStore implements PresenceStore {
  private readonly users = new Map<UserKey, StoredPresence>();
  private readonly deadlines = new DeadlineQueue<UserKey>();
  // Declared, not defined as undefined first: a number field that starts undefined is boxed, one allocation per transition.
  private declare seq: number;
  /** How many users each tenant has online: the tenants-online gauge, without a pass over the users. */
  private readonly tenantUsers = new Map<string, number>();
  /** Keys in order, for paging; rebuilt on the first page after a user came or went. */
  private sortedKeys: UserKey[] | undefined;

  /**
   * `sink` gets each committed transition at once, in seq order. `firstSeq`: numbering continues after it; a node
   * gives its start time, so that seq only grows across restarts (CONTRACT §7).
   */
  constructor(
    private readonly sink: TransitionSink = discardTransitions,
    firstSeq = 0,
  ) {
    this.seq = firstSeq;
  }

  update(key: UserKey, decide: (current: UserPresence | undefined) => PresenceDecision): Promise<CommittedDecision> {
    const current = this.users.get(key);
    const { next, transition } = decide(current);
    if (next !== current) {
      if ((current === undefined) !== (next === undefined)) this.userCameOrWent((current ?? next) as UserPresence, next !== undefined);
      if (next === undefined) {
        this.users.delete(key);
        this.deadlines.remove(key);
      } else {
        if (current === undefined) this.users.set(key, copyOf(next));
        else overwrite(current, next);
        this.scheduleNoLater(key, nextDeadline(next));
      }
    }
    if (transition === null) return Promise.resolve({ next, transition: null });
    const committed = { ...transition, seq: ++this.seq };
    this.sink.publish(committed);
    return Promise.resolve({ next, transition: committed });
  }

  find(key: UserKey): Promise<UserPresence | undefined> {
    return Promise.resolve(this.snapshotOf(key));
  }

  findMany(keys: readonly UserKey[]): Promise<Array<UserPresence | undefined>> {
    return Promise.resolve(keys.map((key) => this.snapshotOf(key)));
  }

  pageOnline(query: OnlinePageQuery): Promise<OnlinePage> {
    const keys = this.keysInOrder();
    const [start, end] = this.rangeOf(query.tenant);
    const matches = onlinePageFilter(query);
    const users: UserPresence[] = [];
    let more = false;
    for (let i = Math.max(start, firstIndexAfter(keys, query.after)); i < end; i++) {
      const user = this.users.get(keys[i] as UserKey) as StoredPresence;
      if (!matches(user)) continue;
      if (users.length === query.limit) {
        more = true;
        break;
      }
      users.push(copyOf(user));
    }
    let total = end - start;
    if (matches !== everyUser) {
      total = 0;
      for (let i = start; i < end; i++) if (matches(this.users.get(keys[i] as UserKey) as StoredPresence)) total += 1;
    }
    return Promise.resolve({ users, total, more });
  }

  listOnline(tenant?: string): Promise<UserPresence[]> {
    if (tenant === undefined) return Promise.resolve(Array.from(this.users.values(), copyOf));
    const keys = this.keysInOrder();
    const [start, end] = this.rangeOf(tenant);
    return Promise.resolve(keys.slice(start, end).map((key) => copyOf(this.users.get(key) as StoredPresence)));
  }

  countTenants(): Promise<number> {
    return Promise.resolve(this.tenantUsers.size);
  }

  countOnline(): Promise<number> {
    return Promise.resolve(this.users.size);
  }

  usersByConnections(): Promise<UsersByConnections> {
    const tally = noUsersByConnections();
    for (const user of this.users.values()) tally[connectionBucketOf(user.connections.length)] += 1;
    return Promise.resolve(tally);
  }

  usersByAvailability(): Promise<UsersByAvailability> {
    const tally = noUsersByAvailability();
    for (const user of this.users.values()) tally[availabilityOf(user.chosen, user.connections)] += 1;
    return Promise.resolve(tally);
  }

  usersOnNode(nodeId: string): Promise<UserKey[]> {
    const keys: UserKey[] = [];
    for (const [key, user] of this.users) {
      if (user.connections.some((c) => c.nodeId === nodeId)) keys.push(key);
    }
    return Promise.resolve(keys);
  }

  /**
   * The users really due. A heap entry may be early (a heartbeat moved the user's deadline later without touching the
   * heap): such an entry is put right when it comes due, once per TTL at most, instead of on every heartbeat.
   */
  dueUsers(now: Instant, limit: number): Promise<UserKey[]> {
    const found = new Set<UserKey>();
    for (;;) {
      const candidates = this.deadlines.due(now, limit - found.size, found);
      if (candidates.length === 0) return Promise.resolve([...found]);
      for (const key of candidates) {
        const user = this.users.get(key);
        const deadline = user === undefined ? undefined : nextDeadline(user);
        if (deadline !== undefined && deadline <= now) found.add(key);
        else this.deadlines.schedule(key, deadline);
      }
      if (found.size >= limit) return Promise.resolve([...found]);
    }
  }

  /**
   * The heap's first entry, once it is the user's real deadline: an early one (a heartbeat moved it later) is put
   * right on the way, as `dueUsers` would when it came due, so each entry is fixed about once a heartbeat interval.
   */
  earliestDeadline(): Promise<Instant | undefined> {
    for (;;) {
      const first = this.deadlines.first();
      if (first === undefined) return Promise.resolve(undefined);
      const user = this.users.get(first.key);
      const deadline = user === undefined ? undefined : nextDeadline(user);
      if (deadline === first.deadline) return Promise.resolve(deadline);
      this.deadlines.schedule(first.key, deadline);
    }
  }

  /** Walks every due entry, putting early ones right on the way: only a stalled node's sweep asks, while it defers. */
  async countDue(after: Instant, until: Instant): Promise<number> {
    let count = 0;
    for (const key of await this.dueUsers(until, Number.MAX_SAFE_INTEGER)) {
      const user = this.users.get(key);
      if (user !== undefined && (nextDeadline(user) as Instant) > after) count += 1;
    }
    return count;
  }

  private userCameOrWent(user: UserPresence, came: boolean): void {
    this.sortedKeys = undefined;
    if (user.tenant === undefined) return;
    const count = (this.tenantUsers.get(user.tenant) ?? 0) + (came ? 1 : -1);
    if (count > 0) this.tenantUsers.set(user.tenant, count);
    else this.tenantUsers.delete(user.tenant);
  }

  private keysInOrder(): readonly UserKey[] {
    this.sortedKeys ??= [...this.users.keys()].sort();
    return this.sortedKeys;
  }

  /** The run of the keys in order a tenant's users hold; every key without tenants. */
  private rangeOf(tenant: string | undefined): readonly [number, number] {
    const keys = this.keysInOrder();
    return tenant === undefined ? [0, keys.length] : rangeWithPrefix(keys, tenantKeyPrefix(tenant));
  }

  private snapshotOf(key: UserKey): UserPresence | undefined {
    const user = this.users.get(key);
    return user === undefined ? undefined : copyOf(user);
  }

  /** Moves the key's heap entry only when its deadline comes earlier (or it has none). */
  private scheduleNoLater(key: UserKey, deadline: Instant | undefined): void {
    const known = this.deadlines.deadlineOf(key);
    if (deadline === undefined || known === undefined || deadline < known) this.deadlines.schedule(key, deadline);
  }
}
