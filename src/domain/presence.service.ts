import type { UsersByConnections } from './connection-buckets';
import type { PresenceSettings } from './presence.settings';
import type { ConnectionId, Instant, KeyedUser, OnlineUser, Tenant, UserId, UserKey, UserPresence } from './presence.types';
import { subjectOf } from './presence.events';
import { inTenant, keyIn, keyOfUser, tenantPart } from './presence.types';
import type { Clock } from './ports/clock.port';
import type { LastSeenLookup, LastSeenRecorder } from './ports/last-seen.port';
import type { NodeRegistry } from './ports/node-registry.port';
import type { PresenceNotifier } from './ports/presence-notifier.port';
import type { CommittedDecision, PresenceDecision, PresenceStore } from './ports/presence-store.port';
import type { Announcement } from './presence';
import { announce, dropConnection, endConnection, endNodeConnections, expireDue, heartbeat, toOnlineUser } from './presence';

export interface PresenceServiceDeps {
  readonly clock: Clock;
  readonly store: PresenceStore;
  readonly notifier: PresenceNotifier;
  readonly lastSeen: LastSeenRecorder & LastSeenLookup;
  readonly nodes: NodeRegistry;
  readonly settings: PresenceSettings;
}

export interface ConnectionCommand extends KeyedUser {
  readonly connectionId: ConnectionId;
}

/**
 * A user as readers see it: online, or offline with the last sign of life that was persisted, `null` when it could
 * not be read in time (CONTRACT §1, §11).
 */
export type UserStatus =
  | (OnlineUser & { readonly status: 'online' })
  | (Omit<OnlineUser, 'lastSeen'> & { readonly status: 'offline'; readonly lastSeen: Instant | null });

export interface PresencePageQuery {
  /** Only users whose key sorts after this one: the previous page's `nextAfter`. */
  readonly after?: UserKey;
  readonly limit: number;
  readonly userTypes?: readonly string[];
  /** Only users of this tenant (CONTRACT §9); none: tenants are off. */
  readonly tenant?: string;
}

export interface PresencePage {
  readonly users: UserStatus[];
  /** How many users match, on every page. */
  readonly total: number;
  /** Where the next page starts; `null` on the last page. */
  readonly nextAfter: UserKey | null;
}

export interface SweepOptions {
  /**
   * How long this node itself was recently stalled: a deadline that passed less than this long ago may be a
   * heartbeat still unread in its sockets, so it is not yet taken for the client's silence.
   */
  readonly stallMs?: number;
}

export interface SweepResult {
  readonly now: Instant;
  readonly usersChecked: number;
  readonly transitions: number;
  /** Users due but within the stall allowance, each counted at the first sweep that put its deadline off. */
  readonly deferred: number;
  /** Nodes whose lease lapsed and whose connections this sweep ended. */
  readonly nodesRecovered: readonly string[];
}

/** The use cases of presence. Each reads the clock once and hands `now` to the rules. */
export class PresenceService {
  /** The previous sweep's `now`: a deadline at or before it was expired or counted as deferred then. */
  private deferralsCountedUntil: Instant | undefined;
  private committedTransitions = 0;

  constructor(private readonly deps: PresenceServiceDeps) {}

  async goOnline(a: Announcement): Promise<void> {
    const now = this.deps.clock.now();
    const key = keyOfUser(a);
    const committed = await this.commit(key, (u) => announce(u, a, now, this.deps.settings.ttlMs));
    if (committed.transition === null && committed.next !== undefined) this.deps.lastSeen.record(committed.next, now, key);
  }

  heartbeat(a: Announcement): Promise<void> {
    const now = this.deps.clock.now();
    const key = keyOfUser(a);
    return this.commit(key, (u) => heartbeat(u, a, now, this.deps.settings.ttlMs)).then((committed) => {
      if (committed.transition !== null || committed.next === undefined) return;
      this.deps.lastSeen.record(committed.next, now, key);
      if (this.deps.settings.broadcastHeartbeats) {
        this.deps.notifier.publish({
          type: 'UserHeartbeatReceived',
          ...tenantPart(committed.next),
          userId: committed.next.userId,
          userType: committed.next.userType,
          lastSeen: now,
          reason: 'heartbeat',
        });
      }
    });
  }

  async goOffline(c: ConnectionCommand): Promise<void> {
    const now = this.deps.clock.now();
    await this.commit(keyOfUser(c), (u) => endConnection(u, c.connectionId, now));
  }

  async disconnect(c: ConnectionCommand): Promise<void> {
    const now = this.deps.clock.now();
    await this.commit(keyOfUser(c), (u) => dropConnection(u, c.connectionId, now, this.deps.settings.disconnectGraceMs));
  }

  /**
   * Ends every connection whose deadline passed before the node's own stall (`stallMs`), then the connections of
   * nodes whose lease lapsed. Costs what is due, however many users are online.
   */
  async sweep(options: SweepOptions = {}): Promise<SweepResult> {
    const now = this.deps.clock.now();
    const { store, settings } = this.deps;
    const stallMs = Math.max(0, options.stallMs ?? 0);
    const cutoff = now - stallMs;
    const checked = new Set<UserKey>();
    let transitions = 0;
    for (;;) {
      const due = (await store.dueUsers(cutoff, settings.sweepBatchSize)).filter((key) => !checked.has(key));
      for (const key of due) {
        checked.add(key);
        const committed = await this.commit(key, (u) => expireDue(u, cutoff));
        if (committed.transition !== null) transitions += 1;
      }
      // A short batch means nothing else is due; a batch of users already checked means the rest is not ours to end.
      if (due.length === 0 || due.length < settings.sweepBatchSize) break;
    }
    const deferred = stallMs > 0 ? await store.countDue(Math.max(cutoff, this.deferralsCountedUntil ?? cutoff), now) : 0;
    this.deferralsCountedUntil = now;
    // A lease lapses by the other node's silence, not by this node's: recovery is not deferred.
    const recovered = await this.recoverLostNodes(now);
    return { now, usersChecked: checked.size, transitions: transitions + recovered.transitions, deferred, nodesRecovered: recovered.nodes };
  }

  /** Renews this node's lease until `until`: the caller does so well before it lapses. */
  renewLease(until: Instant): Promise<void> {
    return this.deps.nodes.renew(this.deps.settings.nodeId, until);
  }

  /** This node stops cleanly: it is forgotten without its users being recovered as lost. */
  leave(): Promise<void> {
    return this.deps.nodes.forget(this.deps.settings.nodeId);
  }

  private async recoverLostNodes(now: Instant): Promise<{ nodes: string[]; transitions: number }> {
    const { nodes, store, settings } = this.deps;
    const lapsed = (await nodes.claimLapsed(now, now + settings.nodeRecoveryClaimMs, 10)).filter((id) => id !== settings.nodeId);
    let transitions = 0;
    for (const nodeId of lapsed) {
      for (const key of await store.usersOnNode(nodeId)) {
        const committed = await this.commit(key, (u) => endNodeConnections(u, nodeId));
        if (committed.transition !== null) transitions += 1;
      }
      await nodes.forget(nodeId);
    }
    return { nodes: lapsed, transitions };
  }

  /** Every online user, or every online user of `tenant`. */
  async listOnline(tenant: Tenant = null): Promise<OnlineUser[]> {
    const users = await this.deps.store.listOnline(tenant ?? undefined);
    return users.map(toOnlineUser);
  }

  /** How many online users hold 1, 2, 3-5, 6-10 or more connections. */
  usersByConnections(): Promise<UsersByConnections> {
    return this.deps.store.usersByConnections();
  }

  async countOnline(): Promise<number> {
    return this.deps.store.countOnline();
  }

  /** Online users in key order, a page at a time: see `PresenceStore.pageOnline`. */
  async pageOnline(query: PresencePageQuery): Promise<PresencePage> {
    const page = await this.deps.store.pageOnline(query);
    const users = page.users.map((user): UserStatus => ({ ...toOnlineUser(user), status: 'online' }));
    const last = users[users.length - 1];
    return { users, total: page.total, nextAfter: page.more && last !== undefined ? keyOfUser(last) : null };
  }

  /**
   * The named users in key order, a page at a time: online ones as they are, offline ones with the `last_seen`
   * persistence holds (and no type or name), never-seen ones left out. A type filter keeps online users only. When
   * persistence could not be read in time, the users it might know are offline with `lastSeen: null`.
   */
  async pageOf(userIds: readonly UserId[], query: PresencePageQuery): Promise<PresencePage> {
    const { tenant } = query;
    const asked = new Map(userIds.map((userId) => [keyIn(tenant, userId), userId]));
    const keys = [...asked.keys()].sort();
    const online = await this.deps.store.findMany(keys);
    const offline = keys.filter((_, i) => online[i] === undefined).map((key) => asked.get(key) as UserId);
    const read = await this.deps.lastSeen.lookUp(offline, tenant);
    const persisted = new Map(read.entries.map((e) => [keyOfUser(e), e]));
    const types = query.userTypes?.length ? new Set(query.userTypes) : undefined;
    const matched: UserStatus[] = [];
    keys.forEach((key, i) => {
      const user = online[i];
      const entry = persisted.get(key);
      if (user !== undefined) {
        if (types === undefined || (user.userType !== null && types.has(user.userType))) {
          matched.push({ ...toOnlineUser(user), status: 'online' });
        }
      } else if (types === undefined && (entry !== undefined || !read.complete)) {
        const userId = entry?.userId ?? (asked.get(key) as UserId);
        const userType = entry?.userType ?? null;
        matched.push({ ...inTenant(tenant), userId, lastSeen: entry?.lastSeen ?? null, userType, userName: null, status: 'offline' });
      }
    });
    const after = query.after;
    const rest = after === undefined ? matched : matched.filter((u) => keyOfUser(u) > after);
    const users = rest.slice(0, query.limit);
    const last = users[users.length - 1];
    return { users, total: matched.length, nextAfter: rest.length > users.length && last ? keyOfUser(last) : null };
  }

  /** A user online now, or offline with the `last_seen` persistence holds; `undefined` for one never seen. */
  async status(userId: UserId): Promise<UserStatus | undefined> {
    return (await this.pageOf([userId], { limit: 1 })).users[0];
  }

  /** Applies a rule atomically; a transition it causes is persisted and published. */
  private commit(key: UserKey, decide: (current: UserPresence | undefined) => PresenceDecision): Promise<CommittedDecision> {
    return this.deps.store.update(key, decide).then(this.settle);
  }

  /** How many transitions this node has committed: a reader's cache of them is current while it is unchanged. */
  get transitionsCommitted(): number {
    return this.committedTransitions;
  }

  private readonly settle = (committed: CommittedDecision): CommittedDecision => {
    const { transition } = committed;
    if (transition !== null) {
      this.committedTransitions += 1;
      this.deps.lastSeen.record(subjectOf(transition), transition.lastSeen);
      this.deps.notifier.publish(transition);
    }
    return committed;
  };
}

