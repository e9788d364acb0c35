import supertest from 'supertest';
import WebSocket from 'ws';
import { FakeClock } from '../support/fake-clock';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { closeAllSockets, connect, nextEvent, refusedConnection, request, StatusLog } from '../support/socket-client';
import { signToken, TEST_SECRET } from '../support/tokens';
import { waitUntil } from '../support/wait-until';
import { TOKENS } from '../../src/tokens';

describe('abuse limits', () => {
  let app: TestApp;

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('refuses an authenticated user’s connection over PRESENCE_MAX_CONNECTIONS_PER_USER, keeping the ones it has', async () => {
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET, PRESENCE_MAX_CONNECTIONS_PER_USER: '3' });
    const token = signToken({ sub: 'alice' });
    const tabs = await Promise.all([1, 2, 3].map(() => connect(app.url, { auth: { token } })));
    const refused = await refusedConnection(app.url, { auth: { token } });
    expect(refused.message).toBe('too many connections');
    expect((refused as Error & { data?: unknown }).data).toEqual({ code: 'RATE_LIMITED', message: 'more than 3 connections for one user' });
    expect(tabs.every((t) => t.connected)).toBe(true);
    await connect(app.url, { auth: { token: signToken({ sub: 'bob' }) } });
    tabs[0]?.disconnect();
    // The server sees the close a moment later; its connection gauge says when.
    await waitUntil(async () => /presence_connections 3\n/.test((await supertest(app.url).get('/metrics')).text));
    await expect(connect(app.url, { auth: { token } })).resolves.toBeDefined();
  });

  it('refuses, without authentication, the announcement over the per-user limit as RATE_LIMITED', async () => {
    app = await buildTestApp({ PRESENCE_MAX_CONNECTIONS_PER_USER: '2' });
    const [a, b, c] = await Promise.all([connect(app.url), connect(app.url), connect(app.url)]);
    await request(a!, 'userOnline', { userId: 'u' });
    await request(b!, 'userOnline', { userId: 'u' });
    expect(await request(c!, 'userOnline', { userId: 'u' })).toEqual({
      ok: false,
      error: { code: 'RATE_LIMITED', message: 'more than 2 connections for one user' },
    });
    expect(await request(c!, 'userOnline', { userId: 'someone-else' })).toMatchObject({ ok: true });
    expect(c!.connected).toBe(true);
  });

  it('refuses a user’s status events over PRESENCE_STATUS_RATE, so that toggling costs every §1 client nothing more', async () => {
    // The service's clock stands still: no status token comes back while the test sends, however slow the machine.
    const clock = new FakeClock();
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET, PRESENCE_STATUS_RATE: '1', PRESENCE_MAX_CONNECTIONS_PER_USER: '3', PRESENCE_TTL_MS: '60000' }, { clock });
    const watcher = new StatusLog(await connect(app.url, { auth: { token: signToken({ sub: 'watcher' }) } }));
    const toggler = await connect(app.url, { auth: { token: signToken({ sub: 'toggler' }) } });
    const acks = [];
    for (let i = 0; i < 6; i++) acks.push(await request(toggler, i % 2 === 0 ? 'userOnline' : 'userOffline', {}));
    // A burst of 3 (the per-user connection limit), then one a second: the rest are refused and change nothing.
    expect(acks.map((a) => a.ok)).toEqual([true, true, true, false, false, false]);
    expect(acks[3]).toMatchObject({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/status changes a second/) } });
    await watcher.waitForCount(3);
    expect(watcher.summary()).toEqual(['toggler online online', 'toggler offline explicit', 'toggler online online']);
    // Heartbeats are not status events: the user stays online by them. A second later, one status event passes.
    expect(await request(toggler, 'userHeartbeat', {})).toMatchObject({ ok: true });
    expect(toggler.connected).toBe(true);
    clock.advance(1_000);
    expect(await request(toggler, 'userOffline', {})).toMatchObject({ ok: true });
  });

  it('refuses connections over PRESENCE_MAX_CONNECTIONS_PER_ADDRESS', async () => {
    app = await buildTestApp({ PRESENCE_MAX_CONNECTIONS_PER_ADDRESS: '2' });
    await connect(app.url);
    await connect(app.url);
    expect((await refusedConnection(app.url)).message).toBe('too many connections');
  });

  it('counts connections per address by the proxy’s X-Forwarded-For with TRUST_PROXY', async () => {
    app = await buildTestApp({ PRESENCE_MAX_CONNECTIONS_PER_ADDRESS: '1', TRUST_PROXY: 'true' });
    const behind = (client: string) => ({ extraHeaders: { 'X-Forwarded-For': client } });
    await connect(app.url, behind('203.0.113.1'));
    await connect(app.url, behind('203.0.113.2'));
    expect((await refusedConnection(app.url, behind('forged, 203.0.113.1'))).message).toBe('too many connections');
  });

  it('drops a transport that never completes the Socket.IO handshake', async () => {
    app = await buildTestApp({ PRESENCE_HANDSHAKE_TIMEOUT_MS: '200' });
    const raw = new WebSocket(`ws://127.0.0.1:${app.port}/socket.io/?EIO=4&transport=websocket`);
    const opened = Date.now();
    const closed = await new Promise<number>((resolve) => raw.on('close', () => resolve(Date.now() - opened)));
    expect(closed).toBeGreaterThanOrEqual(150);
    expect(closed).toBeLessThan(5_000);
  });
});

describe('tokens over time', () => {
  let app: TestApp;

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('tells a connection its token expired, closes it, and ends the user’s presence by the normal rules', async () => {
    // The service's clock is a fake one: the token expires when the test says so, not when a second boundary falls.
    const clock = new FakeClock();
    app = await buildTestApp({ JWT_ACCESS_SECRET: TEST_SECRET, PRESENCE_DISCONNECT_GRACE_MS: '100', PRESENCE_TTL_MS: '60000' }, { clock });
    const exp = Math.floor(clock.now() / 1000) + 1;
    const observer = new StatusLog(await connect(app.url, { auth: { token: signToken({ sub: 'observer' }) } }));
    const shortLived = await connect(app.url, { auth: { token: signToken({ sub: 'alice', exp }) } });
    const told = nextEvent(shortLived, 'presenceError');
    const closed = nextEvent(shortLived, 'disconnect');
    expect(await request(shortLived, 'userOnline', {})).toMatchObject({ ok: true });
    expect(shortLived.connected).toBe(true);
    clock.advance(1_000);
    expect(await told).toEqual({ event: 'connection', code: 'UNAUTHORIZED', message: 'the access token expired' });
    expect(await closed).toBe('io server disconnect');
    await observer.waitForCount(1);
    // The grace starts when the service has handled the close, which may come after the client saw it.
    const store = app.app.container.get(TOKENS.PresenceStore);
    await waitUntil(async () => (await store.find('alice'))?.connections.every((c) => c.dropped));
    clock.advance(100);
    await observer.waitForCount(2);
    expect(observer.summary()).toEqual(['alice online online', 'alice offline disconnect']);
  });
});
