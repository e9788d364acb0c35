import type { UsersByConnections } from './connection-buckets';
import type { PresenceSettings } from './presence.settings';
import type { ConnectionId, Instant, KeyedUser, OnlineUser, Tenant, UserId, UserKey, UserPresence } from './presence.types';
import { subjectOf } from './presence.events';
import { keyOfUser, tenantPart } from './presence.types';
import type { Clock } from './ports/clock.port';
import type { ExpiryAlarm } from './ports/expiry-alarm.port';
import type { LastSeenLookup, LastSeenRecorder } from './ports/last-seen.port';
import type { NodeRegistry } from './ports/node-registry.port';
import type { PresenceNotifier } from './ports/presence-notifier.port';
import type { CommittedDecision, PresenceDecision, PresenceStore } from './ports/presence-store.port';
import type { Announcement } from './presence';
import { announce, dropConnection, endConnection, endNodeConnections, expireDue, heartbeat, lastSeenOf, nextDeadline, toOnlineUser, viewOf } from './presence';
import { chooseStatus, isLiveOn, reportActivity, type StatusChoice } from './activity.rules';
import type { AvailabilityView } from './availability';
import type { PresencePage, PresencePageQuery, UserStatus } from './user-status';
import { pageOfNamedUsers } from './named-users';
import { invalidPayload } from './presence.errors';

export interface PresenceServiceDeps {
  readonly clock: Clock;
  readonly store: PresenceStore;
  readonly notifier: PresenceNotifier;
  readonly lastSeen: LastSeenRecorder & LastSeenLookup;
  readonly nodes: NodeRegistry;
  readonly settings: PresenceSettings;
  /** Hears of each deadline a commit sets, so that the sweep runs when it comes (none: the sweep polls). */
  readonly alarm?: ExpiryAlarm;
}

export interface ConnectionCommand extends KeyedUser {
  readonly connectionId: ConnectionId;
}

export type { OfflineUser, PresencePage, PresencePageQuery, UserStatus } from './user-status';

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
  /** The earliest deadline left after it: when the next sweep has work. */
  readonly nextDeadline: Instant | undefined;
}

/** The use cases of presence. Each reads the clock once and hands `now` to the rules. */
export class PresenceService {
  /** The previous sweep's `now`: a deadline at or before it was expired or counted as deferred then. */
  private deferralsCountedUntil: Instant | undefined;
  private committedTransitions = 0;

  constructor(private readonly deps: PresenceServiceDeps) {}

  /** `userOnline`, answered with the user as it is online now. */
  async goOnline(a: Announcement): Promise<OnlineUser> {
    const now = this.deps.clock.now();
    const key = keyOfUser(a);
    const committed = await this.commit(key, (u) => announce(u, a, now, this.deps.settings));
    const user = committed.next as UserPresence;
    if (committed.transition === null) this.deps.lastSeen.record(user, now, key);
    return toOnlineUser(user);
  }

  /** PRESENCE_IDLE_MS: told to clients, so that their idle detection keeps to the service's. */
  get idleMs(): number {
    return this.deps.settings.idleMs;
  }

  /**
   * `userHeartbeat`: resolves with whether it brought the connection back (it was not live: expired, ended, or lost by
   * the store), so that the client can tell the service again what the service forgot.
   */
  heartbeat(a: Announcement): Promise<boolean> {
    const now = this.deps.clock.now();
    const key = keyOfUser(a);
    // A shared store may decide more than once: the decision committed is the last one made.
    let revived = false;
    return this.commit(key, (u) => {
      const decision = heartbeat(u, a, now, this.deps.settings);
      revived = decision.revived;
      return decision;
    }).then((committed) => {
      if (committed.transition !== null || committed.next === undefined) return revived;
      this.deps.lastSeen.record(committed.next, now, key);
      if (this.deps.settings.broadcastHeartbeats) {
        const { userId, userType, onlineSince } = committed.next;
        const { availability, statusText } = viewOf(committed.next);
        const event = { type: 'UserHeartbeatReceived', ...tenantPart(committed.next), userId, userType, lastSeen: now, reason: 'heartbeat' } as const;
        this.deps.notifier.publish({ ...event, availability, statusText, onlineSince });
      }
      return revived;
    });
  }

  /**
   * `userStatusSet`: the user's chosen availability and text (CONTRACT §8), answered with what it is shown as now.
   * Refused on a connection that is not online.
   */
  async setStatus(c: ConnectionCommand, choice: StatusChoice): Promise<AvailabilityView> {
    const committed = await this.commit(keyOfUser(c), (u) => chooseStatus(u, c.connectionId, choice));
    return viewOf(this.onlineOn(committed, c));
  }

  /** `userActivity`: the connection is idle, or active again. Refused on a connection that is not online. */
  async reportActivity(c: ConnectionCommand, idle: boolean): Promise<void> {
    const now = this.deps.clock.now();
    const key = keyOfUser(c);
    const committed = await this.commit(key, (u) => reportActivity(u, c.connectionId, idle, now, this.deps.settings.idleMs));
    const user = this.onlineOn(committed, c);
    if (!idle && committed.transition === null) this.deps.lastSeen.record(user, lastSeenOf(user), key);
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
    const nextDeadline = await store.earliestDeadline();
    return { now, usersChecked: checked.size, transitions: transitions + recovered.transitions, deferred, nodesRecovered: recovered.nodes, nextDeadline };
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
    const last = page.lastKey ?? (users.length > 0 ? keyOfUser(users[users.length - 1] as UserStatus) : undefined);
    return { users, total: page.total, nextAfter: page.more && last !== undefined ? last : null };
  }

  /** The named users in key order, a page at a time: see `pageOfNamedUsers`. */
  pageOf(userIds: readonly UserId[], query: PresencePageQuery): Promise<PresencePage> {
    return pageOfNamedUsers(this.deps, userIds, query);
  }

  /** A user online now, or offline with the `last_seen` persistence holds; `undefined` for one never seen. */
  async status(userId: UserId): Promise<UserStatus | undefined> {
    return (await this.pageOf([userId], { limit: 1 })).users[0];
  }

  /** The user after a rule only an online connection may invoke, or the refusal of a connection that is not. */
  private onlineOn(committed: CommittedDecision, c: ConnectionCommand): UserPresence {
    if (!isLiveOn(committed.next, c.connectionId)) throw invalidPayload('this connection is not online: send userOnline first');
    return committed.next;
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
    const { transition, next } = committed;
    const deadline = next === undefined ? undefined : nextDeadline(next);
    if (deadline !== undefined) this.deps.alarm?.dueAt(deadline);
    if (transition !== null) {
      this.committedTransitions += 1;
      this.deps.lastSeen.record(subjectOf(transition), transition.lastSeen);
      this.deps.notifier.publish(transition);
    }
    return committed;
  };
}

