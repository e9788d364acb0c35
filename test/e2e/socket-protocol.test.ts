import { buildTestApp, type TestApp } from '../support/build-test-app';
import { closeAllSockets, connect, nextEvent, request, StatusLog } from '../support/socket-client';

describe('socket protocol (open mode)', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '60000', PRESENCE_DISCONNECT_GRACE_MS: '150' });
  });

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('announces a user online to every client, the announcing one included, and acks', async () => {
    const alice = await connect(app.url);
    const observer = await connect(app.url);
    const aliceLog = new StatusLog(alice);
    const observerLog = new StatusLog(observer);

    const ack = await request(alice, 'userOnline', { userId: 7, userType: 'agent', userName: 'Alice' });

    expect(ack).toMatchObject({ ok: true, userId: 7, status: 'online' });
    const [change] = await observerLog.waitForCount(1);
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    expect(change).toEqual({
      userId: 7,
      status: 'online',
      lastSeen: expect.stringMatching(iso),
      reason: 'online',
      availability: 'available',
      statusText: null,
      onlineSince: change?.lastSeen,
    });
    await aliceLog.waitForCount(1);
  });

  it('lists online users with getOnlineUsers, by event and by ack', async () => {
    const alice = await connect(app.url);
    await request(alice, 'userOnline', { userId: 'a-1', userType: 'agent', userName: 'Alice' });
    const listed = nextEvent(alice, 'onlineUsersList');
    const ack = await request(alice, 'getOnlineUsers');
    const expected = [
      {
        userId: 'a-1',
        status: 'online',
        lastSeen: expect.any(String),
        userType: 'agent',
        userName: 'Alice',
        availability: 'available',
        statusText: null,
        lastActive: null,
        onlineSince: expect.any(String),
      },
    ];
    expect(ack).toEqual({ ok: true, users: expected });
    expect(await listed).toEqual(expected);
  });

  it('sends the list encoded once as the same JSON on long-polling, and to a client that asks at the same moment', async () => {
    const polling = await connect(app.url, { transports: ['polling'] });
    const other = await connect(app.url);
    await request(polling, 'userOnline', { userId: 'p-1', userName: 'quote " and \\u0000 in a name' });
    const [a, b] = await Promise.all([request(polling, 'getOnlineUsers'), request(other, 'getOnlineUsers')]);
    expect(a.users).toEqual([expect.objectContaining({ userId: 'p-1', userName: 'quote " and \\u0000 in a name' })]);
    expect(b).toEqual(a);
    // Closed here, while the test's environment still serves the polling transport's last requests.
    const closed = new Promise((resolve) => polling.io.engine.once('close', resolve));
    polling.disconnect();
    await closed;
  });
});

describe('socket presence rules over real connections', () => {
  let app: TestApp;

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('keeps a two-tab user online until its last tab goes, then announces offline once', async () => {
    app = await buildTestApp({ PRESENCE_DISCONNECT_GRACE_MS: '100' });
    const observer = new StatusLog(await connect(app.url));
    const tab1 = await connect(app.url);
    const tab2 = await connect(app.url);
    await request(tab1, 'userOnline', { userId: 'u' });
    await request(tab2, 'userOnline', { userId: 'u' });
    tab1.disconnect();
    await request(tab2, 'userHeartbeat', { userId: 'u' });
    await request(tab2, 'userOffline', { userId: 'u' });
    await observer.waitForCount(2);
    expect(observer.summary()).toEqual(['u online online', 'u offline explicit']);
  });

  it('ends presence on userOffline at once and keeps the socket connected', async () => {
    app = await buildTestApp({ PRESENCE_DISCONNECT_GRACE_MS: '60000' });
    const alice = await connect(app.url);
    const log = new StatusLog(alice);
    await request(alice, 'userOnline', { userId: 'alice' });
    expect(await request(alice, 'userOffline', { userId: 'alice' })).toEqual({ ok: true, userId: 'alice', status: 'offline' });
    await log.waitForCount(2);
    expect(log.summary()).toEqual(['alice online online', 'alice offline explicit']);
    expect(alice.connected).toBe(true);
    expect(await request(alice, 'getOnlineUsers')).toEqual({ ok: true, users: [] });
  });

  it('announces offline with reason disconnect only after the grace', async () => {
    app = await buildTestApp({ PRESENCE_DISCONNECT_GRACE_MS: '200' });
    const observer = new StatusLog(await connect(app.url));
    const alice = await connect(app.url);
    await request(alice, 'userOnline', { userId: 'alice' });
    await observer.waitForCount(1);
    const droppedAt = Date.now();
    alice.disconnect();
    const [, offline] = await observer.waitForCount(2);
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(150);
    expect(offline).toMatchObject({ userId: 'alice', status: 'offline', reason: 'disconnect' });
  });

  it('sends no offline when the user reconnects within the grace', async () => {
    // A grace a loaded CI machine's reconnect fits in: the test waits it out once, by the marker's offline.
    app = await buildTestApp({ PRESENCE_DISCONNECT_GRACE_MS: '1500', PRESENCE_TTL_MS: '60000' });
    const observer = new StatusLog(await connect(app.url));
    const before = await connect(app.url);
    await request(before, 'userOnline', { userId: 'alice' });
    before.disconnect();
    const after = await connect(app.url);
    await request(after, 'userOnline', { userId: 'alice' });
    // Wait out the grace by an event, not a sleep: a marker user dropped later goes offline after alice would have.
    const marker = await connect(app.url);
    await request(marker, 'userOnline', { userId: 'marker' });
    marker.disconnect();
    await observer.waitFor((changes) => changes.some((c) => c.userId === 'marker' && c.status === 'offline'));
    expect(observer.summary().filter((s) => s.startsWith('alice'))).toEqual(['alice online online']);
  });

  it('goes offline at once on disconnect when the grace is zero', async () => {
    app = await buildTestApp({ PRESENCE_DISCONNECT_GRACE_MS: '0' });
    const observer = new StatusLog(await connect(app.url));
    const alice = await connect(app.url);
    await request(alice, 'userOnline', { userId: 'alice' });
    alice.disconnect();
    await observer.waitForCount(2);
    expect(observer.summary()).toEqual(['alice online online', 'alice offline disconnect']);
  });

  it('expires a connection that stops heartbeating, and a later heartbeat brings it back', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '300', PRESENCE_SWEEP_INTERVAL_MS: '20' });
    const alice = await connect(app.url);
    const log = new StatusLog(alice);
    await request(alice, 'userOnline', { userId: 'alice', userType: 'agent' });
    const [online, expired] = await log.waitForCount(2);
    expect(expired).toMatchObject({ userId: 'alice', status: 'offline', reason: 'expired', lastSeen: online?.lastSeen });
    const offlineFor = Date.parse(expired?.lastSeen ?? '') ;
    expect(offlineFor).toBe(Date.parse(online?.lastSeen ?? ''));
    expect(alice.connected).toBe(true);
    await request(alice, 'userHeartbeat', { userId: 'alice' });
    await log.waitForCount(3);
    expect(log.summary()).toEqual(['alice online online', 'alice offline expired', 'alice online online']);
    expect(await request(alice, 'getOnlineUsers')).toMatchObject({ users: [{ userId: 'alice', userType: 'agent' }] });
  });

  it('keeps a heartbeating connection online past the TTL, without broadcasting the heartbeats', async () => {
    app = await buildTestApp({ PRESENCE_TTL_MS: '300', PRESENCE_SWEEP_INTERVAL_MS: '20' });
    const observer = new StatusLog(await connect(app.url));
    const alice = await connect(app.url);
    const bob = await connect(app.url);
    await request(alice, 'userOnline', { userId: 'alice' });
    await request(bob, 'userOnline', { userId: 'bob' });
    // Bob stops heartbeating; alice goes on. Bob's expiry marks that more than a TTL has passed.
    const beating = setInterval(() => alice.emit('userHeartbeat', { userId: 'alice' }), 100);
    try {
      await observer.waitFor((changes) => changes.some((c) => c.userId === 'bob' && c.status === 'offline'));
    } finally {
      clearInterval(beating);
    }
    expect(observer.summary()).toEqual(['alice online online', 'bob online online', 'bob offline expired']);
  });

  it('broadcasts heartbeats when PRESENCE_BROADCAST_HEARTBEATS is on', async () => {
    app = await buildTestApp({ PRESENCE_BROADCAST_HEARTBEATS: 'true', PRESENCE_TTL_MS: '60000' });
    const observer = new StatusLog(await connect(app.url));
    const alice = await connect(app.url);
    await request(alice, 'userHeartbeat', { userId: 'alice' });
    await request(alice, 'userHeartbeat', { userId: 'alice' });
    await observer.waitForCount(2);
    expect(observer.summary()).toEqual(['alice online online', 'alice online heartbeat']);
  });

  it('shows a third client every transition of a user in order, alternating', async () => {
    app = await buildTestApp({ PRESENCE_DISCONNECT_GRACE_MS: '0' });
    const observer = new StatusLog(await connect(app.url));
    for (let round = 0; round < 5; round++) {
      const tab = await connect(app.url);
      await request(tab, 'userOnline', { userId: 42 });
      if (round % 2 === 0) await request(tab, 'userOffline', { userId: 42 });
      else tab.disconnect();
    }
    await observer.waitForCount(10);
    expect(observer.changes.map((c) => c.status)).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'online' : 'offline')));
    expect(observer.changes.every((c) => c.userId === 42)).toBe(true);
  });

  it('treats 7 and "7" as one user and speaks of it in the type it was announced with', async () => {
    app = await buildTestApp();
    const observer = new StatusLog(await connect(app.url));
    const numeric = await connect(app.url);
    const text = await connect(app.url);
    await request(numeric, 'userOnline', { userId: 7 });
    await request(text, 'userOnline', { userId: '7' });
    await request(numeric, 'userOffline', { userId: 7 });
    await request(text, 'userOffline', { userId: '7' });
    await observer.waitForCount(2);
    expect(observer.changes.map((c) => [c.userId, c.status])).toEqual([
      [7, 'online'],
      ['7', 'offline'],
    ]);
  });

  it('moves an unauthenticated connection to the user it announces next', async () => {
    app = await buildTestApp();
    const observer = new StatusLog(await connect(app.url));
    const shared = await connect(app.url);
    await request(shared, 'userOnline', { userId: 'first' });
    await request(shared, 'userOnline', { userId: 'second' });
    await observer.waitForCount(3);
    expect(observer.summary()).toEqual(['first online online', 'first offline explicit', 'second online online']);
  });
});
