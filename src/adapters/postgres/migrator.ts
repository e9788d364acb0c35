import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pool } from 'pg';

export const MIGRATIONS_DIR = resolve(__dirname, '../../../migrations');

export interface Migration {
  readonly name: string;
  readonly sql: string;
}

/** The `.sql` files of a folder, in name order. */
export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => ({ name: file, sql: readFileSync(join(dir, file), 'utf8') }));
}

/** The migrations to apply: the dev seed first when asked for, then the numbered ones. */
export function plannedMigrations(options: { dev: boolean }, dir = MIGRATIONS_DIR): Migration[] {
  const dev = options.dev ? readMigrations(join(dir, 'dev')).map((m) => ({ ...m, name: `dev/${m.name}` })) : [];
  return [...dev, ...readMigrations(dir)];
}

// Any fixed number: it only has to be the same for every migrating process.
const MIGRATION_LOCK = 7_264_101;

/**
 * Applies each migration not applied yet, once, each in its own transaction, recording it in
 * `presence_migrations`. An advisory lock keeps two processes from migrating at once.
 */
export async function migrate(pool: Pool, migrations: readonly Migration[]): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS presence_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM presence_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO presence_migrations (name) VALUES ($1)', [migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      applied.push(migration.name);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
