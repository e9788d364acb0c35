import type { Pool } from 'pg';
import type { LastSeenEntry, LastSeenRepository } from '../../src/domain/ports/last-seen.port';
import type { UserId } from '../../src/domain/presence.types';
import { insertUsers, lastSeenOf } from '../support/postgres';

export interface LastSeenRepositoryUnderTest {
  readonly repository: LastSeenRepository;
  /** The migrated throwaway database the repository writes to, for the test's own queries. */
  readonly pool: Pool;
  /** Requests made to the database so far (queries, or HTTP calls). */
  roundTrips(): number;
  /** Releases the repository and drops the database. */
  close(): Promise<void>;
}

const T0 = Date.parse('2025-03-01T12:00:00.000Z');

const byUserId = (a: { userId: UserId }, b: { userId: UserId }): number => String(a.userId).localeCompare(String(b.userId));

/** What every LastSeenRepository adapter must do against a migrated database; an adapter is done when it passes. */
export function describeLastSeenRepositoryContract(name: string, create: () => Promise<LastSeenRepositoryUnderTest>): void {
  describe(`${name} (LastSeenRepository contract)`, () => {
    let subject: LastSeenRepositoryUnderTest;
    let repository: LastSeenRepository;
    let pool: Pool;

    beforeEach(async () => {
      subject = await create();
      ({ repository, pool } = subject);
    });

    afterEach(async () => {
      await subject.close();
    });

    /** How many round trips `action` takes. */
    const roundTripsOf = async <T>(action: () => Promise<T>): Promise<{ result: T; roundTrips: number }> => {
      const before = subject.roundTrips();
      const result = await action();
      return { result, roundTrips: subject.roundTrips() - before };
    };

    it('writes 5,000 users in one round trip and reports the ids that have no row', async () => {
      const ids = Array.from({ length: 5_000 }, (_, i) => i + 1);
      await insertUsers(pool, ids);
      const entries: LastSeenEntry[] = ids.map((id) => ({ userId: id, lastSeen: T0 + id * 1_000 + (id % 1_000) }));

      const { result, roundTrips } = await roundTripsOf(() =>
        repository.saveMany([...entries, { userId: 'ghost', lastSeen: T0 }, { userId: 987_654_321, lastSeen: T0 }]),
      );

      expect(roundTrips).toBe(1);
      expect([...result.missing].sort()).toEqual([987_654_321, 'ghost'].sort());
      const { rows } = await pool.query<{ id: string; ms: string }>(
        'SELECT sys_user_id::text AS id, (extract(epoch FROM last_seen) * 1000)::bigint::text AS ms FROM sys_user ORDER BY sys_user_id',
      );
      expect(rows.map((row) => [Number(row.id), Number(row.ms)])).toEqual(entries.map((entry) => [entry.userId, entry.lastSeen]));
    });

    it('never moves last_seen backwards', async () => {
      await insertUsers(pool, [7]);
      await repository.saveMany([{ userId: 7, lastSeen: T0 + 5_000 }]);
      await repository.saveMany([{ userId: 7, lastSeen: T0 + 1_000 }]);
      expect(await lastSeenOf(pool, 7)).toEqual(new Date(T0 + 5_000));

      await repository.saveMany([{ userId: 7, lastSeen: T0 + 9_000 }]);
      expect(await lastSeenOf(pool, 7)).toEqual(new Date(T0 + 9_000));
    });

    it('keeps the latest time when one batch holds a user more than once, as a number or a string', async () => {
      await insertUsers(pool, [7]);
      const { result } = await roundTripsOf(() =>
        repository.saveMany([
          { userId: 7, lastSeen: T0 + 1_000 },
          { userId: '7', lastSeen: T0 + 3_000 },
          { userId: 7, lastSeen: T0 + 2_000 },
        ]),
      );
      expect(result.missing).toEqual([]);
      expect(await lastSeenOf(pool, 7)).toEqual(new Date(T0 + 3_000));
    });

    it('reads back stored values with number ids for the bigint column, leaving out users without one', async () => {
      await insertUsers(pool, [7, 8, 9]);
      await repository.saveMany([
        { userId: 7, lastSeen: T0 + 1_234 },
        { userId: '8', lastSeen: T0 + 5_678 },
      ]);

      const { result, roundTrips } = await roundTripsOf(() => repository.findMany([7, '8', 9, 'ghost', 987_654_321]));

      expect(roundTrips).toBe(1);
      expect([...result].sort(byUserId)).toEqual([
        { userId: 7, lastSeen: T0 + 1_234 },
        { userId: 8, lastSeen: T0 + 5_678 },
      ]);
    });

    it('makes no round trip for empty input', async () => {
      const { result, roundTrips } = await roundTripsOf(async () => [await repository.saveMany([]), await repository.findMany([])] as const);
      expect(roundTrips).toBe(0);
      expect(result).toEqual([{ missing: [] }, []]);
    });

    it('answers a ping', async () => {
      await expect(repository.ping()).resolves.toBeUndefined();
    });
  });
}
