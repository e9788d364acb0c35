import pino from 'pino';
import { type EventHandler, type EventHandlers, LaterAnswer, SocketEventRouter } from '../../../../src/adapters/socket/socket-event.router';
import { EncodedJson } from '../../../../src/adapters/socket/shared-encoding';
import { SocketRefusal } from '../../../../src/adapters/socket/socket-refusal.mapper';
import type { PresenceSocket } from '../../../../src/adapters/socket/socket.types';
import { forbidden } from '../../../../src/domain/presence.errors';
import { FakeClock } from '../../../support/fake-clock';
import { StandInSocket } from '../../../support/stand-in-socket';

/** Each event the router reported, as `event result`, with its duration. */
class RecordingMetrics {
  readonly events: string[] = [];
  readonly seconds: number[] = [];

  eventHandled(event: string, result: string, seconds: number): void {
    this.events.push(`${event} ${result}`);
    this.seconds.push(seconds);
  }
}

/** A promise the test settles by hand. */
function deferred<T = object>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every settled promise run its callbacks. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const answering =
  (answer: object): EventHandler =>
  () =>
    Promise.resolve(answer);

/** A router on a fake clock at `eventRate` 5 (bursts of 10), with one connection routed. */
function routed(handlers: Partial<EventHandlers> = {}, close: (socket: PresenceSocket) => Promise<void> = () => Promise.resolve()) {
  const clock = new FakeClock();
  const metrics = new RecordingMetrics();
  const logs: Array<{ level: number; msg: string; event?: string; err?: { message: string } }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const all: EventHandlers = {
    userOnline: answering({ status: 'online' }),
    userHeartbeat: answering({}),
    userOffline: answering({ status: 'offline' }),
    getOnlineUsers: answering({ users: [] }),
    userStatusSet: answering({ availability: 'available', statusText: null }),
    userActivity: answering({}),
    presenceSubscribe: answering({ seq: 1 }),
    presenceUnsubscribe: answering({}),
    ...handlers,
  };
  const router = new SocketEventRouter(all, close, clock, { eventRate: 5 }, logger, metrics);
  const client = new StandInSocket('s1');
  router.route(client.socket);
  return { clock, metrics, logs, router, client };
}

describe('SocketEventRouter', () => {
  describe('answers', () => {
    it('acks ok with the handler’s answer, handing it the socket and the payload, and counts the event as ok', async () => {
      const seen: unknown[] = [];
      const { client, metrics } = routed({
        userHeartbeat: (socket, payload) => {
          seen.push(socket.id, payload);
          return Promise.resolve({ userId: 'alice' });
        },
      });
      expect(await client.request('userHeartbeat', { userId: 'alice' })).toEqual({ ok: true, userId: 'alice' });
      expect(seen).toEqual(['s1', { userId: 'alice' }]);
      expect(client.sent).toEqual([]);
      expect(metrics.events).toEqual(['userHeartbeat ok']);
      expect(metrics.seconds[0]).toBeGreaterThanOrEqual(0);
    });

    it('handles an event that came without an ack, and sends nothing back when it succeeds', async () => {
      let handled = 0;
      const { client, metrics } = routed({ userHeartbeat: () => Promise.resolve({ handled: ++handled }) });
      client.receive('userHeartbeat', { userId: 'alice' });
      await settle();
      expect(handled).toBe(1);
      expect(client.sent).toEqual([]);
      expect(metrics.events).toEqual(['userHeartbeat ok']);
    });

    it('takes the ack only from the last argument: an event with no payload still gets its answer', async () => {
      const { client } = routed({ getOnlineUsers: (_socket, payload) => Promise.resolve({ payload: payload ?? 'none' }) });
      expect(await client.request('getOnlineUsers')).toEqual({ ok: true, payload: 'none' });
    });
  });

  describe('refusals', () => {
    it('refuses a broken domain rule on the ack and with presenceError, with its code and message, unlogged', async () => {
      const { client, metrics, logs } = routed({ userOnline: () => Promise.reject(forbidden('userId is not the authenticated user')) });
      const refusal = { code: 'FORBIDDEN', message: 'userId is not the authenticated user' };
      expect(await client.request('userOnline', { userId: 'bob' })).toEqual({ ok: false, error: refusal });
      expect(client.sent).toEqual([['presenceError', { event: 'userOnline', ...refusal }]]);
      expect(metrics.events).toEqual(['userOnline forbidden']);
      expect(logs).toEqual([]);
    });

    it('sends presenceError for a refused event that came without an ack', async () => {
      const { client } = routed({ userOnline: () => Promise.reject(new SocketRefusal('RATE_LIMITED', 'more than 1 connections for one user')) });
      client.receive('userOnline', { userId: 'bob' });
      await settle();
      expect(client.sentOf('presenceError')).toEqual([{ event: 'userOnline', code: 'RATE_LIMITED', message: 'more than 1 connections for one user' }]);
    });

    it('refuses a handler that throws before returning its promise as one that rejects', async () => {
      const { client } = routed({
        userHeartbeat: () => {
          throw forbidden('nope');
        },
      });
      expect(await client.request('userHeartbeat', {})).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'nope' } });
      expect(await client.request('userOffline', {})).toEqual({ ok: true, status: 'offline' });
    });

    it('answers an unexpected failure INTERNAL, says nothing more, and logs it with its event', async () => {
      const { client, metrics, logs } = routed({ getOnlineUsers: () => Promise.reject(new Error('store is down: secret detail')) });
      const refusal = { code: 'INTERNAL', message: 'internal error' };
      expect(await client.request('getOnlineUsers')).toEqual({ ok: false, error: refusal });
      expect(client.sentOf('presenceError')).toEqual([{ event: 'getOnlineUsers', ...refusal }]);
      expect(metrics.events).toEqual(['getOnlineUsers internal']);
      expect(logs).toMatchObject([{ msg: 'socket event failed', event: 'getOnlineUsers', err: { message: 'store is down: secret detail' } }]);
    });

    it('answers an event the protocol does not have INVALID_PAYLOAD, under the label unknown, its name cut to 64 characters', async () => {
      const { client, metrics } = routed();
      expect(await client.request('noSuchEvent', { userId: 'x' })).toEqual({
        ok: false,
        error: { code: 'INVALID_PAYLOAD', message: 'unknown event noSuchEvent' },
      });
      const long = 'e'.repeat(100);
      client.receive(long, 1);
      expect(client.sentOf('presenceError')).toEqual([
        { event: 'noSuchEvent', code: 'INVALID_PAYLOAD', message: 'unknown event noSuchEvent' },
        { event: 'e'.repeat(64), code: 'INVALID_PAYLOAD', message: `unknown event ${'e'.repeat(64)}` },
      ]);
      expect(metrics.events).toEqual(['unknown invalid_payload', 'unknown invalid_payload']);
    });
  });

  describe('read allowance', () => {
    const listOf = (users: number): EventHandler => () => Promise.resolve({ users: Array.from({ length: users }, (_, i) => ({ userId: i })) });

    it('charges a read by the size of its answer, from an allowance of its own: heartbeats still pass', async () => {
      const { client } = routed({ getOnlineUsers: listOf(5_000) });
      expect((await client.request('getOnlineUsers')).ok).toBe(true);
      expect((await client.request('getOnlineUsers')).ok).toBe(true);
      expect(await client.request('getOnlineUsers')).toEqual({
        ok: false,
        error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^over the read allowance/) },
      });
      const beats = await Promise.all(Array.from({ length: 10 }, () => client.request('userHeartbeat', {})));
      expect(beats.every((ack) => ack.ok)).toBe(true);
    });

    it('refuses reads while what a large list cost is refilled, and serves them again after', async () => {
      const { client, clock } = routed({ getOnlineUsers: listOf(20_000) });
      expect((await client.request('getOnlineUsers')).ok).toBe(true);
      expect((await client.request('getOnlineUsers')).ok).toBe(false);
      clock.advance(2_000);
      expect((await client.request('getOnlineUsers')).ok).toBe(false);
      clock.advance(400);
      expect((await client.request('getOnlineUsers')).ok).toBe(true);
    });

    it('charges a list as it is taken, by the last list’s size, so that lists asked for at once do not all pass', async () => {
      const { client } = routed({ getOnlineUsers: listOf(5_000) });
      // The first list is charged after the fact: 1 + 5 of the burst of 10.
      expect((await client.request('getOnlineUsers')).ok).toBe(true);
      const atOnce = await Promise.all(Array.from({ length: 4 }, () => client.request('getOnlineUsers')));
      expect(atOnce.map((ack) => ack.ok)).toEqual([true, false, false, false]);
    });

    it('charges a list encoded once by the items it holds', async () => {
      const { client } = routed({ getOnlineUsers: () => Promise.resolve({ users: EncodedJson.ofList(Array.from({ length: 20_000 }, (_, i) => i)) }) });
      expect((await client.request('getOnlineUsers')).ok).toBe(true);
      expect((await client.request('getOnlineUsers')).ok).toBe(false);
    });

    it('charges a subscription by its listed ids as it is taken, before its answer comes', async () => {
      const answers = [deferred(), deferred()];
      let asked = 0;
      const { client } = routed({ presenceSubscribe: () => Promise.resolve(new LaterAnswer((answers[asked++] ?? deferred()).promise)) });
      const ids = Array.from({ length: 9_000 }, (_, i) => i);
      const first = client.request('presenceSubscribe', { userIds: ids });
      // 10 − 10: nothing is left for the next one, though the first is not answered yet.
      expect(await client.request('presenceSubscribe', { userIds: ids })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      answers[0]?.resolve({ seq: 3 });
      expect(await first).toEqual({ ok: true, seq: 3 });
    });

    it('does not hold a connection’s next events behind an answer that comes later', async () => {
      const later = deferred();
      const { client, metrics } = routed({ presenceSubscribe: () => Promise.resolve(new LaterAnswer(later.promise)) });
      const subscribed = client.request('presenceSubscribe', {});
      expect(await client.request('userHeartbeat', {})).toEqual({ ok: true });
      later.resolve({ seq: 9, replaced: true });
      expect(await subscribed).toEqual({ ok: true, seq: 9, replaced: true });
      expect(metrics.events).toEqual(['userHeartbeat ok', 'presenceSubscribe ok']);
    });

    it('charges a subscription by its listed ids, and one by type like a small read', async () => {
      const { client } = routed();
      const ids = Array.from({ length: 20_000 }, (_, i) => i);
      expect((await client.request('presenceSubscribe', { userIds: ids })).ok).toBe(true);
      expect((await client.request('presenceSubscribe', { userTypes: ['agent'] })).ok).toBe(false);
      const byType = routed().client;
      const answers = await Promise.all(Array.from({ length: 10 }, () => byType.request('presenceSubscribe', { userTypes: ['agent'] })));
      expect(answers.every((ack) => ack.ok)).toBe(true);
    });

    it('shares one allowance among the connections of one token’s user', async () => {
      const { router } = routed({ getOnlineUsers: listOf(5_000) });
      const [first, second] = [new StandInSocket('a1', { authUserId: 'alice' }), new StandInSocket('a2', { authUserId: 7 })];
      const other = new StandInSocket('b1', { authUserId: 'bob' });
      const sameAsSecond = new StandInSocket('a3', { authUserId: '7' });
      for (const socket of [first, second, other, sameAsSecond]) router.route(socket.socket);
      expect((await second.request('getOnlineUsers')).ok).toBe(true);
      expect((await second.request('getOnlineUsers')).ok).toBe(true);
      expect((await sameAsSecond.request('getOnlineUsers')).ok).toBe(false);
      expect((await first.request('getOnlineUsers')).ok).toBe(true);
      expect((await other.request('getOnlineUsers')).ok).toBe(true);
    });
  });

  describe('rate limit', () => {
    it('refuses events over the burst as RATE_LIMITED without running them, and keeps the connection', async () => {
      let handled = 0;
      const { client, metrics } = routed({ userHeartbeat: () => Promise.resolve({ handled: ++handled }) });
      const acks = await Promise.all(Array.from({ length: 11 }, () => client.request('userHeartbeat', { userId: 'alice' })));
      expect(acks.filter((ack) => ack.ok)).toHaveLength(10);
      expect(acks[10]).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: 'over 5 events a second' } });
      expect(client.sentOf('presenceError')).toEqual([{ event: 'userHeartbeat', code: 'RATE_LIMITED', message: 'over 5 events a second' }]);
      expect(handled).toBe(10);
      expect(metrics.events.filter((e) => e === 'userHeartbeat rate_limited')).toHaveLength(1);
      expect(client.connected).toBe(true);
    });

    it('allows events again as the clock moves, at the rate', async () => {
      const { client, clock } = routed();
      for (let i = 0; i < 10; i++) client.receive('userHeartbeat', {});
      expect((await client.request('userHeartbeat', {})).ok).toBe(false);
      clock.advance(200);
      expect((await client.request('userHeartbeat', {})).ok).toBe(true);
      expect((await client.request('userHeartbeat', {})).ok).toBe(false);
    });

    it('disconnects a connection that keeps over the rate once it has spent its refusals (twice the burst), and logs it', () => {
      const { client, logs } = routed();
      for (let i = 0; i < 10 + 20; i++) client.receive('userHeartbeat', {});
      expect(client.connected).toBe(true);
      client.receive('userHeartbeat', {});
      expect(client.disconnects).toEqual([true]);
      expect(client.connected).toBe(false);
      expect(logs).toMatchObject([{ msg: 'disconnecting a flooding connection' }]);
    });

    it('counts unknown events against the same budget: flooding with them is cut off too', () => {
      const { client } = routed();
      for (let i = 0; i < 10 + 20; i++) client.receive('noSuchEvent');
      expect(client.connected).toBe(true);
      client.receive('noSuchEvent');
      expect(client.disconnects).toEqual([true]);
    });

    it('keeps one budget per connection', async () => {
      const { client, router } = routed();
      for (let i = 0; i < 10; i++) client.receive('userHeartbeat', {});
      const other = new StandInSocket('s2');
      router.route(other.socket);
      expect((await other.request('userHeartbeat', {})).ok).toBe(true);
      expect((await client.request('userHeartbeat', {})).ok).toBe(false);
    });
  });

  describe('order', () => {
    it('handles one connection’s events one at a time, in the order sent, and acks them in that order', async () => {
      const log: string[] = [];
      const first = deferred();
      const { client } = routed({
        userOnline: () => {
          log.push('online started');
          return first.promise;
        },
        userHeartbeat: () => {
          log.push('heartbeat started');
          return Promise.resolve({});
        },
      });
      const acks = [client.request('userOnline', {}), client.request('userHeartbeat', {})].map((ack, i) =>
        ack.then(() => log.push(`ack ${i}`)),
      );
      await settle();
      expect(log).toEqual(['online started']);
      first.resolve({});
      log.push('online settled');
      await Promise.all(acks);
      expect(log.filter((entry) => !entry.startsWith('ack'))).toEqual(['online started', 'online settled', 'heartbeat started']);
      expect(log.filter((entry) => entry.startsWith('ack'))).toEqual(['ack 0', 'ack 1']);
    });

    it('goes on with the next event after one that is refused', async () => {
      const { client } = routed({ userOnline: () => Promise.reject(forbidden('no')) });
      const refused = client.request('userOnline', {});
      const next = client.request('userHeartbeat', {});
      expect(await refused).toMatchObject({ ok: false });
      expect(await next).toEqual({ ok: true });
    });

    it('finishes the event running when its connection closes, drops the ones still queued, then handles the close', async () => {
      const log: string[] = [];
      const first = deferred();
      const { client, router, metrics } = routed(
        {
          userOnline: () => first.promise.then(() => (log.push('online'), {})),
          userHeartbeat: () => (log.push('heartbeat'), Promise.resolve({})),
        },
        (socket) => (log.push(`close ${socket.id}`), Promise.resolve()),
      );
      client.receive('userOnline', {});
      client.receive('userHeartbeat', {});
      client.receive('getOnlineUsers');
      client.close();
      await settle();
      expect(log).toEqual([]);
      first.resolve({});
      await router.drain();
      expect(log).toEqual(['online', 'close s1']);
      expect(metrics.events).toEqual(['userOnline ok', 'userHeartbeat dropped', 'getOnlineUsers dropped']);
    });

    it('runs a task in a connection’s order, and none once its close has been handled', async () => {
      const log: string[] = [];
      const first = deferred();
      const { client, router } = routed({ userOnline: () => first.promise.then(() => (log.push('online'), {})) });
      client.receive('userOnline', {});
      const task = router.inOrder(client.socket, () => Promise.resolve(log.push('task')));
      first.resolve({});
      await task;
      expect(log).toEqual(['online', 'task']);
      client.close();
      await router.drain();
      expect(router.inOrder(client.socket, () => Promise.resolve(log.push('late')))).toBeUndefined();
      expect(log).toEqual(['online', 'task']);
    });

    it('drains: resolves once every event received so far, closes included, has been handled', async () => {
      const log: string[] = [];
      const gate = deferred<void>();
      const { client, router } = routed({}, () => gate.promise.then(() => void log.push('closed')));
      client.receive('userOnline', {});
      client.close();
      let drained = false;
      const draining = router.drain().then(() => (drained = true));
      await settle();
      expect(drained).toBe(false);
      gate.resolve();
      await draining;
      expect(log).toEqual(['closed']);
    });

    it('logs a close that fails, and forgets the connection all the same', async () => {
      const { client, router, logs } = routed({}, () => Promise.reject(new Error('store is down')));
      client.close();
      await router.drain();
      await settle();
      expect(logs).toMatchObject([{ msg: 'disconnect failed', err: { message: 'store is down' } }]);
      expect(router.inOrder(client.socket, () => Promise.resolve())).toBeUndefined();
    });
  });
});
