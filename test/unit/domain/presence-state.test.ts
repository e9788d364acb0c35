import fc from 'fast-check';
import type { Availability } from '../../../src/domain/availability';
import { freshDetails, isOnline, OFFLINE, onlineState, samePresence, type PresenceState } from '../../../src/domain/presence-state';
import { cameOnline, onlineUserOf, wentOffline } from '../../../src/domain/presence.events';
import { offlineTransition, onlineTransition } from '../../support/transitions';

const states: fc.Arbitrary<PresenceState> = fc.oneof(
  fc.constant(OFFLINE),
  fc
    .record({
      userType: fc.option(fc.constantFrom('agent', 'client'), { nil: null }),
      userName: fc.option(fc.constantFrom('Ada', 'Bo'), { nil: null }),
      availability: fc.constantFrom('available', 'away', 'busy') as fc.Arbitrary<Availability>,
      statusText: fc.option(fc.constantFrom('lunch', 'call'), { nil: null }),
    })
    .map(({ userType, userName, availability, statusText }) =>
      onlineState(userType, userName, { ...freshDetails(1_000), availability, statusText }),
    ),
);

describe('PresenceState', () => {
  it('is online with the type and name a user is shown with, or offline with nothing', () => {
    expect(onlineState('agent', 'Ada', freshDetails(5))).toEqual({
      status: 'online',
      userType: 'agent',
      userName: 'Ada',
      availability: 'available',
      statusText: null,
      lastActive: null,
      onlineSince: 5,
    });
    expect(OFFLINE).toEqual({ status: 'offline' });
    expect(isOnline(onlineState(null, null))).toBe(true);
    expect(isOnline(OFFLINE)).toBe(false);
  });

  it('is one shared offline state, which nothing can change', () => {
    expect(Object.isFrozen(OFFLINE)).toBe(true);
  });

  it('compares as a value: equal states are the same presence, whichever object holds them', () => {
    expect(samePresence(onlineState('agent', 'Ada'), onlineState('agent', 'Ada'))).toBe(true);
    expect(samePresence({ status: 'offline' }, OFFLINE)).toBe(true);
    expect(samePresence(onlineState('agent', 'Ada'), onlineState('client', 'Ada'))).toBe(false);
    expect(samePresence(onlineState('agent', 'Ada'), onlineState('agent', null))).toBe(false);
    expect(samePresence(onlineState(null, null), OFFLINE)).toBe(false);
    const busy = onlineState('agent', 'Ada', { ...freshDetails(0), availability: 'busy' });
    expect(samePresence(onlineState('agent', 'Ada'), busy)).toBe(false);
    // When the user came online and its last activity are facts about it, not what it is shown as.
    expect(samePresence(onlineState('agent', 'Ada', { ...freshDetails(7), lastActive: 9 }), onlineState('agent', 'Ada'))).toBe(true);
    fc.assert(
      fc.property(states, states, (a, b) => {
        expect(samePresence(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
        expect(samePresence(a, b)).toBe(samePresence(b, a));
      }),
    );
  });
});

describe('a transition’s direction', () => {
  it('came online from offline, or went offline from online', () => {
    const join = onlineTransition('u', 1_000, 'agent', 'Ada');
    const leave = offlineTransition('u', 2_000, 'expired', onlineState('agent', 'Ada'));
    expect([cameOnline(join), wentOffline(join)]).toEqual([true, false]);
    expect([cameOnline(leave), wentOffline(leave)]).toEqual([false, true]);
  });

  it('is neither for a change between two online states (another type, availability or text)', () => {
    const update = { ...onlineTransition('u', 1_000, 'agent'), from: onlineState('agent', null) };
    expect([cameOnline(update), wentOffline(update)]).toEqual([false, false]);
  });

  it('gives the user a transition online brought, as lists of online users show it', () => {
    const join = onlineTransition(7, 1_000, 'agent', 'Ada');
    if (!cameOnline(join)) throw new Error('a join');
    expect(onlineUserOf(join)).toEqual({
      userId: 7,
      lastSeen: 1_000,
      userType: 'agent',
      userName: 'Ada',
      availability: 'available',
      statusText: null,
      lastActive: null,
      onlineSince: 1_000,
    });
  });
});
