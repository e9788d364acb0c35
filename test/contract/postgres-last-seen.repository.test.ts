import type { Pool } from 'pg';
import { PostgresLastSeenRepository } from '../../src/adapters/postgres/postgres-last-seen.repository';
import { createPostgresPool } from '../../src/adapters/postgres/postgres-pool';
import { createTestDatabase } from '../support/postgres';
import { sysUserTable } from '../support/sys-user.table';
import { describeLastSeenRepositoryContract } from './last-seen-repository.contract';

describeLastSeenRepositoryContract('PostgresLastSeenRepository', {
  backing: 'sys_user table',
  async create() {
    const db = await createTestDatabase();
    // A pool of its own, so that only the repository's queries are counted, not the test's.
    const pool = createPostgresPool({ connectionString: db.url, maxConnections: 2 });
    let queries = 0;
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    pool.query = ((...args: unknown[]) => (queries++, query(...args))) as unknown as Pool['query'];
    const repository = new PostgresLastSeenRepository(pool);
    return {
      repository,
      ...sysUserTable(db.pool),
      roundTrips: () => queries,
      async close() {
        await repository.close();
        await db.drop();
      },
    };
  },
});
