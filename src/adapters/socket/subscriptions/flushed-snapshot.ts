import type { OnlineUser, Tenant, TenantUser, UserKey } from '../../../domain/presence.types';
import { keyOfUser } from '../../../domain/presence.types';
import type { NetChange } from './transition-window';

/**
 * Who is online, as a picture current to a seq: all that states and the types of leaving users are read from.
 * Narrow on purpose, so that one shared picture of who is online can stand in for the snapshot later.
 */
export interface OnlinePicture {
  /** The seq the picture is current to. */
  readonly seq: number;
  /** An online user, by key; undefined when the user is offline. */
  get(key: UserKey): OnlineUser | undefined;
  /** Every online user of a tenant (of all, with tenants off). */
  users(tenant: Tenant): Iterable<OnlineUser>;
}

/**
 * Who is online as of the hub's last flush: what its subscribers have been sent, so what a new one's state is.
 * It runs behind transitions delivered but not flushed yet, which the hub's window holds.
 */
export class FlushedSnapshot implements OnlinePicture {
  private readonly online = new Map<UserKey, OnlineUser>();
  /** The same users by tenant (`''` with tenants off), so that a state of one tenant passes over its users only. */
  private readonly byTenant = new Map<string, Map<UserKey, OnlineUser>>();
  private current = 0;

  get seq(): number {
    return this.current;
  }

  /** Starts from the users online now, current to `seq`. */
  seed(users: readonly OnlineUser[], seq: number): void {
    for (const user of users) this.put(user);
    this.current = seq;
  }

  /** A flushed window's net change: the picture is then current to its seq (never lower than before). */
  apply(net: NetChange): void {
    // Leaves first: a user whose type changed leaves by its old type and joins by its new one.
    for (const leave of net.leaves) this.remove(leave);
    for (const join of net.joins) this.put(join);
    for (const update of net.updates) this.put(update);
    this.current = Math.max(this.current, net.seq);
  }

  get(key: UserKey): OnlineUser | undefined {
    return this.online.get(key);
  }

  users(tenant: Tenant): Iterable<OnlineUser> {
    return this.byTenant.get(tenant ?? '')?.values() ?? [];
  }

  private put(user: OnlineUser): void {
    const key = keyOfUser(user);
    this.online.set(key, user);
    const tenant = user.tenant ?? '';
    let users = this.byTenant.get(tenant);
    if (users === undefined) {
      users = new Map();
      this.byTenant.set(tenant, users);
    }
    users.set(key, user);
  }

  private remove(user: TenantUser): void {
    const key = keyOfUser(user);
    this.online.delete(key);
    const tenant = user.tenant ?? '';
    const users = this.byTenant.get(tenant);
    users?.delete(key);
    if (users?.size === 0) this.byTenant.delete(tenant);
  }
}
