import { KeyedAllowances } from '../../../../src/adapters/limits/keyed-allowances';

describe('KeyedAllowances', () => {
  it('gives each key its own allowance, kept while it refills', () => {
    const allowances = new KeyedAllowances(1, 2);
    const a = allowances.of('a', 0);
    expect([a.take(0), a.take(0), a.take(0)]).toEqual([true, true, false]);
    expect(allowances.of('b', 0).take(0)).toBe(true);
    expect(allowances.of('a', 500)).toBe(a);
    expect(a.take(500)).toBe(false);
  });

  it('forgets allowances once refilled, and not one that still owes', () => {
    const allowances = new KeyedAllowances(1, 2);
    allowances.of('debtor', 0).charge(10);
    allowances.of('light', 0).take(0);
    expect(allowances.size).toBe(2);
    // At 3 s, the light reader has long refilled, but the debtor in front of it still owes: both are kept.
    allowances.of('new', 3_000);
    expect(allowances.size).toBe(3);
    // At 13 s the debtor has refilled too: both go, from the front; the key asked for is made anew.
    const debtor = allowances.of('debtor', 13_000);
    expect(allowances.size).toBe(1);
    expect([debtor.take(13_000), debtor.take(13_000), debtor.take(13_000)]).toEqual([true, true, false]);
  });

  it('tells how long until a token can be taken', () => {
    const bucket = new KeyedAllowances(4, 1).of('a', 0);
    expect(bucket.msUntilToken(0)).toBe(0);
    bucket.take(0);
    expect(bucket.msUntilToken(0)).toBe(250);
    bucket.charge(2);
    expect(bucket.msUntilToken(100)).toBe(650);
    expect(bucket.isFull(100)).toBe(false);
    expect(bucket.isFull(750)).toBe(true);
  });
});
