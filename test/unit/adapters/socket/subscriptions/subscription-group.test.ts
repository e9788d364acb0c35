import { PresenceScope } from '../../../../../src/adapters/socket/subscriptions/presence-scope';
import { SubscriptionGroup, type RoomMember, type StateWaiter } from '../../../../../src/adapters/socket/subscriptions/subscription-group';

/** A connection that only remembers which rooms it is in. */
class FakeMember implements RoomMember {
  readonly rooms = new Set<string>();
  constructor(readonly id: string) {}
  join(room: string | string[]): void {
    for (const r of ([] as string[]).concat(room)) this.rooms.add(r);
  }
  leave(room: string): void {
    this.rooms.delete(room);
  }
}

const waiter = (): StateWaiter & { answered: number[] } => {
  const answered: number[] = [];
  return { answered, resolve: (seq) => answered.push(seq), reject: () => answered.push(-1) };
};

describe('SubscriptionGroup', () => {
  it('has a diff room and a state room of its own scope', () => {
    const group = new SubscriptionGroup(new PresenceScope(['a'], undefined));
    expect(group.diffRoom).not.toBe(group.stateRoom);
    expect(new SubscriptionGroup(new PresenceScope(['a'], undefined)).diffRoom).toBe(group.diffRoom);
    expect(new SubscriptionGroup(new PresenceScope(['b'], undefined)).diffRoom).not.toBe(group.diffRoom);
  });

  it('puts a waiting connection in the state room, and in the diff room only once it had its state', () => {
    const group = new SubscriptionGroup(new PresenceScope(undefined, undefined));
    const socket = new FakeMember('s1');
    group.addWaiting(socket, waiter());
    expect([...socket.rooms]).toEqual([group.stateRoom]);
    expect(group.members.size).toBe(0);
    group.promote(socket);
    expect([...socket.rooms]).toEqual([group.diffRoom]);
    expect([...group.members]).toEqual(['s1']);
  });

  it('answers the waiting subscribe of a connection it lets go, and takes it out of both rooms', () => {
    const group = new SubscriptionGroup(new PresenceScope(undefined, ['agent']));
    const [waiting, member] = [new FakeMember('w'), new FakeMember('m')];
    const w = waiter();
    group.addWaiting(waiting, w);
    group.addMember(member);
    group.catchingUp.set('m', 3);

    group.remove(waiting, 17);
    group.remove(member, 18);

    expect(w.answered).toEqual([17]);
    expect(waiting.rooms.size + member.rooms.size).toBe(0);
    expect(group.unused).toBe(true);
  });

  it('is in use while a connection is a member, waits for a state or catches up', () => {
    const group = new SubscriptionGroup(new PresenceScope(undefined, undefined));
    expect(group.unused).toBe(true);
    group.catchingUp.set('c', 1);
    expect(group.unused).toBe(false);
    group.takeCatchingUp();
    group.addWaiting(new FakeMember('w'), waiter());
    expect(group.unused).toBe(false);
    group.takeWaiting();
    group.addMember(new FakeMember('m'));
    expect(group.unused).toBe(false);
  });

  it('hands over those catching up by the seq they are current to, and those waiting, once', () => {
    const group = new SubscriptionGroup(new PresenceScope(undefined, undefined));
    for (const [id, seq] of [['a', 5], ['b', 7], ['c', 5]] as const) group.catchingUp.set(id, seq);
    const w = waiter();
    group.addWaiting(new FakeMember('w'), w);

    expect([...group.takeCatchingUp()]).toEqual([
      [5, ['a', 'c']],
      [7, ['b']],
    ]);
    expect(group.takeCatchingUp().size).toBe(0);
    expect(group.takeWaiting()).toEqual([['w', w]]);
    expect(group.takeWaiting()).toEqual([]);
    expect(group.unused).toBe(true);
  });
});
