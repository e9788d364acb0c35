import type { UserId, UserKey } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';
import { TokenBucket } from './token-bucket';

/** A read answered with this many users costs one token more (CONTRACT §11: a read costs what its answer costs). */
export const USERS_PER_READ_TOKEN = 1_000;

/** What a read of `users` users costs: 1, plus 1 per `USERS_PER_READ_TOKEN` users. */
export const readCost = (users: number): number => 1 + Math.floor(users / USERS_PER_READ_TOKEN);

/**
 * A subscription with this many listed ids costs one token more: each id is validated, indexed and looked up for its
 * state (and read from the database when offline), twice the work of a listed user.
 */
export const IDS_PER_SUBSCRIPTION_TOKEN = 500;

/** What a subscription listing `ids` ids costs: 1, plus 1 per `IDS_PER_SUBSCRIPTION_TOKEN` ids. */
export const subscriptionCost = (ids: number): number => 1 + Math.floor(ids / IDS_PER_SUBSCRIPTION_TOKEN);

/**
 * The read allowance each token's user shares over all of its connections on this node, so that twenty connections
 * of one user cannot read twenty times as much. Kept while the user has a connection here.
 */
export class UserReadAllowances {
  private readonly byUser = new Map<UserKey, { readonly bucket: TokenBucket; connections: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  acquire(userId: UserId, now: number): TokenBucket {
    const key = userKeyOf(userId);
    const entry = this.byUser.get(key) ?? { bucket: new TokenBucket(this.ratePerSecond, this.burst, now), connections: 0 };
    entry.connections += 1;
    this.byUser.set(key, entry);
    return entry.bucket;
  }

  release(userId: UserId): void {
    const key = userKeyOf(userId);
    const entry = this.byUser.get(key);
    if (entry === undefined) return;
    entry.connections -= 1;
    if (entry.connections <= 0) this.byUser.delete(key);
  }
}
