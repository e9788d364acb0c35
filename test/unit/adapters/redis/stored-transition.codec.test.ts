import fc from 'fast-check';
import { decodeTransition, encodeTransition } from '../../../../src/adapters/redis/stored-transition.codec';
import type { ToldPresence } from '../../../../src/domain/ports/transition-feed.port';
import type { Availability, AvailabilityReason } from '../../../../src/domain/availability';
import { freshDetails, OFFLINE, onlineState, UNKNOWN_DETAILS, type OnlineState } from '../../../../src/domain/presence-state';
import type { OfflineReason, UserId } from '../../../../src/domain/presence.types';
import { committed, offlineTransition, onlineTransition } from '../../../support/transitions';

/** A node's consumers that were told of these users online. */
const told = (states: Record<string, OnlineState> = {}): ToldPresence => {
  const byKey = new Map(Object.entries(states));
  return { believedOnline: () => [...byKey.keys()].map((userId) => ({ userId })), toldStateOf: ({ userId }) => byKey.get(String(userId)) };
};

const AT = Date.UTC(2026, 10, 27, 20, 11, 26, 123);

/**
 * The entries of Redis's transitions stream as 0.10 wrote them (`JSON.stringify` of its UserWentOnline and
 * UserWentOffline events), byte for byte: nodes of this version and the previous one share the stream in a
 * rolling upgrade, each reading what the other wrote.
 */
const TODAY = {
  online: `{"type":"UserWentOnline","userId":7,"lastSeen":${AT},"reason":"online","userType":"agent","userName":"Ada"}`,
  onlineUntyped: `{"type":"UserWentOnline","userId":"07","lastSeen":${AT},"reason":"online","userType":null,"userName":null}`,
  offline: `{"type":"UserWentOffline","userId":"u","lastSeen":${AT},"reason":"node_lost"}`,
};

describe('the transitions stream format', () => {
  it('is written exactly as 0.10 wrote it', () => {
    expect(encodeTransition(onlineTransition(7, AT, 'agent', 'Ada'))).toBe(TODAY.online);
    expect(encodeTransition(onlineTransition('07', AT))).toBe(TODAY.onlineUntyped);
    expect(encodeTransition(offlineTransition('u', AT, 'node_lost', onlineState('agent', 'Ada')))).toBe(TODAY.offline);
  });

  it('reads an entry 0.10 wrote: a join from offline, a leave from the state the node’s consumers were told', () => {
    expect(decodeTransition(TODAY.online, 41, told())).toEqual({
      type: 'UserPresenceChanged',
      userId: 7,
      lastSeen: AT,
      from: { status: 'offline' },
      // Every online period starts with nothing chosen and no activity.
      to: onlineState('agent', 'Ada', freshDetails(AT)),
      reason: 'online',
      seq: 41,
    });
    expect(decodeTransition(TODAY.onlineUntyped, 42, told())).toMatchObject({ userId: '07', to: { status: 'online', userType: null, userName: null } });
    expect(decodeTransition(TODAY.offline, 43, told({ u: onlineState('client', 'Bo') }))).toEqual({
      type: 'UserPresenceChanged',
      userId: 'u',
      lastSeen: AT,
      from: onlineState('client', 'Bo'),
      to: { status: 'offline' },
      reason: 'node_lost',
      seq: 43,
    });
  });

  it('holds a type change and a tenant in entries of their own kind and field, which a 0.12 node skips and reads as before', () => {
    const retyped = {
      type: 'UserPresenceChanged' as const,
      tenant: 'acme',
      userId: 7,
      lastSeen: AT,
      from: onlineState('agent', 'Ada'),
      to: onlineState('client', 'Ada'),
      reason: 'type_changed' as const,
    };
    const json = encodeTransition(retyped);
    expect(JSON.parse(json)).toEqual({ type: 'UserTypeChanged', userId: 7, lastSeen: AT, userType: 'client', userName: 'Ada', tenant: 'acme', ...UNKNOWN_DETAILS });
    expect(decodeTransition(json, 50, told({ 7: onlineState('agent', 'Ada') }))).toEqual({ ...retyped, seq: 50 });
    // As 0.13 wrote it, without §8's details: the new type with the details the consumers were told.
    const busy = onlineState('agent', 'Ada', { ...freshDetails(5), availability: 'busy' });
    const fromOldNode = decodeTransition(`{"type":"UserTypeChanged","userId":7,"lastSeen":${AT},"userType":"client","userName":"Ada"}`, 52, told({ 7: busy }));
    expect(fromOldNode).toMatchObject({ reason: 'type_changed', to: { userType: 'client', availability: 'busy', onlineSince: 5 } });
    const tenantOnline = encodeTransition({ ...onlineTransition(7, AT, 'agent', 'Ada'), tenant: 'acme' });
    expect(tenantOnline).toBe(`${TODAY.online.slice(0, -1)},"tenant":"acme"}`);
    expect(decodeTransition(tenantOnline, 51, told())).toMatchObject({ tenant: 'acme', userId: 7, to: { status: 'online' } });
  });

  it('names the user a leave leaves in the entry when asked (webhooks on), so that a reader told nothing names them too', () => {
    const leave = offlineTransition('u', AT, 'node_lost', onlineState('agent', 'Ada', { ...freshDetails(AT - 9), lastActive: AT - 5 }));
    const json = encodeTransition(leave, { namesLeaves: true });
    expect(json).toBe(`${TODAY.offline.slice(0, -1)},"shown":{"userType":"agent","userName":"Ada","lastActive":${AT - 5}}}`);
    expect(decodeTransition(json, 44, told())).toMatchObject({ from: { status: 'online', userType: 'agent', userName: 'Ada', lastActive: AT - 5 }, to: OFFLINE });
    // What the consumers were told comes first, as without the field.
    expect(decodeTransition(json, 44, told({ u: onlineState('client', 'Bo') }))).toMatchObject({ from: onlineState('client', 'Bo') });
  });

  it('reads a leave of a user this node was not told of as coming from online (its delivery then drops it)', () => {
    expect(decodeTransition(TODAY.offline, 43, told())).toMatchObject({ from: { status: 'online' }, to: OFFLINE });
  });

  it('gives what a 0.10 node reads from a new node’s entry: its own two events', () => {
    // 0.10's feed: `{ ...JSON.parse(json), seq }`, online unless the type says offline.
    const asRead = (json: string, seq: number): unknown => ({ ...(JSON.parse(json) as object), seq });
    expect(asRead(encodeTransition(onlineTransition(7, AT, 'agent', 'Ada')), 5)).toEqual({
      type: 'UserWentOnline',
      userId: 7,
      lastSeen: AT,
      reason: 'online',
      userType: 'agent',
      userName: 'Ada',
      seq: 5,
    });
    expect(asRead(encodeTransition(offlineTransition('u', AT, 'explicit')), 6)).toEqual({ type: 'UserWentOffline', userId: 'u', lastSeen: AT, reason: 'explicit', seq: 6 });
  });

  it('holds a change of availability (CONTRACT §8) in an entry of its own kind, which a 0.13 node skips', () => {
    const from = onlineState('agent', 'Ada', freshDetails(AT));
    const to = onlineState('agent', 'Ada', { availability: 'busy', statusText: 'on a call', lastActive: AT + 5, onlineSince: AT });
    const changed = { type: 'UserPresenceChanged' as const, userId: 7, lastSeen: AT + 9, from, to, reason: 'set' as const };
    const json = encodeTransition(changed);
    expect(JSON.parse(json)).toMatchObject({ type: 'UserAvailabilityChanged', reason: 'set', availability: 'busy', statusText: 'on a call' });
    expect(decodeTransition(json, 60, told({ 7: from }))).toEqual({ ...changed, seq: 60 });
    // 0.13 decodes the three kinds it knows and skips the rest.
    expect(['UserWentOnline', 'UserWentOffline', 'UserTypeChanged']).not.toContain(JSON.parse(json).type);
  });

  it('skips an entry of a kind it does not know, and refuses to write a change it has no format for', () => {
    expect(decodeTransition('{"type":"UserMoodChanged","userId":"u","lastSeen":1}', 9, told())).toBeUndefined();
    const update = { ...onlineTransition('u', AT, 'agent'), from: onlineState('agent', null) };
    expect(() => encodeTransition(update)).toThrow('cannot hold a change from online to online');
  });

  it('gives back every transition it wrote, a leave from the state its consumers were told', () => {
    const ids = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: -1_000, max: 1_000 })) as fc.Arbitrary<UserId>;
    const detail = fc.option(fc.string({ maxLength: 8 }), { nil: null });
    const reasons = fc.constantFrom<OfflineReason | AvailabilityReason>('explicit', 'disconnect', 'expired', 'node_lost', 'set', 'idle', 'active');
    const availability = fc.constantFrom<Availability>('available', 'away', 'busy');
    fc.assert(
      fc.property(ids, fc.nat(), detail, detail, fc.option(reasons, { nil: undefined }), fc.nat(), availability, (userId, lastSeen, userType, userName, reason, seq, shown) => {
        const state = onlineState(userType, userName);
        const update = (r: AvailabilityReason) => ({
          type: 'UserPresenceChanged' as const,
          userId,
          lastSeen,
          from: state,
          to: onlineState(userType, userName, { availability: shown, statusText: userName, lastActive: lastSeen, onlineSince: 3 }),
          reason: r,
        });
        const transition =
          reason === undefined
            ? onlineTransition(userId, lastSeen, userType, userName)
            : reason === 'set' || reason === 'idle' || reason === 'active'
              ? update(reason)
              : offlineTransition(userId, lastSeen, reason, state);
        expect(decodeTransition(encodeTransition(transition), seq, told({ [String(userId)]: state }))).toEqual(committed(transition, seq));
      }),
    );
  });
});
