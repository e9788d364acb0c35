/**
 * Domain micro-benchmarks: the use cases on the in-memory store with a fake clock, at 10^3 to 10^6 users. Per-event
 * work should not grow with the number of users; a sweep should cost what expires.
 */
import { InMemoryLastSeenRepository } from '../src/adapters/memory/in-memory-last-seen.repository';
import { InMemoryNodeRegistry } from '../src/adapters/memory/in-memory-node.registry';
import { InMemoryPresenceStore } from '../src/adapters/memory/in-memory-presence.store';
import type { PresenceNotifier } from '../src/domain/ports/presence-notifier.port';
import { PresenceService } from '../src/domain/presence.service';
import { round } from './stats';

const silent: PresenceNotifier = { publish: () => undefined };
const TTL = 60_000;

function build() {
  let now = Date.UTC(2026, 10, 27);
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const service = new PresenceService({
    clock,
    store: new InMemoryPresenceStore(),
    notifier: silent,
    lastSeen: new InMemoryLastSeenRepository(),
    nodes: new InMemoryNodeRegistry(),
    settings: { ttlMs: TTL, idleMs: 600_000,
    disconnectGraceMs: 5_000, broadcastHeartbeats: false, sweepBatchSize: 1_000, nodeId: 'bench', nodeRecoveryClaimMs: 30_000 },
  });
  return { clock, service };
}

const on = (i: number) => ({ connectionId: `c${i}`, nodeId: 'bench', userId: i });

async function timePerOp(count: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await op(i);
  return Number(process.hrtime.bigint() - start) / count;
}

export interface DomainFigures {
  users: number;
  onlineNsPerOp: number;
  heartbeatNsPerOp: number;
  offlineNsPerOp: number;
  sweepNoneExpiringMs: number;
  sweepOnePercentExpiringMs: number;
}

export async function domainBenchmarks(sizes: readonly number[]): Promise<DomainFigures[]> {
  const figures: DomainFigures[] = [];
  for (const users of sizes) {
    const { clock, service } = build();
    // 1 % of the users go online a minute before the rest: they are the ones due at the 1 % sweep.
    const early = Math.floor(users / 100);
    for (let i = 0; i < early; i++) await service.goOnline(on(i));
    clock.advance(30_000);
    for (let i = early; i < users; i++) await service.goOnline(on(i));
    const sample = Math.min(users, 20_000);
    const heartbeatNs = await timePerOp(sample, (i) => service.heartbeat(on(early + (i % (users - early)))));
    const onlineNs = await timePerOp(sample, (i) => service.goOnline(on(users + i)));
    const offlineNs = await timePerOp(sample, (i) => service.goOffline({ connectionId: `c${users + i}`, userId: users + i }));

    const sweepNone = await timeSweep(service, 20);
    clock.advance(30_000);
    const sweepSome = await timeSweep(service, 1);
    figures.push({
      users,
      onlineNsPerOp: Math.round(onlineNs),
      heartbeatNsPerOp: Math.round(heartbeatNs),
      offlineNsPerOp: Math.round(offlineNs),
      sweepNoneExpiringMs: round(sweepNone, 4),
      sweepOnePercentExpiringMs: round(sweepSome, 3),
    });
  }
  return figures;
}

/** The median of `runs` sweeps, in milliseconds. */
async function timeSweep(service: PresenceService, runs: number): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    await service.sweep();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

if (require.main === module) {
  void domainBenchmarks([1_000, 10_000, 100_000]).then((f) => console.table(f));
}
