import { nextDeadline } from '../../domain/presence';
import type {
  CommittedDecision,
  OnlinePage,
  OnlinePageQuery,
  PresenceDecision,
  PresenceStore,
} from '../../domain/ports/presence-store.port';
import type { Instant, UserKey, UserPresence } from '../../domain/presence.types';
import { DeadlineQueue } from './deadline-queue';
import { firstIndexAfter } from './sorted-keys';

/** Presence in this process's memory: one node. A rule runs synchronously, so each update is atomic. */
export class InMemoryPresenceStore implements PresenceStore {
  private readonly users = new Map<UserKey, UserPresence>();
  private readonly deadlines = new DeadlineQueue<UserKey>();
  private seq = 0;
  /** Keys in order, for paging; rebuilt on the first page after a user came or went. */
  private sortedKeys: UserKey[] | undefined;

  update(key: UserKey, decide: (current: UserPresence | undefined) => PresenceDecision): Promise<CommittedDecision> {
    const current = this.users.get(key);
    const { next, transition } = decide(current);
    if (next !== current) {
      if ((current === undefined) !== (next === undefined)) this.sortedKeys = undefined;
      if (next === undefined) {
        this.users.delete(key);
        this.deadlines.remove(key);
      } else {
        this.users.set(key, next);
        this.scheduleNoLater(key, nextDeadline(next));
      }
    }
    return Promise.resolve({ next, transition: transition === null ? null : { ...transition, seq: ++this.seq } });
  }

  find(key: UserKey): Promise<UserPresence | undefined> {
    return Promise.resolve(this.users.get(key));
  }

  findMany(keys: readonly UserKey[]): Promise<Array<UserPresence | undefined>> {
    return Promise.resolve(keys.map((key) => this.users.get(key)));
  }

  pageOnline(query: OnlinePageQuery): Promise<OnlinePage> {
    this.sortedKeys ??= [...this.users.keys()].sort();
    const types = query.userTypes?.length ? new Set(query.userTypes) : undefined;
    const matches = (user: UserPresence): boolean => types === undefined || (user.userType !== null && types.has(user.userType));
    const users: UserPresence[] = [];
    let more = false;
    for (let i = firstIndexAfter(this.sortedKeys, query.after); i < this.sortedKeys.length; i++) {
      const user = this.users.get(this.sortedKeys[i] as UserKey) as UserPresence;
      if (!matches(user)) continue;
      if (users.length === query.limit) {
        more = true;
        break;
      }
      users.push(user);
    }
    let total = this.users.size;
    if (types !== undefined) {
      total = 0;
      for (const user of this.users.values()) if (matches(user)) total += 1;
    }
    return Promise.resolve({ users, total, more });
  }

  listOnline(): Promise<UserPresence[]> {
    return Promise.resolve([...this.users.values()]);
  }

  countOnline(): Promise<number> {
    return Promise.resolve(this.users.size);
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

  /** Moves the key's heap entry only when its deadline comes earlier (or it has none). */
  private scheduleNoLater(key: UserKey, deadline: Instant | undefined): void {
    const known = this.deadlines.deadlineOf(key);
    if (deadline === undefined || known === undefined || deadline < known) this.deadlines.schedule(key, deadline);
  }
}
