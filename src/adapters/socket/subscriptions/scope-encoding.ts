import type { UserStatus } from '../../../domain/presence.service';
import { offlineStatus } from '../../../domain/user-status';
import type { Tenant, UserId } from '../../../domain/presence.types';
import { inTenant, keyOfUser } from '../../../domain/presence.types';
import type { PresenceDiffPayload, PresenceStatePayload, WirePresenceUser } from '../../../protocol/socket-events';
import { isoOf } from '../../presence-events/iso-time';
import { toWireOnlineUser, toWirePresenceUser } from '../wire';
import type { OnlinePicture } from './flushed-snapshot';
import type { PresenceScope } from './presence-scope';
import type { ReplayedTransition } from '../../../application/replay-buffer';
import { TransitionWindow, type NetChange } from './transition-window';

/** The named users' presence in a tenant (online, or offline with their lastSeen), read when a state needs it. */
export type StatusReader = (userIds: readonly UserId[], tenant: Tenant) => Promise<UserStatus[]>;

/** The net change of replayed transitions, each leave with the type its user had when it was delivered. */
export function netOf(transitions: readonly ReplayedTransition[]): NetChange {
  const window = new TransitionWindow();
  for (const { transition, userType } of transitions) window.add(transition, userType);
  return window.net();
}

/**
 * The part of a net change in the scope, as §7's `presenceDiff` current to `seq`. A user whose type changed is a leave
 * by its old type and a join by its new one: a scope that covers both keeps the user, and gets the join alone, which
 * sets its new type.
 */
export function diffFor(scope: PresenceScope, net: NetChange, seq: number): PresenceDiffPayload {
  const joins = net.joins.filter((j) => scope.covers(j, j.userType));
  let leaves = net.leaves.filter((l) => scope.covers(l, l.userType));
  if (joins.length > 0 && leaves.some((l) => l.reason === 'type_changed')) {
    const kept = new Set(leaves.filter((l) => l.reason === 'type_changed').map(keyOfUser));
    const both = new Set(joins.map(keyOfUser).filter((key) => kept.has(key)));
    leaves = leaves.filter((l) => !both.has(keyOfUser(l)));
  }
  return {
    seq,
    joins: joins.map(toWireOnlineUser),
    leaves: leaves.map((l) => ({ userId: l.userId, lastSeen: isoOf(l.lastSeen), reason: l.reason })),
    updates: net.updates.filter((u) => scope.covers(u, u.userType)).map(toWireOnlineUser),
  };
}

/** Whether a diff tells nothing. */
export const isEmptyDiff = (diff: PresenceDiffPayload): boolean =>
  diff.joins.length === 0 && diff.leaves.length === 0 && diff.updates.length === 0;

/** A state as the picture holds it: its online users, current to `seq`, and the listed ids that are not online. */
export interface StateInPicture {
  readonly seq: number;
  /** The tenant the state is of. */
  readonly tenant: Tenant;
  readonly users: WirePresenceUser[];
  readonly offlineListed: readonly UserId[];
}

/** The scope as of the picture, read at once: the users online in it, and its listed users that are not. */
export function pictureStateFor(scope: PresenceScope, picture: OnlinePicture): StateInPicture {
  const users: WirePresenceUser[] = [];
  const { tenant } = scope.sight;
  if (scope.all || scope.typeSet.size > 0) {
    for (const user of picture.users(tenant)) if (scope.covers(user, user.userType)) users.push(toWireOnlineUser(user));
  } else {
    // Only ids listed: look them up instead of a pass over everyone online.
    for (const key of scope.idKeys) {
      const user = picture.get(key);
      if (user !== undefined && scope.covers(user, user.userType)) users.push(toWireOnlineUser(user));
    }
  }
  // A listed user not online is shown offline where the sight shows it: by the type kept beside its last_seen, which
  // only tenants' persistence keeps (without tenants it is of no known type, seen by its own user and `*` sights).
  const offlineListed = scope.listedIds.filter((userId) => {
    const user = { ...inTenant(tenant), userId };
    return picture.get(keyOfUser(user)) === undefined && (tenant !== null || scope.covers(user, null));
  });
  return { seq: picture.seq, tenant, users, offlineListed };
}

/**
 * The state with its listed offline users and their lastSeen, read from persistence (null where it could not be). A
 * user online by the time it is read was offline as of the state's seq, and is told so: the diffs after the state
 * bring its join, or nothing if it has gone again, and it must not be missing meanwhile.
 */
export async function withOfflineListed(state: StateInPicture, statusesOf: StatusReader, scope: PresenceScope): Promise<PresenceStatePayload> {
  const users = [...state.users];
  if (state.offlineListed.length > 0) {
    for (const user of await statusesOf(state.offlineListed, state.tenant)) {
      if (!scope.covers(user, user.userType)) continue;
      users.push(toWirePresenceUser(user.status === 'offline' ? user : offlineStatus(user.tenant, user.userId, user.lastSeen, null, user.lastActive)));
    }
  }
  return { seq: state.seq, users };
}
