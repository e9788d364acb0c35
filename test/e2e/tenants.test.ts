import { buildTestApp, type TestApp } from '../support/build-test-app';
import { get } from '../support/http-client';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { PresenceMirror } from '../support/presence-mirror';
import { waitUntil } from '../support/wait-until';
import { closeAllSockets, connect, refusedConnection, request as emit, StatusLog, type TestSocket } from '../support/socket-client';
import { signToken, TEST_SECRET } from '../support/tokens';

const TENANTS = { JWT_ACCESS_SECRET: TEST_SECRET, JWT_TENANT_CLAIM: 'org', PRESENCE_TTL_MS: '60000', PRESENCE_DIFF_INTERVAL_MS: '30' };

describe('audiences: tenants (§9)', () => {
  let app: TestApp;

  const tokenOf = (org: string, userId: string | number, extra: Record<string, unknown> = {}) => signToken({ sub: userId, org, ...extra });
  const online = async (org: string, userId: string | number): Promise<TestSocket> => {
    const socket = await connect(app.url, { auth: { token: tokenOf(org, userId) } });
    expect(await emit(socket, 'userOnline', { userType: 'agent' })).toMatchObject({ ok: true });
    return socket;
  };
  const bearer = (org: string, userId: string, extra: Record<string, unknown> = {}) => ({ Authorization: `Bearer ${tokenOf(org, userId, extra)}` });

  afterEach(async () => {
    closeAllSockets();
    await app.stop();
  });

  describe('in memory', () => {
    beforeEach(async () => {
      app = await buildTestApp(TENANTS);
    });

    it('refuses a token without its tenant, on sockets and REST', async () => {
      expect((await refusedConnection(app.url, { auth: { token: signToken({ sub: 'u1' }) } })).message).toBe('unauthorized');
      expect((await refusedConnection(app.url, { auth: { token: signToken({ sub: 'u1', org: '' }) } })).message).toBe('unauthorized');
      expect((await get(app.url, '/presence', '/presence', { Authorization: `Bearer ${signToken({ sub: 'u1' })}` })).status).toBe(401);
    });

    it('makes the same id in two tenants two users, and tells each tenant of its own only', async () => {
      const first = await online('acme', 'u1');
      const acmeLog = new StatusLog(first);
      const second = await online('globex', 'u1');
      const globexLog = new StatusLog(second);
      await online('acme', 7);
      await acmeLog.waitFor((changes) => changes.some((c) => c.userId === 7));
      await emit(second, 'userOffline', {});
      await globexLog.waitFor((changes) => changes.some((c) => c.status === 'offline'));
      await online('acme', 'last');
      await acmeLog.waitFor((changes) => changes.some((c) => c.userId === 'last'));
      expect(acmeLog.summary()).toEqual(['7 online online', 'last online online']);
      expect(globexLog.summary()).toEqual(['u1 offline explicit']);
      const listed = ((await emit(first, 'getOnlineUsers')).users as Array<{ userId: unknown }>).map((u) => u.userId);
      expect(listed).toEqual(expect.arrayContaining(['u1', 7, 'last']));
      expect(listed).toHaveLength(3);
      expect(listed.some((u) => typeof u === 'object')).toBe(false);
    });

    it('keeps subscriptions and REST within the tenant, backends included, with no tenant field', async () => {
      await online('acme', 'a1');
      await online('globex', 'g1');
      await online('globex', 'a1');
      const subscriber = await connect(app.url, { auth: { token: tokenOf('acme', 'watcher') } });
      const mirror = new PresenceMirror(subscriber);
      await emit(subscriber, 'presenceSubscribe', { userIds: ['g1', 'a1'] });
      await mirror.waitFor(() => mirror.states === 1);
      expect([...mirror.users.values()].map((u) => [u.userId, u.status])).toEqual([['a1', 'online']]);
      const everyone = await connect(app.url, { auth: { token: tokenOf('acme', 'w2') } });
      const all = new PresenceMirror(everyone);
      await emit(everyone, 'presenceSubscribe', {});
      await all.waitFor(() => all.states === 1);
      expect(all.online()).toEqual(['a1']);
      await online('globex', 'g2');
      await online('acme', 'a2');
      await all.waitFor(() => all.online().includes('a2'));
      expect(all.online()).toEqual(['a1', 'a2']);
      expect(mirror.online()).toEqual(['a1']);

      const backend = bearer('acme', 'ops', { scope: 'presence:read:all' });
      const page = await get(app.url, '/presence', '/presence?limit=1', backend);
      expect(page.body).toMatchObject({ total: 2, users: [{ userId: 'a1' }] });
      expect(page.body.users[0]).not.toHaveProperty('tenant');
      const next = await get(app.url, '/presence', `/presence?limit=1&cursor=${page.body.nextCursor as string}`, backend);
      expect(next.body).toMatchObject({ total: 2, users: [{ userId: 'a2' }], nextCursor: null });
      expect((await get(app.url, '/presence/{userId}', '/presence/g1', backend)).status).toBe(404);
      // a2 is online in acme only: to globex it is a user never seen.
      expect((await get(app.url, '/presence', '/presence?userId=g1&userId=a2', bearer('globex', 'x'))).body).toMatchObject({
        total: 1,
        users: [{ userId: 'g1', status: 'online' }],
      });
      expect((await get(app.url, '/metrics', '/metrics')).text).toMatch(/^presence_tenants_online 2$/m);
    });
  });

  it('judges an offline user by the type kept beside its last_seen', async () => {
    app = await buildTestApp({ ...TENANTS, PRESENCE_VISIBILITY: 'client:agent;agent:*' });
    const as = (sub: string, userType: string) => connect(app.url, { auth: { token: tokenOf('acme', sub, { user_type: userType }) } });
    const agent = await as('a1', 'agent');
    const client = await as('c2', 'client');
    await emit(agent, 'userOnline', {});
    await emit(client, 'userOnline', {});
    await emit(agent, 'userOffline', {});
    await emit(client, 'userOffline', {});
    const asClient = { Authorization: `Bearer ${tokenOf('acme', 'c1', { user_type: 'client' })}` };
    expect((await get(app.url, '/presence/{userId}', '/presence/a1', asClient)).body).toMatchObject({ userId: 'a1', status: 'offline', userType: 'agent' });
    expect((await get(app.url, '/presence/{userId}', '/presence/c2', asClient)).status).toBe(404);
    const watcher = await as('c1', 'client');
    const mirror = new PresenceMirror(watcher);
    await emit(watcher, 'presenceSubscribe', { userIds: ['a1', 'c2'] });
    await mirror.waitFor(() => mirror.states === 1);
    expect([...mirror.users.values()].map((u) => [u.userId, u.status, u.userType])).toEqual([['a1', 'offline', 'agent']]);
  });

  describe('with PostgreSQL', () => {
    let db: TestDatabase;

    beforeEach(async () => {
      db = await createTestDatabase();
      app = await buildTestApp({ ...TENANTS, DATABASE_URL: db.url, PERSIST_FLUSH_INTERVAL_MS: '20' });
    });

    afterEach(async () => {
      await db.drop();
    });

    it("keeps each tenant's last_seen in the tenants' table, read back for that tenant only", async () => {
      const socket = await online('acme', 42);
      await emit(socket, 'userOffline', {});
      await waitUntil(async () => (await db.pool.query('SELECT 1 FROM presence_tenant_last_seen')).rowCount === 1);
      const { rows } = await db.pool.query('SELECT tenant, user_key, id_is_number, user_type FROM presence_tenant_last_seen');
      expect(rows).toEqual([{ tenant: 'acme', user_key: '42', id_is_number: true, user_type: 'agent' }]);
      const seen = await get(app.url, '/presence/{userId}', '/presence/42', bearer('acme', 'ops', { scope: 'presence:read:all' }));
      expect(seen.body).toMatchObject({ userId: 42, status: 'offline', lastSeen: expect.any(String) });
      expect((await get(app.url, '/presence/{userId}', '/presence/42', bearer('globex', 'ops', { scope: 'presence:read:all' }))).status).toBe(404);
      expect((await db.pool.query('SELECT count(*)::int AS n FROM sys_user WHERE last_seen IS NOT NULL')).rows).toEqual([{ n: 0 }]);
    });
  });
});
