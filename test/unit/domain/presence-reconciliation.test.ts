import fc from 'fast-check';
import { reconciliationOf } from '../../../src/domain/presence-reconciliation';
import type { OnlineUser } from '../../../src/domain/presence.types';

const user = (userId: string | number): OnlineUser => ({ userId, lastSeen: 1_000, userType: 'agent', userName: null });

describe('reconciliationOf', () => {
  it('ends the users believed online that are not, and announces the online ones not known, at the node’s seq', () => {
    expect(reconciliationOf(['gone', 'stays'], [user('stays'), user('new')], 5_000, 42)).toEqual([
      { type: 'UserWentOffline', userId: 'gone', lastSeen: 5_000, reason: 'expired', seq: 42 },
      { type: 'UserWentOnline', userId: 'new', lastSeen: 1_000, userType: 'agent', userName: null, reason: 'online', seq: 42 },
    ]);
  });

  it('corrects nothing when the picture is right, and treats 7 and "7" as one user', () => {
    expect(reconciliationOf([7, 'a'], [user('7'), user('a')], 5_000, 1)).toEqual([]);
  });

  it('turns any believed picture into the store’s, with one correction per user that differs', () => {
    const ids = fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c', 'd', 'e'), { maxLength: 5 });
    fc.assert(
      fc.property(ids, ids, (believed, actual) => {
        const corrections = reconciliationOf(believed, actual.map(user), 0, 9);
        const after = new Set<string>(believed);
        for (const c of corrections) c.type === 'UserWentOnline' ? after.add(String(c.userId)) : after.delete(String(c.userId));
        expect([...after].sort()).toEqual([...actual].sort());
        expect(corrections).toHaveLength(believed.filter((id) => !actual.includes(id)).length + actual.filter((id) => !believed.includes(id)).length);
      }),
    );
  });
});
