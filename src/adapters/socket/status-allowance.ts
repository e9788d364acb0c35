import type { TenantUser } from '../../domain/presence.types';
import { keyOfUser } from '../../domain/presence.types';
import { KeyedAllowances } from '../limits/keyed-allowances';
import { SocketRefusal } from './socket-refusal.mapper';

export interface StatusAllowanceSettings {
  /** Status events a second per user, over all its connections on this node. */
  readonly ratePerSecond: number;
  /** How many at once: every connection of a user may announce itself together (a reload of every tab). */
  readonly burst: number;
  readonly now: () => number;
}

/**
 * CONTRACT §11: each status change of a user is a broadcast to every §1 client, so a user toggling online and
 * offline at the event rate would cost the node that rate times its connections. `userOnline` and `userOffline`
 * draw from their user's allowance; heartbeats do not (they never cost a broadcast, unless the connection had
 * ended, and ending it again takes a `userOffline`).
 */
export class StatusAllowance {
  private readonly byUser: KeyedAllowances;

  constructor(private readonly settings: StatusAllowanceSettings) {
    this.byUser = new KeyedAllowances(settings.ratePerSecond, settings.burst);
  }

  /** Takes one status event of the user, or refuses it RATE_LIMITED. */
  take(user: TenantUser): void {
    const now = this.settings.now();
    if (this.byUser.of(keyOfUser(user), now).take(now)) return;
    throw new SocketRefusal('RATE_LIMITED', `over ${this.settings.ratePerSecond} status changes a second for this user (userOnline, userOffline)`);
  }
}
