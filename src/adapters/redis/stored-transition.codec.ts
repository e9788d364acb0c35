import type { ToldPresence } from '../../domain/ports/transition-feed.port';
import type { AvailabilityReason } from '../../domain/availability';
import { freshDetails, isOnline, OFFLINE, onlineState, UNKNOWN_DETAILS, type OnlineDetails } from '../../domain/presence-state';
import { availabilityChanged, wentOffline, type CommittedTransition, type UserPresenceChanged } from '../../domain/presence.events';
import type { Instant, OfflineReason, UserId } from '../../domain/presence.types';
import { tenantPart } from '../../domain/presence.types';

/** A tenant, last, and only when tenants are on: entries without one are exactly those of 0.10. */
interface StoredTenant {
  readonly tenant?: string;
}

/**
 * A transition as Redis's transitions stream holds it: the two events of 0.10 and earlier, field for field and in
 * this order, so that nodes of this version and the previous one can share one Redis during a rolling upgrade.
 */
interface StoredWentOnline extends StoredTenant {
  readonly type: 'UserWentOnline';
  readonly userId: UserId;
  readonly lastSeen: Instant;
  readonly reason: 'online';
  readonly userType: string | null;
  readonly userName: string | null;
}

interface StoredWentOffline extends StoredTenant {
  readonly type: 'UserWentOffline';
  readonly userId: UserId;
  readonly lastSeen: Instant;
  readonly reason: OfflineReason;
  /** The user as shown before (0.15 on, with webhooks): a reader that was told nothing still names them. */
  readonly shown?: { readonly userType: string | null; readonly userName: string | null; readonly lastActive: Instant | null };
}

/** The §8 details of the user after a change while online; absent in entries of 0.13, which did not have them. */
type StoredDetails = Partial<OnlineDetails>;

/** An online user shown with another type: an entry type nodes of 0.12 and earlier skip (they decode none they do not know). */
interface StoredTypeChanged extends StoredTenant, StoredDetails {
  readonly type: 'UserTypeChanged';
  readonly userId: UserId;
  readonly lastSeen: Instant;
  readonly userType: string | null;
  readonly userName: string | null;
}

/** An online user shown with another availability or text (CONTRACT §8): an entry type nodes of 0.13 and earlier skip. */
interface StoredAvailabilityChanged extends StoredTenant, OnlineDetails {
  readonly type: 'UserAvailabilityChanged';
  readonly userId: UserId;
  readonly lastSeen: Instant;
  readonly reason: AvailabilityReason;
  readonly userType: string | null;
  readonly userName: string | null;
}

type StoredTransition = StoredWentOnline | StoredWentOffline | StoredTypeChanged | StoredAvailabilityChanged;

const detailsOf = ({ availability, statusText, lastActive, onlineSince }: OnlineDetails): OnlineDetails => ({
  availability,
  statusText,
  lastActive,
  onlineSince,
});

/** `namesLeaves`: a leave's entry carries the user as shown before (`shown`), which 0.10 nodes would pass on. */
export function encodeTransition(transition: UserPresenceChanged, options: { readonly namesLeaves?: boolean } = {}): string {
  const { userId, lastSeen, from, to, reason } = transition;
  let stored: StoredTransition;
  if (isOnline(to) && !isOnline(from) && reason === 'online') {
    stored = { type: 'UserWentOnline', userId, lastSeen, reason, userType: to.userType, userName: to.userName, ...tenantPart(transition) };
  } else if (wentOffline(transition)) {
    const shown = options.namesLeaves === true && isOnline(from) ? { shown: { userType: from.userType, userName: from.userName, lastActive: from.lastActive } } : {};
    stored = { type: 'UserWentOffline', userId, lastSeen, reason: transition.reason, ...tenantPart(transition), ...shown };
  } else if (isOnline(from) && isOnline(to) && reason === 'type_changed') {
    const { userType, userName } = to;
    stored = { type: 'UserTypeChanged', userId, lastSeen, userType, userName, ...tenantPart(transition), ...detailsOf(to) };
  } else if (availabilityChanged(transition) && isOnline(from) && isOnline(to)) {
    const { userType, userName } = to;
    stored = { type: 'UserAvailabilityChanged', userId, lastSeen, reason: transition.reason, userType, userName, ...detailsOf(to), ...tenantPart(transition) };
  } else {
    throw new Error(`the transitions stream cannot hold a change from ${from.status} to ${to.status} for ${reason}`);
  }
  return JSON.stringify(stored);
}

/**
 * A stream entry as a committed transition; undefined for one this version does not know. The stored format has no
 * `from`: a transition online comes from offline, and a transition offline from the state this node's consumers
 * were told the user has (`told`), the one thing they knew of it whichever node made the transition.
 */
export function decodeTransition(json: string, seq: number, told: ToldPresence): CommittedTransition | undefined {
  const stored = JSON.parse(json) as StoredTransition;
  const { userId, lastSeen } = stored;
  if (stored.type === 'UserWentOnline') {
    // Every online period starts with nothing chosen and no activity: what the rules make the state online.
    const to = onlineState(stored.userType ?? null, stored.userName ?? null, freshDetails(lastSeen));
    return { type: 'UserPresenceChanged', ...tenantPart(stored), userId, lastSeen, from: OFFLINE, to, reason: 'online', seq };
  }
  if (stored.type === 'UserTypeChanged') {
    // From what this node's consumers were told, like a leave; the delivery makes it a join where they were told nothing.
    const from = told.toldStateOf(stored) ?? onlineState(null, null);
    const to = onlineState(stored.userType ?? null, stored.userName ?? null, { ...detailsOf(from), ...stored });
    return { type: 'UserPresenceChanged', ...tenantPart(stored), userId, lastSeen, from, to, reason: 'type_changed', seq };
  }
  if (stored.type === 'UserAvailabilityChanged') {
    const from = told.toldStateOf(stored) ?? onlineState(null, null);
    const to = onlineState(stored.userType, stored.userName, detailsOf(stored));
    return { type: 'UserPresenceChanged', ...tenantPart(stored), userId, lastSeen, from, to, reason: stored.reason, seq };
  }
  if (stored.type === 'UserWentOffline') {
    // Not told online here: the delivery drops this leave (it changes nothing); the webhooks, told nothing, name the
    // user as the entry does.
    const { userType = null, userName = null, lastActive = null } = stored.shown ?? {};
    const from = told.toldStateOf(stored) ?? onlineState(userType, userName, { ...UNKNOWN_DETAILS, lastActive });
    return { type: 'UserPresenceChanged', ...tenantPart(stored), userId, lastSeen, from, to: OFFLINE, reason: stored.reason, seq };
  }
  return undefined;
}
