import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Server } from 'socket.io';
import { PresenceScope } from '../../../../../src/adapters/socket/subscriptions/presence-scope';
import { viewersRoom } from '../../../../../src/adapters/socket/audience-rooms';
import { SocketAudience } from '../../../../../src/adapters/socket/socket-audience';
import { SubscriptionHub } from '../../../../../src/adapters/socket/subscriptions/subscription-hub';
import type { PresenceServer, PresenceSocket } from '../../../../../src/adapters/socket/socket.types';
import type { CommittedTransition } from '../../../../../src/domain/presence.events';
import type { UserStatus } from '../../../../../src/domain/presence.service';
import type { PresenceDiffPayload, PresenceStatePayload } from '../../../../../src/protocol/socket-events';
import { closeAllSockets, connect, nextEvent, type TestSocket } from '../../../../support/socket-client';
import { committed, offlineTransition, onlineTransition } from '../../../../support/transitions';
import { offlineUser, onlineUser, wireOnline } from '../../../../support/presence-values';

const online = (userId: string, seq: number, userType: string | null = null): CommittedTransition =>
  committed(onlineTransition(userId, seq * 1_000, userType), seq);
const offline = (userId: string, seq: number): CommittedTransition => committed(offlineTransition(userId, seq * 1_000, 'explicit'), seq);
const ALL = new PresenceScope(undefined, undefined);
/** With visibility off, every unsubscribed connection is in the one room of all viewers. */
const EVENTS_ROOM = viewersRoom(null, '*');

/**
 * The hub on a real Socket.IO server, without the gateway: a connection that closes is not unsubscribed until the
 * test says so, as when its unsubscribe still waits behind the connection's other events.
 */
describe('SubscriptionHub', () => {
  let http: HttpServer;
  let io: PresenceServer;
  let url: string;
  let statusesOf: (ids: readonly (string | number)[]) => Promise<UserStatus[]>;
  let frames: Array<[string, number]>;
  const serverSockets = new Map<string, PresenceSocket>();

  const hubWith = (replaySize: number) =>
    new SubscriptionHub(io, new SocketAudience(io, { visibility: null }, false), (ids) => statusesOf(ids), { replaySize }, { frames: (event, n) => frames.push([event, n]) }, pino({ level: 'silent' }));

  /** A client and its socket on the server side. */
  const client = async (hub: SubscriptionHub): Promise<[TestSocket, PresenceSocket]> => {
    const socket = await connect(url);
    const server = serverSockets.get(socket.id as string) as PresenceSocket;
    hub.accept(server);
    return [socket, server];
  };

  /** Every event a client gets until a marker sent after everything else: what it was sent before the marker. */
  const eventsBefore = async (socket: TestSocket, server: PresenceSocket): Promise<string[]> => {
    const seen: string[] = [];
    socket.onAny((event: string) => seen.push(event));
    const marker = nextEvent(socket, 'presenceError');
    server.emit('presenceError', { event: 'marker', code: 'INTERNAL', message: 'marker' });
    await marker;
    return seen.slice(0, -1);
  };

  /** Every payload of an event a client gets from now until a marker sent after everything else. */
  const recording = <T>(socket: TestSocket, server: PresenceSocket, event: 'presenceDiff' | 'presenceState') => {
    const got: T[] = [];
    socket.on(event, (payload: unknown) => got.push(payload as T));
    return async (): Promise<T[]> => {
      const marker = nextEvent(socket, 'presenceError');
      server.emit('presenceError', { event: 'marker', code: 'INTERNAL', message: 'marker' });
      await marker;
      return got;
    };
  };
  const roomsOf = (server: PresenceSocket): string[] => [...server.rooms].filter((room) => room !== server.id);
  const presenceRooms = (): string[] => [...io.of('/').adapter.rooms.keys()].filter((room) => room.startsWith('audience:') || room.startsWith('presence:'));

  beforeEach(async () => {
    statusesOf = async () => [];
    frames = [];
    http = createServer();
    io = new Server(http) as PresenceServer;
    io.on('connection', (socket) => serverSockets.set(socket.id, socket as PresenceSocket));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    closeAllSockets();
    serverSockets.clear();
    await new Promise((resolve) => io.close(resolve));
  });

  describe('subscriptions', () => {
    it('sends a new subscriber its scope as a state at the next flush, then the diffs of its scope only', async () => {
      const hub = hubWith(100);
      hub.seed([onlineUser('a', 1_000, 'agent', 'A')], 10);
      const [socket, server] = await client(hub);
      const diffs = recording<PresenceDiffPayload>(socket, server, 'presenceDiff');
      const state = nextEvent<PresenceStatePayload>(socket, 'presenceState');
      const subscribed = hub.subscribe(server, new PresenceScope(undefined, ['agent']), undefined);
      expect(roomsOf(server)).not.toContain(EVENTS_ROOM);

      await hub.flush();

      await expect(subscribed).resolves.toEqual({ seq: 10 });
      expect(await state).toEqual({ seq: 10, users: [wireOnline('a', '1970-01-01T00:00:01.000Z', 'agent', 'A')] });
      hub.deliver(online('client', 11, 'client'));
      hub.deliver(online('agent', 12, 'agent'));
      hub.deliver(offline('a', 13));
      await hub.flush();
      hub.deliver(online('other-client', 14, 'client'));
      await hub.flush();
      expect(await diffs()).toEqual([
        {
          seq: 13,
          joins: [wireOnline('agent', '1970-01-01T00:00:12.000Z', 'agent')],
          leaves: [{ userId: 'a', lastSeen: '1970-01-01T00:00:13.000Z', reason: 'explicit' }],
          updates: [],
        },
      ]);
    });

    it('encodes a diff once for all the connections that share a scope', async () => {
      const hub = hubWith(100);
      const connections = [await client(hub), await client(hub), await client(hub)];
      const scopes = [ALL, new PresenceScope(undefined, undefined), new PresenceScope(['x'], undefined)];
      const subscribed = connections.map(([, server], i) => hub.subscribe(server, scopes[i] as PresenceScope, undefined));
      await hub.flush();
      await Promise.all(subscribed);
      const got = connections.map(([socket]) => nextEvent<PresenceDiffPayload>(socket, 'presenceDiff'));
      frames = [];

      hub.deliver(online('x', 1));
      await hub.flush();

      expect(frames).toEqual([
        ['presenceDiff', 2],
        ['presenceDiff', 1],
      ]);
      const [first, second, third] = await Promise.all(got);
      expect(second).toEqual(first);
      expect(third).toEqual(first);
    });

    it('sends one state for everyone waiting on a scope, and reads offline listed users once for them', async () => {
      const hub = hubWith(100);
      const [[a, aServer], [b, bServer]] = [await client(hub), await client(hub)];
      const asked: Array<readonly (string | number)[]> = [];
      statusesOf = async (ids) => {
        asked.push(ids);
        return ids.map((userId) => offlineUser(userId, 0));
      };
      const states = [nextEvent<PresenceStatePayload>(a, 'presenceState'), nextEvent<PresenceStatePayload>(b, 'presenceState')];
      void hub.subscribe(aServer, new PresenceScope(['gone'], undefined), undefined);
      void hub.subscribe(bServer, new PresenceScope(['gone'], undefined), undefined);

      await hub.flush();

      const [first, second] = await Promise.all(states);
      expect(asked).toEqual([['gone']]);
      expect(frames).toEqual([['presenceState', 2]]);
      expect(second).toEqual(first);
      expect(first?.users).toEqual([expect.objectContaining({ userId: 'gone', status: 'offline' })]);
    });

    it('replaces a subscription with the next one, and goes back to §1 events on unsubscribe', async () => {
      const hub = hubWith(100);
      const [socket, server] = await client(hub);
      const first = hub.subscribe(server, new PresenceScope(['a'], undefined), undefined);
      await hub.flush();
      await first;
      const second = hub.subscribe(server, new PresenceScope(['b'], undefined), undefined);
      await hub.flush();
      await second;
      const diffs = recording<PresenceDiffPayload>(socket, server, 'presenceDiff');
      hub.deliver(online('a', 1));
      hub.deliver(online('b', 2));
      await hub.flush();
      expect((await diffs()).map((d) => d.joins.map((j) => j.userId))).toEqual([['b']]);

      hub.unsubscribe(server);

      expect(hub.isSubscribed(server)).toBe(false);
      expect(roomsOf(server)).toEqual([EVENTS_ROOM]);
      expect(presenceRooms()).toEqual([EVENTS_ROOM]);
    });

    it('answers a subscribe waiting for its state when its connection unsubscribes, and all of them when it stops', async () => {
      const hub = hubWith(100);
      hub.seed([], 5);
      const [[, leaving], [, staying]] = [await client(hub), await client(hub)];
      const left = hub.subscribe(leaving, ALL, undefined);
      const stopped = hub.subscribe(staying, new PresenceScope(['a'], undefined), undefined);
      hub.unsubscribe(leaving);
      await expect(left).resolves.toEqual({ seq: 5, replaced: true });
      hub.stop();
      await expect(stopped).resolves.toEqual({ seq: 5 });
    });

    it('serves a subscribe to a scope whose last connection left while its state was being read', async () => {
      const hub = hubWith(100);
      const [[, leaving], [late, lateServer]] = [await client(hub), await client(hub)];
      let answer: (statuses: UserStatus[]) => void = () => undefined;
      statusesOf = () => new Promise((resolve) => (answer = resolve));
      const scope = new PresenceScope(['someone'], undefined);
      const left = hub.subscribe(leaving, scope, undefined);
      const flushed = hub.flush();
      hub.unsubscribe(leaving);
      const state = nextEvent<PresenceStatePayload>(late, 'presenceState');
      const subscribed = hub.subscribe(lateServer, scope, undefined);
      answer([]);
      await flushed;
      await expect(left).resolves.toEqual({ seq: 0, replaced: true });

      statusesOf = async () => [];
      await hub.flush();

      expect(await state).toEqual({ seq: 0, users: [] });
      await expect(subscribed).resolves.toEqual({ seq: 0 });
    });

    it('fails the subscribes whose state cannot be read, and puts their connections back on §1 events', async () => {
      const hub = hubWith(100);
      const [, server] = await client(hub);
      statusesOf = () => Promise.reject(new Error('database down'));
      const subscribed = hub.subscribe(server, new PresenceScope(['someone'], undefined), undefined);
      await hub.flush();
      await expect(subscribed).rejects.toThrow('database down');
      expect(hub.isSubscribed(server)).toBe(false);
      expect(roomsOf(server)).toEqual([EVENTS_ROOM]);
    });

    describe('with persistence slow to answer', () => {
      /** A read of offline users that answers only when the test says so. */
      const heldRead = () => {
        let answer: (statuses: UserStatus[]) => void = () => undefined;
        const asked: Array<readonly (string | number)[]> = [];
        statusesOf = (ids) => {
          asked.push(ids);
          return new Promise((resolve) => (answer = resolve));
        };
        return { asked, answer: (statuses: UserStatus[]) => answer(statuses) };
      };

      it('sends other scopes their diffs while a state waits for it, then the state and what changed since', async () => {
        const hub = hubWith(100);
        const [[watcher, watcherServer], [reader, readerServer]] = [await client(hub), await client(hub)];
        const watching = hub.subscribe(watcherServer, ALL, undefined);
        await hub.flush();
        await watching;
        const read = heldRead();
        const watched = recording<PresenceDiffPayload>(watcher, watcherServer, 'presenceDiff');
        const gotByReader: string[] = [];
        reader.onAny((event: string, payload: PresenceDiffPayload) => {
          if (event === 'presenceDiff') gotByReader.push(`diff ${payload.seq} joins ${payload.joins.map((j) => j.userId).join(',')}`);
          else if (event === 'presenceState') gotByReader.push(`state ${payload.seq}`);
        });
        const subscribed = hub.subscribe(readerServer, new PresenceScope(['gone', 'x', 'y'], undefined), undefined);
        await hub.flush();
        expect(read.asked).toEqual([['gone', 'x', 'y']]);

        hub.deliver(online('x', 1));
        await hub.flush();
        hub.deliver(online('y', 2));
        await hub.flush();
        expect((await watched()).map((d) => d.seq)).toEqual([1, 2]);

        read.answer([offlineUser('gone', null)]);
        await expect(subscribed).resolves.toEqual({ seq: 0 });
        hub.deliver(online('z', 3));
        await hub.flush();
        await eventsBefore(reader, readerServer);
        // The state is current to the flush it was taken at; the diff after it holds what came since, in its scope.
        expect(gotByReader).toEqual(['state 0', 'diff 3 joins x,y']);
      });

      it('answers a subscribe whose state is being read as replaced when the connection subscribes again, and never sends it', async () => {
        const hub = hubWith(100);
        hub.seed([], 7);
        const [socket, server] = await client(hub);
        const read = heldRead();
        const first = hub.subscribe(server, new PresenceScope(['gone'], undefined), undefined);
        await hub.flush();
        statusesOf = async () => [];
        const second = hub.subscribe(server, new PresenceScope(undefined, ['agent']), undefined);
        await expect(first).resolves.toEqual({ seq: 7, replaced: true });
        const states = recording<PresenceStatePayload>(socket, server, 'presenceState');
        await hub.flush();
        await expect(second).resolves.toEqual({ seq: 7 });
        read.answer([offlineUser('gone', 1_000)]);
        await new Promise((resolve) => setImmediate(resolve));
        expect(await states()).toEqual([{ seq: 7, users: [] }]);
      });
    });
  });

  describe('resumes', () => {
    it('replays at once what was missed, flushed or not, and sends a resumed connection only what came after it', async () => {
      const hub = hubWith(100);
      const [watcher, watcherServer] = await client(hub);
      void hub.subscribe(watcherServer, ALL, undefined);
      hub.deliver(online('flushed', 1));
      await hub.flush();
      hub.deliver(online('pending', 2));
      expect(hub.seq).toBe(2);
      const [resumer, resumerServer] = await client(hub);
      const resumed = recording<PresenceDiffPayload>(resumer, resumerServer, 'presenceDiff');
      const watched = recording<PresenceDiffPayload>(watcher, watcherServer, 'presenceDiff');

      await expect(hub.subscribe(resumerServer, ALL, 0)).resolves.toEqual({ seq: 2 });
      hub.deliver(online('after', 3));
      await hub.flush();
      hub.deliver(online('later', 4));
      await hub.flush();

      const joins = (diffs: PresenceDiffPayload[]) => diffs.map((d) => [d.seq, ...d.joins.map((j) => j.userId)]);
      expect(joins(await resumed())).toEqual([
        [2, 'flushed', 'pending'],
        [3, 'after'],
        [4, 'later'],
      ]);
      expect(joins(await watched())).toEqual([
        [3, 'pending', 'after'],
        [4, 'later'],
      ]);
    });

    it('answers a resume with nothing missed with an empty diff, and joins it to the diffs at once', async () => {
      const hub = hubWith(100);
      hub.deliver(online('a', 1));
      await hub.flush();
      const [socket, server] = await client(hub);
      const diffs = recording<PresenceDiffPayload>(socket, server, 'presenceDiff');
      await expect(hub.subscribe(server, ALL, 1)).resolves.toEqual({ seq: 1 });
      hub.deliver(online('b', 2));
      await hub.flush();
      expect(await diffs()).toEqual([
        { seq: 1, joins: [], leaves: [], updates: [] },
        { seq: 2, joins: [expect.objectContaining({ userId: 'b' })], leaves: [], updates: [] },
      ]);
    });

    it('replays nothing from before the seq it was seeded with: an older since gets a state', async () => {
      const hub = hubWith(100);
      hub.seed([onlineUser('a', 1_000)], 10);
      const [socket, server] = await client(hub);
      const state = nextEvent<PresenceStatePayload>(socket, 'presenceState');
      const subscribed = hub.subscribe(server, ALL, 5);
      await hub.flush();
      await expect(subscribed).resolves.toEqual({ seq: 10 });
      expect((await state).users.map((u) => u.userId)).toEqual(['a']);
      await expect(hub.subscribe(server, ALL, 10)).resolves.toEqual({ seq: 10 });
    });

    it('sends a state instead when it cannot replay: a seq not reached, not held any more, or before missed transitions', async () => {
      const hub = hubWith(2);
      hub.seed([], 10);
      for (const seq of [11, 12, 13]) hub.deliver(online(`u${seq}`, seq));
      hub.missedBefore(12);
      hub.deliver(online('u14', 14));
      const [, server] = await client(hub);
      for (const since of [15, -1, 9, 11]) {
        const subscribed = hub.subscribe(server, ALL, since);
        await hub.flush();
        await expect(subscribed).resolves.toEqual({ seq: 14 });
      }
      expect(frames.filter(([event]) => event === 'presenceState')).toHaveLength(4);
      await expect(hub.subscribe(server, ALL, 12)).resolves.toEqual({ seq: 14 });
    });

    it('sends nothing to other connections when every resumed connection of a seq closed before the flush', async () => {
      const hub = hubWith(100);
      const [bystander, bystanderServer] = await client(hub);
      const [resumer, resumerServer] = await client(hub);
      hub.deliver(online('a', 1));
      await hub.flush();
      hub.deliver(online('b', 2));
      await expect(hub.subscribe(resumerServer, new PresenceScope(undefined, undefined), 1)).resolves.toEqual({ seq: 2 });
      hub.deliver(online('c', 3));
      const gone = new Promise((resolve) => resumerServer.once('disconnect', resolve));
      resumer.disconnect();
      await gone;

      await hub.flush();

      expect(await eventsBefore(bystander, bystanderServer)).toEqual([]);
    });

    it('tells a resumed connection whose state could not be read, instead of leaving it silently on §1', async () => {
      const hub = hubWith(2);
      const [resumer, resumerServer] = await client(hub);
      hub.deliver(online('a', 1));
      await hub.flush();
      hub.deliver(online('b', 2));
      const replayed = nextEvent(resumer, 'presenceDiff');
      await hub.subscribe(resumerServer, new PresenceScope(['ghost'], undefined), 1);
      await replayed;
      // The buffer of two lets go of what followed the replay, so the flush must send a state; reading it fails.
      for (const seq of [3, 4, 5]) hub.deliver(online(`u${seq}`, seq));
      statusesOf = () => Promise.reject(new Error('database down'));
      const told = nextEvent(resumer, 'presenceError');

      await hub.flush();

      expect(await told).toEqual({ event: 'presenceSubscribe', code: 'INTERNAL', message: expect.stringMatching(/subscribe again/) });
      expect(hub.isSubscribed(resumerServer)).toBe(false);
    });
  });

  describe('its timer', () => {
    it('flushes every interval once started, and stops flushing when stopped', async () => {
      const hub = hubWith(100);
      const [socket, server] = await client(hub);
      const state = nextEvent(socket, 'presenceState');
      void hub.subscribe(server, ALL, undefined);
      hub.start(5);
      await state;
      hub.stop();
      const diffs = recording<PresenceDiffPayload>(socket, server, 'presenceDiff');
      hub.deliver(online('a', 1));
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(await diffs()).toEqual([]);
    });

    it('does not flush with an interval of 0: flushes are then driven by hand', async () => {
      const hub = hubWith(100);
      const [socket, server] = await client(hub);
      const states = recording(socket, server, 'presenceState');
      void hub.subscribe(server, ALL, undefined);
      hub.start(0);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(await states()).toEqual([]);
      hub.stop();
    });
  });
});
