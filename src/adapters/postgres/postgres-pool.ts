import type { EventEmitter } from 'node:events';
import { Client, Pool, type ClientConfig } from 'pg';

export interface PostgresPoolSettings {
  readonly connectionString: string;
  readonly maxConnections?: number;
  readonly statementTimeoutMs?: number;
  /** Hears of each reply the client library could not handle (its connection is dropped). */
  readonly onMalformedReply?: (error: Error) => void;
}

/** What a connection that sent something pg could not parse is ended with. */
class MalformedPostgresReply extends Error {
  constructor(cause: unknown) {
    super('the database sent a message that could not be handled', { cause });
    this.name = 'MalformedPostgresReply';
  }
}

/**
 * A client whose connection cannot end the process: pg parses what the server sends inside its socket's 'data'
 * listener, and a malformed message makes it throw there (pg-protocol's RangeError reading past a short DataRow),
 * where nothing but the process could catch it. The throw ends that connection instead: its query fails and the pool
 * drops the client.
 */
function guardedClient(onMalformedReply: (error: Error) => void): new (config?: ClientConfig) => Client {
  return class GuardedClient extends Client {
    constructor(config?: ClientConfig) {
      super(config);
      const connection = this.connection as typeof this.connection & EventEmitter;
      // 'sslconnect': the TLS socket pg switched to, which is the one it reads from from then on.
      const guard = (): void => catchDataThrows(connection.stream, onMalformedReply);
      connection.once('connect', guard);
      connection.once('sslconnect', guard);
      // pg-pool listens only while it holds a client: an 'error' with no listener would be thrown.
      this.on('error', () => undefined);
    }
  };
}

function catchDataThrows(stream: EventEmitter & { destroy(error?: Error): unknown }, onMalformedReply: (error: Error) => void): void {
  const emit = stream.emit.bind(stream);
  let broken = false;
  stream.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (event !== 'data') return emit(event, ...args);
    if (broken) return false;
    try {
      return emit(event, ...args);
    } catch (thrown) {
      broken = true;
      const error = new MalformedPostgresReply(thrown);
      onMalformedReply(error);
      stream.destroy(error);
      return false;
    }
  };
}

/** A small pool: the service makes one write per flush interval and a few reads; statements never hang. */
export function createPostgresPool(settings: PostgresPoolSettings): Pool {
  const timeout = settings.statementTimeoutMs ?? 5_000;
  const pool = new Pool({
    Client: guardedClient(settings.onMalformedReply ?? (() => undefined)),
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
