/**
 * The client's picture of the users in scope: built from `presenceState` and `presenceDiff` (CONTRACT §7), or, against
 * a server without subscriptions, from `getOnlineUsers` and the §1 events. Every user in it carries the §8 details
 * (`availability`, `statusText`, `lastActive`, `onlineSince`), filled in for a server that sends none of them: its
 * users are `available`, as the contract has old clients' users.
 */
import type {
  PresenceDiffPayload,
  PresenceStatePayload,
  UserAvailabilityChanged,
  UserStatusChanged,
  WireAvailability,
  WireOnlineUser,
  WirePresenceUser,
  WireUserId,
} from '../protocol/socket-events';

/** A user as a server before §8 sends it: without the details. */
type ReceivedUser = Omit<WirePresenceUser, 'availability' | 'statusText' | 'lastActive' | 'onlineSince'> &
  Partial<Pick<WirePresenceUser, 'availability' | 'statusText' | 'lastActive' | 'onlineSince'>>;

/** The user with every §8 detail present; the same object when the server sent them all. */
export function withDetails(user: ReceivedUser): WirePresenceUser {
  const online = user.status === 'online';
  if (user.availability !== undefined && user.statusText !== undefined && user.lastActive !== undefined && user.onlineSince !== undefined) {
    return user as WirePresenceUser;
  }
  return {
    ...user,
    availability: online ? (user.availability ?? 'available') : null,
    statusText: user.statusText ?? null,
    lastActive: user.lastActive ?? null,
    onlineSince: user.onlineSince ?? null,
  };
}

export class PresenceView {
  private readonly users = new Map<string, WirePresenceUser>();
  /** §1 fallback: the `seq` of the last `userAvailabilityChanged` applied per online user. */
  private readonly availabilitySeqs = new Map<string, number>();
  /** The `seq` the view is current to (§7); undefined before the first state. */
  seq: number | undefined;

  online(): WirePresenceUser[] {
    return [...this.users.values()].filter((u) => u.status === 'online');
  }

  get(userId: WireUserId): WirePresenceUser | undefined {
    return this.users.get(String(userId));
  }

  /** The user's availability while it is online in the view; null otherwise. */
  availabilityOf(userId: WireUserId): WireAvailability | null {
    const user = this.get(userId);
    return user?.status === 'online' ? (user.availability ?? 'available') : null;
  }

  applyState(state: PresenceStatePayload): void {
    this.users.clear();
    for (const u of state.users) this.users.set(String(u.userId), withDetails(u));
    this.seq = state.seq;
  }

  /** A user is in at most one of joins, leaves and updates, so their order does not matter. */
  applyDiff(diff: PresenceDiffPayload): void {
    for (const u of diff.joins) this.users.set(String(u.userId), withDetails(u));
    for (const l of diff.leaves) this.users.delete(String(l.userId));
    // A server before §8 sends no `updates`.
    for (const u of diff.updates ?? []) this.users.set(String(u.userId), withDetails(u));
    this.seq = Math.max(this.seq ?? 0, diff.seq);
  }

  /** §1 fallback: the whole list, from `getOnlineUsers`. */
  applyList(users: readonly WireOnlineUser[]): void {
    this.users.clear();
    for (const u of users) this.users.set(String(u.userId), withDetails(u));
  }

  /** §1 fallback. A heartbeat broadcast or a type change of an online user keeps what the view knew of it. */
  applyStatusChange(change: UserStatusChanged): void {
    const key = String(change.userId);
    if (change.status === 'offline') {
      this.users.delete(key);
      this.availabilitySeqs.delete(key);
      return;
    }
    const known = this.users.get(key);
    // A server of §8 says the user's details with the change; an older one does not, and the view keeps its own.
    const told = change.availability !== undefined && change.availability !== null;
    const details = told
      ? { availability: change.availability, statusText: change.statusText ?? null, onlineSince: change.onlineSince ?? null }
      : { availability: known?.availability ?? undefined, statusText: known?.statusText, onlineSince: known?.onlineSince };
    const { userType = null, userName = null, lastActive = null } = known ?? {};
    this.users.set(key, withDetails({ userId: change.userId, status: 'online', lastSeen: change.lastSeen, userType, userName, lastActive, ...details }));
  }

  /**
   * §1 fallback: a change of an online user's availability. False (nothing changed) for a user the view does not
   * have online, or a change not newer than the last one applied to it.
   */
  applyAvailabilityChange(change: UserAvailabilityChanged): boolean {
    const key = String(change.userId);
    const known = this.users.get(key);
    if (known?.status !== 'online') return false;
    const last = this.availabilitySeqs.get(key);
    if (last !== undefined && change.seq <= last) return false;
    this.availabilitySeqs.set(key, change.seq);
    this.users.set(key, { ...known, availability: change.availability, statusText: change.statusText, lastActive: change.lastActive ?? known.lastActive });
    return true;
  }
}
