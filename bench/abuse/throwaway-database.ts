import { Pool } from 'pg';
import { migrate, plannedMigrations } from '../../src/adapters/postgres/migrator';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ThrowawayDatabase {
  readonly name: string;
  drop(): Promise<void>;
}

/**
 * A database of its own on the local PostgreSQL (trust auth), migrated as `npm run migrate -- --dev` would, with
 * sys_user rows for the given id ranges (`last_seen` a day ago); dropped afterwards.
 */
export async function createThrowawayDatabase(ranges: ReadonlyArray<readonly [from: number, count: number]>): Promise<ThrowawayDatabase> {
  const name = `presence_abuse_${process.pid}_${Date.now()}`;
  const admin = new Pool({ connectionString: ADMIN_URL, max: 1 });
  admin.on('error', () => undefined);
  await admin.query(`CREATE DATABASE ${name}`);
  // Interrupted (Ctrl-C), the benchmark still leaves no database behind.
  const interrupted = (): void => void drop().finally(() => process.exit(130));
  const drop = async (): Promise<void> => {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const pool = new Pool({ connectionString: ADMIN_URL.replace(/\/[^/]*$/, `/${name}`), max: 1 });
    try {
      await migrate(pool, plannedMigrations({ dev: true }));
      for (const [from, count] of ranges) {
        await pool.query(
          "INSERT INTO sys_user (sys_user_id, last_seen) SELECT generate_series($1::bigint, $2::bigint), now() - interval '1 day'",
          [from, from + count - 1],
        );
      }
    } finally {
      await pool.end();
    }
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, drop };
}
