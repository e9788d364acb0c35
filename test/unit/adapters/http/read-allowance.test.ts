import type { Context } from 'koa';
import { ReadAllowance } from '../../../../src/adapters/http/read-allowance';
import { HttpError } from '../../../../src/adapters/http/http-error';
import { FakeClock } from '../../../support/fake-clock';

/** As much of a Koa context as the allowance reads: the token's claims, the address, the headers it sets. */
const contextOf = (claims: Record<string, unknown> | undefined, ip = '10.0.0.1') => {
  const headers: Record<string, string> = {};
  const ctx = { state: claims === undefined ? {} : { accessToken: claims }, ip, set: (name: string, value: string) => (headers[name] = value) };
  return { ctx: ctx as unknown as Context, headers };
};

const refusal = (take: () => unknown): HttpError | undefined => {
  try {
    take();
    return undefined;
  } catch (error) {
    return error as HttpError;
  }
};

describe('ReadAllowance', () => {
  const clock = new FakeClock();
  const allowanceAt = (rate: number) => new ReadAllowance({ ratePerSecond: rate, now: () => clock.now(), userClaim: 'sub' });

  it('charges a read for the most it can list as it is taken, so that reads at once cannot all pass', () => {
    const allowance = allowanceAt(10);
    const { ctx } = contextOf({ sub: 'backend' });
    // Burst 20: a read of up to 10,000 users takes 11; the second finds 9 and passes; the third finds none left.
    allowance.take(ctx, 10_000);
    allowance.take(ctx, 10_000);
    expect(refusal(() => allowance.take(ctx, 10_000))).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });

  it('gives back what a read did not list', () => {
    const allowance = allowanceAt(10);
    const { ctx } = contextOf({ sub: 'backend' });
    for (let i = 0; i < 5; i++) allowance.take(ctx, 10_000)(3);
    // Each cost 1 in the end: 15 of the 20 are left.
    for (let i = 0; i < 15; i++) allowance.take(ctx, 1);
    expect(refusal(() => allowance.take(ctx, 1))).toBeInstanceOf(HttpError);
  });

  it('tells readers apart by their token’s user, else by address, and says when to come back', () => {
    const allowance = allowanceAt(1);
    const alice = contextOf({ sub: 'alice' }, '10.0.0.1');
    const aliceElsewhere = contextOf({ sub: 'alice' }, '10.0.0.2');
    allowance.take(alice.ctx, 1);
    allowance.take(aliceElsewhere.ctx, 1);
    expect(refusal(() => allowance.take(alice.ctx, 1))).toBeInstanceOf(HttpError);
    expect(alice.headers['Retry-After']).toBe('1');
    // The same address with another user, or with no token, is another reader.
    expect(refusal(() => allowance.take(contextOf({ sub: 'bob' }, '10.0.0.1').ctx, 1))).toBeUndefined();
    expect(refusal(() => allowance.take(contextOf(undefined, '10.0.0.1').ctx, 1))).toBeUndefined();
    // 7 and "7" are one user.
    allowance.take(contextOf({ sub: 7 }).ctx, 1);
    allowance.take(contextOf({ sub: 7 }).ctx, 1);
    expect(refusal(() => allowance.take(contextOf({ sub: '7' }).ctx, 1))).toBeInstanceOf(HttpError);
  });
});
