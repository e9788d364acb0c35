import { PresenceScope } from '../../../../../src/adapters/socket/subscriptions/presence-scope';
import { SubscriptionGroup, type RoomMember, type StateWaiter, type SubscribeAnswer } from '../../../../../src/adapters/socket/subscriptions/subscription-group';

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

const waiter = (): StateWaiter & { answered: Array<SubscribeAnswer | 'rejected'> } => {
  const answered: Array<SubscribeAnswer | 'rejected'> = [];
  return { answered, resolve: (answer) => answered.push(answer), reject: () => answered.push('rejected') };
};

describe('SubscriptionGroup', () => {
  it('has a diff room of its own scope', () => {
    const group = new SubscriptionGroup(new PresenceScope(['a'], undefined));
    expect(new SubscriptionGroup(new PresenceScope(['a'], undefined)).diffRoom).toBe(group.diffRoom);
    expect(new SubscriptionGroup(new PresenceScope(['b'], undefined)).diffRoom).not.toBe(group.diffRoom);
  });

  it('puts a connection in the diff room only once it had its state', () => {
    const group = new SubscriptionGroup(new PresenceScope(undefined, undefined));
    const socket = new FakeMember('s1');
    group.addWaiting(socket, waiter());
    expect(socket.rooms.size).toBe(0);
    expect(group.members.size).toBe(0);
    group.addMember(socket);
    expect([...socket.rooms]).toEqual([group.diffRoom]);
    expect([...group.members]).toEqual(['s1']);
  });

  it('answers the waiting or reading subscribe of a connection it lets go as replaced, and takes it out of the room', () => {
    const group = new SubscriptionGroup(new PresenceScope(undefined, ['agent']));
    const [waiting, reading, member] = [new FakeMember('w'), new FakeMember('r'), new FakeMember('m')];
    const [w, r] = [waiter(), waiter()];
    group.addWaiting(reading, r);
    const taken = group.takeWaiting();
    group.addWaiting(waiting, w);
    group.addMember(member);
    group.catchingUp.set('m', 3);

    group.remove(waiting, 17);
    group.remove(reading, 17);
    group.remove(member, 18);

    expect(w.answered).toEqual([{ seq: 17, replaced: true }]);
    expect(r.answered).toEqual([{ seq: 17, replaced: true }]);
    // Its state, read after it was let go, is for no one.
    expect(group.takeRead(taken)).toEqual([]);
    expect(waiting.rooms.size + member.rooms.size).toBe(0);
    expect(group.unused).toBe(true);
  });

  it('hands a read state to those still reading it, not to a connection that subscribed again meanwhile', () => {
    const group = new SubscriptionGroup(new PresenceScope(['gone'], undefined));
    const [a, b] = [new FakeMember('a'), new FakeMember('b')];
    const [first, again, other] = [waiter(), waiter(), waiter()];
    group.addWaiting(a, first);
    group.addWaiting(b, other);
    const taken = group.takeWaiting();
    group.remove(a, 4);
    group.addWaiting(a, again);
    const takenLater = group.takeWaiting();
    expect(group.takeRead(taken)).toEqual([['b', other]]);
    expect(group.takeRead(takenLater)).toEqual([['a', again]]);
    expect(group.unused).toBe(true);
  });

  it('answers every waiting and reading subscribe at shutdown', () => {
    const group = new SubscriptionGroup(new PresenceScope(undefined, undefined));
    const [w, r] = [waiter(), waiter()];
    group.addWaiting(new FakeMember('r'), r);
    group.takeWaiting();
    group.addWaiting(new FakeMember('w'), w);
    group.answerAll(9);
    expect([...w.answered, ...r.answered]).toEqual([{ seq: 9 }, { seq: 9 }]);
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
    const taken = group.takeWaiting();
    expect(group.unused).toBe(false);
    group.takeRead(taken);
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
    const taken = group.takeWaiting();
    expect(taken).toEqual([['w', w]]);
    expect(group.takeWaiting()).toEqual([]);
    group.takeRead(taken);
    expect(group.unused).toBe(true);
  });
});
