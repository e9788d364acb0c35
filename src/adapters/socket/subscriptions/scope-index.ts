import type { OnlineUser, TenantUser, UserKey } from '../../../domain/presence.types';
import { keyOfUser, tenantOf, tenantUserKey } from '../../../domain/presence.types';
import type { PresenceScope, ScopeSight } from './presence-scope';
import type { NetChange, NetLeave } from './transition-window';

/** Anything kept per scope: the hub's subscription groups. */
export interface Scoped {
  readonly scope: PresenceScope;
}

type MutableNetChange = { joins: OnlineUser[]; leaves: NetLeave[]; updates: OnlineUser[]; seq: number };

/** The entries of every user that see the same types. */
interface SightBucket<T> {
  readonly types: '*' | ReadonlySet<string>;
  readonly entries: Set<T>;
}

/**
 * Which of the indexed entries a user's change concerns, among those whose sight shows the user (CONTRACT §9):
 * those whose scope lists the user's id (or that are the user's own), those whose scope lists the user's type, and
 * those of every user, by the types they see. Finding them costs the sights and the entries found, not a pass over all.
 */
export class ScopeIndex<T extends Scoped> {
  /** By user key (in its tenant): scopes listing the user, and the user's own. */
  private readonly byUser = new Map<UserKey, Set<T>>();
  /** By type in a tenant (the pair as one key). */
  private readonly byType = new Map<string, Set<T>>();
  /** Scopes of every user, by tenant (`''`: none) and then by the types their sight shows. */
  private readonly ofAll = new Map<string, Map<string, SightBucket<T>>>();

  add(entry: T): void {
    this.update(entry, true);
  }

  remove(entry: T): void {
    this.update(entry, false);
  }

  /** The entries whose scope covers this user. */
  concerned(user: TenantUser, userType: string | null): Set<T> {
    const found = new Set<T>();
    const tenant = tenantOf(user);
    for (const { types, entries } of this.ofAll.get(tenant ?? '')?.values() ?? []) {
      if (types === '*' || (userType !== null && types.has(userType))) for (const entry of entries) found.add(entry);
    }
    for (const entry of this.byUser.get(keyOfUser(user)) ?? []) if (entry.scope.covers(user, userType)) found.add(entry);
    if (userType === null) return found;
    for (const entry of this.byType.get(tenantUserKey(tenant, userType)) ?? []) if (entry.scope.covers(user, userType)) found.add(entry);
    return found;
  }

  /** A net change split by the entries it concerns, each part with the change's seq; entries it misses are absent. */
  split(net: NetChange): Map<T, NetChange> {
    const parts = new Map<T, MutableNetChange>();
    const part = (entry: T): MutableNetChange => {
      let change = parts.get(entry);
      if (change === undefined) {
        change = { joins: [], leaves: [], updates: [], seq: net.seq };
        parts.set(entry, change);
      }
      return change;
    };
    for (const join of net.joins) for (const entry of this.concerned(join, join.userType)) part(entry).joins.push(join);
    for (const leave of net.leaves) for (const entry of this.concerned(leave, leave.userType)) part(entry).leaves.push(leave);
    for (const update of net.updates) for (const entry of this.concerned(update, update.userType)) part(entry).updates.push(update);
    return parts;
  }

  private update(entry: T, add: boolean): void {
    const { scope } = entry;
    const { self, tenant } = scope.sight;
    if (self !== null) this.updateIn(this.byUser, self, entry, add);
    if (scope.all) {
      this.updateAll(scope.sight, entry, add);
      return;
    }
    for (const key of scope.idKeys) this.updateIn(this.byUser, key, entry, add);
    for (const type of scope.typeSet) this.updateIn(this.byType, tenantUserKey(tenant, type), entry, add);
  }

  private updateAll(sight: ScopeSight, entry: T, add: boolean): void {
    const tenant = sight.tenant ?? '';
    const sights = this.ofAll.get(tenant) ?? new Map<string, SightBucket<T>>();
    const bucket = sights.get(sight.typesKey) ?? { types: sight.types, entries: new Set<T>() };
    if (add) bucket.entries.add(entry);
    else bucket.entries.delete(entry);
    if (bucket.entries.size > 0) sights.set(sight.typesKey, bucket);
    else sights.delete(sight.typesKey);
    if (sights.size > 0) this.ofAll.set(tenant, sights);
    else this.ofAll.delete(tenant);
  }

  private updateIn(index: Map<string, Set<T>>, key: string, entry: T, add: boolean): void {
    const set = index.get(key) ?? new Set<T>();
    if (add) set.add(entry);
    else set.delete(entry);
    if (set.size > 0) index.set(key, set);
    else index.delete(key);
  }
}
