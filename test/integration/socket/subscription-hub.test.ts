import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Server } from 'socket.io';
import { PresenceScope } from '../../../src/adapters/socket/subscriptions/presence-scope';
import { SubscriptionHub } from '../../../src/adapters/socket/subscriptions/subscription-hub';
import type { PresenceServer, PresenceSocket } from '../../../src/adapters/socket/socket.types';
import type { CommittedTransition } from '../../../src/domain/presence.events';
import type { UserStatus } from '../../../src/domain/presence.service';
import { closeAllSockets, connect, nextEvent, type TestSocket } from '../../support/socket-client';

const online = (userId: string, seq: number): CommittedTransition => ({
  type: 'UserWentOnline',
  userId,
  lastSeen: seq * 1_000,
  reason: 'online',
  userType: null,
  userName: null,
  seq,
});

/**
 * The hub on a real Socket.IO server, without the gateway: a connection that closes is not unsubscribed until the
 * test says so, as when its unsubscribe still waits behind the connection's other events.
 */
describe('SubscriptionHub, resumed connections at the next flush', () => {
  let http: HttpServer;
  let io: PresenceServer;
  let url: string;
  let statusesOf: (ids: readonly (string | number)[]) => Promise<UserStatus[]>;
  const serverSockets = new Map<string, PresenceSocket>();

  const hubWith = (replaySize: number) =>
    new SubscriptionHub(io, (ids) => statusesOf(ids), { replaySize }, { frames: () => undefined }, pino({ level: 'silent' }));

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

  beforeEach(async () => {
    statusesOf = async () => [];
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

  it('sends nothing to other connections when every resumed connection of a seq closed before the flush', async () => {
    const hub = hubWith(100);
    const [bystander, bystanderServer] = await client(hub);
    const [resumer, resumerServer] = await client(hub);
    hub.record(online('a', 1));
    await hub.flush();
    hub.record(online('b', 2));
    await expect(hub.subscribe(resumerServer, new PresenceScope(undefined, undefined), 1)).resolves.toBe(2);
    hub.record(online('c', 3));
    const gone = new Promise((resolve) => resumerServer.once('disconnect', resolve));
    resumer.disconnect();
    await gone;

    await hub.flush();

    expect(await eventsBefore(bystander, bystanderServer)).toEqual([]);
  });

  it('tells a resumed connection whose state could not be read, instead of leaving it silently on §1', async () => {
    const hub = hubWith(2);
    const [resumer, resumerServer] = await client(hub);
    hub.record(online('a', 1));
    await hub.flush();
    hub.record(online('b', 2));
    const replayed = nextEvent(resumer, 'presenceDiff');
    await hub.subscribe(resumerServer, new PresenceScope(['ghost'], undefined), 1);
    await replayed;
    // The buffer of two lets go of what followed the replay, so the flush must send a state; reading it fails.
    for (const seq of [3, 4, 5]) hub.record(online(`u${seq}`, seq));
    statusesOf = () => Promise.reject(new Error('database down'));
    const told = nextEvent(resumer, 'presenceError');

    await hub.flush();

    expect(await told).toEqual({ event: 'presenceSubscribe', code: 'INTERNAL', message: expect.stringMatching(/subscribe again/) });
    expect(hub.isSubscribed(resumerServer)).toBe(false);
  });
});
