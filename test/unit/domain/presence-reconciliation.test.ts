import fc from 'fast-check';
import type { ToldPresence } from '../../../src/domain/ports/transition-feed.port';
import { reconciliationOf } from '../../../src/domain/presence-reconciliation';
import { freshDetails, isOnline, onlineState, type OnlineState } from '../../../src/domain/presence-state';
import type { OnlineUser, UserId } from '../../../src/domain/presence.types';
import { onlineUser } from '../../support/presence-values';

const user = (userId: string | number): OnlineUser => onlineUser(userId, 1_000, 'agent');

/** What a node's consumers were told: these users online, each with a state of its own. */
const told = (userIds: readonly UserId[], userType = 'agent'): ToldPresence => {
  const states = new Map<string, OnlineState>(userIds.map((id) => [String(id), onlineState(userType, `told ${String(id)}`)]));
  return { believedOnline: () => userIds.map((userId) => ({ userId })), toldStateOf: ({ userId }) => states.get(String(userId)) };
};

describe('reconciliationOf', () => {
  it('ends the users believed online that are not, and announces the online ones not known, at the node’s seq', () => {
    expect(reconciliationOf(told(['gone', 'stays']), [user('stays'), user('new')], 5_000, 42)).toEqual([
      {
        type: 'UserPresenceChanged',
        userId: 'gone',
        lastSeen: 5_000,
        from: onlineState('agent', 'told gone'),
        to: { status: 'offline' },
        reason: 'expired',
        seq: 42,
      },
      {
        type: 'UserPresenceChanged',
        userId: 'new',
        lastSeen: 1_000,
        from: { status: 'offline' },
        to: onlineState('agent', null, freshDetails(1_000)),
        reason: 'online',
        seq: 42,
      },
    ]);
  });

  it('tells a type change that was missed, from the type told to the one the store has (who may see it depends on it)', () => {
    expect(reconciliationOf(told(['u'], 'client'), [user('u')], 5_000, 7)).toEqual([
      {
        type: 'UserPresenceChanged',
        userId: 'u',
        lastSeen: 1_000,
        from: onlineState('client', 'told u'),
        to: onlineState('agent', null, freshDetails(1_000)),
        reason: 'type_changed',
        seq: 7,
      },
    ]);
  });

  it('corrects nothing when the picture is right, and treats 7 and "7" as one user', () => {
    expect(reconciliationOf(told([7, 'a']), [user('7'), user('a')], 5_000, 1)).toEqual([]);
  });

  it('tells an availability change that was missed, by what it is shown as now (CONTRACT §8), and not a name change', () => {
    const busy = onlineUser('u', 1_000, 'agent', 'renamed', { availability: 'busy', statusText: 'on a call' });
    const [correction] = reconciliationOf(told(['u']), [busy], 5_000, 3);
    expect(correction).toMatchObject({ userId: 'u', reason: 'active', seq: 3, to: { availability: 'busy', statusText: 'on a call' } });
    const away = onlineUser('u', 1_000, 'agent', null, { availability: 'away' });
    expect(reconciliationOf(told(['u']), [away], 5_000, 3)[0]).toMatchObject({ reason: 'idle' });
    expect(reconciliationOf(told(['u']), [onlineUser('u', 1_000, 'agent', 'renamed')], 5_000, 3)).toEqual([]);
  });

  it('turns any believed picture into the store’s, with one correction per user that differs', () => {
    const ids = fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c', 'd', 'e'), { maxLength: 5 });
    fc.assert(
      fc.property(ids, ids, (believed, actual) => {
        const corrections = reconciliationOf(told(believed), actual.map(user), 0, 9);
        const after = new Set<string>(believed);
        for (const c of corrections) isOnline(c.to) ? after.add(String(c.userId)) : after.delete(String(c.userId));
        expect([...after].sort()).toEqual([...actual].sort());
        expect(corrections).toHaveLength(believed.filter((id) => !actual.includes(id)).length + actual.filter((id) => !believed.includes(id)).length);
      }),
    );
  });
});
