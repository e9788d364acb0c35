/**
 * The presence rules: pure functions from a user's presence and one fact (a connection went online, heartbeated,
 * went offline, dropped, or time passed) to the user's next presence and the transition it causes, if any.
 */
import type { UserPresenceChanged } from './presence.events';
import { OFFLINE, onlineState } from './presence-state';
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
}

/** The outcome of applying one rule to one user's presence: what the store commits. */
export interface PresenceDecision {
  /** The user's presence afterwards; `undefined` removes the user. The same object as given means "no change". */
  readonly next: UserPresence | undefined;
  readonly transition: UserPresenceChanged | null;
}

const unchanged = (user: UserPresence | undefined): PresenceDecision => ({ next: user, transition: null });

function hasConnections(user: UserPresence | undefined): user is UserPresence {
  return user !== undefined && user.connections.length > 0;
}

/** `userOnline`: the connection is live for the user from now; the user's type and name are stored when given. */
export function announce(user: UserPresence | undefined, a: Announcement, now: Instant, ttlMs: Instant): PresenceDecision {
  const next: UserPresence = {
    ...tenantPart(a),
    userId: a.userId,
    userType: a.userType !== undefined ? a.userType : (user?.userType ?? null),
    userName: a.userName !== undefined ? a.userName : (user?.userName ?? null),
    connections: withLiveConnection(user, a, now, ttlMs),
  };
  if (!hasConnections(user)) return { next, transition: wentOnline(next, now) };
  return { next, transition: user.userType === next.userType ? null : retyped(user, next, now) };
}

/**
 * `userHeartbeat`: refreshes the connection; on a connection that is not online (expired, ended, or unknown after a
 * restart) it brings it online again, with the type and name the user is already known by, else those given.
 */
export function heartbeat(user: UserPresence | undefined, a: Announcement, now: Instant, ttlMs: Instant): PresenceDecision {
  if (user === undefined) return announce(undefined, a, now, ttlMs);
  const next: UserPresence = { ...user, connections: withLiveConnection(user, a, now, ttlMs) };
  return { next, transition: hasConnections(user) ? null : wentOnline(next, now) };
}

/** `userOffline`: the connection's presence ends now, with no grace. */
export function endConnection(user: UserPresence | undefined, connectionId: ConnectionId, now: Instant): PresenceDecision {
  if (user === undefined || !user.connections.some((c) => c.connectionId === connectionId)) return unchanged(user);
  return settle(user, without(user.connections, connectionId), now, 'explicit');
}

/**
 * The socket closed without `userOffline`. Other live connections keep the user online, so the dropped one is
 * simply forgotten; the user's last live connection instead lingers for the grace, and ends as `disconnect` unless
 * the user comes back first.
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
    connections.push({ connectionId, nodeId: dropped.nodeId, lastSeen: now, expiresAt: now + graceMs, dropped: true });
  }
  return settle(user, connections, now, 'disconnect');
}

/** Time passed: every connection whose deadline is at or before `now` ends. */
export function expireDue(user: UserPresence | undefined, now: Instant): PresenceDecision {
  if (user === undefined) return unchanged(user);
  const connections: ConnectionPresence[] = [];
  let last: ConnectionPresence | undefined;
  for (const c of user.connections) {
    if (c.expiresAt > now) connections.push(c);
    else if (last === undefined || c.expiresAt >= last.expiresAt) last = c;
  }
  if (last === undefined) return unchanged(user);
  return settle(user, connections, now, last.dropped ? 'disconnect' : 'expired', lastSeenOf(user));
}

/** The node the connections were on is gone: they end, and the user goes offline as `node_lost` if they were all. */
export function endNodeConnections(user: UserPresence | undefined, nodeId: string): PresenceDecision {
  if (user === undefined) return unchanged(user);
  const connections = user.connections.filter((c) => c.nodeId !== nodeId);
  if (connections.length === user.connections.length) return unchanged(user);
  return settle(user, connections, lastSeenOf(user), 'node_lost');
}

/** The earliest deadline among the user's connections: when `expireDue` next has work to do. */
export function nextDeadline(user: UserPresence): Instant | undefined {
  let earliest: Instant | undefined;
  for (const c of user.connections) {
    if (earliest === undefined || c.expiresAt < earliest) earliest = c.expiresAt;
  }
  return earliest;
}

/** The user's latest sign of life across its connections. */
export function lastSeenOf(user: UserPresence): Instant {
  let latest = Number.NEGATIVE_INFINITY;
  for (const c of user.connections) latest = Math.max(latest, c.lastSeen);
  return latest;
}

export function toOnlineUser(user: UserPresence): OnlineUser {
  return { ...tenantPart(user), userId: user.userId, lastSeen: lastSeenOf(user), userType: user.userType, userName: user.userName };
}

/** A live connection is back: connections that only lingered in their grace are no longer needed. */
function withLiveConnection(
  user: UserPresence | undefined,
  a: ConnectionRef,
  now: Instant,
  ttlMs: Instant,
): ConnectionPresence[] {
  const live: ConnectionPresence = { connectionId: a.connectionId, nodeId: a.nodeId, lastSeen: now, expiresAt: now + ttlMs, dropped: false };
  const connections: ConnectionPresence[] = [];
  let placed = false;
  // The refreshed connection keeps its place: a store can then update its record in place.
  for (const c of user?.connections ?? []) {
    if (c.connectionId === a.connectionId) {
      connections.push(live);
      placed = true;
    } else if (!c.dropped) connections.push(c);
  }
  if (!placed) connections.push(live);
  return connections;
}

function without(connections: readonly ConnectionPresence[], connectionId: ConnectionId): ConnectionPresence[] {
  return connections.filter((c) => c.connectionId !== connectionId);
}

function settle(
  user: UserPresence,
  connections: ConnectionPresence[],
  now: Instant,
  reason: OfflineReason,
  lastSeen: Instant = now,
): PresenceDecision {
  if (connections.length > 0) return { next: { ...user, connections }, transition: null };
  return { next: undefined, transition: wentOffline(user, lastSeen, reason) };
}

function wentOnline(user: UserPresence, now: Instant): UserPresenceChanged {
  const to = onlineState(user.userType, user.userName);
  return { type: 'UserPresenceChanged', ...tenantPart(user), userId: user.userId, lastSeen: now, from: OFFLINE, to, reason: 'online' };
}

/** An online user announced with another type: a transition of its own, since who may see it changes. */
function retyped(user: UserPresence, next: UserPresence, now: Instant): UserPresenceChanged {
  const from = onlineState(user.userType, user.userName);
  const to = onlineState(next.userType, next.userName);
  return { type: 'UserPresenceChanged', ...tenantPart(user), userId: next.userId, lastSeen: now, from, to, reason: 'type_changed' };
}

function wentOffline(user: UserPresence, lastSeen: Instant, reason: OfflineReason): UserPresenceChanged {
  const from = onlineState(user.userType, user.userName);
  return { type: 'UserPresenceChanged', ...tenantPart(user), userId: user.userId, lastSeen, from, to: OFFLINE, reason };
}
