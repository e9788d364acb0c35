import { LastSeenWriteBehind, type WriteBehindObserver } from '../../../src/application/last-seen-write-behind';
import { InMemoryLastSeenRepository } from '../../../src/adapters/memory/in-memory-last-seen.repository';
import type { LastSeenEntry, SaveResult } from '../../../src/domain/ports/last-seen.port';
import { FakeClock } from '../../support/fake-clock';

/** A database that can be down, or have no row for some users, and counts its round trips. */
class FakeDatabase extends InMemoryLastSeenRepository {
  down = false;
  readonly batches: LastSeenEntry[][] = [];
  readonly withoutRow = new Set<string>();
  /** Runs while a write is in flight, before it lands or fails. */
  duringWrite: () => void = () => undefined;
  /** While set, writes wait for it before they land or fail. */
  writesWaitFor: Promise<void> | undefined;

  override async saveMany(entries: readonly LastSeenEntry[]): Promise<SaveResult> {
    this.batches.push(entries.map((e) => ({ ...e })));
    this.duringWrite();
    await this.writesWaitFor;
    if (this.down) throw new Error('connection refused');
    const missing = entries.filter((e) => this.withoutRow.has(String(e.userId))).map((e) => e.userId);
    await super.saveMany(entries.filter((e) => !this.withoutRow.has(String(e.userId))));
    return { missing };
  }

  /** Reads wait for `release` while set: a hung database. */
  readsHang = false;
  readsStarted = 0;
  private held: Array<() => void> = [];

  override async findMany(userIds: readonly (string | number)[], tenant?: string): Promise<LastSeenEntry[]> {
    this.readsStarted += 1;
    if (this.down) throw new Error('connection refused');
    if (this.readsHang) await new Promise<void>((resolve) => this.held.push(resolve));
    return super.findMany(userIds, tenant);
  }

  release(): void {
    for (const resume of this.held.splice(0)) resume();
  }

  override async ping(): Promise<void> {
    if (this.down) throw new Error('connection refused');
  }
}

class CountingObserver implements WriteBehindObserver {
  ok = 0;
  errors = 0;
  skippedUsers = 0;
  flushed(result: 'ok' | 'error'): void {
    if (result === 'ok') this.ok += 1;
    else this.errors += 1;
  }
  pendingUsers = 0;
  pending(users: number): void {
    this.pendingUsers = users;
  }
  skipped(users: number): void {
    this.skippedUsers += users;
  }
  readonly reads: string[] = [];
  read(result: 'ok' | 'timeout' | 'error'): void {
    this.reads.push(result);
  }
}

function setup() {
  const db = new FakeDatabase();
  const observer = new CountingObserver();
  const clock = new FakeClock();
  const writeBehind = new LastSeenWriteBehind(db, { flushIntervalMs: 5_000, baseBackoffMs: 100, maxBackoffMs: 1_000, readTimeoutMs: 40, maxReadsInFlight: 4, random: () => 0.5 }, observer, () =>
    clock.now(),
  );
  return { db, observer, clock, writeBehind };
}

describe('LastSeenWriteBehind', () => {
  it('holds one entry a user, the latest, and writes them all in one round trip', async () => {
    const { db, writeBehind, observer } = setup();
    for (let i = 0; i < 3_000; i++) writeBehind.record({ userId: i % 1_000 }, 1_000 + i);
    writeBehind.record({ userId: 5 }, 10);
    expect(writeBehind.waiting).toBe(1_000);
    expect(writeBehind.pendingUsers).toBe(1_000);
    expect(await writeBehind.flush()).toBe(true);
    expect(db.batches).toHaveLength(1);
    expect(db.batches[0]).toHaveLength(1_000);
    expect(await db.findMany([5])).toEqual([{ userId: 5, lastSeen: 3_005, lastActive: null }]);
    expect(observer).toMatchObject({ ok: 1 });
    expect(writeBehind.pendingUsers).toBe(0);
  });

  it('makes no round trip when nothing waits', async () => {
    const { db, writeBehind } = setup();
    expect(await writeBehind.flush()).toBe(true);
    expect(db.batches).toHaveLength(0);
  });

  it('keeps a failed batch and lands it once the database is back, losing nothing', async () => {
    const { db, writeBehind, observer } = setup();
    writeBehind.record({ userId: 'a' }, 100);
    writeBehind.record({ userId: 'b' }, 200);
    db.down = true;
    expect(await writeBehind.flush()).toBe(false);
    expect(writeBehind.waiting).toBe(2);
    expect(writeBehind.lastFailure).toMatchObject({ attempts: 1, message: 'connection refused' });
    db.down = false;
    expect(await writeBehind.flush()).toBe(true);
    expect(await db.findMany(['a', 'b'])).toEqual([
      { userId: 'a', lastSeen: 100, lastActive: null },
      { userId: 'b', lastSeen: 200, lastActive: null },
    ]);
    expect(writeBehind.lastFailure).toBeUndefined();
    expect(observer).toMatchObject({ ok: 1, errors: 1 });
  });

  it('never lets a failed older value replace a newer one recorded meanwhile', async () => {
    const { db, writeBehind } = setup();
    writeBehind.record({ userId: 'a' }, 100);
    db.down = true;
    db.duringWrite = () => writeBehind.record({ userId: 'a' }, 300);
    await writeBehind.flush();
    db.duringWrite = () => undefined;
    db.down = false;
    await writeBehind.flush();
    expect(await db.findMany(['a'])).toEqual([{ userId: 'a', lastSeen: 300, lastActive: null }]);
  });

  it('moves lastSeen and lastActive forwards each on its own in the one entry it holds for a user', async () => {
    const { db, writeBehind } = setup();
    writeBehind.record({ userId: 'a', lastActive: 90 }, 100);
    writeBehind.record({ userId: 'a', lastActive: 95 }, 50);
    writeBehind.record({ userId: 'a', lastActive: 10 }, 150);
    writeBehind.record({ userId: 'a', lastActive: null }, 200);
    writeBehind.record({ userId: 'a' }, 300);
    expect(writeBehind.waiting).toBe(1);
    expect((await writeBehind.lookUp(['a'])).entries).toEqual([{ userId: 'a', lastSeen: 300, lastActive: 95 }]);
    await writeBehind.flush();
    expect(db.batches).toEqual([[{ tenant: undefined, userId: 'a', lastSeen: 300, userType: null, lastActive: 95 }]]);
  });

  it('keeps the type that came with the latest lastSeen when an older lastSeen brings a newer lastActive', async () => {
    const { db, writeBehind } = setup();
    writeBehind.record({ tenant: 't', userId: 'a', userType: 'agent', lastActive: 100 }, 200);
    writeBehind.record({ tenant: 't', userId: 'a', userType: 'client', lastActive: 150 }, 100);
    await writeBehind.flush();
    expect(await db.findMany(['a'], 't')).toEqual([{ tenant: 't', userId: 'a', lastSeen: 200, userType: 'agent', lastActive: 150 }]);
  });

  it('writes activity that comes with an unchanged lastSeen (a userActivity)', async () => {
    const { db, writeBehind } = setup();
    writeBehind.record({ userId: 'a', lastActive: 100 }, 100);
    await writeBehind.flush();
    writeBehind.record({ userId: 'a', lastActive: 160 }, 100);
    expect(writeBehind.pendingUsers).toBe(1);
    await writeBehind.flush();
    expect(db.batches).toHaveLength(2);
    expect(await db.findMany(['a'])).toEqual([{ userId: 'a', lastSeen: 100, lastActive: 160 }]);
  });

  it.each([
    ['an older lastSeen with a newer lastActive', { seen: 200, active: 250 }, { lastSeen: 300, lastActive: 250 }],
    ['a newer lastSeen with an older lastActive', { seen: 400, active: 50 }, { lastSeen: 400, lastActive: 100 }],
    ['a newer lastSeen with no lastActive', { seen: 400, active: null }, { lastSeen: 400, lastActive: 100 }],
  ])('keeps the later of each value when a flush fails and %s was recorded meanwhile', async (_case, meanwhile, landed) => {
    const { db, writeBehind } = setup();
    writeBehind.record({ userId: 'a', lastActive: 100 }, 300);
    db.down = true;
    db.duringWrite = () => writeBehind.record({ userId: 'a', lastActive: meanwhile.active }, meanwhile.seen);
    expect(await writeBehind.flush()).toBe(false);
    db.duringWrite = () => undefined;
    db.down = false;
    expect(await writeBehind.flush()).toBe(true);
    expect(await db.findMany(['a'])).toEqual([{ userId: 'a', ...landed }]);
  });

  it('reads lastActive back from the database and from values in flight or waiting, the later of each', async () => {
    const { db, writeBehind } = setup();
    await db.saveMany([
      { userId: 'a', lastSeen: 500, lastActive: 100 },
      { userId: 'b', lastSeen: 100, lastActive: 400 },
    ]);
    writeBehind.record({ userId: 'a', lastActive: 300 }, 200);
    writeBehind.record({ userId: 'b', lastActive: null }, 200);
    writeBehind.record({ userId: 'c', lastActive: 40 }, 50);
    let land = (): void => undefined;
    db.writesWaitFor = new Promise<void>((resolve) => (land = resolve));
    const flushing = writeBehind.flush();
    writeBehind.record({ userId: 'c' }, 60);
    const { entries } = await writeBehind.lookUp(['a', 'b', 'c', 'd']);
    expect([...entries].sort((x, y) => String(x.userId).localeCompare(String(y.userId)))).toEqual([
      { userId: 'a', lastSeen: 500, lastActive: 300 },
      { userId: 'b', lastSeen: 200, lastActive: 400 },
      { userId: 'c', lastSeen: 60, lastActive: 40 },
    ]);
    land();
    expect(await flushing).toBe(true);
  });

  it('reads the database overlaid with newer values still waiting', async () => {
    const { db, writeBehind } = setup();
    await db.saveMany([{ userId: 'a', lastSeen: 100 }, { userId: 'b', lastSeen: 100 }]);
    writeBehind.record({ userId: 'a' }, 500);
    writeBehind.record({ userId: 'c' }, 50);
    const { entries: found, complete } = await writeBehind.lookUp(['a', 'b', 'c', 'd']);
    expect(complete).toBe(true);
    expect([...found].sort((x, y) => String(x.userId).localeCompare(String(y.userId)))).toEqual([
      { userId: 'a', lastSeen: 500, lastActive: null },
      { userId: 'b', lastSeen: 100, lastActive: null },
      { userId: 'c', lastSeen: 50, lastActive: null },
    ]);
    // What was read is a copy: the buffer updates its own entries in place.
    writeBehind.record({ userId: 'a' }, 900);
    expect(found.find((e) => e.userId === 'a')).toEqual({ userId: 'a', lastSeen: 500, lastActive: null });
    expect((await writeBehind.lookUp(['a'])).entries).toEqual([{ userId: 'a', lastSeen: 900, lastActive: null }]);
  });

  it('gives up on a hung database after readTimeoutMs, telling what the buffer holds as an incomplete read', async () => {
    const { db, writeBehind, observer } = setup();
    await db.saveMany([{ userId: 'a', lastSeen: 100 }]);
    writeBehind.record({ userId: 'b' }, 50);
    db.readsHang = true;
    expect(await writeBehind.lookUp(['a', 'b'])).toEqual({ entries: [{ userId: 'b', lastSeen: 50, lastActive: null }], complete: false });
    db.readsHang = false;
    db.down = true;
    expect(await writeBehind.lookUp(['a'])).toEqual({ entries: [], complete: false });
    db.down = false;
    expect(await writeBehind.lookUp(['a'])).toEqual({ entries: [{ userId: 'a', lastSeen: 100, lastActive: null }], complete: true });
    expect(observer.reads).toEqual(['timeout', 'error', 'ok']);
    db.release();
  });

  it('lets at most four reads reach a hung database; the others time out waiting, and no read is started for none', async () => {
    const { db, writeBehind, observer } = setup();
    db.readsHang = true;
    const answers = await Promise.all(Array.from({ length: 10 }, () => writeBehind.lookUp(['a'])));
    expect(answers.every((a) => !a.complete)).toBe(true);
    expect(db.readsStarted).toBe(4);
    expect(observer.reads).toEqual(Array(10).fill('timeout'));
    // The slots come back when the hung reads end.
    db.readsHang = false;
    db.release();
    expect((await writeBehind.lookUp(['a'])).complete).toBe(true);
    expect(await writeBehind.lookUp([])).toEqual({ entries: [], complete: true });
    expect(db.readsStarted).toBe(5);
  });

  it('counts users without a row as skipped, and does not retry them', async () => {
    const { db, writeBehind, observer } = setup();
    db.withoutRow.add('ghost');
    writeBehind.record({ userId: 'ghost' }, 1);
    writeBehind.record({ userId: 'real' }, 1);
    expect(await writeBehind.flush()).toBe(true);
    expect(observer.skippedUsers).toBe(1);
    expect(writeBehind.waiting).toBe(0);
  });

  it('reports up, degraded while writes fail, and down when the database does not answer', async () => {
    const { db, writeBehind } = setup();
    const health = writeBehind.health();
    expect(await health.check()).toEqual({ status: 'up' });
    writeBehind.record({ userId: 'a' }, 1);
    db.down = true;
    expect(await health.check()).toEqual({ status: 'down', detail: 'connection refused; 1 waiting' });
    await writeBehind.flush();
    db.down = false;
    expect(await health.check()).toEqual({ status: 'degraded', detail: '1 failed flushes: connection refused; 1 waiting' });
    await writeBehind.flush();
    expect(await health.check()).toEqual({ status: 'up' });
  });

  it('flushes on stop, retrying until the deadline', async () => {
    const { db, writeBehind } = setup();
    writeBehind.record({ userId: 'a' }, 1);
    db.down = true;
    let attempts = 0;
    db.duringWrite = () => {
      attempts += 1;
      if (attempts === 3) db.down = false;
    };
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const stopping = writeBehind.stop(60_000);
      await jest.advanceTimersByTimeAsync(5_000);
      expect(await stopping).toBe(0);
    } finally {
      jest.useRealTimers();
    }
    expect(attempts).toBe(3);
    expect(await db.findMany(['a'])).toEqual([{ userId: 'a', lastSeen: 1, lastActive: null }]);
  });

  it('gives up at the deadline and says how many were left', async () => {
    const { db, writeBehind, clock } = setup();
    writeBehind.record({ userId: 'a' }, 1);
    db.down = true;
    db.duringWrite = () => clock.advance(1_000);
    expect(await writeBehind.stop(1_500)).toBe(1);
  });

  it('backs off exponentially after failures, then returns to the interval', async () => {
    const { db, writeBehind } = setup();
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      db.down = true;
      writeBehind.record({ userId: 'a' }, 1);
      writeBehind.start();
      await jest.advanceTimersByTimeAsync(5_000); // the first flush, at the interval
      expect(db.batches).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(100); // retries after 100, 200, 400 ms (jitter fixed at 1x)
      await jest.advanceTimersByTimeAsync(200);
      await jest.advanceTimersByTimeAsync(400);
      expect(db.batches).toHaveLength(4);
      db.down = false;
      await jest.advanceTimersByTimeAsync(800);
      expect(db.batches).toHaveLength(5);
      writeBehind.record({ userId: 'b' }, 2);
      await jest.advanceTimersByTimeAsync(4_999);
      expect(db.batches).toHaveLength(5);
      await jest.advanceTimersByTimeAsync(1);
      expect(db.batches).toHaveLength(6);
    } finally {
      await writeBehind.stop(0);
      jest.useRealTimers();
    }
  });
});
