import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { migrate, plannedMigrations } from '../../src/adapters/postgres/migrator';

export const POSTGRES_ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** A pool on the database, for the test's own queries. */
  readonly pool: Pool;
  drop(): Promise<void>;
}

/** A throwaway database on the real PostgreSQL; `migrated` applies the dev seed and every migration. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `presence_test_${randomBytes(6).toString('hex')}`;
  const admin = new Pool({ connectionString: POSTGRES_ADMIN_URL, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const pool = new Pool({ connectionString: url, max: 4 });
  // DROP ... WITH (FORCE) ends whatever connection is still open; that is the point, not an error.
  pool.on('error', () => undefined);
  admin.on('error', () => undefined);
  if (options.migrated ?? true) await migrate(pool, plannedMigrations({ dev: true }));
  return {
    url,
    name,
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Rows in sys_user for these ids (the dev seed's table has a bigint id). */
export async function insertUsers(pool: Pool, ids: readonly number[]): Promise<void> {
  await pool.query('INSERT INTO sys_user (sys_user_id, last_seen) SELECT unnest($1::bigint[]), NULL', [ids]);
}

export async function lastSeenOf(pool: Pool, id: number): Promise<Date | null> {
  const { rows } = await pool.query<{ last_seen: Date | null }>('SELECT last_seen FROM sys_user WHERE sys_user_id = $1', [id]);
  return rows[0]?.last_seen ?? null;
}
