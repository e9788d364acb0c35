import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import request from 'supertest';
import { createPresenceClient, type PresenceClient } from '../../src/client/presence-client';
import type { WirePresenceUser } from '../../src/protocol/socket-events';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { signToken, TEST_SECRET } from '../support/tokens';
import { waitUntil } from '../support/wait-until';

/** Resolves once the client's online users are exactly `ids`. */
function whenOnline(client: PresenceClient, ids: string[], timeoutMs = 8_000): Promise<void> {
  const want = JSON.stringify([...ids].sort());
  const now = (users: readonly WirePresenceUser[]) => JSON.stringify(users.map((u) => String(u.userId)).sort());
  if (now(client.getOnlineUsers()) === want) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`never saw ${want}; saw ${now(client.getOnlineUsers())}`)), timeoutMs);
    const stop = client.onChange((users) => {
      if (now(users) !== want) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

describe('the presence client', () => {
  let app: TestApp;
  const clients: PresenceClient[] = [];
  const client = (options: Parameters<typeof createPresenceClient>[0]) => {
    const c = createPresenceClient(options);
    clients.push(c);
    return c;
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await app?.stop();
  });

  it('announces its user and keeps a live view of the others, through a server restart, with no ghost', async () => {
    app = await buildTestApp({ PRESENCE_DISCONNECT_GRACE_MS: '100', PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30' });
    const port = app.port;
    const alice = client({ url: app.url, user: { userId: 'alice', userName: 'Alice' } });
    const bob = client({ url: app.url, user: { userId: 'bob' } });
    const carol = client({ url: app.url, user: { userId: 'carol' } });
    await whenOnline(alice, ['alice', 'bob', 'carol']);
    expect(alice.isOnline('bob')).toBe(true);
    expect(alice.getOnlineUsers().find((u) => u.userId === 'alice')?.userName).toBe('Alice');

    carol.close();
    await whenOnline(bob, ['alice', 'bob']);

    const states: string[] = [];
    alice.onConnectionChange((state) => states.push(state));
    const reconnected = new Promise<void>((resolve) => alice.onConnectionChange((state) => state === 'connected' && resolve()));
    await app.stop();
    app = await buildTestApp({ PORT: String(port), PRESENCE_DISCONNECT_GRACE_MS: '100', PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30' });
    await reconnected;
    expect(states[0]).toBe('disconnected');
    // Both come back to the new server by themselves (the view they hold meanwhile is their last known one).
    await waitUntil(async () => {
      const res = await fetch(`${app.url}/presence`);
      const ids = ((await res.json()) as { users: Array<{ userId: string }> }).users.map((u) => u.userId).sort();
      return JSON.stringify(ids) === JSON.stringify(['alice', 'bob']);
    }, 15_000);
    await whenOnline(alice, ['alice', 'bob'], 15_000);
    await whenOnline(bob, ['alice', 'bob'], 15_000);
  });

  it('goes offline on goOffline while still following the others', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30' });
    const alice = client({ url: app.url, user: { userId: 'alice' } });
    const bob = client({ url: app.url, user: { userId: 'bob' } });
    await whenOnline(alice, ['alice', 'bob']);
    await bob.goOffline();
    await whenOnline(alice, ['alice']);
    await whenOnline(bob, ['alice']);
  });

  it('asks getToken again before the token expires, and stays online', async () => {
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET, PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30', PRESENCE_DISCONNECT_GRACE_MS: '2000' });
    let issued = 0;
    const alice = client({
      url: app.url,
      getToken: () => {
        issued += 1;
        // Whole seconds: this token lives 3 to 4 s, and the client renews it 1 to 1.5 s after getting it.
        return signToken({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 4 });
      },
      refreshBeforeMs: 2_500,
    });
    const errors: unknown[] = [];
    alice.onError((e) => errors.push(e));
    const watcher = client({ url: app.url, token: signToken({ sub: 'watcher' }) });
    await whenOnline(watcher, ['alice', 'watcher']);
    await waitUntil(async () => issued >= 3);
    expect(errors).toEqual([]);
    expect(watcher.isOnline('alice')).toBe(true);
  });

  it('subscribes to the documented 10,000 ids at the default message limit of the service', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30' });
    const ids = Array.from({ length: 10_000 }, (_, i) => i + 1);
    expect(JSON.stringify({ userIds: ids }).length).toBeGreaterThan(16_384);
    const errors: unknown[] = [];
    const watcher = client({ url: app.url, user: { userId: ids[0] as number }, scope: { userIds: ids } });
    watcher.onError((error) => errors.push(error));
    client({ url: app.url, user: { userId: ids[9_999] as number } });
    await whenOnline(watcher, [String(ids[0]), String(ids[9_999])]);
    expect(errors).toEqual([]);
  });

  it('refuses to send a subscription over the limit, with a clear error and no reconnect loop', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000', PRESENCE_MAX_MESSAGE_BYTES: '1024' });
    const states: string[] = [];
    const errors: Array<{ event: string; code: string; message: string }> = [];
    const told = new Promise<void>((resolve) => {
      const c = client({ url: app.url, user: { userId: 'big' }, scope: { userIds: Array.from({ length: 500 }, (_, i) => `user-${i}`) }, maxMessageBytes: 1024 });
      c.onConnectionChange((state) => states.push(state));
      c.onError((error) => {
        errors.push(error);
        resolve();
      });
    });
    await told;
    expect(errors).toEqual([{ event: 'presenceSubscribe', code: 'INVALID_PAYLOAD', message: expect.stringMatching(/over the service's 1024/) }]);
    expect((await request(app.url).get('/presence/big')).body).toMatchObject({ status: 'online' });
    expect(states).toEqual(['connected']);
  });

  it('measures a subscription against the default of 65536 bytes when not told the limit of the service', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000' });
    const userIds = Array.from({ length: 10_000 }, (_, i) => `user-with-a-long-id-${i}`);
    const error = await new Promise<{ message: string }>((resolve) => {
      client({ url: app.url, user: { userId: 'big' }, scope: { userIds } }).onError(resolve);
    });
    expect(error.message).toMatch(/over the service's 65536/);
  });

  it('falls back to userStatusChanged against a server without subscriptions', async () => {
    const http = createServer();
    const legacy = new Server(http);
    const online = new Set(['old']);
    const user = (userId: string) => ({ userId, status: 'online', lastSeen: new Date().toISOString(), userType: null, userName: null });
    legacy.on('connection', (socket) => {
      socket.on('presenceSubscribe', (_p: unknown, ack: (a: unknown) => void) => ack({ ok: false, error: { code: 'INVALID_PAYLOAD', message: 'unknown event presenceSubscribe' } }));
      socket.on('getOnlineUsers', (ack: (a: unknown) => void) => ack({ ok: true, users: [...online].map(user) }));
      socket.on('userOnline', (p: { userId: string }) => {
        online.add(p.userId);
        legacy.emit('userStatusChanged', { userId: p.userId, status: 'online', lastSeen: new Date().toISOString(), reason: 'online' });
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const alice = client({ url, user: { userId: 'alice' } });
      await whenOnline(alice, ['alice', 'old']);
      const bob = client({ url, user: { userId: 'bob' } });
      await whenOnline(alice, ['alice', 'bob', 'old']);
      await whenOnline(bob, ['alice', 'bob', 'old']);
    } finally {
      for (const c of clients.splice(0)) c.close();
      legacy.close();
    }
  });
});
