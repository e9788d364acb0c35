import { FlushedSnapshot } from '../../../../../src/adapters/socket/subscriptions/flushed-snapshot';
import type { OnlineUser } from '../../../../../src/domain/presence.types';
import { netLeave } from '../../../../support/transitions';
import { onlineUser } from '../../../../support/presence-values';

const user = (userId: string | number, userType: string | null = null): OnlineUser => onlineUser(userId, 1_000, userType);
/** A net join is the user as it came online. */
const join = (userId: string | number, userType: string | null = null): OnlineUser => ({ ...user(userId, userType), lastSeen: 5_000 });
const leave = (userId: string | number) => netLeave(userId, 6_000, 'explicit', null);
const ids = (snapshot: FlushedSnapshot): string[] => [...snapshot.users(null)].map((u) => String(u.userId)).sort();

describe('FlushedSnapshot', () => {
  it('starts from the seeded users, current to the seeded seq', () => {
    const snapshot = new FlushedSnapshot();
    expect(snapshot.seq).toBe(0);
    snapshot.seed([user(7, 'agent'), user('b')], 40);
    expect(snapshot.seq).toBe(40);
    expect(ids(snapshot)).toEqual(['7', 'b']);
    expect(snapshot.get('7')).toEqual(user(7, 'agent'));
    expect(snapshot.get('nobody')).toBeUndefined();
  });

  it('takes a flushed net change: its joins are online with their latest data, its leaves are not', () => {
    const snapshot = new FlushedSnapshot();
    snapshot.seed([user('stays'), user('leaves'), user('again', 'client')], 10);
    snapshot.apply({ joins: [join('arrives'), join('again', 'agent')], leaves: [leave('leaves'), leave('never-online')], updates: [], seq: 14 });
    expect(ids(snapshot)).toEqual(['again', 'arrives', 'stays']);
    expect(snapshot.get('again')).toMatchObject({ userType: 'agent', lastSeen: 5_000 });
    expect(snapshot.seq).toBe(14);
  });

  it('never goes back to an older seq', () => {
    const snapshot = new FlushedSnapshot();
    snapshot.seed([], 20);
    snapshot.apply({ joins: [join('late')], leaves: [], updates: [], seq: 12 });
    expect(snapshot.seq).toBe(20);
    expect(ids(snapshot)).toEqual(['late']);
  });
});
