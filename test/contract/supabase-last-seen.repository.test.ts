import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeSupabaseTarget, SupabaseLastSeenRepository } from '../../src/adapters/supabase/supabase-last-seen.repository';
import { createTestDatabase, insertUsers, lastSeenOf, type TestDatabase } from '../support/postgres';
import { startPostgrestFixture, type PostgrestFixture } from '../support/postgrest-fixture';
import { sysUserTable } from '../support/sys-user.table';
import { describeLastSeenRepositoryContract } from './last-seen-repository.contract';

const KEY = 'service-role-key-for-tests-0123456789';

describeLastSeenRepositoryContract('SupabaseLastSeenRepository', {
  backing: 'sys_user table',
  async create() {
    const db = await createTestDatabase();
    const fixture = await startPostgrestFixture(db.pool, KEY);
    const repository = new SupabaseLastSeenRepository({ url: fixture.url, serviceRoleKey: KEY });
    return {
      repository,
      ...sysUserTable(db.pool),
      roundTrips: () => fixture.requests.length,
      async close() {
        await repository.close();
        await fixture.close();
        await db.drop();
      },
    };
  },
});

describe('SupabaseLastSeenRepository', () => {
  let db: TestDatabase;
  let fixture: PostgrestFixture;

  beforeEach(async () => {
    db = await createTestDatabase();
    fixture = await startPostgrestFixture(db.pool, KEY);
  });

  afterEach(async () => {
    await fixture.close();
    await db.drop();
  });

  it('calls PostgREST with the ids as text and the times as ISO strings, null for no last_active', async () => {
    await insertUsers(db.pool, [7, 8]);
    const repository = new SupabaseLastSeenRepository({ url: fixture.url, serviceRoleKey: KEY });
    await repository.saveMany([
      { userId: 7, lastSeen: Date.UTC(2025, 2, 1) },
      { userId: 8, lastSeen: Date.UTC(2025, 2, 2), lastActive: Date.UTC(2025, 2, 1, 12) },
    ]);
    expect(fixture.requests).toEqual([
      {
        path: '/rest/v1/rpc/presence_record_last_seen_and_active',
        body: { p_ids: ['7', '8'], p_seen: ['2025-03-01T00:00:00.000Z', '2025-03-02T00:00:00.000Z'], p_active: [null, '2025-03-01T12:00:00.000Z'] },
      },
    ]);
    expect(await lastSeenOf(db.pool, 7)).toEqual(new Date(Date.UTC(2025, 2, 1)));
  });

  it('fails a read answered 200 with rows of another shape, rather than telling of no user', async () => {
    await insertUsers(db.pool, [7]);
    const repository = new SupabaseLastSeenRepository({ url: fixture.url, serviceRoleKey: KEY });
    await repository.saveMany([{ userId: 7, lastSeen: Date.UTC(2025, 2, 1) }]);
    // The read function of a database not migrated to 006 has no active_at: its rows are of another shape.
    await db.pool.query('DROP FUNCTION presence_last_seen_and_active(text[])');
    await db.pool.query(
      `CREATE FUNCTION presence_last_seen_and_active(p_ids text[]) RETURNS TABLE (user_id text, seen_at timestamptz, id_is_number boolean)
       LANGUAGE sql AS $$ SELECT * FROM presence_last_seen(p_ids) $$`,
    );
    await expect(repository.findMany([7])).rejects.toThrow(/presence_last_seen_and_active answered rows of another shape/);
  });

  it('fails on a wrong key without ever showing the key', async () => {
    const wrongKey = 'wrong-key-that-must-not-leak-42';
    const repository = new SupabaseLastSeenRepository({ url: fixture.url, serviceRoleKey: wrongKey });
    const failures = await Promise.all([
      repository.saveMany([{ userId: 7, lastSeen: 1 }]).catch((e: unknown) => e),
      repository.findMany([7]).catch((e: unknown) => e),
      repository.ping().catch((e: unknown) => e),
    ]);
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/401/);
      expect(`${(failure as Error).message}\n${(failure as Error).stack}`).not.toContain(wrongKey);
    }
  });

  it('rejects while PostgREST is down, and works again once it is back', async () => {
    await insertUsers(db.pool, [7]);
    const repository = new SupabaseLastSeenRepository({ url: fixture.url, serviceRoleKey: KEY });
    fixture.setDown(true);
    await expect(repository.saveMany([{ userId: 7, lastSeen: 1_000 }])).rejects.toThrow(/503/);
    await expect(repository.findMany([7])).rejects.toThrow(/503/);
    await expect(repository.ping()).rejects.toThrow(/503/);
    expect(await lastSeenOf(db.pool, 7)).toBeNull();

    fixture.setDown(false);
    await expect(repository.saveMany([{ userId: 7, lastSeen: 1_000 }])).resolves.toEqual({ missing: [] });
    await expect(repository.ping()).resolves.toBeUndefined();
  });

  it('surfaces an error PostgreSQL raises', async () => {
    const repository = new SupabaseLastSeenRepository({ url: fixture.url, serviceRoleKey: KEY });
    // A year before 4713 BC: a valid JavaScript date, not a valid timestamptz.
    await expect(repository.saveMany([{ userId: 7, lastSeen: -1e15 }])).rejects.toThrow(/HTTP 400 22/);
  });

  it('names only the host of its target', () => {
    expect(describeSupabaseTarget('https://abc.supabase.co/some/path?apikey=secret')).toBe('abc.supabase.co');
    expect(describeSupabaseTarget('not a url')).toBe('(invalid URL)');
  });
});

describe('SupabaseLastSeenRepository against an API that never answers', () => {
  let server: Server;

  beforeAll(async () => {
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('gives up after timeoutMs', async () => {
    const { port } = server.address() as AddressInfo;
    const repository = new SupabaseLastSeenRepository({ url: `http://127.0.0.1:${port}`, serviceRoleKey: KEY, timeoutMs: 200 });
    const started = Date.now();
    await expect(repository.saveMany([{ userId: 7, lastSeen: 1 }])).rejects.toThrow(/timeout|abort/i);
    await expect(repository.ping()).rejects.toThrow(/timeout|abort/i);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('PostgREST fixture', () => {
  let db: TestDatabase;
  let fixture: PostgrestFixture;

  beforeAll(async () => {
    db = await createTestDatabase();
    fixture = await startPostgrestFixture(db.pool, KEY);
  });

  afterAll(async () => {
    await fixture.close();
    await db.drop();
  });

  const post = async (path: string, body: unknown, key = KEY): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${fixture.url}${path}`, {
      method: 'POST',
      headers: { apikey: key, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };

  it('answers like PostgREST: 404 for other routes, 401 for another key, 400 when PostgreSQL raises', async () => {
    expect(await post('/rest/v1/rpc/pg_sleep', { seconds: 1 })).toMatchObject({ status: 404, json: { code: 'PGRST202' } });
    expect(await post('/rest/v1/sys_user', {})).toMatchObject({ status: 404, json: { code: 'PGRST125' } });
    expect(await post('/rest/v1/rpc/presence_last_seen', { p_ids: [], p_seen: [] })).toMatchObject({ status: 404 });
    expect(await post('/rest/v1/rpc/presence_last_seen', { p_ids: [] }, 'other')).toMatchObject({ status: 401 });
    expect(await post('/rest/v1/rpc/presence_record_last_seen', { p_ids: ['1'], p_seen: [] })).toEqual({
      status: 400,
      json: { code: 'P0001', message: 'p_ids and p_seen differ in length', details: null, hint: null },
    });
    expect(await post('/rest/v1/rpc/presence_record_last_seen_and_active', { p_ids: ['1'], p_seen: ['2026-01-01Z'], p_active: [] })).toEqual({
      status: 400,
      json: { code: 'P0001', message: 'p_ids, p_seen and p_active differ in length', details: null, hint: null },
    });
  });
});
