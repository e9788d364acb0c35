import type { PresenceScope } from './presence-scope';
import { ScopeIndex } from './scope-index';
import { SubscriptionGroup } from './subscription-group';
import type { NetChange } from './transition-window';

/** Every element of the set, which is left empty: the groups with work for one flush. */
export function takeAll<T>(set: Set<T>): T[] {
  const taken = [...set];
  set.clear();
  return taken;
}

/**
 * This node's subscription groups: one per scope key, each connection's own, and, through the scope index, those a
 * change concerns. A group lives while it has a connection in it.
 */
export class SubscriptionGroups {
  private readonly byKey = new Map<string, SubscriptionGroup>();
  private readonly byConnection = new Map<string, SubscriptionGroup>();
  private readonly index = new ScopeIndex<SubscriptionGroup>();

  /** The group of the scope, made if there is none, is the connection's from now on. */
  assign(socketId: string, scope: PresenceScope): SubscriptionGroup {
    let group = this.byKey.get(scope.key);
    if (group === undefined) {
      group = new SubscriptionGroup(scope);
      this.byKey.set(scope.key, group);
      this.index.add(group);
    }
    this.byConnection.set(socketId, group);
    return group;
  }

  of(socketId: string): SubscriptionGroup | undefined {
    return this.byConnection.get(socketId);
  }

  /** The connection's group, which is no longer its own; the caller takes the connection out of it. */
  release(socketId: string): SubscriptionGroup | undefined {
    const group = this.byConnection.get(socketId);
    this.byConnection.delete(socketId);
    return group;
  }

  /** Forgets a group with no connection in it any more. */
  dropIfUnused(group: SubscriptionGroup): void {
    if (!group.unused || this.byKey.get(group.scope.key) !== group) return;
    this.byKey.delete(group.scope.key);
    this.index.remove(group);
  }

  /** A net change split by the groups it concerns (see ScopeIndex.split). */
  split(net: NetChange): Map<SubscriptionGroup, NetChange> {
    return this.index.split(net);
  }

  /** Every group, as of now: groups made or dropped later are not visited. */
  all(): SubscriptionGroup[] {
    return [...this.byKey.values()];
  }
}
