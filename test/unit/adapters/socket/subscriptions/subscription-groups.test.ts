import { PresenceScope } from '../../../../../src/adapters/socket/subscriptions/presence-scope';
import type { RoomMember } from '../../../../../src/adapters/socket/subscriptions/subscription-group';
import { SubscriptionGroups } from '../../../../../src/adapters/socket/subscriptions/subscription-groups';
import { onlineUser } from '../../../../support/presence-values';

const member = (id: string): RoomMember => ({ id, join: () => undefined, leave: () => undefined });
/** A net join: the user as it came online. */
const online = (userId: string, userType: string | null = null) => onlineUser(userId, 1, userType);

describe('SubscriptionGroups', () => {
  it('gives connections with the same scope one group, and knows each connection’s', () => {
    const groups = new SubscriptionGroups();
    const first = groups.assign('s1', new PresenceScope(['a', 'b'], undefined));
    const second = groups.assign('s2', new PresenceScope(['b', 'a'], undefined));
    const other = groups.assign('s3', new PresenceScope(undefined, ['agent']));
    expect(second).toBe(first);
    expect(other).not.toBe(first);
    expect(groups.of('s2')).toBe(first);
    expect(groups.all()).toEqual([first, other]);
    expect(groups.release('s2')).toBe(first);
    expect(groups.of('s2')).toBeUndefined();
    expect(groups.release('s2')).toBeUndefined();
  });

  it('splits a change by the groups it concerns', () => {
    const groups = new SubscriptionGroups();
    const agents = groups.assign('s1', new PresenceScope(undefined, ['agent']));
    groups.assign('s2', new PresenceScope(['nobody'], undefined));
    const net = { joins: [online('x', 'agent')], leaves: [], updates: [], seq: 3 };
    expect([...groups.split(net)]).toEqual([[agents, net]]);
  });

  it('forgets a group with no connection left, and only that one', () => {
    const groups = new SubscriptionGroups();
    const scope = new PresenceScope(undefined, ['agent']);
    const old = groups.assign('s1', scope);
    old.addMember(member('s1'));
    groups.dropIfUnused(old);
    expect(groups.all()).toEqual([old]);

    groups.release('s1');
    old.remove(member('s1'), 0);
    groups.dropIfUnused(old);
    expect(groups.all()).toEqual([]);
    expect(groups.split({ joins: [online('x', 'agent')], leaves: [], updates: [], seq: 1 }).size).toBe(0);

    // A group of the same scope made since: dropping the old one again must not take the new one with it.
    const fresh = groups.assign('s2', scope);
    groups.dropIfUnused(old);
    expect(groups.all()).toEqual([fresh]);
    expect([...groups.split({ joins: [online('x', 'agent')], leaves: [], updates: [], seq: 2 }).keys()]).toEqual([fresh]);
  });
});
