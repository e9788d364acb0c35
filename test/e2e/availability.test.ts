import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { get } from '../support/http-client';
import { sample, sumOf } from '../support/metrics-text';
import { promtoolCheckMetrics } from '../support/promtool';
import { PresenceLog } from '../support/presence-log';
import { PresenceMirror } from '../support/presence-mirror';
import { closeAllSockets, connect, nextEvent, request as emit, StatusLog, type TestSocket } from '../support/socket-client';
import { signToken, TEST_SECRET } from '../support/tokens';

/** CONTRACT §8 over real Socket.IO connections. */
describe('availability and activity (§8)', () => {
  let app: TestApp;

  const start = async (env: Record<string, string> = {}) => {
    app = await buildTestApp({ PRESENCE_DIFF_INTERVAL_MS: '40', PRESENCE_TTL_MS: '60000', PRESENCE_STATUS_RATE: '1000', ...env });
  };
  const online = async (userId: string | number, options: Record<string, unknown> = {}): Promise<TestSocket> => {
    const socket = await connect(app.url, options);
    expect((await emit(socket, 'userOnline', { userId })).ok).toBe(true);
    return socket;
  };
  const watcher = async (): Promise<PresenceLog> => new PresenceLog(await connect(app.url));

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('sets a chosen availability and text, acked with the result, told to every §1 client in order after its online, each with a seq', async () => {
    await start({ PRESENCE_IDLE_MS: '120000' });
    const log = await watcher();
    const agent = await connect(app.url);
    // userOnline's ack tells what the user is shown as, and the service's idle time, which clients keep to.
    expect(await emit(agent, 'userOnline', { userId: 'agent' })).toEqual({
      ok: true,
      userId: 'agent',
      status: 'online',
      availability: 'available',
      statusText: null,
      onlineSince: expect.any(String),
      idleMs: 120_000,
    });
    const own = new PresenceLog(agent);
    expect(await emit(agent, 'userStatusSet', { userId: 'agent', availability: 'busy', statusText: 'on a call' })).toEqual({
      ok: true,
      userId: 'agent',
      availability: 'busy',
      statusText: 'on a call',
    });
    await log.waitForTail('agent', ['busy set']);
    await own.waitForTail('agent', ['busy set']);
    expect(log.of('agent')).toEqual(['online online', 'busy set']);
    const [change] = log.availabilityChanges('agent');
    expect(change).toEqual({ event: 'availability', userId: 'agent', availability: 'busy', statusText: 'on a call', lastActive: null, reason: 'set', seq: expect.any(Number) });
    expect(await emit(agent, 'userStatusSet', { userId: 'agent', statusText: null })).toMatchObject({ availability: 'busy', statusText: null });
    expect(await emit(agent, 'userStatusSet', { userId: 'agent', availability: 'available' })).toMatchObject({ availability: 'available', statusText: null });
    await log.waitForTail('agent', ['busy set', 'available set']);
    const seqs = log.availabilityChanges('agent').map((c) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(3);
    // Lists carry it too.
    const listed = (await emit(agent, 'getOnlineUsers')) as { users: Array<Record<string, unknown>> };
    expect(listed.users).toEqual([
      expect.objectContaining({ userId: 'agent', availability: 'available', statusText: null, lastActive: null, onlineSince: expect.any(String) }),
    ]);
  });

  it('refuses bad payloads and a connection that is not online with a clear error, and changes nothing', async () => {
    await start();
    const log = await watcher();
    const bystander = await connect(app.url);
    expect(await emit(bystander, 'userStatusSet', { userId: 'x', availability: 'busy' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PAYLOAD', message: expect.stringContaining('not online') },
    });
    const agent = await online('agent');
    const refusals: Array<[unknown, string]> = [
      [{ availability: 'sleeping' }, 'availability'],
      [{ availability: 7 }, 'availability'],
      [{ statusText: 'x'.repeat(141) }, 'statusText'],
      [{ statusText: '\ud800' }, 'statusText'],
      [{ statusText: 5 }, 'statusText'],
      ['busy', 'object'],
      [{ userId: 'someone-else', availability: 'busy' }, 'not online'],
    ];
    for (const [payload, named] of refusals) {
      const ack = await emit(agent, 'userStatusSet', payload);
      expect(ack).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringContaining(named) } });
    }
    for (const payload of [{}, { idle: 'yes' }, { idle: true, userId: 'someone-else' }, null]) {
      expect(await emit(agent, 'userActivity', payload)).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    }
    // 140 code points of 2 UTF-16 units each are 140, not 280.
    expect(await emit(agent, 'userStatusSet', { userId: 'agent', statusText: '😀'.repeat(140) })).toMatchObject({ ok: true });
    await log.waitForTail('agent', ['available set']);
    expect(log.of('agent')).toEqual(['online online', 'available set']);
    expect(log.of('x')).toEqual([]);
  });

  it('refuses a status for another user than the token’s, FORBIDDEN', async () => {
    await start({ JWT_ACCESS_SECRET: TEST_SECRET });
    const agent = await online('agent', { auth: { token: signToken({ sub: 'agent' }) } });
    expect(await emit(agent, 'userStatusSet', { userId: 'boss', availability: 'busy' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await emit(agent, 'userActivity', { userId: 'boss', idle: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await emit(agent, 'userStatusSet', { availability: 'away' })).toMatchObject({ ok: true, userId: 'agent', availability: 'away' });
  });

  it('is away when every tab is idle, available while one is active: two tabs, one idle', async () => {
    await start();
    const log = await watcher();
    const tab1 = await online('u');
    const tab2 = await online('u');
    expect(await emit(tab1, 'userActivity', { userId: 'u', idle: true })).toEqual({ ok: true, userId: 'u' });
    expect(await emit(tab2, 'userActivity', { userId: 'u', idle: false })).toEqual({ ok: true, userId: 'u' });
    await emit(tab2, 'userActivity', { userId: 'u', idle: true });
    await log.waitForTail('u', ['away idle']);
    await emit(tab1, 'userActivity', { userId: 'u', idle: false });
    await log.waitForTail('u', ['away idle', 'available active']);
    expect(log.of('u')).toEqual(['online online', 'away idle', 'available active']);
    expect(log.availabilityChanges('u')[1]?.lastActive).toEqual(expect.any(String));
  });

  it('counts a tab that reported activity and then nothing for PRESENCE_IDLE_MS as idle, heartbeats or not; an old client’s never', async () => {
    await start({ PRESENCE_IDLE_MS: '300' });
    const log = await watcher();
    const tracked = await online('tracked');
    await online('old-client');
    await emit(tracked, 'userActivity', { userId: 'tracked', idle: false });
    const heartbeats = setInterval(() => void emit(tracked, 'userHeartbeat', { userId: 'tracked' }).catch(() => undefined), 50);
    try {
      await log.waitForTail('tracked', ['away idle']);
    } finally {
      clearInterval(heartbeats);
    }
    await emit(tracked, 'userActivity', { userId: 'tracked', idle: false });
    await log.waitForTail('tracked', ['away idle', 'available active']);
    // The old client's user was never told anything but its online, however long it took.
    expect(log.of('old-client')).toEqual(['online online']);
    const rest = await request(app.url).get('/presence/old-client');
    expect(rest.body).toMatchObject({ availability: 'available' });
  });

  it('brings an expired connection back as it last reported itself, and acks the heartbeat that did it as revived', async () => {
    await start({ PRESENCE_TTL_MS: '300' });
    const log = await watcher();
    const tab = await online('sleeper');
    await emit(tab, 'userActivity', { userId: 'sleeper', idle: true });
    await log.waitForTail('sleeper', ['away idle']);
    await log.waitForTail('sleeper', ['offline expired']);
    expect(await emit(tab, 'userHeartbeat', { userId: 'sleeper' })).toEqual({ ok: true, userId: 'sleeper', revived: true });
    expect(await emit(tab, 'userHeartbeat', { userId: 'sleeper' })).toEqual({ ok: true, userId: 'sleeper' });
    expect((await request(app.url).get('/presence/sleeper')).body).toMatchObject({ status: 'online', availability: 'away' });
  });

  it('charges going idle again to the status allowance, not a connection’s first report', async () => {
    await start({ PRESENCE_STATUS_RATE: '1', PRESENCE_MAX_CONNECTIONS_PER_USER: '2' });
    const tabs = [await online('tabs'), await online('tabs')];
    for (const tab of tabs) expect(await emit(tab, 'userActivity', { userId: 'tabs', idle: true })).toMatchObject({ ok: true });
    const [first] = tabs as [TestSocket, TestSocket];
    await emit(first, 'userActivity', { userId: 'tabs', idle: false });
    expect(await emit(first, 'userActivity', { userId: 'tabs', idle: true })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });

  it('keeps a chosen status over a reconnect within the grace, and ends it with the user’s presence', async () => {
    await start({ PRESENCE_DISCONNECT_GRACE_MS: '2000' });
    const log = await watcher();
    const first = await online('u');
    await emit(first, 'userStatusSet', { userId: 'u', availability: 'busy' });
    first.disconnect();
    const second = await online('u');
    expect(await emit(second, 'userStatusSet', { userId: 'u' })).toMatchObject({ availability: 'busy' });
    await emit(second, 'userOffline', { userId: 'u' });
    await emit(second, 'userOnline', { userId: 'u' });
    expect(await emit(second, 'userStatusSet', { userId: 'u' })).toMatchObject({ availability: 'available' });
    await log.waitForTail('u', ['online online', 'busy set', 'offline explicit', 'online online']);
  });

  it('never tells an availability change after the offline it raced with, nor before its online', async () => {
    await start({ PRESENCE_DISCONNECT_GRACE_MS: '0' });
    const log = await watcher();
    for (let i = 0; i < 20; i++) {
      const socket = await connect(app.url);
      const userId = `racer-${i}`;
      await emit(socket, 'userOnline', { userId });
      socket.emit('userStatusSet', { userId, availability: 'busy' });
      socket.emit('userActivity', { userId, idle: true });
      socket.disconnect();
    }
    await log.waitFor((l) => Array.from({ length: 20 }, (_, i) => l.of(`racer-${i}`)).every((events) => events.at(-1)?.startsWith('offline') === true));
    for (let i = 0; i < 20; i++) {
      const events = log.of(`racer-${i}`);
      expect(events[0]).toBe('online online');
      expect(events.filter((e) => e.startsWith('offline'))).toEqual([events.at(-1)]);
    }
  });

  it('gives §7 subscribers availability in states and joins, updates netted over the window, and updates on resume', async () => {
    await start({ PRESENCE_DIFF_INTERVAL_MS: '60' });
    const agent = await online('agent');
    await emit(agent, 'userStatusSet', { userId: 'agent', availability: 'busy', statusText: 'call' });
    const client = await connect(app.url);
    const mirror = new PresenceMirror(client);
    const diffs: Array<Record<string, unknown[]>> = [];
    client.on('presenceDiff', (diff) => diffs.push(diff as unknown as Record<string, unknown[]>));
    const { seq } = await emit(client, 'presenceSubscribe', {});
    expect(mirror.users.get('agent')).toMatchObject({ availability: 'busy', statusText: 'call', onlineSince: expect.any(String) });
    // Away and back within one window: nothing; a text change: one update.
    await emit(agent, 'userActivity', { userId: 'agent', idle: true });
    await emit(agent, 'userStatusSet', { userId: 'agent', availability: 'available' });
    await emit(agent, 'userActivity', { userId: 'agent', idle: false });
    await emit(agent, 'userStatusSet', { userId: 'agent', availability: 'busy', statusText: 'meeting' });
    await mirror.waitFor(() => mirror.users.get('agent')?.statusText === 'meeting');
    expect(diffs.flatMap((d) => d['updates'] ?? []).map((u) => (u as { statusText: string }).statusText)).toEqual(['meeting']);
    // Idle, then offline, in one window: a leave only.
    const before = diffs.length;
    await emit(agent, 'userActivity', { userId: 'agent', idle: true });
    await emit(agent, 'userStatusSet', { userId: 'agent', availability: 'available' });
    await emit(agent, 'userOffline', { userId: 'agent' });
    await mirror.waitFor(() => !mirror.users.has('agent'));
    expect(diffs.slice(before).flatMap((d) => d['updates'] ?? [])).toEqual([]);
    expect(mirror.problems).toEqual([]);
    // A resume from the first state's seq gets what it missed as one diff: a leave, not an update.
    const resumed = await connect(app.url);
    const replay = nextEvent<Record<string, unknown[]>>(resumed, 'presenceDiff');
    await emit(resumed, 'presenceSubscribe', { since: seq });
    const missed = await replay;
    expect(missed['leaves']).toEqual([expect.objectContaining({ userId: 'agent' })]);
    expect(missed['updates']).toEqual([]);
  });

  it('resumes with updates a subscriber missed while away', async () => {
    await start();
    const agent = await online('agent');
    const client = await connect(app.url);
    const { seq } = await emit(client, 'presenceSubscribe', {});
    client.disconnect();
    await emit(agent, 'userStatusSet', { userId: 'agent', availability: 'away', statusText: 'back soon' });
    const resumed = await connect(app.url);
    const replay = nextEvent<Record<string, unknown[]>>(resumed, 'presenceDiff');
    await emit(resumed, 'presenceSubscribe', { since: seq });
    expect(await replay).toMatchObject({ joins: [], leaves: [], updates: [expect.objectContaining({ userId: 'agent', availability: 'away', statusText: 'back soon' })] });
  });

  it('answers REST with every user’s availability, and filters by it (repeatable, with types), as openapi.yaml says', async () => {
    await start();
    const busy = await online('busy-agent', {});
    await emit(busy, 'userOnline', { userId: 'busy-agent', userType: 'agent' });
    await emit(busy, 'userStatusSet', { userId: 'busy-agent', availability: 'busy', statusText: 'call' });
    const idle = await online('idle-client');
    await emit(idle, 'userActivity', { userId: 'idle-client', idle: true });
    const agent = await online('free-agent');
    await emit(agent, 'userOnline', { userId: 'free-agent', userType: 'agent' });
    const gone = await online('gone');
    await emit(gone, 'userActivity', { userId: 'gone', idle: false });
    await emit(gone, 'userOffline', { userId: 'gone' });
    const ids = async (query: string): Promise<unknown[]> => {
      const res = await get(app.url, '/presence', `/presence?${query}`);
      expect(res.status).toBe(200);
      return (res.body as { users: Array<{ userId: unknown }> }).users.map((u) => u.userId);
    };
    expect(await ids('availability=busy')).toEqual(['busy-agent']);
    expect(await ids('availability=away&availability=busy')).toEqual(['busy-agent', 'idle-client']);
    expect(await ids('availability=available&userType=agent')).toEqual(['free-agent']);
      // Named users: an offline one has no availability, and is left out by the filter.
    expect(await ids('userId=gone&userId=busy-agent&availability=busy')).toEqual(['busy-agent']);
    const offline = await get(app.url, '/presence/{userId}', '/presence/gone');
    expect(offline.body).toMatchObject({ status: 'offline', availability: null, statusText: null, onlineSince: null });
    const online_ = await get(app.url, '/presence/{userId}', '/presence/busy-agent');
    expect(online_.body).toMatchObject({ availability: 'busy', statusText: 'call', onlineSince: expect.any(String) });
    // Paging with the filter counts the whole filter and goes on from the cursor.
    const first = await get(app.url, '/presence', '/presence?availability=available&availability=away&limit=1');
    expect(first.body).toMatchObject({ total: 2, users: [{ userId: 'free-agent' }], nextCursor: expect.any(String) });
    const second = await get(app.url, '/presence', `/presence?availability=available&availability=away&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ total: 2, users: [{ userId: 'idle-client' }], nextCursor: null });
    for (const bad of ['availability=sleeping', 'availability=', 'availability=BUSY', 'availability=busy&availability=busy&availability=busy&availability=busy']) {
      const res = await get(app.url, '/presence', `/presence?${bad}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'INVALID_REQUEST', message: expect.stringContaining('availability') } });
    }
  });

  it('counts users by availability and changes by availability and reason, in metrics promtool accepts', async () => {
    await start();
    const busy = await online('busy-one');
    const idle = await online('idle-one');
    await online('plain');
    await emit(busy, 'userStatusSet', { userId: 'busy-one', availability: 'busy' });
    await emit(idle, 'userActivity', { userId: 'idle-one', idle: true });
    await emit(idle, 'userActivity', { userId: 'idle-one', idle: false });
    await emit(idle, 'userActivity', { userId: 'idle-one', idle: true });
    const text = (await request(app.url).get('/metrics')).text;
    expect(sample(text, 'presence_users{availability="available"}')).toBe(1);
    expect(sample(text, 'presence_users{availability="away"}')).toBe(1);
    expect(sample(text, 'presence_users{availability="busy"}')).toBe(1);
    expect(sample(text, 'presence_availability_changes_total{availability="busy",reason="set"}')).toBe(1);
    expect(sample(text, 'presence_availability_changes_total{availability="away",reason="idle"}')).toBe(2);
    expect(sample(text, 'presence_availability_changes_total{availability="available",reason="active"}')).toBe(1);
    // Not status changes: those count online and offline only.
    expect(sumOf(text, 'presence_status_changes_total')).toBe(3);
    expect(sample(text, 'presence_events_total{event="userStatusSet",result="ok"}')).toBe(1);
    expect(await promtoolCheckMetrics(text)).toEqual({ exitCode: 0, output: '' });
  });

  it('leaves old clients with only §1 listeners as they were: the same userStatusChanged, and their users available', async () => {
    await start();
    const oldClient = await connect(app.url);
    const old = new StatusLog(oldClient);
    await emit(oldClient, 'userOnline', { userId: 'legacy' });
    const agent = await online('agent');
    await emit(agent, 'userStatusSet', { userId: 'agent', availability: 'busy' });
    await emit(agent, 'userOffline', { userId: 'agent' });
    await old.waitFor((changes) => changes.some((c) => c.userId === 'agent' && c.status === 'offline'));
    expect(old.summary()).toEqual(['legacy online online', 'agent online online', 'agent offline explicit']);
    expect((await request(app.url).get('/presence/legacy')).body).toMatchObject({ status: 'online', availability: 'available' });
  });
});
