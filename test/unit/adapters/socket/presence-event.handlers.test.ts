import { ConnectionLimits } from '../../../../src/adapters/socket/connection-limits';
import { PresenceEventHandlers, type Subscriptions } from '../../../../src/adapters/socket/presence-event.handlers';
import { SocketIdentity } from '../../../../src/adapters/socket/socket-identity';
import { SocketRefusal } from '../../../../src/adapters/socket/socket-refusal.mapper';
import type { PresenceSocket } from '../../../../src/adapters/socket/socket.types';
import type { PresenceScope } from '../../../../src/adapters/socket/subscriptions/presence-scope';
import type { SubscribeAnswer } from '../../../../src/adapters/socket/subscriptions/subscription-group';
import { AudienceOnlineLists, OnlineSnapshot } from '../../../../src/adapters/socket/audience-online-lists';
import { EncodedJson } from '../../../../src/adapters/socket/shared-encoding';
import { SharedOnlineList } from '../../../../src/adapters/socket/shared-online-list';
import { SocketAudience } from '../../../../src/adapters/socket/socket-audience';
import type { PresenceServer } from '../../../../src/adapters/socket/socket.types';
import { StatusAllowance } from '../../../../src/adapters/socket/status-allowance';
import { LaterAnswer } from '../../../../src/adapters/socket/socket-event.router';
import { PresenceError } from '../../../../src/domain/presence.errors';
import type { UserId } from '../../../../src/domain/presence.types';
import { buildDomain, testSettings } from '../../../support/build-domain';
import { StandInSocket } from '../../../support/stand-in-socket';
import { wireOnline } from '../../../support/presence-values';

/** The subscription hub as the handlers see it, recording what they asked. */
class RecordingSubscriptions implements Subscriptions {
  readonly calls: string[] = [];
  readonly scopes: PresenceScope[] = [];

  subscribe(socket: PresenceSocket, scope: PresenceScope, since: number | undefined): Promise<SubscribeAnswer> {
    this.calls.push(`subscribe ${socket.id} since ${String(since)}`);
    this.scopes.push(scope);
    return Promise.resolve({ seq: 42 });
  }

  unsubscribe(socket: PresenceSocket): void {
    this.calls.push(`unsubscribe ${socket.id}`);
  }
}

/** The handlers on the real domain (fake clock, in-memory store), one connection per user at most. */
function handlersOnDomain() {
  const domain = buildDomain();
  const subscriptions = new RecordingSubscriptions();
  const limits = new ConnectionLimits({ perUser: 1, perAddress: 0 });
  const snapshots = new SharedOnlineList({
    read: async () => new OnlineSnapshot(await domain.service.listOnline()),
    version: () => String(domain.service.transitionsCommitted),
    now: () => domain.clock.now(),
    maxAgeMs: 250,
  });
  const statuses = new StatusAllowance({ ratePerSecond: 1, burst: 3, now: () => domain.clock.now() });
  const rules = { visibility: null };
  // The server is only asked how many connections a broadcast reaches, which the handlers never do.
  const audience = new SocketAudience(undefined as unknown as PresenceServer, rules, false);
  const onlineLists = new AudienceOnlineLists(() => snapshots, rules);
  const handlers = new PresenceEventHandlers(domain.service, subscriptions, new SocketIdentity(limits), 'node-a', onlineLists, statuses, audience);
  const online = async (): Promise<Array<UserId | [UserId, string | null, string | null]>> =>
    (await domain.service.listOnline()).map((u) => (u.userType === null && u.userName === null ? u.userId : [u.userId, u.userType, u.userName]));
  return { ...domain, subscriptions, limits, handlers, online };
}

/**
 * What a handler's refusal is: its class and code. The heartbeat's handler, kept to one promise chain, throws where
 * the others reject; the router takes both alike.
 */
async function refusalOf(handle: () => Promise<unknown>): Promise<string> {
  const error = await Promise.resolve()
    .then(handle)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (error instanceof PresenceError || error instanceof SocketRefusal) return `${error.name} ${error.code}`;
  throw new Error(`not refused: ${String(error)}`);
}

describe('PresenceEventHandlers', () => {
  describe('userOnline', () => {
    it('makes the connection online for the user, with the type and name it gave, and remembers them on the socket', async () => {
      const { handlers, online } = handlersOnDomain();
      const client = new StandInSocket('s1');
      expect(await handlers.userOnline(client.socket, { userId: 'alice', userType: 'agent', userName: 'Alice' })).toEqual({
        userId: 'alice',
        status: 'online',
        availability: 'available',
        statusText: null,
        onlineSince: '2026-11-27T20:00:00.000Z',
        idleMs: 600_000,
      });
      expect(await online()).toEqual([['alice', 'agent', 'Alice']]);
      expect(client.data).toMatchObject({ userId: 'alice', userType: 'agent', userName: 'Alice' });
    });

    it('refuses a malformed payload as INVALID_PAYLOAD and changes nothing', async () => {
      const { handlers, online } = handlersOnDomain();
      const client = new StandInSocket('s1');
      expect(await refusalOf(() => handlers.userOnline(client.socket, { userId: '' }))).toBe('PresenceError INVALID_PAYLOAD');
      expect(await refusalOf(() => handlers.userOnline(client.socket, {}))).toBe('PresenceError INVALID_PAYLOAD');
      expect(await online()).toEqual([]);
      expect(client.data.userId).toBeUndefined();
    });

    it('without a token, ends the user the connection announced before when it announces another', async () => {
      const { handlers, online } = handlersOnDomain();
      const client = new StandInSocket('s1');
      await handlers.userOnline(client.socket, { userId: 'alice', userType: 'agent' });
      await handlers.userOnline(client.socket, { userId: 'bob' });
      expect(await online()).toEqual(['bob']);
      expect(client.data).toMatchObject({ userId: 'bob' });
      expect(client.data.userType).toBeUndefined();
      await handlers.userHeartbeat(client.socket, { userId: 'carol' });
      expect(await online()).toEqual(['carol']);
      expect(client.data.userId).toBe('carol');
    });

    it('with a token, speaks for the token’s user: left out, or named as 7 for "7"', async () => {
      const { handlers, online } = handlersOnDomain();
      const left = new StandInSocket('s1', { authUserId: 'alice' });
      expect(await handlers.userOnline(left.socket, {})).toMatchObject({ userId: 'alice', status: 'online' });
      const named = new StandInSocket('s2', { authUserId: '7' });
      expect(await handlers.userOnline(named.socket, { userId: 7 })).toMatchObject({ userId: 7, status: 'online' });
      expect(await online()).toEqual(expect.arrayContaining(['alice', 7]));
    });

    it('with a token, refuses another user as FORBIDDEN and changes nothing', async () => {
      const { handlers, online } = handlersOnDomain();
      const client = new StandInSocket('s1', { authUserId: 'alice' });
      expect(await refusalOf(() => handlers.userOnline(client.socket, { userId: 'bob' }))).toBe('PresenceError FORBIDDEN');
      expect(await refusalOf(() => handlers.userHeartbeat(client.socket, { userId: 'bob' }))).toBe('PresenceError FORBIDDEN');
      expect(await refusalOf(() => handlers.userOffline(client.socket, { userId: 'bob' }))).toBe('PresenceError FORBIDDEN');
      expect(await online()).toEqual([]);
      expect(client.data.userId).toBeUndefined();
    });
  });

  describe('the per-user connection limit without a token', () => {
    it('counts a connection against its user when it is announced, and refuses one over the limit as RATE_LIMITED', async () => {
      const { handlers, online } = handlersOnDomain();
      const first = new StandInSocket('s1');
      const second = new StandInSocket('s2');
      await handlers.userOnline(first.socket, { userId: 'alice' });
      expect(await refusalOf(() => handlers.userOnline(second.socket, { userId: 'alice' }))).toBe('SocketRefusal RATE_LIMITED');
      expect(await refusalOf(() => handlers.userHeartbeat(second.socket, { userId: 'alice' }))).toBe('SocketRefusal RATE_LIMITED');
      expect(second.data.userId).toBeUndefined();
      expect(await online()).toEqual(['alice']);
    });

    it('gives the place back when the connection moves to another user, or closes', async () => {
      const { handlers } = handlersOnDomain();
      const first = new StandInSocket('s1');
      const second = new StandInSocket('s2');
      await handlers.userOnline(first.socket, { userId: 'alice' });
      await handlers.userOnline(first.socket, { userId: 'bob' });
      await handlers.userOnline(second.socket, { userId: 'alice' });
      await handlers.disconnected(first.socket);
      expect(await handlers.userHeartbeat(new StandInSocket('s3').socket, { userId: 'bob' })).toEqual({ userId: 'bob', revived: true });
    });

    it('does not count an authenticated connection again: its handshake did', async () => {
      const { handlers } = handlersOnDomain();
      await handlers.userOnline(new StandInSocket('s1', { authUserId: 'alice' }).socket, {});
      expect(await handlers.userOnline(new StandInSocket('s2', { authUserId: 'alice' }).socket, {})).toMatchObject({ userId: 'alice' });
    });
  });

  describe('userHeartbeat', () => {
    it('brings a connection that is not online back online, with the type and name it announced', async () => {
      const { handlers, service, online } = handlersOnDomain();
      const client = new StandInSocket('s1');
      await handlers.userOnline(client.socket, { userId: 'alice', userType: 'agent', userName: 'Alice' });
      await service.goOffline({ connectionId: 's1', userId: 'alice' });
      expect(await handlers.userHeartbeat(client.socket, { userId: 'alice' })).toEqual({ userId: 'alice', revived: true });
      expect(await online()).toEqual([['alice', 'agent', 'Alice']]);
      const fresh = new StandInSocket('s2');
      expect(await handlers.userHeartbeat(fresh.socket, { userId: 'bob' })).toEqual({ userId: 'bob', revived: true });
      expect(fresh.data.userId).toBe('bob');
    });

    it('refreshes the connection’s lastSeen', async () => {
      const { handlers, service, clock } = handlersOnDomain();
      const client = new StandInSocket('s1');
      await handlers.userOnline(client.socket, { userId: 'alice' });
      clock.advance(10_000);
      await handlers.userHeartbeat(client.socket, { userId: 'alice' });
      expect((await service.listOnline())[0]?.lastSeen).toBe(clock.now());
    });
  });

  describe('userOffline', () => {
    it('ends this connection’s presence now, and forgets the user it announced', async () => {
      const { handlers, online } = handlersOnDomain();
      const client = new StandInSocket('s1');
      await handlers.userOnline(client.socket, { userId: 'alice' });
      expect(await handlers.userOffline(client.socket, { userId: 'alice' })).toEqual({ userId: 'alice', status: 'offline' });
      expect(await online()).toEqual([]);
      expect(client.data.userId).toBeUndefined();
    });

    it('without a token, leaves the announced user alone when the event names another', async () => {
      const { handlers, online } = handlersOnDomain();
      const client = new StandInSocket('s1');
      await handlers.userOnline(client.socket, { userId: 'alice' });
      await handlers.userOffline(client.socket, { userId: 'bob' });
      expect(await online()).toEqual(['alice']);
      expect(client.data.userId).toBe('alice');
    });
  });

  describe('status allowance', () => {
    it('refuses a user’s status events over its allowance RATE_LIMITED, changing nothing; heartbeats are not counted', async () => {
      const { handlers, online, clock } = handlersOnDomain();
      const client = new StandInSocket('s1');
      await handlers.userOnline(client.socket, { userId: 'toggler' });
      await handlers.userOffline(client.socket, { userId: 'toggler' });
      await handlers.userOnline(client.socket, { userId: 'toggler' });
      // A burst of 3: the fourth is refused, and the user stays online.
      expect(await refusalOf(() => handlers.userOffline(client.socket, { userId: 'toggler' }))).toBe('SocketRefusal RATE_LIMITED');
      expect(await online()).toEqual(['toggler']);
      expect(await handlers.userHeartbeat(client.socket, { userId: 'toggler' })).toEqual({ userId: 'toggler' });
      // Another user has an allowance of its own; the toggler's comes back at one a second.
      expect(await handlers.userOnline(new StandInSocket('s2').socket, { userId: 'other' })).toMatchObject({ status: 'online' });
      clock.advance(1_000);
      expect(await handlers.userOffline(client.socket, { userId: 'toggler' })).toEqual({ userId: 'toggler', status: 'offline' });
    });
  });

  describe('reads and subscriptions', () => {
    it('sends the online users to the asking socket only, and answers the same list, encoded once for both', async () => {
      const { handlers, clock } = handlersOnDomain();
      const asking = new StandInSocket('s1');
      const other = new StandInSocket('s2');
      await handlers.userOnline(other.socket, { userId: 7, userType: 'agent' });
      const users = [wireOnline(7, new Date(clock.now()).toISOString(), 'agent')];
      const answer = (await handlers.getOnlineUsers(asking.socket)) as { users: EncodedJson };
      expect(answer.users).toBeInstanceOf(EncodedJson);
      expect(JSON.parse(answer.users.text)).toEqual(users);
      expect(answer.users.items).toBe(1);
      expect(asking.sent).toEqual([['onlineUsersList', answer.users]]);
      expect(other.sent).toEqual([]);
    });

    it('subscribes with the scope and cursor given, and answers the hub’s seq', async () => {
      const { handlers, subscriptions } = handlersOnDomain();
      const client = new StandInSocket('s1');
      const later = async (answer: Promise<LaterAnswer>): Promise<object> => (await answer).answer;
      expect(await later(handlers.presenceSubscribe(client.socket, { userIds: [1, '2'], userTypes: ['agent'], since: 5 }))).toEqual({ seq: 42 });
      expect(await later(handlers.presenceSubscribe(client.socket, undefined))).toEqual({ seq: 42 });
      expect(subscriptions.calls).toEqual(['subscribe s1 since 5', 'subscribe s1 since undefined']);
      expect(subscriptions.scopes.map((s) => [s.userIds, s.userTypes, s.all])).toEqual([
        [[1, '2'], ['agent'], false],
        [undefined, undefined, true],
      ]);
    });

    it('refuses a malformed subscription as INVALID_PAYLOAD without asking the hub', async () => {
      const { handlers, subscriptions } = handlersOnDomain();
      expect(await refusalOf(() => handlers.presenceSubscribe(new StandInSocket('s1').socket, { since: -1 }))).toBe('PresenceError INVALID_PAYLOAD');
      expect(subscriptions.calls).toEqual([]);
    });

    it('unsubscribes, answering nothing more', async () => {
      const { handlers, subscriptions } = handlersOnDomain();
      expect(await handlers.presenceUnsubscribe(new StandInSocket('s1').socket)).toEqual({});
      expect(subscriptions.calls).toEqual(['unsubscribe s1']);
    });
  });

  describe('a closed connection', () => {
    it('is unsubscribed, and its user goes offline once the disconnect grace is over', async () => {
      const { handlers, subscriptions, service, clock, online } = handlersOnDomain();
      const client = new StandInSocket('s1');
      await handlers.userOnline(client.socket, { userId: 'alice' });
      await handlers.disconnected(client.socket);
      expect(subscriptions.calls).toEqual(['unsubscribe s1']);
      expect(await online()).toEqual(['alice']);
      clock.advance(testSettings.disconnectGraceMs);
      await service.sweep();
      expect(await online()).toEqual([]);
    });

    it('that never announced anyone changes nothing', async () => {
      const { handlers, online } = handlersOnDomain();
      await handlers.disconnected(new StandInSocket('s1').socket);
      expect(await online()).toEqual([]);
    });
  });

  it('reannounces the user a connection announced, as announced, and nothing for one that announced none', async () => {
    const { handlers, service, online } = handlersOnDomain();
    const client = new StandInSocket('s1');
    await handlers.userOnline(client.socket, { userId: 'alice', userType: 'agent', userName: 'Alice' });
    await service.goOffline({ connectionId: 's1', userId: 'alice' });
    await handlers.reannounce(client.socket);
    await handlers.reannounce(new StandInSocket('s2').socket);
    expect(await online()).toEqual([['alice', 'agent', 'Alice']]);
  });
});
