import type { CommittedTransition } from '../../domain/presence.events';
import type { UserId, UserKey } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';

/**
 * Who this node's clients have been told is online. A transition reaches them only when it changes that, so each
 * client sees every user's transitions alternating even when, after an outage, a transition is delivered twice or
 * a correction is needed.
 */
export class LocalPresenceView {
  private readonly online = new Map<UserKey, UserId>();

  /** True when the transition changes what the clients know, and so must be sent. */
  apply(transition: CommittedTransition): boolean {
    const key = userKeyOf(transition.userId);
    if (transition.type === 'UserWentOnline') {
      if (this.online.has(key)) return false;
      this.online.set(key, transition.userId);
      return true;
    }
    return this.online.delete(key);
  }

  /** Starts from what is online now, without telling anyone: clients ask for the list when they connect. */
  seed(userIds: Iterable<UserId>): void {
    for (const id of userIds) this.online.set(userKeyOf(id), id);
  }

  has(key: UserKey): boolean {
    return this.online.has(key);
  }

  /** The users the clients believe online. */
  users(): UserId[] {
    return [...this.online.values()];
  }
}
