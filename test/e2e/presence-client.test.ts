import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import request from 'supertest';
import { createPresenceClient, type PresenceClient } from '../../src/client/presence-client';
import type { WireAvailability, WirePresenceUser } from '../../src/protocol/socket-events';
import { TOKENS } from '../../src/tokens';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { closeAllSockets, connect, request as ask } from '../support/socket-client';
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

/** Resolves once the client shows `userId` online with that availability (and that text, when given). */
function whenShown(client: PresenceClient, userId: string, availability: WireAvailability, statusText?: string | null, timeoutMs = 8_000): Promise<void> {
  const shown = () => client.getOnlineUsers().find((u) => String(u.userId) === userId);
  const matches = () => client.availabilityOf(userId) === availability && (statusText === undefined || shown()?.statusText === statusText);
  if (matches()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`never saw ${userId} ${availability}; saw ${JSON.stringify(shown())}`)), timeoutMs);
    const stop = client.onChange(() => {
      if (!matches()) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

/** How many userStatusSet events the service has answered, from its metrics. */
async function statusSetsAnswered(app: TestApp): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('presence_events_total{') && line.includes('event="userStatusSet"'))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
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
    closeAllSockets();
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

  it('sets its user\'s availability and text, and another client sees them change (CONTRACT §8)', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30' });
    const alice = client({ url: app.url, user: { userId: 'alice' } });
    const bob = client({ url: app.url, user: { userId: 'bob' } });
    await whenOnline(bob, ['alice', 'bob']);
    for (const u of bob.getOnlineUsers()) {
      expect(u).toMatchObject({ availability: 'available', statusText: null, onlineSince: expect.any(String) });
      expect(u).toHaveProperty('lastActive');
    }

    await expect(alice.setStatus({ availability: 'busy', statusText: 'in a call' })).resolves.toEqual({ availability: 'busy', statusText: 'in a call' });
    await whenShown(bob, 'alice', 'busy', 'in a call');
    await whenShown(alice, 'alice', 'busy', 'in a call');
    // A field left out keeps its value; null clears the text; available clears the choice.
    await expect(alice.setStatus({ statusText: null })).resolves.toEqual({ availability: 'busy', statusText: null });
    await whenShown(bob, 'alice', 'busy', null);
    await expect(alice.setStatus({ availability: 'available' })).resolves.toEqual({ availability: 'available', statusText: null });
    await whenShown(bob, 'alice', 'available', null);
    expect(bob.availabilityOf('alice')).toBe('available');
    expect(bob.availabilityOf('nobody')).toBeNull();
  });

  it('rejects a status the service refuses with its refusal, and changes nothing', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30' });
    const alice = client({ url: app.url, user: { userId: 'alice' } });
    await whenOnline(alice, ['alice']);
    await expect(alice.setStatus({ statusText: 'x'.repeat(141) })).rejects.toMatchObject({ name: 'PresenceRefusal', code: 'INVALID_PAYLOAD' });
    await expect(alice.setStatus({ statusText: '😀'.repeat(140) })).resolves.toEqual({ availability: 'available', statusText: '😀'.repeat(140) });
    await alice.goOffline();
    await expect(alice.setStatus({ availability: 'busy' })).rejects.toMatchObject({ code: 'INVALID_PAYLOAD', message: expect.stringMatching(/goOffline/) });
  });

  it('shows its user away after idleMs with no input, and available again at the next input', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30', PRESENCE_IDLE_MS: '600' });
    const inputs = new EventTarget();
    const alice = client({ url: app.url, user: { userId: 'alice' }, idle: { idleMs: 600, inputs } });
    const bob = client({ url: app.url, user: { userId: 'bob' } });
    await whenOnline(bob, ['alice', 'bob']);
    await whenShown(bob, 'alice', 'away', null, 5_000);
    // bob reports no activity (no page in Node): an old client's connection, never idle by time.
    expect(bob.availabilityOf('bob')).toBe('available');

    inputs.dispatchEvent(new Event('keydown'));
    await whenShown(bob, 'alice', 'available', null, 5_000);
    // Typing for three idle periods keeps the user available on the service throughout.
    const seen: Array<WireAvailability | null> = [];
    const stop = bob.onChange(() => seen.push(bob.availabilityOf('alice')));
    for (let i = 0; i < 90; i += 1) {
      inputs.dispatchEvent(new Event(i % 2 === 0 ? 'keydown' : 'pointermove'));
      await new Promise((r) => setTimeout(r, 20));
    }
    stop();
    expect(seen.filter((a) => a !== 'available')).toEqual([]);
    await whenShown(bob, 'alice', 'away', null, 5_000);
  });

  it('applies its chosen status again after a server restart, where the user comes back available', async () => {
    const env = { PRESENCE_DISCONNECT_GRACE_MS: '100', PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30' };
    app = await buildTestApp(env);
    const port = app.port;
    const alice = client({ url: app.url, user: { userId: 'alice' } });
    await whenOnline(alice, ['alice']);
    await alice.setStatus({ availability: 'busy', statusText: 'in a call' });
    const reconnected = new Promise<void>((resolve) => alice.onConnectionChange((state) => state === 'connected' && resolve()));
    await app.stop();
    app = await buildTestApp({ ...env, PORT: String(port) });
    await reconnected;
    const carol = client({ url: app.url, user: { userId: 'carol' } });
    await whenOnline(carol, ['alice', 'carol'], 15_000);
    await whenShown(carol, 'alice', 'busy', 'in a call');
  });

  it('keeps what the service still has over a reconnect within the grace: no second set, and a newer choice of another tab wins', async () => {
    app = await buildTestApp({ PRESENCE_DISCONNECT_GRACE_MS: '5000', PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30' });
    const alice = client({ url: app.url, user: { userId: 'alice' } });
    const bob = client({ url: app.url, user: { userId: 'bob' } });
    await whenOnline(bob, ['alice', 'bob']);
    await alice.setStatus({ availability: 'busy', statusText: 'in a call' });
    await whenShown(bob, 'alice', 'busy', 'in a call');
    const io = app.app.container.get(TOKENS.SocketServer);
    const dropAlice = async (): Promise<void> => {
      const sockets = await io.fetchSockets();
      for (const s of sockets) if (s.data.userId === 'alice') s.disconnect(true);
    };
    const reconnect = () => new Promise<void>((resolve) => alice.onConnectionChange((state) => state === 'connected' && resolve()));

    // Back within the grace: the service kept the choice, and the client only asks (one empty userStatusSet).
    const before = await statusSetsAnswered(app);
    let back = reconnect();
    await dropAlice();
    await back;
    await expect(alice.setStatus({})).resolves.toEqual({ availability: 'busy', statusText: 'in a call' });
    expect((await statusSetsAnswered(app)) - before).toBe(2);

    // Meanwhile another tab of the user chose otherwise: that choice stays, and becomes this client's.
    back = reconnect();
    await dropAlice();
    const otherTab = await connect(app.url);
    expect(await ask(otherTab, 'userOnline', { userId: 'alice' })).toMatchObject({ ok: true });
    expect(await ask(otherTab, 'userStatusSet', { userId: 'alice', availability: 'away', statusText: 'back at 3' })).toMatchObject({ ok: true });
    await back;
    await expect(alice.setStatus({})).resolves.toEqual({ availability: 'away', statusText: 'back at 3' });
    await whenShown(bob, 'alice', 'away', 'back at 3');
  });

  it('in the §1 fallback, applies userAvailabilityChanged, and ignores one whose seq is not newer', async () => {
    const http = createServer();
    const legacy = new Server(http);
    const user = (userId: string) => ({ userId, status: 'online', lastSeen: new Date().toISOString(), userType: null, userName: null });
    const online = new Set<string>();
    let seq = 100;
    const availability = (userId: string, shown: string, statusText: string | null, at = ++seq) =>
      legacy.emit('userAvailabilityChanged', { userId, availability: shown, statusText, lastActive: null, reason: 'set', seq: at });
    legacy.on('connection', (socket) => {
      socket.on('presenceSubscribe', (_p: unknown, ack: (a: unknown) => void) => ack({ ok: false, error: { code: 'INVALID_PAYLOAD', message: 'unknown event presenceSubscribe' } }));
      socket.on('getOnlineUsers', (ack: (a: unknown) => void) => ack({ ok: true, users: [...online].map(user) }));
      socket.on('userOnline', (p: { userId: string }, ack: (a: unknown) => void) => {
        online.add(p.userId);
        ack({ ok: true, userId: p.userId, status: 'online' });
        legacy.emit('userStatusChanged', { userId: p.userId, status: 'online', lastSeen: new Date().toISOString(), reason: 'online' });
      });
      socket.on('userStatusSet', (p: { userId: string; availability: string; statusText: string | null }, ack: (a: unknown) => void) => {
        ack({ ok: true, userId: p.userId, availability: p.availability, statusText: p.statusText });
        availability(p.userId, p.availability, p.statusText);
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const alice = client({ url, user: { userId: 'alice' } });
      const bob = client({ url, user: { userId: 'bob' } });
      await whenOnline(alice, ['alice', 'bob']);
      await whenOnline(bob, ['alice', 'bob']);
      expect(bob.availabilityOf('alice')).toBe('available');
      await alice.setStatus({ availability: 'busy', statusText: 'in a call' });
      await whenShown(bob, 'alice', 'busy', 'in a call');
      availability('alice', 'away', null, seq - 1);
      availability('bob', 'away', 'marker');
      await whenShown(bob, 'bob', 'away', 'marker');
      expect(bob.getOnlineUsers().find((u) => u.userId === 'alice')).toMatchObject({ availability: 'busy', statusText: 'in a call' });
    } finally {
      for (const c of clients.splice(0)) c.close();
      legacy.close();
    }
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
