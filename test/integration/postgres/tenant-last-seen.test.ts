/** Tenants' last_seen and last_active (CONTRACT §9, §8) through both database adapters, on the real PostgreSQL and migrations 005 and 006. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { PostgresLastSeenRepository } from '../../../src/adapters/postgres/postgres-last-seen.repository';
import { createPostgresPool } from '../../../src/adapters/postgres/postgres-pool';
import { SupabaseLastSeenRepository } from '../../../src/adapters/supabase/supabase-last-seen.repository';
import type { LastSeenEntry, LastSeenRepository } from '../../../src/domain/ports/last-seen.port';
import type { UserId } from '../../../src/domain/presence.types';
import { createTestDatabase, insertUsers, lastSeenOf, type TestDatabase } from '../../support/postgres';
import { startPostgrestFixture } from '../../support/postgrest-fixture';

const KEY = 'service-role-key-for-tests-0123456789';

interface Backend {
  readonly repository: LastSeenRepository;
  /** Queries sent to PostgreSQL, or requests sent to PostgREST: one each per round trip. */
  roundTrips(): number;
  close(): Promise<void>;
}

type BackendFactory = (db: TestDatabase, options: { tenants: boolean }) => Promise<Backend>;

const postgres: BackendFactory = async (db, options) => {
  // A pool of its own, so that only the repository's queries are counted, not the test's.
  const pool = createPostgresPool({ connectionString: db.url, maxConnections: 2 });
  let queries = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((...args: unknown[]) => (queries++, query(...args))) as unknown as Pool['query'];
  const repository = new PostgresLastSeenRepository(pool, options);
  return { repository, roundTrips: () => queries, close: () => repository.close() };
};

const supabase: BackendFactory = async (db, options) => {
  const fixture = await startPostgrestFixture(db.pool, KEY);
  const repository = new SupabaseLastSeenRepository({ url: fixture.url, serviceRoleKey: KEY, ...options });
  return {
    repository,
    roundTrips: () => fixture.requests.length,
    async close() {
      await repository.close();
      await fixture.close();
    },
  };
};

const T0 = Date.UTC(2026, 0, 1);
const at = (minutes: number): number => T0 + minutes * 60_000;
const entry = (tenant: string, userId: UserId, minutes: number, userType: string | null = null, activeMinutes: number | null = null): LastSeenEntry => ({
  tenant,
  userId,
  lastSeen: at(minutes),
  userType,
  lastActive: activeMinutes === null ? null : at(activeMinutes),
});
const byId = (entries: readonly LastSeenEntry[]): LastSeenEntry[] => [...entries].sort((a, b) => String(a.userId).localeCompare(String(b.userId)));

describe.each([
  ['PostgresLastSeenRepository', postgres],
  ['SupabaseLastSeenRepository', supabase],
] as const)('%s with tenants on', (_name, create) => {
  let db: TestDatabase;
  let backend: Backend;
  let repository: LastSeenRepository;

  beforeEach(async () => {
    db = await createTestDatabase();
    backend = await create(db, { tenants: true });
    repository = backend.repository;
  });

  afterEach(async () => {
    await backend.close();
    await db.drop();
  });

  const tenantRows = async () =>
    (
      await db.pool.query<{ tenant: string; user_key: string; last_active: Date | null }>(
        'SELECT tenant, user_key, last_active FROM presence_tenant_last_seen ORDER BY tenant, user_key',
      )
    ).rows;

  it('keeps the same id in two tenants as two users, and never answers one tenant with the other', async () => {
    await repository.saveMany([entry('acme', 7, 1, 'agent'), entry('globex', 7, 2, 'client')]);
    expect(await repository.findMany([7], 'acme')).toEqual([entry('acme', 7, 1, 'agent')]);
    expect(await repository.findMany([7], 'globex')).toEqual([entry('globex', 7, 2, 'client')]);
    expect(await repository.findMany([7], 'initech')).toEqual([]);
    expect(await tenantRows()).toEqual([
      { tenant: 'acme', user_key: '7', last_active: null },
      { tenant: 'globex', user_key: '7', last_active: null },
    ]);
  });

  it('gives a numeric id back as a number and "07" as a string, as two users', async () => {
    await repository.saveMany([entry('acme', 7, 1, 'agent'), entry('acme', '07', 2, 'client')]);
    const found = byId(await repository.findMany([7, '07'], 'acme'));
    expect(found).toEqual([entry('acme', '07', 2, 'client'), entry('acme', 7, 1, 'agent')]);
    expect(typeof found[1]?.userId).toBe('number');
  });

  it('never moves last_seen backwards: an older write after a newer one keeps the newer, and its type', async () => {
    await repository.saveMany([entry('acme', 7, 5, 'agent')]);
    await repository.saveMany([entry('acme', 7, 3, 'client')]);
    expect(await repository.findMany([7], 'acme')).toEqual([entry('acme', 7, 5, 'agent')]);
  });

  it('keeps the latest of a user given twice in one batch, with its type', async () => {
    await repository.saveMany([entry('acme', 7, 1, 'first'), entry('acme', 7, 9, 'latest'), entry('acme', 7, 4, 'middle')]);
    expect(await repository.findMany([7], 'acme')).toEqual([entry('acme', 7, 9, 'latest')]);
  });

  it('replaces the type with a newer write, a null type too', async () => {
    await repository.saveMany([entry('acme', 7, 1, 'agent')]);
    await repository.saveMany([entry('acme', 7, 2, null)]);
    expect(await repository.findMany([7], 'acme')).toEqual([entry('acme', 7, 2, null)]);
  });

  it('stores last_active beside last_seen, and reads it back, null for a user with none', async () => {
    await repository.saveMany([entry('acme', 7, 5, 'agent', 4), entry('acme', 8, 5, 'agent')]);
    expect(byId(await repository.findMany([7, 8], 'acme'))).toEqual([entry('acme', 7, 5, 'agent', 4), entry('acme', 8, 5, 'agent')]);
    expect(await tenantRows()).toEqual([
      { tenant: 'acme', user_key: '7', last_active: new Date(at(4)) },
      { tenant: 'acme', user_key: '8', last_active: null },
    ]);
  });

  it('moves last_active forwards on its own: an older last_seen brings a newer last_active, and keeps the newer last_seen with its type', async () => {
    await repository.saveMany([entry('acme', 7, 5, 'agent', 4)]);
    await repository.saveMany([entry('acme', 7, 3, 'client', 6)]);
    expect(await repository.findMany([7], 'acme')).toEqual([entry('acme', 7, 5, 'agent', 6)]);
    await repository.saveMany([entry('acme', 7, 9, 'client', 2)]);
    expect(await repository.findMany([7], 'acme')).toEqual([entry('acme', 7, 9, 'client', 6)]);
  });

  it('never erases last_active with a null or absent one', async () => {
    await repository.saveMany([entry('acme', 7, 1, 'agent', 1)]);
    await repository.saveMany([entry('acme', 7, 2, 'agent', null)]);
    await repository.saveMany([{ tenant: 'acme', userId: 7, lastSeen: at(3), userType: 'agent' }]);
    expect(await repository.findMany([7], 'acme')).toEqual([entry('acme', 7, 3, 'agent', 1)]);
  });

  it('keeps the latest of each value of a user given twice in one batch: last_seen with its type, and last_active', async () => {
    await repository.saveMany([entry('acme', 7, 1, 'first', 8), entry('acme', 7, 9, 'latest', null), entry('acme', 7, 4, 'middle', 3)]);
    expect(await repository.findMany([7], 'acme')).toEqual([entry('acme', 7, 9, 'latest', 8)]);
  });

  it('writes a batch of any size in one round trip, and reports no missing users', async () => {
    const activeOf = (i: number): number | null => (i % 5 === 0 ? null : i - 1);
    const entries = Array.from({ length: 600 }, (_, i) => entry(`tenant-${i % 3}`, i % 2 === 0 ? i : `user-${i}`, i, 'agent', activeOf(i)));
    const before = backend.roundTrips();
    expect(await repository.saveMany(entries)).toEqual({ missing: [] });
    expect(backend.roundTrips() - before).toBe(1);
    expect(await tenantRows()).toHaveLength(600);
    expect((await tenantRows()).filter((row) => row.last_active !== null)).toHaveLength(480);
    expect(byId(await repository.findMany([0, 'user-3'], 'tenant-0'))).toEqual([
      entry('tenant-0', 0, 0, 'agent', null),
      entry('tenant-0', 'user-3', 3, 'agent', 2),
    ]);
  });

  it('leaves sys_user alone', async () => {
    await insertUsers(db.pool, [7]);
    await repository.saveMany([entry('acme', 7, 1)]);
    expect(await lastSeenOf(db.pool, 7)).toBeNull();
  });

  it('refuses an entry or a lookup without a tenant, before writing anything', async () => {
    const before = backend.roundTrips();
    await expect(repository.saveMany([entry('acme', 1, 1), { userId: 2, lastSeen: at(1) }])).rejects.toThrow(/tenant/);
    await expect(repository.findMany([1])).rejects.toThrow(/tenant/);
    expect(backend.roundTrips()).toBe(before);
    expect(await tenantRows()).toEqual([]);
  });

  it('answers ping once migration 006 is there, and fails it when it is not', async () => {
    await expect(repository.ping()).resolves.toBeUndefined();
    await db.pool.query('DROP FUNCTION presence_tenant_last_seen_and_active(text, text[])');
    await expect(repository.ping()).rejects.toThrow();
  });
});

describe.each([
  ['PostgresLastSeenRepository', postgres],
  ['SupabaseLastSeenRepository', supabase],
] as const)('%s with tenants off', (_name, create) => {
  let db: TestDatabase;
  let backend: Backend;

  beforeEach(async () => {
    db = await createTestDatabase();
    backend = await create(db, { tenants: false });
  });

  afterEach(async () => {
    await backend.close();
    await db.drop();
  });

  it('writes sys_user as before, ignoring a tenant, and never the tenants table', async () => {
    await insertUsers(db.pool, [7]);
    expect(await backend.repository.saveMany([entry('acme', 7, 1), entry('acme', 8, 1)])).toEqual({ missing: [8] });
    expect(await lastSeenOf(db.pool, 7)).toEqual(new Date(at(1)));
    expect(await backend.repository.findMany([7], 'globex')).toEqual([{ userId: 7, lastSeen: at(1), lastActive: null }]);
    expect((await db.pool.query('SELECT * FROM presence_tenant_last_seen')).rows).toEqual([]);
  });

  it('answers ping once migration 006 is there, and fails it when it is not', async () => {
    await expect(backend.repository.ping()).resolves.toBeUndefined();
    await db.pool.query('DROP FUNCTION presence_last_seen_and_active(text[])');
    await expect(backend.repository.ping()).rejects.toThrow();
  });
});

describe('a garbled answer with tenants on', () => {
  const pool = (reply: unknown) => ({ query: async () => reply }) as unknown as Pool;
  const incomplete = { command: undefined, rows: [] };

  it('fails a Postgres write or read that did not complete, or answered rows of another shape', async () => {
    await expect(new PostgresLastSeenRepository(pool(incomplete), { tenants: true }).saveMany([entry('acme', 7, 1)])).rejects.toThrow();
    await expect(new PostgresLastSeenRepository(pool({ command: 'SELECT', rows: [] }), { tenants: true }).saveMany([entry('acme', 7, 1)])).rejects.toThrow();
    await expect(new PostgresLastSeenRepository(pool(incomplete), { tenants: true }).findMany([7], 'acme')).rejects.toThrow();
    const wrongShape = { command: 'SELECT', rows: [{ user_id: 7, seen_at: new Date(), active_at: null, id_is_number: true, user_type: null }] };
    await expect(new PostgresLastSeenRepository(pool(wrongShape), { tenants: true }).findMany([7], 'acme')).rejects.toThrow();
    // A 005 row: no active_at.
    const withoutActive = { command: 'SELECT', rows: [{ user_id: '7', seen_at: new Date(), id_is_number: true, user_type: null }] };
    await expect(new PostgresLastSeenRepository(pool(withoutActive), { tenants: true }).findMany([7], 'acme')).rejects.toThrow();
  });

  it('fails a Supabase read answered 200 with rows of another shape', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('[{"user_id":"7"}]'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const repository = new SupabaseLastSeenRepository({ url: `http://127.0.0.1:${port}`, serviceRoleKey: KEY, tenants: true });
    try {
      await expect(repository.findMany([7], 'acme')).rejects.toThrow(/another shape/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('presence_tenant_last_seen and presence_tenant_last_seen_and_active', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('reads one tenant through the primary key index', async () => {
    await db.pool.query(
      "INSERT INTO presence_tenant_last_seen SELECT 't' || (i % 50), i::text, true, now(), NULL, NULL FROM generate_series(1, 20000) AS i",
    );
    await db.pool.query('ANALYZE presence_tenant_last_seen');
    for (const fn of ['presence_tenant_last_seen', 'presence_tenant_last_seen_and_active']) {
      const { rows } = await db.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT * FROM ${fn}('t1', ARRAY['1', '51'])`);
      expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Index Scan using presence_tenant_last_seen_pkey/);
    }
  });
});
