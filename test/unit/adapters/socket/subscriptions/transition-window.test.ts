import { PresenceScope } from '../../../../../src/adapters/socket/subscriptions/presence-scope';
import { ReplayBuffer } from '../../../../../src/application/replay-buffer';
import { TransitionWindow } from '../../../../../src/adapters/socket/subscriptions/transition-window';
import type { Availability } from '../../../../../src/domain/availability';
import { freshDetails, onlineState } from '../../../../../src/domain/presence-state';
import type { CommittedTransition } from '../../../../../src/domain/presence.events';
import { committed, offlineTransition, onlineTransition } from '../../../../support/transitions';

let seq = 0;
const online = (userId: string | number, userType: string | null = null): CommittedTransition =>
  committed(onlineTransition(userId, 1_000 + seq, userType), ++seq);
const offline = (userId: string | number): CommittedTransition => committed(offlineTransition(userId, 1_000 + seq, 'explicit'), ++seq);

describe('TransitionWindow', () => {
  it('leaves out a user who flapped inside the window and ended as before', () => {
    const window = new TransitionWindow();
    window.add(online('flap'));
    window.add(offline('flap'));
    window.add(offline('back'));
    window.add(online('back'));
    expect(window.net()).toMatchObject({ joins: [], leaves: [] });
  });

  it('keeps the net change: the last join, the last leave, and the seq of the last transition', () => {
    const window = new TransitionWindow();
    window.add(online('a', 'agent'));
    window.add(offline('a'));
    window.add(online('a', 'admin'));
    const lastLeave = offline('b');
    window.add(lastLeave);
    const net = window.net();
    expect(net.joins).toEqual([expect.objectContaining({ userId: 'a', userType: 'admin' })]);
    expect(net.leaves).toEqual([{ ...lastLeave, userType: null }]);
    expect(net.seq).toBe(lastLeave.seq);
  });

  it('remembers the type a leaving user had, from the window or from what was known before it', () => {
    const window = new TransitionWindow((key) => (key === 'known' ? 'agent' : null));
    window.add(online('typed', 'client'));
    window.clear();
    window.add(offline('known'));
    expect(window.net().leaves).toEqual([expect.objectContaining({ userId: 'known', userType: 'agent' })]);
  });
});

describe('TransitionWindow and types', () => {
  it('takes a user shown with another type out of the scopes of the old one and into those of the new', () => {
    const known = new Map([['back', 'agent']]);
    const window = new TransitionWindow((key) => known.get(key) ?? null);
    // Back within the window with another type, and a type change while online: each a leave by the old type and a join.
    window.add(offline('back'));
    window.add(online('back', 'client'));
    window.add(committed({ ...onlineTransition('x', 5, 'client'), from: onlineState('agent', null), reason: 'type_changed' }, ++seq));
    const net = window.net();
    expect(net.joins.map((j) => [j.userId, j.userType])).toEqual([
      ['back', 'client'],
      ['x', 'client'],
    ]);
    expect(net.leaves.map((l) => [l.userId, l.userType, l.reason])).toEqual([
      ['back', 'agent', 'type_changed'],
      ['x', 'agent', 'type_changed'],
    ]);
  });

  it('sends a leave by the type the scopes were told, whatever the user was in between', () => {
    const window = new TransitionWindow(() => 'agent');
    window.add(offline('u'));
    window.add(online('u', 'client'));
    window.add(offline('u'));
    expect(window.net().leaves.map((l) => [l.userId, l.userType])).toEqual([['u', 'agent']]);
  });
});

describe('ReplayBuffer', () => {
  it('nets changes of availability over the window into updates; a user is in one of joins, leaves and updates (CONTRACT §8)', () => {
    const shownAs = (userId: string, from: Availability, to: Availability, statusText: string | null = null): CommittedTransition => {
      const base = onlineTransition(userId, 1_000 + seq);
      const details = (availability: Availability, text: string | null) => ({ ...freshDetails(1), availability, statusText: text });
      return committed({ ...base, from: onlineState(null, null, details(from, null)), to: onlineState(null, null, details(to, statusText)), reason: 'set' }, ++seq);
    };
    const window = new TransitionWindow();
    // Busy and back within the window: nothing to tell.
    window.add(shownAs('back', 'available', 'busy'));
    window.add(shownAs('back', 'busy', 'available'));
    // Away, then a text: one update with the last of it.
    window.add(shownAs('changed', 'available', 'away'));
    window.add(shownAs('changed', 'away', 'away', 'lunch'));
    // Came online in the window and got busy: a join with busy, no update.
    window.add(online('new'));
    window.add(shownAs('new', 'available', 'busy'));
    // Busy, then gone: a leave, no update.
    window.add(shownAs('gone', 'available', 'busy'));
    window.add(offline('gone'));
    const net = window.net();
    expect(net.updates).toEqual([expect.objectContaining({ userId: 'changed', availability: 'away', statusText: 'lunch' })]);
    expect(net.joins).toEqual([expect.objectContaining({ userId: 'new', availability: 'busy' })]);
    expect(net.leaves.map((l) => l.userId)).toEqual(['gone']);
  });

  it('replays what came after a seq it covers, and refuses one it does not', () => {
    const buffer = new ReplayBuffer(3, 10);
    const t = [11, 12, 13, 14].map((s) => ({ ...online(`u${s}`), seq: s }));
    for (const x of t) buffer.add({ transition: x, userType: null });
    expect(buffer.between(10, 14)).toBeUndefined();
    expect(buffer.between(11, 14)?.map((x) => x.transition.seq)).toEqual([12, 13, 14]);
    expect(buffer.between(12, 13)?.map((x) => x.transition.seq)).toEqual([13]);
    buffer.restartAt(20);
    expect(buffer.between(14, 20)).toBeUndefined();
    expect(buffer.between(20, 20)).toEqual([]);
  });
});

describe('PresenceScope', () => {
  it('covers all users without filters, else those listed or of the listed types', () => {
    expect(new PresenceScope(undefined, undefined).covers({ userId: 'x' }, null)).toBe(true);
    const scope = new PresenceScope([7, 'b'], ['agent']);
    expect(scope.covers({ userId: '7' }, null)).toBe(true);
    expect(scope.covers({ userId: 'c' }, 'agent')).toBe(true);
    expect(scope.covers({ userId: 'c' }, 'client')).toBe(false);
    expect(new PresenceScope([], undefined).covers({ userId: 'x' }, null)).toBe(false);
  });

  it('gives scopes over the same users the same key, whatever the order', () => {
    expect(new PresenceScope(['b', 7], ['y', 'x']).key).toBe(new PresenceScope(['7', 'b'], ['x', 'y']).key);
    expect(new PresenceScope(['a'], undefined).key).not.toBe(new PresenceScope(['b'], undefined).key);
  });
});
