import { PresenceView } from '../../../src/client/presence-view';
import type { UserAvailabilityChanged, UserStatusChanged, WirePresenceUser } from '../../../src/protocol/socket-events';

const T = '2026-11-27T20:11:26.123Z';
const T2 = '2026-11-27T20:21:26.123Z';

const user = (userId: string, details: Partial<WirePresenceUser> = {}): WirePresenceUser => ({
  userId,
  status: 'online',
  lastSeen: T,
  userType: 'agent',
  userName: null,
  availability: 'available',
  statusText: null,
  lastActive: T,
  onlineSince: T,
  ...details,
});

const changed = (userId: string, seq: number, details: Partial<UserAvailabilityChanged> = {}): UserAvailabilityChanged => ({
  userId,
  availability: 'busy',
  statusText: 'in a call',
  lastActive: T2,
  reason: 'set',
  seq,
  ...details,
});

describe("the client's view of the users in scope", () => {
  it('gives every user the details of §8, and a server before §8 its users as available', () => {
    const view = new PresenceView();
    const old = { userId: 'old', status: 'online', lastSeen: T, userType: null, userName: null } as unknown as WirePresenceUser;
    const gone = { userId: 'gone', status: 'offline', lastSeen: T, userType: null, userName: null } as unknown as WirePresenceUser;
    view.applyState({ seq: 3, users: [old, gone, user('new', { availability: 'away', statusText: 'lunch' })] });
    expect(view.online()).toEqual([
      { ...old, availability: 'available', statusText: null, lastActive: null, onlineSince: null },
      user('new', { availability: 'away', statusText: 'lunch' }),
    ]);
    expect(view.availabilityOf('old')).toBe('available');
    expect(view.availabilityOf('new')).toBe('away');
    expect(view.availabilityOf('gone')).toBeNull();
    expect(view.availabilityOf('never')).toBeNull();
  });

  it('applies the joins, leaves and updates of a diff, and follows its seq', () => {
    const view = new PresenceView();
    view.applyState({ seq: 10, users: [user('a'), user('b'), user(7 as unknown as string)] });
    view.applyDiff({
      seq: 14,
      joins: [user('c')],
      leaves: [{ userId: 'b', lastSeen: T2, reason: 'explicit' }],
      updates: [user('a', { availability: 'busy', statusText: 'in a call' }), user(7 as unknown as string, { availability: 'away' })],
    });
    expect(view.online().map((u) => [u.userId, u.availability, u.statusText])).toEqual([
      ['a', 'busy', 'in a call'],
      [7, 'away', null],
      ['c', 'available', null],
    ]);
    expect(view.availabilityOf('7')).toBe('away');
    expect(view.seq).toBe(14);
  });

  it('takes a diff with no updates from a server before §8', () => {
    const view = new PresenceView();
    view.applyDiff({ seq: 2, joins: [user('a')], leaves: [] } as never);
    expect(view.availabilityOf('a')).toBe('available');
  });

  describe('in the §1 fallback', () => {
    const status = (userId: string, details: Partial<UserStatusChanged> = {}): UserStatusChanged => ({
      userId,
      status: 'online',
      lastSeen: T2,
      reason: 'online',
      availability: 'available',
      statusText: null,
      onlineSince: T2,
      ...details,
    });

    it('applies a newer availability change of an online user, and ignores one not newer or of a user it does not have', () => {
      const view = new PresenceView();
      view.applyList([user('a') as never]);
      expect(view.applyAvailabilityChange(changed('a', 20))).toBe(true);
      expect(view.get('a')).toEqual(user('a', { availability: 'busy', statusText: 'in a call', lastActive: T2 }));
      expect(view.applyAvailabilityChange(changed('a', 20, { availability: 'away' }))).toBe(false);
      expect(view.applyAvailabilityChange(changed('a', 19, { availability: 'away' }))).toBe(false);
      expect(view.availabilityOf('a')).toBe('busy');
      expect(view.applyAvailabilityChange(changed('a', 21, { availability: 'available', statusText: null }))).toBe(true);
      expect(view.availabilityOf('a')).toBe('available');
      expect(view.applyAvailabilityChange(changed('nobody', 30))).toBe(false);
      expect(view.get('nobody')).toBeUndefined();
    });

    it('takes the details a status change carries, and keeps them over a heartbeat from a server before §8', () => {
      const view = new PresenceView();
      view.applyStatusChange(status('a', { availability: 'busy', statusText: 'in a call' }));
      expect(view.get('a')).toEqual({ ...user('a', { availability: 'busy', statusText: 'in a call', lastSeen: T2, onlineSince: T2, lastActive: null }), userType: null });
      const beat = { userId: 'a', status: 'online', lastSeen: T2, reason: 'heartbeat' } as unknown as UserStatusChanged;
      view.applyStatusChange(beat);
      expect(view.get('a')).toMatchObject({ availability: 'busy', statusText: 'in a call', onlineSince: T2 });
      view.applyStatusChange(status('a', { status: 'offline', reason: 'explicit', availability: null, onlineSince: null }));
      expect(view.get('a')).toBeUndefined();
      expect(view.availabilityOf('a')).toBeNull();
    });
  });
});
