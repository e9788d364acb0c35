/**
 * The presence rules: pure functions from a user's presence and one fact (a connection went online, heartbeated,
 * went offline, dropped, or time passed) to the user's next presence and the transition it causes, if any.
 */
import type { AvailabilityReason, AvailabilityView } from './availability';
import { activityAt, availabilityChange, availabilityOf } from './availability';
import type { UserPresenceChanged } from './presence.events';
import { OFFLINE, onlineState, type OnlineState } from './presence-state';
import type {
  ConnectionId,
  ConnectionPresence,
  Instant,
  OfflineReason,
  OnlineUser,
  KeyedUser,
  UserPresence,
} from './presence.types';
import { tenantPart } from './presence.types';

export interface ConnectionRef {
  readonly connectionId: ConnectionId;
  readonly nodeId: string;
}

export interface Announcement extends ConnectionRef, KeyedUser {
  readonly userType?: string | null;
  readonly userName?: string | null;
  /**
   * What the connection last said with `userActivity`, for one the store does not hold (it expired, or the store
   * lost it): it comes back idle, or active from now; absent, as one that never reported.
   */
  readonly idle?: boolean;
}

/** The times the rules that make a connection live go by: its TTL, and when one that reports activity goes idle. */
export interface Timing {
  readonly ttlMs: Instant;
  readonly idleMs: Instant;
}

/** The outcome of applying one rule to one user's presence: what the store commits. */
export interface PresenceDecision {
  /** The user's presence afterwards; `undefined` removes the user. The same object as given means "no change". */
  readonly next: UserPresence | undefined;
  readonly transition: UserPresenceChanged | null;
}

export const unchanged = (user: UserPresence | undefined): PresenceDecision => ({ next: user, transition: null });

export function hasConnections(user: UserPresence | undefined): user is UserPresence {
  return user !== undefined && user.connections.length > 0;
}

/** `userOnline`: the connection is live for the user from now; the user's type and name are stored when given. */
export function announce(user: UserPresence | undefined, a: Announcement, now: Instant, timing: Timing): PresenceDecision {
  const online = hasConnections(user);
  const next: UserPresence = {
    ...tenantPart(a),
    userId: a.userId,
    userType: a.userType !== undefined ? a.userType : (user?.userType ?? null),
    userName: a.userName !== undefined ? a.userName : (user?.userName ?? null),
    // A new online period starts with nothing chosen; a user still online (or in its grace) keeps what it had.
    chosen: online ? user.chosen : null,
    statusText: online ? user.statusText : null,
    onlineSince: online ? user.onlineSince : now,
    lastActive: online ? user.lastActive : null,
    connections: withLiveConnection(user, a, now, timing),
  };
  if (!online) return { next, transition: wentOnline(next, now) };
  if (user.userType !== next.userType) return { next, transition: changedWhileOnline(user, next, now, 'type_changed') };
  return reshown(user, next, false);
}

/** A heartbeat's decision, and whether it brought the connection back (it was not live: expired, ended, or lost). */
export interface HeartbeatDecision extends PresenceDecision {
  readonly revived: boolean;
}

/**
 * `userHeartbeat`: refreshes the connection; on a connection that is not online (expired, ended, or unknown after a
 * restart) it brings it online again, with the type and name the user is already known by, else those given.
 */
export function heartbeat(user: UserPresence | undefined, a: Announcement, now: Instant, timing: Timing): HeartbeatDecision {
  if (!hasConnections(user)) return { ...announce(undefined, a, now, timing), revived: true };
  const connections: ConnectionPresence[] = [];
  const refreshed = putLiveConnection(connections, user, a, now, timing);
  const next: UserPresence = { ...user, connections };
  // The usual heartbeat refreshes a live connection the user had: what it is shown as cannot change.
  return refreshed ? { next, transition: null, revived: false } : { ...reshown(user, next, false), revived: true };
}

/** `userOffline`: the connection's presence ends now, with no grace. */
export function endConnection(user: UserPresence | undefined, connectionId: ConnectionId, now: Instant): PresenceDecision {
  if (user === undefined || !user.connections.some((c) => c.connectionId === connectionId)) return unchanged(user);
  return settle(user, without(user.connections, connectionId), 'explicit', now);
}

/**
 * The socket closed without `userOffline`. Other live connections keep the user online, so the dropped one is
 * simply forgotten; the user's last live connection instead lingers for the grace, and ends as `disconnect` unless
 * the user comes back first. A lingering connection reports nothing, so it does not go idle by time meanwhile.
 */
export function dropConnection(
  user: UserPresence | undefined,
  connectionId: ConnectionId,
  now: Instant,
  graceMs: Instant,
): PresenceDecision {
  const dropped = user?.connections.find((c) => c.connectionId === connectionId);
  if (user === undefined || dropped === undefined || dropped.dropped) return unchanged(user);
  const connections = without(user.connections, connectionId);
  const othersLive = connections.some((c) => !c.dropped);
  if (!othersLive && graceMs > 0) {
    const { nodeId, idle } = dropped;
    connections.push({ connectionId, nodeId, lastSeen: now, expiresAt: now + graceMs, dropped: true, idle, idleAt: null });
  }
  return settle(user, connections, 'disconnect', now);
}

/** Time passed: every connection whose deadline is at or before `now` ends, and every one whose idle deadline has come is idle. */
export function expireDue(user: UserPresence | undefined, now: Instant): PresenceDecision {
  if (user === undefined) return unchanged(user);
  const connections: ConnectionPresence[] = [];
  let last: ConnectionPresence | undefined;
  let wentIdle = false;
  for (const c of user.connections) {
    if (c.expiresAt <= now) {
      if (last === undefined || c.expiresAt >= last.expiresAt) last = c;
      continue;
    }
    const later = activityAt(c, now);
    wentIdle ||= later !== c;
    connections.push(later);
  }
  if (last === undefined) return wentIdle ? reshown(user, { ...user, connections }, false) : unchanged(user);
  return settle(user, connections, last.dropped ? 'disconnect' : 'expired', lastSeenOf(user));
}

/** The node the connections were on is gone: they end, and the user goes offline as `node_lost` if they were all. */
export function endNodeConnections(user: UserPresence | undefined, nodeId: string): PresenceDecision {
  if (user === undefined) return unchanged(user);
  const connections = user.connections.filter((c) => c.nodeId !== nodeId);
  if (connections.length === user.connections.length) return unchanged(user);
  return settle(user, connections, 'node_lost', lastSeenOf(user));
}

/** The earliest deadline among the user's connections, expiry's or going idle's: when `expireDue` next has work to do. */
export function nextDeadline(user: UserPresence): Instant | undefined {
  let earliest: Instant | undefined;
  for (const c of user.connections) {
    if (earliest === undefined || c.expiresAt < earliest) earliest = c.expiresAt;
    if (c.idleAt !== null && c.idleAt < earliest) earliest = c.idleAt;
  }
  return earliest;
}

/** The user's latest sign of life across its connections. */
export function lastSeenOf(user: UserPresence): Instant {
  let latest = Number.NEGATIVE_INFINITY;
  for (const c of user.connections) latest = Math.max(latest, c.lastSeen);
  return latest;
}

/** What the user is shown as beside its status (CONTRACT §8). */
export function viewOf(user: UserPresence): AvailabilityView {
  return { availability: availabilityOf(user.chosen, user.connections), statusText: user.statusText };
}

/** The user as an online state: its type and name, and its §8 details. */
export function onlineStateOf(user: UserPresence): OnlineState {
  const { availability, statusText } = viewOf(user);
  return onlineState(user.userType, user.userName, { availability, statusText, lastActive: user.lastActive, onlineSince: user.onlineSince });
}

export function toOnlineUser(user: UserPresence): OnlineUser {
  const { availability, statusText } = viewOf(user);
  const { userId, userType, userName, lastActive, onlineSince } = user;
  return { ...tenantPart(user), userId, lastSeen: lastSeenOf(user), userType, userName, availability, statusText, lastActive, onlineSince };
}

/**
 * The user online before and after, changed in what it chose or in its connections: a transition when it is shown
 * with another availability or text (`chose`: it changed them itself, `set`).
 */
export function reshown(user: UserPresence, next: UserPresence, chose: boolean): PresenceDecision {
  const reason = availabilityChange(viewOf(user), viewOf(next), chose);
  return { next, transition: reason === null ? null : changedWhileOnline(user, next, lastSeenOf(next), reason) };
}

/** A live connection is back: connections that only lingered in their grace are no longer needed. */
function withLiveConnection(user: UserPresence | undefined, a: Announcement, now: Instant, timing: Timing): ConnectionPresence[] {
  const connections: ConnectionPresence[] = [];
  putLiveConnection(connections, user, a, now, timing);
  return connections;
}

/** Puts the user's connections, with this one live, into `connections`; says whether it was live already. */
function putLiveConnection(connections: ConnectionPresence[], user: UserPresence | undefined, a: Announcement, now: Instant, timing: Timing): boolean {
  const { ttlMs } = timing;
  let placed = false;
  let wasLive = false;
  // The refreshed connection keeps its place (a store can then update its record in place), and its activity.
  for (const c of user?.connections ?? []) {
    if (c.connectionId === a.connectionId) {
      connections.push(liveConnection(a, now, ttlMs, c.idle, c.dropped ? null : c.idleAt));
      placed = true;
      wasLive = !c.dropped;
    } else if (!c.dropped) connections.push(c);
  }
  if (placed) return wasLive;
  const { idle } = a;
  connections.push(liveConnection(a, now, ttlMs, idle === true, idle === false ? now + timing.idleMs : null));
  return false;
}

function liveConnection(a: ConnectionRef, now: Instant, ttlMs: Instant, idle: boolean, idleAt: Instant | null): ConnectionPresence {
  return { connectionId: a.connectionId, nodeId: a.nodeId, lastSeen: now, expiresAt: now + ttlMs, dropped: false, idle, idleAt };
}

function without(connections: readonly ConnectionPresence[], connectionId: ConnectionId): ConnectionPresence[] {
  return connections.filter((c) => c.connectionId !== connectionId);
}

function settle(user: UserPresence, connections: ConnectionPresence[], reason: OfflineReason, lastSeen: Instant): PresenceDecision {
  if (connections.length > 0) return reshown(user, { ...user, connections }, false);
  return { next: undefined, transition: wentOffline(user, lastSeen, reason) };
}

function wentOnline(user: UserPresence, now: Instant): UserPresenceChanged {
  return { type: 'UserPresenceChanged', ...tenantPart(user), userId: user.userId, lastSeen: now, from: OFFLINE, to: onlineStateOf(user), reason: 'online' };
}

/** Online before and after, shown differently: with another type (who may see it changes, §9) or availability (§8). */
function changedWhileOnline(user: UserPresence, next: UserPresence, lastSeen: Instant, reason: 'type_changed' | AvailabilityReason): UserPresenceChanged {
  const { userId } = next;
  return { type: 'UserPresenceChanged', ...tenantPart(user), userId, lastSeen, from: onlineStateOf(user), to: onlineStateOf(next), reason };
}

function wentOffline(user: UserPresence, lastSeen: Instant, reason: OfflineReason): UserPresenceChanged {
  return { type: 'UserPresenceChanged', ...tenantPart(user), userId: user.userId, lastSeen, from: onlineStateOf(user), to: OFFLINE, reason };
}
