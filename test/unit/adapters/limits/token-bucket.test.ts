import fc from 'fast-check';
import { TokenBucket } from '../../../../src/adapters/limits/token-bucket';

/** The bucket as a plain fold over the times of the takes: what the class, with its `declare` fields, must equal. */
function plainAnswers(ratePerSecond: number, burst: number, start: number, times: readonly number[]): boolean[] {
  let tokens = burst;
  let refilledAt = start;
  return times.map((now) => {
    tokens = Math.min(burst, tokens + ((now - refilledAt) * ratePerSecond) / 1000);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  });
}

describe('TokenBucket', () => {
  it('allows a burst at once, then refuses until the rate has refilled a whole token', () => {
    const bucket = new TokenBucket(1_000, 3, 0);
    expect([0, 0, 0, 0].map((now) => bucket.take(now))).toEqual([true, true, true, false]);
    expect(bucket.take(0.5)).toBe(false);
    expect(bucket.take(1.5)).toBe(true);
    expect(bucket.take(1.5)).toBe(false);
    expect(bucket.take(2)).toBe(true);
  });

  it('never holds more than its burst, however long it waits', () => {
    const bucket = new TokenBucket(20, 2, 0);
    const answers = [3_600_000, 3_600_000, 3_600_000].map((now) => bucket.take(now));
    expect(answers).toEqual([true, true, false]);
  });

  it('answers as the plain version does, for any rate, burst and times of the takes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 2e12, noNaN: true }),
        // Mostly takes at the same instant or a few ms apart, so that the bucket runs dry and refills by fractions.
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 20, noNaN: true }), fc.double({ min: 0, max: 5_000, noNaN: true })), {
          maxLength: 300,
        }),
        (rate, burst, start, gaps) => {
          let now = start;
          const times = gaps.map((gap) => (now += gap));
          const bucket = new TokenBucket(rate, burst, start);
          expect(times.map((t) => bucket.take(t))).toEqual(plainAnswers(rate, burst, start, times));
        },
      ),
    );
  });
});
