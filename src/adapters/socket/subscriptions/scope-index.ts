import type { OnlineUser, UserId, UserKey } from '../../../domain/presence.types';
import { userKeyOf } from '../../../domain/presence.types';
import type { PresenceScope } from './presence-scope';
import type { NetChange, NetLeave } from './transition-window';

/** Anything kept per scope: the hub's subscription groups. */
export interface Scoped {
  readonly scope: PresenceScope;
}

type MutableNetChange = { joins: OnlineUser[]; leaves: NetLeave[]; seq: number };

/**
 * Which of the indexed entries a user's change concerns: those whose scope lists the user's id, those whose scope
 * lists the user's type, and those of every user. Finding them costs the entries found, not a pass over all.
 */
export class ScopeIndex<T extends Scoped> {
  private readonly byUser = new Map<UserKey, Set<T>>();
  private readonly byType = new Map<string, Set<T>>();
  private readonly ofAll = new Set<T>();

  add(entry: T): void {
    this.update(entry, true);
  }

  remove(entry: T): void {
    this.update(entry, false);
  }

  /** The entries whose scope covers this user. */
  concerned(userId: UserId, userType: string | null): Set<T> {
    const found = new Set(this.ofAll);
    for (const entry of this.byUser.get(userKeyOf(userId)) ?? []) found.add(entry);
    if (userType !== null) for (const entry of this.byType.get(userType) ?? []) found.add(entry);
    return found;
  }

  /** A net change split by the entries it concerns, each part with the change's seq; entries it misses are absent. */
  split(net: NetChange): Map<T, NetChange> {
    const parts = new Map<T, MutableNetChange>();
    const part = (entry: T): MutableNetChange => {
      let change = parts.get(entry);
      if (change === undefined) {
        change = { joins: [], leaves: [], seq: net.seq };
        parts.set(entry, change);
      }
      return change;
    };
    for (const join of net.joins) for (const entry of this.concerned(join.userId, join.userType)) part(entry).joins.push(join);
    for (const leave of net.leaves) for (const entry of this.concerned(leave.userId, leave.userType)) part(entry).leaves.push(leave);
    return parts;
  }

  private update(entry: T, add: boolean): void {
    const { scope } = entry;
    if (scope.all) {
      if (add) this.ofAll.add(entry);
      else this.ofAll.delete(entry);
      return;
    }
    for (const key of scope.idKeys) this.updateIn(this.byUser, key, entry, add);
    for (const type of scope.typeSet) this.updateIn(this.byType, type, entry, add);
  }

  private updateIn(index: Map<string, Set<T>>, key: string, entry: T, add: boolean): void {
    const set = index.get(key) ?? new Set<T>();
    if (add) set.add(entry);
    else set.delete(entry);
    if (set.size > 0) index.set(key, set);
    else index.delete(key);
  }
}
