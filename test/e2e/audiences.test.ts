import { buildTestApp, type TestApp } from '../support/build-test-app';
import { get } from '../support/http-client';
import { PresenceMirror } from '../support/presence-mirror';
import { closeAllSockets, connect, request as emit, StatusLog, type TestSocket } from '../support/socket-client';
import { signToken, TEST_SECRET } from '../support/tokens';

/** A helpdesk (CONTRACT §9): clients see agents, agents see everyone. */
const HELPDESK = { JWT_ACCESS_SECRET: TEST_SECRET, PRESENCE_VISIBILITY: 'client:agent;agent:*', PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30' };

describe('audiences: visibility by type (§9)', () => {
  let app: TestApp;

  const tokenOf = (userId: string, userType?: string, scope?: string) =>
    signToken({ sub: userId, ...(userType === undefined ? {} : { user_type: userType }), ...(scope === undefined ? {} : { scope }) });
  /** A connection of the user with the token's type, online. */
  const online = async (userId: string, userType?: string): Promise<TestSocket> => {
    const socket = await connect(app.url, { auth: { token: tokenOf(userId, userType) } });
    expect(await emit(socket, 'userOnline', { userName: `name of ${userId}` })).toMatchObject({ ok: true });
    return socket;
  };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  describe('with a secret, types from the token', () => {
    beforeEach(async () => {
      app = await buildTestApp(HELPDESK);
    });

    it('broadcasts a user only to the viewers that may see it, and to itself', async () => {
      const client = await online('c1', 'client');
      const clientLog = new StatusLog(client);
      const agent = await online('a1', 'agent');
      const agentLog = new StatusLog(agent);
      await clientLog.waitFor((changes) => changes.some((c) => c.userId === 'a1'));

      const other = await online('c2', 'client');
      const otherLog = new StatusLog(other);
      await agentLog.waitFor((changes) => changes.some((c) => c.userId === 'c2'));
      // Sent after c2's online on the same node: were c2's online sent to c1, it would have come first.
      await online('a2', 'agent');
      await clientLog.waitFor((changes) => changes.some((c) => c.userId === 'a2'));
      await otherLog.waitFor((changes) => changes.some((c) => c.userId === 'a2'));
      expect(clientLog.summary()).toEqual(['a1 online online', 'a2 online online']);
      expect(otherLog.summary()).toEqual(['a2 online online']);
      expect(agentLog.summary()).toEqual(['c2 online online', 'a2 online online']);

      // A user's own connections see it even where its type sees no one of its type.
      const secondTab = await connect(app.url, { auth: { token: tokenOf('c1', 'client') } });
      const tabLog = new StatusLog(secondTab);
      await emit(client, 'userOffline', {});
      await tabLog.waitFor((changes) => changes.some((c) => c.userId === 'c1'));
      expect(tabLog.summary()).toEqual(['c1 offline explicit']);
    });

    it('lists only what the viewer may see, itself included', async () => {
      const client = await online('c1', 'client');
      await online('c2', 'client');
      const agent = await online('a1', 'agent');
      await online('nobody');
      const listed = async (socket: TestSocket) => ((await emit(socket, 'getOnlineUsers')).users as Array<{ userId: string }>).map((u) => u.userId).sort();
      expect(await listed(client)).toEqual(['a1', 'c1']);
      expect(await listed(agent)).toEqual(['a1', 'c1', 'c2', 'nobody']);
    });

    it('refuses a userType the token contradicts, and shows the user as its token says', async () => {
      const socket = await connect(app.url, { auth: { token: tokenOf('c1', 'client') } });
      expect(await emit(socket, 'userOnline', { userType: 'agent' })).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: expect.any(String) },
      });
      expect(await emit(socket, 'userHeartbeat', {})).toMatchObject({ ok: true });
      const typeless = await connect(app.url, { auth: { token: tokenOf('n1') } });
      expect(await emit(typeless, 'userOnline', { userType: 'agent' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
      const backend = bearer(tokenOf('ops', undefined, 'presence:read:all'));
      const res = await get(app.url, '/presence/{userId}', '/presence/c1', backend);
      expect(res.body).toMatchObject({ userId: 'c1', status: 'online', userType: 'client' });
      expect((await get(app.url, '/presence/{userId}', '/presence/n1', backend)).status).toBe(404);
    });

    it('keeps a subscription within what its viewer may see: states, diffs and offline listed users', async () => {
      await online('a1', 'agent');
      await online('c2', 'client');
      const client = await connect(app.url, { auth: { token: tokenOf('c1', 'client') } });
      await emit(client, 'userOnline', {});
      const mirror = new PresenceMirror(client);
      await emit(client, 'presenceSubscribe', {});
      await mirror.waitFor(() => mirror.states === 1);
      expect(mirror.online()).toEqual(['a1', 'c1']);

      await online('c3', 'client');
      await online('a2', 'agent');
      await mirror.waitFor(() => mirror.online().includes('a2'));
      expect(mirror.online()).toEqual(['a1', 'a2', 'c1']);

      const listing = await connect(app.url, { auth: { token: tokenOf('c1', 'client') } });
      const listed = new PresenceMirror(listing);
      await emit(listing, 'presenceSubscribe', { userIds: ['c2', 'a1', 'gone'], userTypes: ['client'] });
      await listed.waitFor(() => listed.states === 1);
      // c2 is a client: not to be seen; `gone` is offline, of no type the service knows: seen by `*` viewers only.
      expect([...listed.users.keys()].sort()).toEqual(['a1', 'c1']);
    });

    it('answers REST as the token may see: users, backends, totals and lookups', async () => {
      await online('c1', 'client');
      await online('c2', 'client');
      await online('a1', 'agent');
      const asClient = bearer(tokenOf('c1', 'client'));
      const page = await get(app.url, '/presence', '/presence', asClient);
      expect(page.body.users.map((u: { userId: string }) => u.userId)).toEqual(['a1', 'c1']);
      expect(page.body.total).toBe(2);
      const paged = await get(app.url, '/presence', '/presence?limit=1', asClient);
      expect(paged.body).toMatchObject({ users: [{ userId: 'a1' }], total: 2 });
      const next = await get(app.url, '/presence', `/presence?limit=1&cursor=${paged.body.nextCursor as string}`, asClient);
      expect(next.body).toMatchObject({ users: [{ userId: 'c1' }], total: 2, nextCursor: null });
      expect((await get(app.url, '/presence', '/presence?userType=client', asClient)).body).toMatchObject({ users: [{ userId: 'c1' }], total: 1 });
      expect((await get(app.url, '/presence/{userId}', '/presence/c2', asClient)).status).toBe(404);
      const named = await get(app.url, '/presence', '/presence?userId=c2&userId=a1', asClient);
      expect(named.body).toMatchObject({ users: [{ userId: 'a1' }], total: 1 });

      const backend = bearer(tokenOf('ops', undefined, 'openid presence:read:all'));
      expect((await get(app.url, '/presence', '/presence', backend)).body.total).toBe(3);
      const noType = bearer(tokenOf('n1'));
      expect((await get(app.url, '/presence', '/presence', noType)).body).toMatchObject({ users: [], total: 0 });
      const badType = bearer(signToken({ sub: 'x', user_type: 42 }));
      expect((await get(app.url, '/presence', '/presence', badType)).status).toBe(401);
    });
  });

  it('without a secret, takes the announced type, and answers REST as a backend', async () => {
    app = await buildTestApp({ PRESENCE_VISIBILITY: 'client:agent;agent:*', PRESENCE_TTL_MS: '60000' });
    const client = await connect(app.url);
    await emit(client, 'userOnline', { userId: 'c1', userType: 'client' });
    const log = new StatusLog(client);
    const other = await connect(app.url);
    await emit(other, 'userOnline', { userId: 'c2', userType: 'client' });
    const agent = await connect(app.url);
    await emit(agent, 'userOnline', { userId: 'a1', userType: 'agent' });
    await log.waitFor((changes) => changes.some((c) => c.userId === 'a1'));
    expect(log.summary()).toEqual(['a1 online online']);
    expect((await get(app.url, '/presence', '/presence')).body.total).toBe(3);
  });

  it('shows a user whose type changes as offline or online to the viewers that lose or gain sight of it, and tells no one else', async () => {
    app = await buildTestApp({ PRESENCE_VISIBILITY: 'client:agent;agent:*', PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30' });
    const announced = async (userId: string, userType: string): Promise<TestSocket> => {
      const socket = await connect(app.url);
      await emit(socket, 'userOnline', { userId, userType });
      return socket;
    };
    const clientSocket = await announced('c1', 'client');
    const agentSocket = await announced('a0', 'agent');
    const subscriber = await announced('c2', 'client');
    const mirror = new PresenceMirror(subscriber);
    const leaves: unknown[] = [];
    subscriber.on('presenceDiff', (diff) => {
      leaves.push(...diff.leaves);
    });
    await emit(subscriber, 'presenceSubscribe', {});
    const agentSubscriber = await announced('a9', 'agent');
    const agentMirror = new PresenceMirror(agentSubscriber);
    await emit(agentSubscriber, 'presenceSubscribe', {});
    const changing = await announced('x', 'agent');
    const ownTab = await announced('x', 'agent');
    const [clientLog, agentLog, ownLog] = [new StatusLog(clientSocket), new StatusLog(agentSocket), new StatusLog(ownTab)];
    await mirror.waitFor(() => mirror.online().includes('x'));

    await emit(changing, 'userOnline', { userId: 'x', userType: 'client' });
    await clientLog.waitFor((changes) => changes.length === 1);
    await mirror.waitFor(() => !mirror.online().includes('x'));
    // A scope that holds x either way keeps it, and learns its new type from the join.
    await agentMirror.waitFor(() => agentMirror.users.get('x')?.userType === 'client');
    expect(agentMirror.online()).toContain('x');
    await emit(changing, 'userOnline', { userId: 'x', userType: 'agent' });
    await clientLog.waitFor((changes) => changes.length === 2);
    await mirror.waitFor(() => mirror.online().includes('x'));
    // A marker every §1 client sees, after the type changes: whatever they were sent of x came before it.
    await announced('marker', 'agent');
    await agentLog.waitFor((changes) => changes.some((c) => c.userId === 'marker'));
    await ownLog.waitFor((changes) => changes.some((c) => c.userId === 'marker'));

    expect(clientLog.summary()).toEqual(['x offline type_changed', 'x online type_changed', 'marker online online']);
    expect(agentLog.changes.filter((c) => c.userId === 'x')).toEqual([]);
    expect(ownLog.changes.filter((c) => c.userId === 'x')).toEqual([]);
    expect(leaves).toEqual([{ userId: 'x', lastSeen: expect.any(String), reason: 'type_changed' }]);
    expect(mirror.users.get('x')).toMatchObject({ userType: 'agent' });
  });

  it('reads the type from the claim JWT_USER_TYPE_CLAIM names', async () => {
    app = await buildTestApp({ ...HELPDESK, JWT_USER_TYPE_CLAIM: 'role' });
    const asRole = async (sub: string, role: string) => {
      const socket = await connect(app.url, { auth: { token: signToken({ sub, role }) } });
      await emit(socket, 'userOnline', {});
      return socket;
    };
    await asRole('c2', 'client');
    const agent = await asRole('a1', 'agent');
    const listed = ((await emit(agent, 'getOnlineUsers')).users as Array<{ userId: string; userType: string }>).map((u) => [u.userId, u.userType]);
    expect(listed.sort()).toEqual([
      ['a1', 'agent'],
      ['c2', 'client'],
    ]);
  });

  it('sends heartbeat broadcasts to the same audiences', async () => {
    app = await buildTestApp({ ...HELPDESK, PRESENCE_BROADCAST_HEARTBEATS: 'true' });
    const client = await online('c1', 'client');
    const other = await online('c2', 'client');
    const agent = await online('a1', 'agent');
    const log = new StatusLog(client);
    await emit(other, 'userHeartbeat', {});
    await emit(agent, 'userHeartbeat', {});
    await log.waitFor((changes) => changes.some((c) => c.reason === 'heartbeat'));
    expect(log.summary()).toEqual(['a1 online heartbeat']);
  });
});
