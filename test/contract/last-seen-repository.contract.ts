import fc from 'fast-check';
import { parseUserId } from '../../src/adapters/validation/user-id.schema';
import type { LastSeenEntry, LastSeenRepository } from '../../src/domain/ports/last-seen.port';
import { userKeyOf, type Instant, type UserId } from '../../src/domain/presence.types';

/** A repository with hooks that reach what is behind it, so that the suite checks what was stored, not what it says. */
export interface LastSeenRepositoryUnderTest {
  readonly repository: LastSeenRepository;
  /** Makes these users known, with no last_seen yet; nothing to do where every user is known. */
  addUsers(ids: readonly number[]): Promise<void>;
  /** What is stored for each of these users, read around the repository where anything is behind it; null for none. */
  lastSeenOf(ids: readonly number[]): Promise<Array<Instant | null>>;
  /** The same for last_active (CONTRACT §8). */
  lastActiveOf(ids: readonly number[]): Promise<Array<Instant | null>>;
  /** Releases the repository, and drops its database if it has one. */
  close(): Promise<void>;
}

/** A repository on the app's `sys_user` table: rows only for known users, a bigint key, a database reached in round trips. */
export interface SysUserRepositoryUnderTest extends LastSeenRepositoryUnderTest {
  /** Every row of the table, by id. */
  rows(): Promise<Array<readonly [number, Instant | null]>>;
  /** Requests made to the database so far (queries, or HTTP calls). */
  roundTrips(): number;
}

/**
 * Where the repository keeps last_seen. `process memory` has no table of users (every user has a row) and no
 * database to count round trips to, so the suite skips, and Jest lists as skipped, the `sys_user` tests for it.
 */
export type LastSeenRepositoryTarget =
  | { readonly backing: 'sys_user table'; create(): Promise<SysUserRepositoryUnderTest> }
  | { readonly backing: 'process memory'; create(): Promise<LastSeenRepositoryUnderTest> };

const T0 = Date.parse('2025-03-01T12:00:00.000Z');

/** Ids that a careless cast would read as one of the rows 0, 7 and 70: only their canonical text is. */
const lookalikeIds = fc
  .oneof(
    fc.constantFrom<UserId>(7, '7', '07', '007', '7.0', '+7', ' 7', '7 ', '0x7', '7e0', '-0', '0', 0, '00', 70, '70', '070', '7e1', '-7'),
    fc.string({ unit: fc.constantFrom('0', '7', '-', '+', '.', 'e', ' '), minLength: 1, maxLength: 4 }),
  )
  .filter((id) => parseUserId(id) !== undefined);

const byUserId = (a: { userId: UserId }, b: { userId: UserId }): number => String(a.userId).localeCompare(String(b.userId));

/** What every LastSeenRepository adapter must do; an adapter is done when it passes. */
export function describeLastSeenRepositoryContract(name: string, target: LastSeenRepositoryTarget): void {
  const inSysUser = target.backing === 'sys_user table';

  describe(`${name} (LastSeenRepository contract)`, () => {
    describe('whatever keeps the values', () => {
      let subject: LastSeenRepositoryUnderTest;
      let repository: LastSeenRepository;

      beforeEach(async () => {
        subject = await target.create();
        ({ repository } = subject);
      });

      afterEach(async () => {
        await subject.close();
      });

      it('writes 5,000 users in one call and stores each', async () => {
        const ids = Array.from({ length: 5_000 }, (_, i) => i + 1);
        await subject.addUsers(ids);
        const entries: LastSeenEntry[] = ids.map((id) => ({ userId: id, lastSeen: T0 + id * 1_000 + (id % 1_000) }));

        expect(await repository.saveMany(entries)).toEqual({ missing: [] });
        expect(await subject.lastSeenOf(ids)).toEqual(entries.map((entry) => entry.lastSeen));
      });

      it('never moves last_seen backwards', async () => {
        await subject.addUsers([7]);
        await repository.saveMany([{ userId: 7, lastSeen: T0 + 5_000 }]);
        await repository.saveMany([{ userId: 7, lastSeen: T0 + 1_000 }]);
        expect(await subject.lastSeenOf([7])).toEqual([T0 + 5_000]);

        await repository.saveMany([{ userId: 7, lastSeen: T0 + 9_000 }]);
        expect(await subject.lastSeenOf([7])).toEqual([T0 + 9_000]);
      });

      it('keeps the latest time when one batch holds a user more than once, as a number or a string', async () => {
        await subject.addUsers([7]);
        const result = await repository.saveMany([
          { userId: 7, lastSeen: T0 + 1_000 },
          { userId: '7', lastSeen: T0 + 3_000 },
          { userId: 7, lastSeen: T0 + 2_000 },
        ]);
        expect(result.missing).toEqual([]);
        expect(await subject.lastSeenOf([7])).toEqual([T0 + 3_000]);
      });

      it('reads back stored values, leaving out users without one (ids as numbers from a bigint column)', async () => {
        await subject.addUsers([7, 8, 9]);
        await repository.saveMany([
          { userId: 7, lastSeen: T0 + 1_234 },
          { userId: '8', lastSeen: T0 + 5_678 },
        ]);

        const found = await repository.findMany([7, '8', 9, 'ghost', 987_654_321]);

        expect([...found].sort(byUserId)).toEqual([
          { userId: 7, lastSeen: T0 + 1_234, lastActive: null },
          { userId: inSysUser ? 8 : '8', lastSeen: T0 + 5_678, lastActive: null },
        ]);
      });

      it('stores last_active beside last_seen and reads both back, null for a user with none', async () => {
        await subject.addUsers([7, 8]);
        await repository.saveMany([
          { userId: 7, lastSeen: T0 + 2_000, lastActive: T0 + 1_500 },
          { userId: 8, lastSeen: T0 + 3_000, lastActive: null },
        ]);
        expect(await subject.lastActiveOf([7, 8])).toEqual([T0 + 1_500, null]);
        expect([...(await repository.findMany([7, 8]))].sort(byUserId)).toEqual([
          { userId: 7, lastSeen: T0 + 2_000, lastActive: T0 + 1_500 },
          { userId: 8, lastSeen: T0 + 3_000, lastActive: null },
        ]);
      });

      it('moves last_seen and last_active forwards each on its own: an older last_seen still brings a newer last_active', async () => {
        await subject.addUsers([7]);
        await repository.saveMany([{ userId: 7, lastSeen: T0 + 5_000, lastActive: T0 + 4_000 }]);
        await repository.saveMany([{ userId: 7, lastSeen: T0 + 9_000, lastActive: T0 + 2_000 }]);
        expect([await subject.lastSeenOf([7]), await subject.lastActiveOf([7])]).toEqual([[T0 + 9_000], [T0 + 4_000]]);

        await repository.saveMany([{ userId: 7, lastSeen: T0 + 3_000, lastActive: T0 + 8_000 }]);
        expect([await subject.lastSeenOf([7]), await subject.lastActiveOf([7])]).toEqual([[T0 + 9_000], [T0 + 8_000]]);
        expect(await repository.findMany([7])).toEqual([{ userId: 7, lastSeen: T0 + 9_000, lastActive: T0 + 8_000 }]);
      });

      it('never erases last_active with a null or absent one', async () => {
        await subject.addUsers([7]);
        await repository.saveMany([{ userId: 7, lastSeen: T0 + 1_000, lastActive: T0 + 1_000 }]);
        await repository.saveMany([{ userId: 7, lastSeen: T0 + 2_000, lastActive: null }]);
        await repository.saveMany([{ userId: 7, lastSeen: T0 + 3_000 }]);
        expect(await subject.lastActiveOf([7])).toEqual([T0 + 1_000]);
        expect(await repository.findMany([7])).toEqual([{ userId: 7, lastSeen: T0 + 3_000, lastActive: T0 + 1_000 }]);
      });

      it('keeps the latest of each value when one batch holds a user more than once', async () => {
        await subject.addUsers([7]);
        await repository.saveMany([
          { userId: 7, lastSeen: T0 + 1_000, lastActive: T0 + 5_000 },
          { userId: '7', lastSeen: T0 + 3_000, lastActive: T0 + 2_000 },
          { userId: 7, lastSeen: T0 + 2_000, lastActive: null },
        ]);
        expect([await subject.lastSeenOf([7]), await subject.lastActiveOf([7])]).toEqual([[T0 + 3_000], [T0 + 5_000]]);
      });

      it('holds the latest last_seen and the latest last_active given, after any batches in any order', async () => {
        const write = fc.record({
          seen: fc.integer({ min: 0, max: 20 }),
          // undefined: an entry with no lastActive at all.
          active: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(null), fc.constant(undefined)),
          asText: fc.boolean(),
        });
        let id = 100;
        await fc.assert(
          fc.asyncProperty(fc.array(fc.array(write, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }), async (batches) => {
            id += 1;
            await subject.addUsers([id]);
            for (const batch of batches) {
              await repository.saveMany(
                batch.map(({ seen, active, asText }) => ({
                  userId: asText ? String(id) : id,
                  lastSeen: T0 + seen * 1_000,
                  ...(active === undefined ? {} : { lastActive: active === null ? null : T0 + active * 1_000 }),
                })),
              );
            }
            const writes = batches.flat();
            const lastSeen = T0 + Math.max(...writes.map((w) => w.seen)) * 1_000;
            const actives = writes.flatMap((w) => (typeof w.active === 'number' ? [w.active] : []));
            const lastActive = actives.length === 0 ? null : T0 + Math.max(...actives) * 1_000;
            expect([await subject.lastSeenOf([id]), await subject.lastActiveOf([id])]).toEqual([[lastSeen], [lastActive]]);
            const found = await repository.findMany([id]);
            expect(found).toHaveLength(1);
            expect(found[0]).toMatchObject({ lastSeen, lastActive });
          }),
          { numRuns: 30 },
        );
      });

      it('moves only the user an id names in its canonical form, and reads back only that user', async () => {
        const rows = [0, 7, 70];
        await subject.addUsers(rows);
        // Each run saves a later time: values never move backwards, so a run shows only in the user it named.
        let now = T0;
        await fc.assert(
          fc.asyncProperty(lookalikeIds, async (id) => {
            now += 1_000;
            const named = rows.find((row) => String(row) === userKeyOf(id));
            const before = await subject.lastSeenOf(rows);
            const { missing } = await repository.saveMany([{ userId: id, lastSeen: now }]);
            const stored = named !== undefined || !inSysUser;
            expect(missing).toEqual(stored ? [] : [id]);
            expect(await subject.lastSeenOf(rows)).toEqual(rows.map((row, i) => (row === named ? now : before[i])));
            expect(await repository.findMany([id])).toEqual(stored ? [{ userId: inSysUser ? named : id, lastSeen: now, lastActive: null }] : []);
          }),
          { numRuns: 40 },
        );
      });

      it('answers empty input with nothing', async () => {
        expect(await repository.saveMany([])).toEqual({ missing: [] });
        expect(await repository.findMany([])).toEqual([]);
      });

      it('answers a ping', async () => {
        await expect(repository.ping()).resolves.toBeUndefined();
      });
    });

    (inSysUser ? describe : describe.skip)('on a sys_user table of known users, in round trips to its database', () => {
      let subject: SysUserRepositoryUnderTest;
      let repository: LastSeenRepository;

      beforeEach(async () => {
        if (target.backing !== 'sys_user table') throw new Error(`${name} keeps last_seen in ${target.backing}`);
        subject = await target.create();
        ({ repository } = subject);
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
        await subject.addUsers(ids);
        const entries: LastSeenEntry[] = ids.map((id) => ({ userId: id, lastSeen: T0 + id * 1_000 + (id % 1_000) }));

        const { result, roundTrips } = await roundTripsOf(() =>
          repository.saveMany([...entries, { userId: 'ghost', lastSeen: T0 }, { userId: 987_654_321, lastSeen: T0 }]),
        );

        expect(roundTrips).toBe(1);
        expect([...result.missing].sort()).toEqual([987_654_321, 'ghost'].sort());
        expect(await subject.rows()).toEqual(entries.map((entry) => [entry.userId, entry.lastSeen]));
      });

      it('writes last_seen and last_active of 5,000 users in the same single round trip', async () => {
        const ids = Array.from({ length: 5_000 }, (_, i) => i + 1);
        await subject.addUsers(ids);
        const activeOf = (id: number): number | null => (id % 3 === 0 ? null : T0 + id * 1_000 - (id % 500));
        const entries: LastSeenEntry[] = ids.map((id) => ({ userId: id, lastSeen: T0 + id * 1_000, lastActive: activeOf(id) }));

        const { result, roundTrips } = await roundTripsOf(() =>
          repository.saveMany([...entries, { userId: 'ghost', lastSeen: T0, lastActive: T0 }, { userId: 987_654_321, lastSeen: T0, lastActive: T0 }]),
        );

        expect(roundTrips).toBe(1);
        expect([...result.missing].sort()).toEqual([987_654_321, 'ghost'].sort());
        expect(await subject.lastSeenOf(ids)).toEqual(entries.map((entry) => entry.lastSeen));
        expect(await subject.lastActiveOf(ids)).toEqual(ids.map(activeOf));
      });

      it('reads many users, last_seen and last_active, in one round trip', async () => {
        await subject.addUsers([7, 8, 9]);
        await repository.saveMany([
          { userId: 7, lastSeen: T0 + 1_234 },
          { userId: 8, lastSeen: T0 + 2_000, lastActive: T0 + 1_000 },
        ]);
        const { result, roundTrips } = await roundTripsOf(() => repository.findMany([7, '8', 9, 'ghost', 987_654_321]));
        expect(roundTrips).toBe(1);
        expect([...result].sort(byUserId)).toEqual([
          { userId: 7, lastSeen: T0 + 1_234, lastActive: null },
          { userId: 8, lastSeen: T0 + 2_000, lastActive: T0 + 1_000 },
        ]);
      });

      it('makes no round trip for empty input', async () => {
        const { result, roundTrips } = await roundTripsOf(async () => [await repository.saveMany([]), await repository.findMany([])] as const);
        expect(roundTrips).toBe(0);
        expect(result).toEqual([{ missing: [] }, []]);
      });
    });
  });
}
