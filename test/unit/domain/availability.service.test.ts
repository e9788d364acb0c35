import type { UserPresenceChanged } from '../../../src/domain/presence.events';
import { buildDomain, on } from '../../support/build-domain';

const IDLE = 600_000;

/** The changes while online a domain published, as `reason availability text`. */
const changesOf = (events: readonly { type: string }[]): string[] =>
  events
    .filter((e): e is UserPresenceChanged => e.type === 'UserPresenceChanged')
    .filter((e) => e.from.status === 'online' && e.to.status === 'online')
    .map((e) => (e.to.status === 'online' ? `${e.reason} ${e.to.availability} ${e.to.statusText ?? '-'}` : ''));

const shownOf = async (service: ReturnType<typeof buildDomain>['service'], userId: string) => {
  const [user] = (await service.pageOf([userId], { limit: 1 })).users;
  return user === undefined ? undefined : { availability: user.availability, statusText: user.statusText };
};

describe('availability (CONTRACT §8)', () => {
  it('takes a chosen availability and text for all of the user’s connections, answering with what it is shown as', async () => {
    const { service, notifier } = buildDomain();
    await service.goOnline(on('c1', 'u'));
    await service.goOnline(on('c2', 'u'));
    expect(await service.setStatus({ userId: 'u', connectionId: 'c1' }, { availability: 'busy', statusText: 'on a call' })).toEqual({
      availability: 'busy',
      statusText: 'on a call',
    });
    expect(await service.setStatus({ userId: 'u', connectionId: 'c2' }, { statusText: null })).toEqual({ availability: 'busy', statusText: null });
    expect(await service.setStatus({ userId: 'u', connectionId: 'c2' }, { availability: 'available' })).toEqual({ availability: 'available', statusText: null });
    expect(await service.setStatus({ userId: 'u', connectionId: 'c2' }, {})).toEqual({ availability: 'available', statusText: null });
    expect(changesOf(notifier.events)).toEqual(['set busy on a call', 'set busy -', 'set available -']);
    // Each change is numbered like a transition.
    const seqs = notifier.events.map((e) => ('seq' in e ? e.seq : 0));
    expect(seqs).toEqual([1, 2, 3, 4]);
  });

  it('refuses a status or activity on a connection that is not online, and changes nothing', async () => {
    const { service, notifier } = buildDomain();
    await expect(service.setStatus({ userId: 'u', connectionId: 'c1' }, { availability: 'busy' })).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    await service.goOnline(on('c1', 'u'));
    // Another connection, or another user on this connection: not online for that user.
    await expect(service.setStatus({ userId: 'u', connectionId: 'c9' }, { availability: 'busy' })).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    await expect(service.reportActivity({ userId: 'other', connectionId: 'c1' }, true)).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    await service.disconnect({ userId: 'u', connectionId: 'c1' });
    await expect(service.reportActivity({ userId: 'u', connectionId: 'c1' }, true)).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    expect(notifier.summary()).toEqual(['u online online']);
    expect(await shownOf(service, 'u')).toEqual({ availability: 'available', statusText: null });
  });

  it('keeps the choice over a reconnect within the grace, and ends it with the user’s presence', async () => {
    const { service, clock } = buildDomain();
    await service.goOnline(on('c1', 'u'));
    const since = clock.now();
    await service.setStatus({ userId: 'u', connectionId: 'c1' }, { availability: 'busy', statusText: 'focus' });
    clock.advance(1_000);
    await service.disconnect({ userId: 'u', connectionId: 'c1' });
    clock.advance(4_000);
    await service.goOnline(on('c2', 'u'));
    expect(await shownOf(service, 'u')).toEqual({ availability: 'busy', statusText: 'focus' });
    expect((await service.listOnline())[0]?.onlineSince).toBe(since);
    await service.goOffline({ userId: 'u', connectionId: 'c2' });
    await service.goOnline(on('c3', 'u'));
    expect(await shownOf(service, 'u')).toEqual({ availability: 'available', statusText: null });
    expect((await service.listOnline())[0]?.onlineSince).toBe(clock.now());
  });

  it('is away when every connection is idle, available while one is active, and busy whatever the connections', async () => {
    const { service, notifier } = buildDomain();
    await service.goOnline(on('c1', 'u'));
    await service.goOnline(on('c2', 'u'));
    await service.reportActivity({ userId: 'u', connectionId: 'c1' }, true);
    expect(await shownOf(service, 'u')).toMatchObject({ availability: 'available' });
    await service.reportActivity({ userId: 'u', connectionId: 'c2' }, true);
    // Saying idle again changes nothing and is not told.
    await service.reportActivity({ userId: 'u', connectionId: 'c2' }, true);
    await service.setStatus({ userId: 'u', connectionId: 'c1' }, { availability: 'busy' });
    await service.setStatus({ userId: 'u', connectionId: 'c1' }, { availability: 'available' });
    await service.reportActivity({ userId: 'u', connectionId: 'c1' }, false);
    // A tab of an old client beside an idle one keeps the user available: it is never idle.
    await service.reportActivity({ userId: 'u', connectionId: 'c1' }, true);
    await service.goOnline(on('old', 'u'));
    expect(changesOf(notifier.events)).toEqual(['idle away -', 'set busy -', 'set away -', 'active available -', 'idle away -', 'active available -']);
  });

  it('makes a connection that reported activity idle PRESENCE_IDLE_MS after it, heartbeats or not; an old client’s never', async () => {
    const { service, notifier, clock } = buildDomain({ idleMs: IDLE, ttlMs: 60_000 });
    await service.goOnline(on('c1', 'tracked'));
    await service.goOnline(on('c2', 'old'));
    await service.reportActivity({ userId: 'tracked', connectionId: 'c1' }, false);
    for (let t = 0; t < IDLE - 30_000; t += 30_000) {
      clock.advance(30_000);
      await service.heartbeat(on('c1', 'tracked'));
      await service.heartbeat(on('c2', 'old'));
      await service.sweep();
    }
    expect(changesOf(notifier.events)).toEqual([]);
    clock.advance(29_999);
    await service.sweep();
    expect(changesOf(notifier.events)).toEqual([]);
    clock.advance(1);
    const sweep = await service.sweep();
    expect(changesOf(notifier.events)).toEqual(['idle away -']);
    // Going idle costs what goes idle: the old client's user was not looked at.
    expect(sweep.usersChecked).toBe(1);
    clock.advance(10 * IDLE);
    await service.heartbeat(on('c1', 'tracked'));
    await service.heartbeat(on('c2', 'old'));
    await service.sweep();
    expect(await shownOf(service, 'old')).toMatchObject({ availability: 'available' });
    await service.reportActivity({ userId: 'tracked', connectionId: 'c1' }, false);
    expect(changesOf(notifier.events)).toEqual(['idle away -', 'active available -']);
  });

  it('keeps lastActive as the last activity on any connection, not moved by heartbeats or idleness, and records it', async () => {
    const { service, clock, lastSeen } = buildDomain();
    await service.goOnline(on('c1', 'u'));
    await service.goOnline(on('c2', 'u'));
    expect((await service.listOnline())[0]?.lastActive).toBeNull();
    clock.advance(1_000);
    await service.reportActivity({ userId: 'u', connectionId: 'c1' }, false);
    const active = clock.now();
    clock.advance(1_000);
    await service.heartbeat(on('c1', 'u'));
    await service.reportActivity({ userId: 'u', connectionId: 'c2' }, true);
    await service.goOffline({ userId: 'u', connectionId: 'c1' });
    expect((await service.listOnline())[0]?.lastActive).toBe(active);
    await service.goOffline({ userId: 'u', connectionId: 'c2' });
    expect(await lastSeen.findMany(['u'])).toEqual([{ userId: 'u', lastSeen: clock.now(), lastActive: active }]);
  });

  it('tells a new tab of an idle user as active again, and a type change with it as one transition', async () => {
    const { service, notifier } = buildDomain();
    await service.goOnline(on('c1', 'u', { userType: 'agent' }));
    await service.reportActivity({ userId: 'u', connectionId: 'c1' }, true);
    await service.goOnline(on('c2', 'u', { userType: 'lead' }));
    const last = notifier.events[notifier.events.length - 1] as UserPresenceChanged;
    expect(last).toMatchObject({
      reason: 'type_changed',
      from: { userType: 'agent', availability: 'away' },
      to: { userType: 'lead', availability: 'available' },
    });
  });

  it('brings back a connection the store lost as it last reported itself, and says a heartbeat revived it', async () => {
    const { service, notifier, clock } = buildDomain({ ttlMs: 1_000, idleMs: IDLE });
    await service.goOnline(on('c1', 'u'));
    expect(await service.heartbeat(on('c1', 'u'))).toBe(false);
    clock.advance(1_000);
    await service.sweep();
    // Expired; its socket says it had reported idle: it comes back idle, so its user is away at once.
    expect(await service.heartbeat({ ...on('c1', 'u'), idle: true })).toBe(true);
    expect(await shownOf(service, 'u')).toMatchObject({ availability: 'away' });
    await service.goOffline({ userId: 'u', connectionId: 'c1' });
    // Reported active: back active, and idle PRESENCE_IDLE_MS later like any connection that reports.
    expect(await service.heartbeat({ ...on('c1', 'u'), idle: false })).toBe(true);
    clock.advance(IDLE - 1);
    await service.heartbeat(on('c1', 'u'));
    await service.sweep();
    expect(await shownOf(service, 'u')).toMatchObject({ availability: 'available' });
    clock.advance(1);
    await service.sweep();
    expect(await shownOf(service, 'u')).toMatchObject({ availability: 'away' });
    expect(notifier.summary().filter((e) => e.startsWith('u offline'))).toHaveLength(2);
  });

  it('filters pages of named users by availability, online ones only', async () => {
    const { service } = buildDomain();
    await service.goOnline(on('c1', 'a'));
    await service.goOnline(on('c2', 'b'));
    await service.goOnline(on('c3', 'gone'));
    await service.goOffline({ userId: 'gone', connectionId: 'c3' });
    await service.setStatus({ userId: 'b', connectionId: 'c2' }, { availability: 'busy' });
    const page = await service.pageOf(['a', 'b', 'gone'], { limit: 10, availabilities: ['busy'] });
    expect(page.users.map((u) => u.userId)).toEqual(['b']);
    expect((await service.pageOnline({ limit: 10, availabilities: ['available', 'away'] })).users.map((u) => u.userId)).toEqual(['a']);
  });
});
