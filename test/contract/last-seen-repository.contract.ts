import fc from 'fast-check';
import type { Pool } from 'pg';
import { parseUserId } from '../../src/adapters/validation/user-id.schema';
import type { LastSeenEntry, LastSeenRepository } from '../../src/domain/ports/last-seen.port';
import { userKeyOf, type UserId } from '../../src/domain/presence.types';
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

/** Ids that a careless cast would read as one of the rows 0, 7 and 70: only their canonical text is. */
const lookalikeIds = fc
  .oneof(
    fc.constantFrom<UserId>(7, '7', '07', '007', '7.0', '+7', ' 7', '7 ', '0x7', '7e0', '-0', '0', 0, '00', 70, '70', '070', '7e1', '-7'),
    fc.string({ unit: fc.constantFrom('0', '7', '-', '+', '.', 'e', ' '), minLength: 1, maxLength: 4 }),
  )
  .filter((id) => parseUserId(id) !== undefined);

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

    it('moves only the row an id names in its canonical form, and reads back only that row', async () => {
      const rows = [0, 7, 70];
      await insertUsers(pool, rows);
      await fc.assert(
        fc.asyncProperty(lookalikeIds, async (id) => {
          await pool.query('UPDATE sys_user SET last_seen = NULL');
          const named = rows.find((row) => String(row) === userKeyOf(id));
          const { missing } = await repository.saveMany([{ userId: id, lastSeen: T0 }]);
          expect(missing).toEqual(named === undefined ? [id] : []);
          for (const row of rows) expect(await lastSeenOf(pool, row)).toEqual(row === named ? new Date(T0) : null);
          expect(await repository.findMany([id])).toEqual(named === undefined ? [] : [{ userId: named, lastSeen: T0 }]);
        }),
        { numRuns: 40 },
      );
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
