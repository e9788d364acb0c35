import pino from 'pino';
import { InMemoryLastSeenRepository } from '../../../../src/adapters/memory/in-memory-last-seen.repository';
import { InMemoryNodeRegistry } from '../../../../src/adapters/memory/in-memory-node.registry';
import { InMemoryPresenceStore } from '../../../../src/adapters/memory/in-memory-presence.store';
import { DeadlineSweeper } from '../../../../src/adapters/scheduling/deadline-sweeper';
import { StallMeter } from '../../../../src/adapters/scheduling/stall-meter';
import type { Clock } from '../../../../src/domain/ports/clock.port';
import type { PresenceEvent } from '../../../../src/domain/presence.events';
import { PresenceService, type SweepOptions } from '../../../../src/domain/presence.service';
import { on, testSettings } from '../../../support/build-domain';

const TTL_MS = 60_000;
const BATCH_MS = 10;

/**
 * Expiry at the deadline (issue 20): on a fake clock (jest's timers, which the clock reads), the sweep runs when the
 * earliest deadline comes, whatever the interval, and at the latest an interval after the last one.
 */
describe('the deadline sweeper', () => {
  let sweeps: number;
  let offlineAt: Map<string, number>;
  let sweeper: DeadlineSweeper;
  let service: PresenceService;

  const build = (intervalMs: number, settings: Partial<typeof testSettings> = {}) => {
    const clock: Clock = { now: () => Date.now() };
    const notifier = {
      publish: (event: PresenceEvent) => {
        if (event.type === 'UserPresenceChanged' && event.to.status === 'offline') offlineAt.set(String(event.userId), Date.now());
      },
    };
    const metrics = { sweepLag: { observe: () => undefined }, sweepDuration: { startTimer: () => () => undefined }, expiriesDeferred: { inc: () => undefined }, stallAllowance: { set: () => undefined } };
    const sweep = (options: SweepOptions) => {
      sweeps += 1;
      return service.sweep(options);
    };
    sweeper = new DeadlineSweeper(sweep, { intervalMs, batchMs: BATCH_MS }, clock, pino({ level: 'silent' }), metrics, new StallMeter(TTL_MS));
    service = new PresenceService({
      clock,
      store: new InMemoryPresenceStore(),
      notifier,
      lastSeen: new InMemoryLastSeenRepository(),
      nodes: new InMemoryNodeRegistry(),
      settings: { ...testSettings, ttlMs: TTL_MS, ...settings },
      alarm: sweeper,
    });
    sweeper.start();
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 2), doNotFake: ['nextTick', 'setImmediate'] });
    sweeps = 0;
    offlineAt = new Map();
  });
  afterEach(async () => {
    await sweeper.stop();
    jest.useRealTimers();
  });

  it('ends a silent connection within the batch window of its TTL, though the interval is ten seconds', async () => {
    build(10_000);
    const start = Date.now();
    await service.goOnline(on('c1', 'silent'));
    await jest.advanceTimersByTimeAsync(15_000);
    await service.heartbeat(on('c1', 'silent'));
    const lastHeartbeat = Date.now();
    await jest.advanceTimersByTimeAsync(TTL_MS + 1_000);
    const at = offlineAt.get('silent') as number;
    expect(at - lastHeartbeat).toBeGreaterThanOrEqual(TTL_MS);
    expect(at - lastHeartbeat).toBeLessThanOrEqual(TTL_MS + BATCH_MS);
    // The interval still bounds the wait between sweeps, and nothing sweeps in between.
    expect(sweeps).toBeLessThanOrEqual(Math.ceil((Date.now() - start) / 10_000) + 2);
  });

  it('moves the next sweep up for a deadline sooner than the one planned: a disconnect grace', async () => {
    build(10_000, { disconnectGraceMs: 150 });
    await service.goOnline(on('c1', 'leaving'));
    await jest.advanceTimersByTimeAsync(1_000);
    const droppedAt = Date.now();
    await service.disconnect(on('c1', 'leaving'));
    await jest.advanceTimersByTimeAsync(500);
    const at = offlineAt.get('leaving') as number;
    expect(at - droppedAt).toBeGreaterThanOrEqual(150);
    expect(at - droppedAt).toBeLessThanOrEqual(150 + BATCH_MS);
  });

  it('ends deadlines close together in one sweep', async () => {
    build(10_000, { disconnectGraceMs: 150 });
    for (const id of ['a', 'b', 'c']) await service.goOnline(on(`c-${id}`, id));
    await jest.advanceTimersByTimeAsync(1_000);
    const before = sweeps;
    for (const id of ['a', 'b', 'c']) {
      await service.disconnect(on(`c-${id}`, id));
      await jest.advanceTimersByTimeAsync(2);
    }
    await jest.advanceTimersByTimeAsync(500);
    expect([...offlineAt.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(sweeps - before).toBe(1);
  });

  it('sweeps at the interval when nothing is due', async () => {
    build(1_000);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(sweeps).toBe(5);
  });

  it('leaves a deadline the sweep deferred (this node stalled) to the interval, not a sweep on every tick', async () => {
    const clock: Clock = { now: () => Date.now() };
    const metrics = { sweepLag: { observe: () => undefined }, sweepDuration: { startTimer: () => () => undefined }, expiriesDeferred: { inc: () => undefined }, stallAllowance: { set: () => undefined } };
    // A sweep that defers a user due a second ago, every time.
    const deferring = () => {
      sweeps += 1;
      return Promise.resolve({ now: Date.now(), usersChecked: 0, transitions: 0, deferred: 1, nodesRecovered: [], nextDeadline: Date.now() - 1_000 });
    };
    sweeper = new DeadlineSweeper(deferring, { intervalMs: 1_000, batchMs: BATCH_MS }, clock, pino({ level: 'silent' }), metrics, new StallMeter(TTL_MS));
    sweeper.start();
    await jest.advanceTimersByTimeAsync(3_000);
    expect(sweeps).toBe(3);
  });

  /** A sweeper over a stand-in sweep: `results` says, call by call, how long it takes and what deadline it leaves. */
  const stubbed = (intervalMs: number, results: (call: number, now: number) => { takesMs: number; nextDeadline: number | undefined }) => {
    const clock: Clock = { now: () => Date.now() };
    const metrics = { sweepLag: { observe: () => undefined }, sweepDuration: { startTimer: () => () => undefined }, expiriesDeferred: { inc: () => undefined }, stallAllowance: { set: () => undefined } };
    const sweep = async () => {
      const now = Date.now();
      const { takesMs, nextDeadline } = results(sweeps++, now);
      await new Promise((resolve) => setTimeout(resolve, takesMs));
      return { now, usersChecked: 0, transitions: 0, deferred: 0, nodesRecovered: [], nextDeadline };
    };
    sweeper = new DeadlineSweeper(sweep, { intervalMs, batchMs: BATCH_MS }, clock, pino({ level: 'silent' }), metrics, new StallMeter(TTL_MS));
    sweeper.start();
  };

  it('sweeps at once after a sweep during which the next deadline came due, not an interval later', async () => {
    // The first sweep takes 20 ms, and leaves a deadline 5 ms after it started.
    stubbed(10_000, (call, now) => ({ takesMs: call === 0 ? 20 : 0, nextDeadline: call === 0 ? now + 5 : undefined }));
    await jest.advanceTimersByTimeAsync(10_000 + 100);
    expect(sweeps).toBe(2);
  });

  it('starts no sweep for a deadline the last sweep deferred, reported again by a heartbeat', async () => {
    stubbed(1_000, () => ({ takesMs: 0, nextDeadline: undefined }));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sweeps).toBe(1);
    sweeper.dueAt(Date.now() - 500);
    await jest.advanceTimersByTimeAsync(100);
    expect(sweeps).toBe(1);
    // A deadline after the sweep still moves the next one up.
    sweeper.dueAt(Date.now() + 50);
    await jest.advanceTimersByTimeAsync(100);
    expect(sweeps).toBe(2);
  });

  it('sweeps no more once stopped', async () => {
    build(1_000);
    await jest.advanceTimersByTimeAsync(2_000);
    await sweeper.stop();
    const before = sweeps;
    await service.goOnline(on('c1', 'after-stop'));
    await jest.advanceTimersByTimeAsync(TTL_MS * 2);
    expect(sweeps).toBe(before);
  });
});
