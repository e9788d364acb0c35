import type { Context } from 'koa';
import { keyOfUser } from '../../domain/presence.types';
import { KeyedAllowances } from '../limits/keyed-allowances';
import { readCost, USERS_PER_READ_TOKEN } from '../limits/read-costs';
import { HttpError } from './http-error';

export interface ReadAllowanceSettings {
  /** Reads a second per reader; bursts of twice that. */
  readonly ratePerSecond: number;
  readonly now: () => number;
  /** The token's claim naming its user, when the service has a secret: readers are told apart by it. */
  readonly userClaim: string | null;
  /** The token's claim naming its tenant, when tenants are on: the same id in two tenants is two readers. */
  readonly tenantClaim?: string | null;
}

/** Who is reading: the token's user when there is one (however many addresses it reads from), else the address. */
function readerOf(ctx: Context, settings: ReadAllowanceSettings): string {
  const claims = (ctx.state as { accessToken?: Record<string, unknown> }).accessToken;
  const user = settings.userClaim === null ? undefined : claims?.[settings.userClaim];
  const tenant = settings.tenantClaim ? claims?.[settings.tenantClaim] : undefined;
  if (typeof user === 'string' || typeof user === 'number') return `user:${keyOfUser({ ...(typeof tenant === 'string' && { tenant }), userId: user })}`;
  return `address:${ctx.ip}`;
}

/**
 * REST reads draw from each reader's allowance by what they answer (CONTRACT §11): 1 token, plus 1 per
 * `USERS_PER_READ_TOKEN` users listed. A read is charged as it is taken for the most it can list, so that reads sent at
 * once cannot all pass before any is charged, and given back what it did not list. Over the allowance, the answer is
 * 429 `RATE_LIMITED` with `Retry-After`. Taken after authentication, so that a reader is its token's user.
 */
export class ReadAllowance {
  private readonly allowances: KeyedAllowances;

  constructor(private readonly settings: ReadAllowanceSettings) {
    this.allowances = new KeyedAllowances(settings.ratePerSecond, 2 * settings.ratePerSecond);
  }

  /** Who is reading: the token's user (and tenant), or the client's address. */
  readerOf(ctx: Context): string {
    return readerOf(ctx, this.settings);
  }

  /** Takes a read that lists at most `upTo` users, or throws the 429; the returned function settles what it listed. */
  take(ctx: Context, upTo: number): (listed: number) => void {
    const now = this.settings.now();
    const allowance = this.allowances.of(readerOf(ctx, this.settings), now);
    if (!allowance.take(now)) {
      ctx.set('Retry-After', String(Math.max(1, Math.ceil(allowance.msUntilToken(now) / 1_000))));
      throw new HttpError(
        429,
        'RATE_LIMITED',
        `over the read allowance (${this.settings.ratePerSecond} a second, a page of ${USERS_PER_READ_TOKEN} users costs one more)`,
      );
    }
    const charged = readCost(upTo) - 1;
    allowance.charge(charged);
    return (listed) => allowance.charge(readCost(listed) - 1 - charged);
  }
}
