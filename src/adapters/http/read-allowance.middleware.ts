import type { Context, Middleware } from 'koa';
import { KeyedAllowances } from '../limits/keyed-allowances';
import { readCost, USERS_PER_READ_TOKEN } from '../limits/read-allowances';
import { HttpError } from './http-error';

export interface ReadAllowanceSettings {
  /** Reads a second per reader; bursts of twice that. */
  readonly ratePerSecond: number;
  readonly now: () => number;
  /** The token's claim naming its user, when the service has a secret: readers are told apart by it. */
  readonly userClaim: string | null;
}

/** Who is reading: the token's user when there is one (however many addresses it reads from), else the address. */
function readerOf(ctx: Context, userClaim: string | null): string {
  const claims = (ctx.state as { accessToken?: Record<string, unknown> }).accessToken;
  const user = userClaim === null ? undefined : claims?.[userClaim];
  if (typeof user === 'string' || typeof user === 'number') return `user:${typeof user}:${user}`;
  return `address:${ctx.ip}`;
}

/**
 * REST reads draw from each reader's allowance by what they answer (CONTRACT §11): 1 token, plus 1 per
 * `USERS_PER_READ_TOKEN` users listed, charged once the answer is known. Over it, the answer is 429 `RATE_LIMITED`
 * with `Retry-After`. Runs after authentication, so that a reader is its token's user.
 */
export function readAllowance(settings: ReadAllowanceSettings): Middleware {
  const { ratePerSecond } = settings;
  const allowances = new KeyedAllowances(ratePerSecond, 2 * ratePerSecond);
  return async (ctx, next) => {
    const now = settings.now();
    const allowance = allowances.of(readerOf(ctx, settings.userClaim), now);
    if (!allowance.take(now)) {
      ctx.set('Retry-After', String(Math.max(1, Math.ceil(allowance.msUntilToken(now) / 1_000))));
      throw new HttpError(
        429,
        'RATE_LIMITED',
        `over the read allowance (${ratePerSecond} a second, a page of ${USERS_PER_READ_TOKEN} users costs one more)`,
      );
    }
    await next();
    const users = (ctx.body as { users?: unknown } | undefined)?.users;
    if (Array.isArray(users)) allowance.charge(readCost(users.length) - 1);
  };
}
