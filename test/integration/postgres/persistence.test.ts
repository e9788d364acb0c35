import request from 'supertest';
import { PostgresLastSeenRepository } from '../../../src/adapters/postgres/postgres-last-seen.repository';
import { createPostgresPool } from '../../../src/adapters/postgres/postgres-pool';
import type { LastSeenEntry, LastSeenRepository, SaveResult } from '../../../src/domain/ports/last-seen.port';
import { TOKENS } from '../../../src/tokens';
import { buildTestApp, type TestApp } from '../../support/build-test-app';
import { createTestDatabase, insertUsers, lastSeenOf, type TestDatabase } from '../../support/postgres';
import { closeAllSockets, connect, request as emit, StatusLog } from '../../support/socket-client';
import { startPostgrestFixture } from '../../support/postgrest-fixture';
import { TcpProxy } from '../../support/tcp-proxy';
import { waitUntil } from '../../support/wait-until';

/** The real PostgreSQL adapter, counting its batch writes: each is one round trip. */
class CountingRepository implements LastSeenRepository {
  writes = 0;
  constructor(private readonly inner: PostgresLastSeenRepository) {}
  saveMany(entries: readonly LastSeenEntry[]): Promise<SaveResult> {
    this.writes += 1;
    return this.inner.saveMany(entries);
  }
  findMany(userIds: readonly (string | number)[]) {
    return this.inner.findMany(userIds);
  }
  ping() {
    return this.inner.ping();
  }
  close() {
    return this.inner.close();
  }
}

describe('last_seen on PostgreSQL, end to end', () => {
  let db: TestDatabase;
  const apps: TestApp[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    await insertUsers(db.pool, [101, 102, 103]);
  });

  afterEach(async () => {
    closeAllSockets();
    for (const app of apps.splice(0)) await app.stop();
    await db.drop();
  });

  const start = async (env: Record<string, string> = {}) => {
    const app = await buildTestApp({ PERSISTENCE: 'postgres', DATABASE_URL: db.url, PERSIST_FLUSH_INTERVAL_MS: '50', ...env });
    apps.push(app);
    return app;
  };

  it('lands each transition in sys_user.last_seen, and answers it after a restart', async () => {
    const app = await start({ PRESENCE_TTL_MS: '60000' });
    const socket = await connect(app.url);
    const log = new StatusLog(socket);
    await emit(socket, 'userOnline', { userId: 101, userType: 'agent' });
    await emit(socket, 'userHeartbeat', { userId: 101 });
    await emit(socket, 'userOffline', { userId: 101 });
    const [, offline] = await log.waitForCount(2);
    const offlineAt = Date.parse(offline?.lastSeen ?? '');
    await waitUntil(async () => (await lastSeenOf(db.pool, 101))?.getTime() === offlineAt);

    await app.stop();
    apps.splice(apps.indexOf(app), 1);
    const restarted = await start();
    const res = await request(restarted.url).get('/presence/101');
    expect(res.body).toEqual({ userId: 101, status: 'offline', lastSeen: new Date(offlineAt).toISOString(), userType: null, userName: null, availability: null, statusText: null, lastActive: null, onlineSince: null });
  });

  it('writes heartbeats of many users in one round trip per flush', async () => {
    const pool = createPostgresPool({ connectionString: db.url });
    const repository = new CountingRepository(new PostgresLastSeenRepository(pool));
    const ids = Array.from({ length: 2_000 }, (_, i) => 10_000 + i);
    await insertUsers(db.pool, ids);
    const app = await buildTestApp({ PERSIST_FLUSH_INTERVAL_MS: '3600000', PRESENCE_TTL_MS: '60000' }, { lastSeenRepository: repository });
    apps.push(app);
    for (const id of ids) await app.service.goOnline({ connectionId: `c${id}`, nodeId: 't', userId: id });
    for (let round = 0; round < 3; round++) {
      for (const id of ids) await app.service.heartbeat({ connectionId: `c${id}`, nodeId: 't', userId: id });
    }
    await app.app.container.get(TOKENS.LastSeen).flush();
    expect(repository.writes).toBe(1);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM sys_user WHERE sys_user_id >= 10000 AND last_seen IS NOT NULL');
    expect(rows[0].n).toBe(2_000);
  });

  it('keeps presence working through a database outage, reports it, and lands every value once it is back', async () => {
    const proxy = new TcpProxy('127.0.0.1', 5432);
    const port = await proxy.start();
    try {
      const app = await start({ DATABASE_URL: db.url.replace(':5432/', `:${port}/`), PRESENCE_TTL_MS: '60000' });
      expect((await request(app.url).get('/ready')).status).toBe(200);
      await proxy.cut();

      const socket = await connect(app.url);
      const log = new StatusLog(socket);
      await emit(socket, 'userOnline', { userId: 102 });
      await emit(socket, 'userOffline', { userId: 102 });
      await emit(socket, 'userOnline', { userId: 103 });
      await log.waitForCount(3);
      expect((await emit(socket, 'getOnlineUsers')).users).toMatchObject([{ userId: 103 }]);
      const offlineAt = Date.parse(log.changes[1]?.lastSeen ?? '');

      const notReady = await waitUntil(async () => {
        const res = await request(app.url).get('/ready');
        return res.status === 503 ? res.body : undefined;
      });
      expect(notReady.components.persistence.status).toMatch(/down|degraded/);
      // What the buffer holds is told; a user only the database could tell of is offline with lastSeen null.
      expect((await request(app.url).get('/presence/102')).body).toMatchObject({ status: 'offline', lastSeen: new Date(offlineAt).toISOString() });
      expect((await request(app.url).get('/presence/101')).body).toMatchObject({ status: 'offline', lastSeen: null });
      await waitUntil(async () => /presence_persist_flushes_total\{result="error"\} [1-9]/.test((await request(app.url).get('/metrics')).text));
      // Between retries: a flush in flight holds its entries apart, and gives them back when it fails.
      await waitUntil(async () => /presence_persist_pending 2/.test((await request(app.url).get('/metrics')).text));

      await proxy.restore();
      await waitUntil(async () => (await lastSeenOf(db.pool, 102))?.getTime() === offlineAt);
      expect(await lastSeenOf(db.pool, 103)).not.toBeNull();
      await waitUntil(async () => (await request(app.url).get('/ready')).status === 200);
      expect((await request(app.url).get('/metrics')).text).toMatch(/presence_persist_flushes_total\{result="ok"\} [1-9]/);
    } finally {
      await proxy.close();
    }
  });

  it('starts while the database is unreachable, serves presence, and catches up when it appears', async () => {
    const proxy = new TcpProxy('127.0.0.1', 5432);
    const port = await proxy.start();
    await proxy.cut();
    try {
      const app = await start({ DATABASE_URL: db.url.replace(':5432/', `:${port}/`), PRESENCE_TTL_MS: '60000' });
      expect((await request(app.url).get('/ready')).status).toBe(503);
      const socket = await connect(app.url);
      await emit(socket, 'userOnline', { userId: 101 });
      expect((await request(app.url).get('/presence/101')).body.status).toBe('online');
      await proxy.restore();
      await waitUntil(async () => (await lastSeenOf(db.pool, 101)) !== null);
      await waitUntil(async () => (await request(app.url).get('/ready')).status === 200);
    } finally {
      await proxy.close();
    }
  });

  it('counts users that have no sys_user row as skipped', async () => {
    const app = await start();
    await app.service.goOnline({ connectionId: 'c', nodeId: 't', userId: 'no-such-user' });
    await waitUntil(async () => /presence_persist_skipped_total 1/.test((await request(app.url).get('/metrics')).text));
  });

  it('writes through Supabase the same way, via supabase-js and PostgREST RPCs, when PERSISTENCE=supabase', async () => {
    const key = 'service-role-key-for-tests';
    const fixture = await startPostgrestFixture(db.pool, key);
    try {
      const app = await start({ PERSISTENCE: 'supabase', REACT_SUPABASE_URL: fixture.url, REACT_SERVICE_ROLE_KEY: key, DATABASE_URL: '' });
      const socket = await connect(app.url);
      const log = new StatusLog(socket);
      await emit(socket, 'userOnline', { userId: 103 });
      await emit(socket, 'userOffline', { userId: 103 });
      const [, offline] = await log.waitForCount(2);
      await waitUntil(async () => (await lastSeenOf(db.pool, 103))?.getTime() === Date.parse(offline?.lastSeen ?? ''));
      expect((await request(app.url).get('/presence/103')).body).toMatchObject({ userId: 103, status: 'offline', lastSeen: offline?.lastSeen });
      expect((await request(app.url).get('/ready')).body.components.persistence).toEqual({ status: 'up' });
      expect(fixture.requests.every((r) => r.path.startsWith('/rest/v1/rpc/presence_'))).toBe(true);
    } finally {
      await fixture.close();
    }
  });
});
