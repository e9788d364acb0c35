import { Pool } from 'pg';

export interface PostgresPoolSettings {
  readonly connectionString: string;
  readonly maxConnections?: number;
  readonly statementTimeoutMs?: number;
}

/** A small pool: the service makes one write per flush interval and a few reads; statements never hang. */
export function createPostgresPool(settings: PostgresPoolSettings): Pool {
  const timeout = settings.statementTimeoutMs ?? 5_000;
  const pool = new Pool({
    connectionString: settings.connectionString,
    max: settings.maxConnections ?? 4,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: timeout,
    query_timeout: timeout + 1_000,
    application_name: 'presence-service',
  });
  // An idle client losing its connection (the database restarting) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** The database a URL points at, without credentials: for logs. */
export function describePostgresTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'unparsable DATABASE_URL';
  }
}
