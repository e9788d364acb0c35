import { freshDetails, onlineState } from '../../../src/domain/presence-state';
import { offlineUser, onlineUser } from '../../support/presence-values';
import { buildDomain, on } from '../../support/build-domain';

describe('PresenceService', () => {
  describe('going online', () => {
    it('announces a user online on its first connection, with type and name', async () => {
      const { service, notifier, clock } = buildDomain();
      await service.goOnline(on('c1', 7, { userType: 'agent', userName: 'Ada' }));
      expect(notifier.events).toEqual([
        {
          type: 'UserPresenceChanged',
          userId: 7,
          lastSeen: clock.now(),
          from: { status: 'offline' },
          to: onlineState('agent', 'Ada', freshDetails(clock.now())),
          reason: 'online',
          seq: 1,
        },
      ]);
      expect(await service.listOnline()).toEqual([onlineUser(7, clock.now(), 'agent', 'Ada')]);
    });

    it('treats 7 and "7" as the same user, and speaks of the user in the type it was announced with', async () => {
      const { service, notifier } = buildDomain();
      await service.goOnline(on('c1', '7'));
      await service.goOnline(on('c2', 7));
      expect(notifier.summary()).toEqual(['7 online online']);
      expect((await service.listOnline()).map((u) => u.userId)).toEqual([7]);
    });

    it('keeps a user online while any of its connections is online', async () => {
      const { service, notifier } = buildDomain();
      await service.goOnline(on('tab1', 'u'));
      await service.goOnline(on('tab2', 'u'));
      await service.goOffline({ connectionId: 'tab1', userId: 'u' });
      expect(notifier.summary()).toEqual(['u online online']);
      await service.goOffline({ connectionId: 'tab2', userId: 'u' });
      expect(notifier.summary()).toEqual(['u online online', 'u offline explicit']);
    });

    it('keeps the stored type and name when a later announcement leaves them out', async () => {
      const { service } = buildDomain();
      await service.goOnline(on('c1', 'u', { userType: 'agent', userName: 'Ada' }));
      await service.goOnline(on('c2', 'u'));
      expect(await service.listOnline()).toMatchObject([{ userType: 'agent', userName: 'Ada' }]);
    });
  });

  describe('heartbeats', () => {
    it('refreshes lastSeen without notifying anyone', async () => {
      const { service, notifier, clock } = buildDomain();
      await service.goOnline(on('c1', 'u'));
      clock.advance(30_000);
      await service.heartbeat(on('c1', 'u'));
      expect(notifier.summary()).toEqual(['u online online']);
      expect(await service.listOnline()).toMatchObject([{ lastSeen: clock.now() }]);
    });

    it('broadcasts each heartbeat when heartbeat broadcasts are on', async () => {
      const { service, notifier, clock } = buildDomain({ broadcastHeartbeats: true });
      await service.goOnline(on('c1', 'u'));
      clock.advance(1_000);
      await service.heartbeat(on('c1', 'u'));
      expect(notifier.events[1]).toEqual({
        type: 'UserHeartbeatReceived',
        userId: 'u',
        userType: null,
        lastSeen: clock.now(),
        reason: 'heartbeat',
        availability: 'available',
        statusText: null,
        onlineSince: clock.now() - 1_000,
      });
    });

    it('brings a connection that is not online back online, as a transition with reason online', async () => {
      const { service, notifier } = buildDomain({ broadcastHeartbeats: true });
      await service.heartbeat(on('c1', 'u', { userType: 'agent', userName: 'Ada' }));
      expect(notifier.events).toMatchObject([
        { type: 'UserPresenceChanged', from: { status: 'offline' }, to: { status: 'online', userType: 'agent', userName: 'Ada' }, reason: 'online' },
      ]);
    });

    it('brings an expired connection back online', async () => {
      const { service, notifier, clock } = buildDomain();
      await service.goOnline(on('c1', 'u'));
      clock.advance(60_000);
      await service.sweep();
      await service.heartbeat(on('c1', 'u'));
      expect(notifier.summary()).toEqual(['u online online', 'u offline expired', 'u online online']);
    });
  });

  describe('expiry', () => {
    it('ends a connection with no heartbeat within the TTL', async () => {
      const { service, notifier, clock } = buildDomain();
      const start = clock.now();
      await service.goOnline(on('c1', 'u'));
      clock.advance(59_999);
      await service.sweep();
      expect(notifier.summary()).toEqual(['u online online']);
      clock.advance(1);
      await service.sweep();
      expect(notifier.events[1]).toMatchObject({ type: 'UserPresenceChanged', to: { status: 'offline' }, reason: 'expired', lastSeen: start });
      expect(await service.countOnline()).toBe(0);
    });

    it('moves the deadline with each heartbeat', async () => {
      const { service, notifier, clock } = buildDomain();
      await service.goOnline(on('c1', 'u'));
      for (let i = 0; i < 5; i++) {
        clock.advance(30_000);
        await service.heartbeat(on('c1', 'u'));
        await service.sweep();
      }
      expect(notifier.summary()).toEqual(['u online online']);
    });

    it('expires one stale tab while a fresh tab keeps the user online', async () => {
      const { service, notifier, clock } = buildDomain();
      await service.goOnline(on('stale', 'u'));
      clock.advance(30_000);
      await service.goOnline(on('fresh', 'u'));
      clock.advance(30_000);
      await service.sweep();
      expect(notifier.summary()).toEqual(['u online online']);
      clock.advance(30_000);
      await service.sweep();
      expect(notifier.summary()).toEqual(['u online online', 'u offline expired']);
    });

    it('checks only the users that are due, however many are online', async () => {
      const { service, clock } = buildDomain({ sweepBatchSize: 7 });
      for (let i = 0; i < 500; i++) await service.goOnline(on(`c${i}`, i));
      clock.advance(1_000);
      for (let i = 0; i < 20; i++) await service.goOnline(on(`late${i}`, `late${i}`));
      clock.advance(59_000);
      expect(await service.sweep()).toMatchObject({ usersChecked: 500, transitions: 500 });
      expect(await service.sweep()).toMatchObject({ usersChecked: 0, transitions: 0 });
      expect(await service.countOnline()).toBe(20);
    });
  });

  describe('explicit offline', () => {
    it('ends the connection now, with no grace', async () => {
      const { service, notifier, clock } = buildDomain();
      await service.goOnline(on('c1', 'u'));
      clock.advance(10);
      await service.goOffline({ connectionId: 'c1', userId: 'u' });
      expect(notifier.events[1]).toEqual({
        type: 'UserPresenceChanged',
        userId: 'u',
        lastSeen: clock.now(),
        from: expect.objectContaining({ status: 'online', userType: null, userName: null, availability: 'available' }),
        to: { status: 'offline' },
        reason: 'explicit',
        seq: 2,
      });
    });

    it('says what the user left: online with the type and name it was shown with', async () => {
      const { service, notifier } = buildDomain();
      await service.goOnline(on('c1', 'u', { userType: 'agent', userName: 'Ada' }));
      await service.goOffline({ connectionId: 'c1', userId: 'u' });
      expect(notifier.events[1]).toMatchObject({ from: { status: 'online', userType: 'agent', userName: 'Ada' }, to: { status: 'offline' } });
    });

    it('changes nothing for a connection that is not online for that user', async () => {
      const { service, notifier } = buildDomain();
      await service.goOnline(on('c1', 'u'));
      await service.goOffline({ connectionId: 'c1', userId: 'someone-else' });
      await service.goOffline({ connectionId: 'c2', userId: 'u' });
      expect(notifier.summary()).toEqual(['u online online']);
      expect(await service.countOnline()).toBe(1);
    });
  });

  describe('disconnects', () => {
    it('announces offline only after the grace, with the moment of the disconnect as lastSeen', async () => {
      const { service, notifier, clock } = buildDomain();
      await service.goOnline(on('c1', 'u'));
      clock.advance(1_000);
      const droppedAt = clock.now();
      await service.disconnect({ connectionId: 'c1', userId: 'u' });
      clock.advance(4_999);
      await service.sweep();
      expect(notifier.summary()).toEqual(['u online online']);
      expect(await service.countOnline()).toBe(1);
      clock.advance(1);
      await service.sweep();
      expect(notifier.events[1]).toMatchObject({ type: 'UserPresenceChanged', to: { status: 'offline' }, reason: 'disconnect', lastSeen: droppedAt });
    });

    it('cancels the offline when the user reconnects within the grace', async () => {
      const { service, notifier, clock } = buildDomain();
      await service.goOnline(on('c1', 'u'));
      await service.disconnect({ connectionId: 'c1', userId: 'u' });
      clock.advance(2_000);
      await service.goOnline(on('c2', 'u'));
      clock.advance(10_000);
      await service.sweep();
      expect(notifier.summary()).toEqual(['u online online']);
      expect(await service.countOnline()).toBe(1);
    });

    it('forgets a dropped tab at once while another tab is live', async () => {
      const { service, notifier, clock } = buildDomain();
      await service.goOnline(on('c1', 'u'));
      await service.goOnline(on('c2', 'u'));
      await service.disconnect({ connectionId: 'c1', userId: 'u' });
      await service.goOffline({ connectionId: 'c2', userId: 'u' });
      expect(notifier.summary()).toEqual(['u online online', 'u offline explicit']);
      clock.advance(10_000);
      await service.sweep();
      expect(notifier.summary()).toHaveLength(2);
    });

    it('goes offline at once when the grace is zero', async () => {
      const { service, notifier } = buildDomain({ disconnectGraceMs: 0 });
      await service.goOnline(on('c1', 'u'));
      await service.disconnect({ connectionId: 'c1', userId: 'u' });
      expect(notifier.summary()).toEqual(['u online online', 'u offline disconnect']);
    });

    it('ignores the disconnect of a connection that was not online', async () => {
      const { service, notifier } = buildDomain();
      await service.goOnline(on('c1', 'u'));
      await service.goOffline({ connectionId: 'c1', userId: 'u' });
      await service.disconnect({ connectionId: 'c1', userId: 'u' });
      expect(notifier.summary()).toEqual(['u online online', 'u offline explicit']);
    });
  });

  describe('reads and persistence', () => {
    it('records last_seen on every transition and heartbeat', async () => {
      const { service, lastSeen, clock } = buildDomain();
      await service.goOnline(on('c1', 'u'));
      clock.advance(30_000);
      await service.heartbeat(on('c1', 'u'));
      expect(await lastSeen.findMany(['u'])).toEqual([{ userId: 'u', lastSeen: clock.now(), lastActive: null }]);
      clock.advance(1_000);
      await service.goOffline({ connectionId: 'c1', userId: 'u' });
      expect(await lastSeen.findMany(['u'])).toEqual([{ userId: 'u', lastSeen: clock.now(), lastActive: null }]);
    });

    it('reports an offline user with its persisted last_seen, and a never-seen one as unknown', async () => {
      const { service, clock } = buildDomain();
      await service.goOnline(on('c1', 9, { userType: 'agent' }));
      expect(await service.status('9')).toMatchObject({ status: 'online', userId: 9, userType: 'agent' });
      const offlineAt = clock.now();
      await service.goOffline({ connectionId: 'c1', userId: 9 });
      clock.advance(5_000);
      expect(await service.status(9)).toMatchObject({ status: 'offline', lastSeen: offlineAt });
      expect(await service.status('never')).toBeUndefined();
    });

    it('tells offline users as lastSeen null when persistence could not be read in time, online ones as they are', async () => {
      const { service, lastSeen } = buildDomain();
      await service.goOnline(on('c1', 9, { userType: 'agent' }));
      await service.goOnline(on('c2', 'gone'));
      await service.goOffline({ connectionId: 'c2', userId: 'gone' });
      jest.spyOn(lastSeen, 'lookUp').mockResolvedValue({ entries: [], complete: false });
      const page = await service.pageOf(['gone', 9, 'never'], { limit: 10 });
      expect(page.users).toEqual([
        { ...onlineUser(9, expect.any(Number), 'agent'), onlineSince: expect.any(Number), status: 'online' },
        offlineUser('gone', null),
        // Persistence might know a user never seen here: it is told the same way, not left out.
        offlineUser('never', null),
      ]);
      expect(page.total).toBe(3);
      // A type filter keeps online users only, whatever persistence says.
      expect((await service.pageOf(['gone', 9], { limit: 10, userTypes: ['agent'] })).users.map((u) => u.userId)).toEqual([9]);
    });

    it('numbers transitions with a seq that only grows', async () => {
      const { service, notifier } = buildDomain();
      await service.goOnline(on('a', 'a'));
      await service.goOnline(on('b', 'b'));
      await service.goOffline({ connectionId: 'a', userId: 'a' });
      expect(notifier.events.map((e) => ('seq' in e ? e.seq : -1))).toEqual([1, 2, 3]);
    });
  });
});

describe('node loss', () => {
  it('ends the connections of a node whose lease lapsed, once, as node_lost with the last sign of life', async () => {
    const { service, notifier, clock, nodes } = buildDomain();
    await nodes.renew('node-b', clock.now() + 10_000);
    await service.goOnline(on('b1', 'only-on-b', { nodeId: 'node-b' }));
    const lastSign = clock.now();
    await service.goOnline(on('b2', 'on-both', { nodeId: 'node-b' }));
    await service.goOnline(on('a1', 'on-both', { nodeId: 'node-a' }));
    await service.goOnline(on('a2', 'only-on-a', { nodeId: 'node-a' }));
    clock.advance(9_999);
    expect((await service.sweep()).nodesRecovered).toEqual([]);
    clock.advance(1);
    const result = await service.sweep();
    expect(result.nodesRecovered).toEqual(['node-b']);
    expect(notifier.events.slice(3)).toEqual([
      {
        type: 'UserPresenceChanged',
        userId: 'only-on-b',
        lastSeen: lastSign,
        from: expect.objectContaining({ status: 'online', userType: null, userName: null, availability: 'available' }),
        to: { status: 'offline' },
        reason: 'node_lost',
        seq: 4,
      },
    ]);
    expect((await service.listOnline()).map((u) => u.userId).sort()).toEqual(['on-both', 'only-on-a']);
    clock.advance(10_000);
    expect((await service.sweep()).nodesRecovered).toEqual([]);
  });

  it('never recovers the node it runs on', async () => {
    const { service, clock, nodes } = buildDomain();
    await service.renewLease(clock.now() + 1_000);
    await service.goOnline(on('a1', 'u'));
    clock.advance(2_000);
    expect((await service.sweep()).nodesRecovered).toEqual([]);
    expect(await service.countOnline()).toBe(1);
  });

  it('leaves a node that stops cleanly to the normal rules', async () => {
    const { service, clock, nodes, notifier } = buildDomain();
    await service.renewLease(clock.now() + 1_000);
    await service.goOnline(on('a1', 'u'));
    await service.disconnect({ connectionId: 'a1', userId: 'u' });
    await service.leave();
    expect(await nodes.claimLapsed(clock.now() + 10_000, clock.now() + 20_000, 10)).toEqual([]);
    clock.advance(5_000);
    await service.sweep();
    expect(notifier.summary()).toEqual(['u online online', 'u offline disconnect']);
  });
});
