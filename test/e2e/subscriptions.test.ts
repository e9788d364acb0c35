import type { PresenceDiffPayload, PresenceStatePayload } from '../../src/protocol/socket-events';
import request from 'supertest';
import { TOKENS } from '../../src/tokens';
import { buildTestApp, type TestApp } from '../support/build-test-app';
import { PresenceMirror } from '../support/presence-mirror';
import { wireOffline, wireOnline } from '../support/presence-values';
import { waitUntil } from '../support/wait-until';
import { closeAllSockets, connect, nextEvent, request as emit, StatusLog, type TestSocket } from '../support/socket-client';

describe('scoped subscriptions and batched diffs (§7)', () => {
  let app: TestApp;

  const start = async (env: Record<string, string> = {}) => {
    app = await buildTestApp({ PRESENCE_DIFF_INTERVAL_MS: '40', PRESENCE_TTL_MS: '60000', PRESENCE_DISCONNECT_GRACE_MS: '0', ...env });
  };
  const online = async (userId: string | number, userType?: string): Promise<TestSocket> => {
    const socket = await connect(app.url);
    await emit(socket, 'userOnline', { userId, userType });
    return socket;
  };

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  it('answers a subscribe with the whole scope as a state, then diffs, and no more userStatusChanged', async () => {
    await start();
    await online('a', 'agent');
    const client = await connect(app.url);
    const mirror = new PresenceMirror(client);
    const legacy = new StatusLog(client);
    const state = nextEvent<{ seq: number; users: unknown[] }>(client, 'presenceState');
    const ack = await emit(client, 'presenceSubscribe', {});
    expect(ack).toEqual({ ok: true, seq: expect.any(Number) });
    expect((await state).seq).toBe(ack.seq);
    expect(mirror.online()).toEqual(['a']);
    const a = mirror.users.get('a');
    expect(a).toEqual({ ...wireOnline('a', a?.lastSeen ?? '', 'agent'), onlineSince: expect.any(String) });

    const b = await online('b');
    await mirror.waitFor(() => mirror.online().includes('b'));
    await emit(b, 'userOffline', { userId: 'b' });
    await mirror.waitFor(() => !mirror.online().includes('b'));
    expect(legacy.changes).toEqual([]);
    expect(mirror.problems).toEqual([]);
  });

  it('filters by ids and by types, and lists the named users that are offline with their lastSeen', async () => {
    await start();
    const gone = await online(42);
    await emit(gone, 'userOffline', { userId: 42 });
    await online('agent-1', 'agent');
    await online('client-1', 'client');
    const client = await connect(app.url);
    const mirror = new PresenceMirror(client);
    await emit(client, 'presenceSubscribe', { userIds: [42, 'never-seen', 'late'], userTypes: ['agent'] });
    expect([...mirror.users.values()].map((u) => [u.userId, u.status]).sort()).toEqual([
      [42, 'offline'],
      ['agent-1', 'online'],
    ]);
    await online('client-2', 'client');
    await online('agent-2', 'agent');
    await online('late');
    await mirror.waitFor(() => mirror.online().length === 3);
    expect(mirror.online()).toEqual(['agent-1', 'agent-2', 'late']);
  });

  it('sends nothing for a user who went and came back inside one window, and sends a change that crosses windows', async () => {
    await start({ PRESENCE_DIFF_INTERVAL_MS: '400' });
    const flapper = await online('flapper');
    const client = await connect(app.url);
    const mirror = new PresenceMirror(client);
    const diffs: PresenceDiffPayload[] = [];
    client.on('presenceDiff', (d) => diffs.push(d));
    await emit(client, 'presenceSubscribe', {});
    await emit(flapper, 'userOffline', { userId: 'flapper' });
    await emit(flapper, 'userOnline', { userId: 'flapper' });
    await online('marker');
    await mirror.waitFor(() => mirror.online().includes('marker'));
    expect(diffs.flatMap((d) => [...d.joins, ...d.leaves]).map((u) => u.userId)).toEqual(['marker']);

    await emit(flapper, 'userOffline', { userId: 'flapper' });
    await mirror.waitFor(() => !mirror.online().includes('flapper'));
    expect(diffs.at(-1)?.leaves.map((l) => l.userId)).toEqual(['flapper']);
  });

  it('goes back to userStatusChanged on presenceUnsubscribe', async () => {
    await start();
    const client = await connect(app.url);
    await emit(client, 'presenceSubscribe', { userIds: [] });
    expect(await emit(client, 'presenceUnsubscribe')).toEqual({ ok: true });
    const log = new StatusLog(client);
    await online('u');
    await log.waitForCount(1);
    expect(log.summary()).toEqual(['u online online']);
  });

  it('keeps a mixed population consistent: every §7 mirror equals GET /presence and every §1 client saw the same transitions', async () => {
    await start();
    const legacy = new StatusLog(await connect(app.url));
    const mirrors = await Promise.all(
      [{}, { userTypes: ['agent'] }, { userIds: ['u1', 'u3', 'u5'] }].map(async (scope) => {
        const socket = await connect(app.url);
        const mirror = new PresenceMirror(socket);
        await emit(socket, 'presenceSubscribe', scope);
        return { scope, mirror };
      }),
    );
    const sockets: TestSocket[] = [];
    for (let i = 0; i < 12; i++) sockets.push(await online(`u${i}`, i % 2 ? 'agent' : 'client'));
    for (let i = 0; i < 12; i += 3) await emit(sockets[i] as TestSocket, 'userOffline', { userId: `u${i}` });
    for (let i = 1; i < 12; i += 4) sockets[i]?.disconnect();

    const truth = async (query = '') =>
      (await request(app.url).get(`/presence${query}`)).body.users.map((u: { userId: string }) => String(u.userId)).sort();
    const all = await truth();
    const agents = await truth('?userType=agent');
    const listed = (await truth('?userId=u1&userId=u3&userId=u5')).filter((id: string) => all.includes(id));
    const [everyone, byType, byId] = mirrors.map((m) => m.mirror);
    await everyone?.waitFor(() => JSON.stringify(everyone.online()) === JSON.stringify(all));
    await byType?.waitFor(() => JSON.stringify(byType.online()) === JSON.stringify(agents));
    await byId?.waitFor(() => JSON.stringify(byId.online()) === JSON.stringify(listed));
    for (const { mirror } of mirrors) expect(mirror.problems).toEqual([]);
    // u9 had already gone offline before its socket dropped: 12 onlines, 4 explicit offlines, 2 disconnects.
    await legacy.waitFor((cs) => cs.length === 12 + 4 + 2);
    const legacyOnline = new Set<string>();
    for (const c of legacy.changes) {
      if (c.status === 'online') legacyOnline.add(String(c.userId));
      else legacyOnline.delete(String(c.userId));
    }
    expect([...legacyOnline].sort()).toEqual(all);
  });

  it('resumes a client that missed transitions with one diff from since, and ends with the right view', async () => {
    await start();
    const stays = await online('stays');
    const leaves = await online('leaves');
    const watcherSocket = await connect(app.url);
    const watcher = new PresenceMirror(watcherSocket);
    await emit(watcherSocket, 'presenceSubscribe', {});
    let client = await connect(app.url);
    let mirror = new PresenceMirror(client);
    const { seq } = await emit(client, 'presenceSubscribe', {});
    const before = new Map(mirror.users);
    client.disconnect();

    await emit(leaves, 'userOffline', { userId: 'leaves' });
    await online('arrives');
    void stays;

    client = await connect(app.url);
    const resumed = new PresenceMirror(client);
    for (const [id, user] of before) resumed.users.set(id, user);
    resumed.seq = seq;
    const diff = nextEvent<{ seq: number; joins: Array<{ userId: string }>; leaves: Array<{ userId: string }> }>(client, 'presenceDiff');
    // The node's snapshot has the missed transitions once a subscriber has been sent them.
    await watcher.waitFor(() => JSON.stringify(watcher.online()) === JSON.stringify(['arrives', 'stays']));
    const ack = await emit(client, 'presenceSubscribe', { since: seq });
    const replay = await diff;
    expect(ack.seq).toBe(replay.seq);
    expect(replay.joins.map((j) => j.userId)).toEqual(['arrives']);
    expect(replay.leaves.map((l) => l.userId)).toEqual(['leaves']);
    expect(resumed.online()).toEqual(['arrives', 'stays']);
    expect(resumed.states).toBe(0);
    mirror = resumed;
    expect(mirror.problems).toEqual([]);
  });

  it('resumes with the transitions not flushed yet in the one replayed diff, and never sends them again', async () => {
    await start({ PRESENCE_DIFF_INTERVAL_MS: '60000' });
    const hub = app.app.container.get(TOKENS.SubscriptionHub);
    await online('stays');
    const leaves = await online('leaves');
    let client = await connect(app.url);
    const first = new PresenceMirror(client);
    const subscribed = emit(client, 'presenceSubscribe', {});
    await waitUntil(async () => (await hub.flush(), first.states === 1));
    const { seq } = await subscribed;
    client.disconnect();

    await emit(leaves, 'userOffline', { userId: 'leaves' });
    await online('arrives');

    client = await connect(app.url);
    const diffs: PresenceDiffPayload[] = [];
    client.on('presenceDiff', (diff) => diffs.push(diff));
    const ack = await emit(client, 'presenceSubscribe', { since: seq });
    await waitUntil(async () => diffs.length === 1);
    expect(diffs[0]).toMatchObject({ seq: ack.seq, joins: [{ userId: 'arrives' }], leaves: [{ userId: 'leaves' }] });
    expect(ack.seq).toBe(seq + 2);

    await online('meanwhile');
    await hub.flush();
    await hub.flush();
    await online('after');
    await hub.flush();
    await waitUntil(async () => diffs.length >= 3);
    expect(diffs.slice(1)).toEqual([
      { seq: ack.seq + 1, joins: [expect.objectContaining({ userId: 'meanwhile' })], leaves: [], updates: [] },
      { seq: ack.seq + 2, joins: [expect.objectContaining({ userId: 'after' })], leaves: [], updates: [] },
    ]);
  });

  it('numbers above every seq issued before a restart, so a since from before one gets a fresh state', async () => {
    await start();
    await online('before');
    const first = await connect(app.url);
    const { seq } = await emit(first, 'presenceSubscribe', {});
    closeAllSockets();
    await app.stop();

    await start();
    for (const id of ['after-1', 'after-2', 'after-3']) await online(id);
    const late = await connect(app.url);
    const state = nextEvent<{ seq: number; users: Array<{ userId: string }> }>(late, 'presenceState');
    const ack = await emit(late, 'presenceSubscribe', { since: seq });
    expect(ack.seq).toBeGreaterThan(seq);
    expect(await state).toMatchObject({ seq: ack.seq });
    expect((await state).users.map((u) => u.userId).sort()).toEqual(['after-1', 'after-2', 'after-3']);
  });

  it('answers an empty diff when nothing was missed, and a fresh state when since is too old', async () => {
    await start({ PRESENCE_REPLAY_SIZE: '100' });
    const client = await connect(app.url);
    const watcher = new PresenceMirror(client);
    const { seq } = await emit(client, 'presenceSubscribe', {});
    const again = await connect(app.url);
    const emptyDiff = nextEvent<{ seq: number; joins: unknown[]; leaves: unknown[] }>(again, 'presenceDiff');
    expect(await emit(again, 'presenceSubscribe', { since: seq })).toEqual({ ok: true, seq });
    expect(await emptyDiff).toEqual({ seq, joins: [], leaves: [], updates: [] });

    for (let i = 0; i < 120; i++) {
      await app.service.goOnline({ connectionId: 'churn', nodeId: 'test', userId: 'churn' });
      await app.service.goOffline({ connectionId: 'churn', userId: 'churn' });
    }
    await app.service.goOnline({ connectionId: 'marker', nodeId: 'test', userId: 'marker' });
    await watcher.waitFor(() => watcher.online().includes('marker'));
    const late = await connect(app.url);
    const state = nextEvent<{ seq: number }>(late, 'presenceState');
    const ack = await emit(late, 'presenceSubscribe', { since: seq });
    expect((await state).seq).toBe(ack.seq);
    expect(ack.seq).toBe(seq + 241);
  });

  it.each([
    ['userIds that is not an array', { userIds: 'a' }],
    ['more than 10000 userIds', { userIds: Array.from({ length: 10_001 }, (_, i) => i) }],
    ['a bad user id', { userIds: [true] }],
    ['a negative since', { since: -1 }],
    ['a fractional since', { since: 1.5 }],
    ['a userType that is not a string', { userTypes: [3] }],
    ['a userType with a lone surrogate', { userTypes: ['agent\ud800'] }],
    ['a userId with a lone surrogate', { userIds: ['\udc00'] }],
  ])('refuses %s as INVALID_PAYLOAD and changes nothing', async (_what, payload) => {
    await start({ PRESENCE_MAX_MESSAGE_BYTES: '200000' });
    const client = await connect(app.url);
    const log = new StatusLog(client);
    expect(await emit(client, 'presenceSubscribe', payload)).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    await online('still-legacy');
    await log.waitForCount(1);
  });

  it('handles the disconnect of a connection whose subscribe was still waiting for its state', async () => {
    await start({ PRESENCE_DIFF_INTERVAL_MS: '200', PRESENCE_DISCONNECT_GRACE_MS: '50' });
    const observer = new StatusLog(await connect(app.url));
    const client = await connect(app.url);
    await emit(client, 'userOnline', { userId: 'impatient' });
    client.emit('presenceSubscribe', {});
    client.disconnect();
    await observer.waitFor((cs) => cs.some((c) => c.userId === 'impatient' && c.status === 'offline' && c.reason === 'disconnect'));
  });

  it('answers a subscribe whose offline users cannot be read with lastSeen null, and the connection keeps working', async () => {
    await start();
    const failing = app.app.container.get(TOKENS.LastSeenRepository);
    jest.spyOn(failing, 'findMany').mockRejectedValue(new Error('database down'));
    const client = await connect(app.url);
    const state = nextEvent<PresenceStatePayload>(client, 'presenceState');
    expect(await emit(client, 'presenceSubscribe', { userIds: ['someone'] })).toMatchObject({ ok: true });
    expect((await state).users).toEqual([wireOffline('someone', null)]);
    expect(await emit(client, 'userHeartbeat', { userId: 'me' })).toMatchObject({ ok: true });
  });

  it('does not hold the window or the connection for a hung database: others get their diffs, the state comes at the time limit', async () => {
    await start({ PERSIST_READ_TIMEOUT_MS: '2000', PRESENCE_DIFF_INTERVAL_MS: '50' });
    const hung = app.app.container.get(TOKENS.LastSeenRepository);
    jest.spyOn(hung, 'findMany').mockReturnValue(new Promise(() => undefined));
    const watcherSocket = await connect(app.url);
    const watcher = new PresenceMirror(watcherSocket);
    await emit(watcherSocket, 'presenceSubscribe', {});
    const client = await connect(app.url);
    const state = nextEvent<PresenceStatePayload>(client, 'presenceState');
    const subscribed = emit(client, 'presenceSubscribe', { userIds: ['someone', 'arrives'] });
    // The connection's next events do not wait behind the subscribe, and other subscribers' diffs go on.
    expect(await emit(client, 'userOnline', { userId: 'arrives' })).toMatchObject({ ok: true });
    await watcher.waitFor(() => watcher.online().includes('arrives'));
    let stateCame = false;
    void state.then(() => (stateCame = true));
    expect(stateCame).toBe(false);
    expect(await subscribed).toMatchObject({ ok: true });
    expect((await state).users).toContainEqual(wireOffline('someone', null));
    const metrics = await request(app.url).get('/metrics');
    expect(metrics.text).toMatch(/presence_persist_reads_total\{result="timeout"\} 1/);
  });

  it('resumes a subscription by type with the leaves of users of that type', async () => {
    await start();
    const agent = await online('x', 'agent');
    let client = await connect(app.url);
    const first = new PresenceMirror(client);
    const { seq } = await emit(client, 'presenceSubscribe', { userTypes: ['agent'] });
    expect(first.online()).toEqual(['x']);
    client.disconnect();
    const watcherSocket = await connect(app.url);
    const watcher = new PresenceMirror(watcherSocket);
    await emit(watcherSocket, 'presenceSubscribe', {});
    await emit(agent, 'userOffline', { userId: 'x' });
    await watcher.waitFor(() => !watcher.online().includes('x'));
    client = await connect(app.url);
    const replay = nextEvent<PresenceDiffPayload>(client, 'presenceDiff');
    await emit(client, 'presenceSubscribe', { userTypes: ['agent'], since: seq });
    expect((await replay).leaves.map((l) => l.userId)).toEqual(['x']);
  });
});
