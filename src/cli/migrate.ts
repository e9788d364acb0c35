/**
 * `npm run migrate`: applies the pending migrations in migrations/ to DATABASE_URL, once each.
 * `npm run migrate -- --dev` first creates a minimal sys_user for a standalone PostgreSQL (local development).
 */
import { config as loadDotenv } from 'dotenv';
import { migrate, plannedMigrations } from '../adapters/postgres/migrator';
import { createPostgresPool, describePostgresTarget } from '../adapters/postgres/postgres-pool';

export async function runMigrations(databaseUrl: string, options: { dev: boolean }): Promise<string[]> {
  const pool = createPostgresPool({ connectionString: databaseUrl, maxConnections: 1, statementTimeoutMs: 60_000 });
  try {
    return await migrate(pool, plannedMigrations(options));
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const url = process.env['DATABASE_URL'];
  if (!url) {
    process.stderr.write('DATABASE_URL is not set: it names the database to migrate (postgres://user:password@host:5432/db)\n');
    process.exit(1);
  }
  const dev = process.argv.includes('--dev');
  const applied = await runMigrations(url, { dev });
  const target = describePostgresTarget(url);
  process.stdout.write(applied.length === 0 ? `${target}: up to date\n` : applied.map((name) => `${target}: applied ${name}\n`).join(''));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
