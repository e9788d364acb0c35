/**
 * CONTRACT §8's cost (issue 18): a `userActivity` through the event path beside a heartbeat measured the same way;
 * the heartbeat as BENCHMARKS.md measured it before §8; and the sweep that marks connections idle, with 1 % of
 * 100,000 online users reaching their idle deadline at its instant, against the same sweep with none due.
 */
import { createRedis, whenReady } from '../src/adapters/redis/redis-client';
import { deleteKeysWithPrefix, RedisKeys } from '../src/adapters/redis/redis-keys';
import { RedisNodeRegistry } from '../src/adapters/redis/redis-node.registry';
import { RedisPresenceStore } from '../src/adapters/redis/redis-presence.store';
import { InMemoryLastSeenRepository } from '../src/adapters/memory/in-memory-last-seen.repository';
import { InMemoryNodeRegistry } from '../src/adapters/memory/in-memory-node.registry';
import { InMemoryPresenceStore } from '../src/adapters/memory/in-memory-presence.store';
import type { NodeRegistry } from '../src/domain/ports/node-registry.port';
import type { PresenceStore } from '../src/domain/ports/presence-store.port';
import { PresenceService } from '../src/domain/presence.service';
import { eventPath, eventPathNsPerHeartbeat } from './event-path.bench';
import { round } from './stats';

export interface AvailabilityOptions {
  readonly quick: boolean;
  readonly store: 'memory' | 'redis';
  /** With `--store redis`: the run's key prefix; this part's keys go under it, and are deleted after. */
  readonly redisPrefix: string;
  readonly log: (line: string) => void;
}

/** The median and the range of some measurements, and the measurements in the order taken. */
function spread(values: readonly number[], digits = 0) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const [min, max] = [sorted[0] as number, sorted[sorted.length - 1] as number];
  return { median: round(median, digits), min: round(min, digits), max: round(max, digits), spreadPct: round(((max - min) / median) * 100, 1), all: values.map((v) => round(v, digits)) };
}

/** `userActivity { idle: false }` and `userHeartbeat` on the same 2,000 token connections, their rounds alternating. */
async function activityAgainstHeartbeat(quick: boolean) {
  const users = 2_000;
  const events = quick ? 50_000 : 200_000;
  const rounds = quick ? 3 : 7;
  const path = await eventPath(users, 'token');
  try {
    const answer = await path.fire(0, 'userActivity', { idle: false });
    if ((answer as { ok?: boolean }).ok !== true) throw new Error(`userActivity refused: ${JSON.stringify(answer)}`);
    const activity = (): { idle: boolean } => ({ idle: false });
    // One unmeasured round of each, so that the first measured one does not pay for the JIT.
    await path.nsPerEvent('userHeartbeat', events);
    await path.nsPerEvent('userActivity', events, activity);
    const heartbeatNs: number[] = [];
    const activityNs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Which goes first alternates, so that neither always runs right after the other's garbage.
      const heartbeat = async () => void heartbeatNs.push(await path.nsPerEvent('userHeartbeat', events));
      const active = async () => void activityNs.push(await path.nsPerEvent('userActivity', events, activity));
      for (const run of r % 2 === 0 ? [heartbeat, active] : [active, heartbeat]) await run();
    }
    const heartbeat = spread(heartbeatNs);
    const active = spread(activityNs);
    return { mode: 'token', users, eventsPerRound: events, rounds, heartbeatNs: heartbeat, activityNs: active, activityOverHeartbeat: round(active.median / heartbeat.median) };
  } finally {
    path.close();
  }
}

/** The command of BENCHMARKS.md's "tokens, no audiences" row (best of three rounds each), three times in turn. */
async function heartbeatAsBefore(): Promise<number[]> {
  const costs: number[] = [];
  for (let turn = 0; turn < 3; turn++) costs.push(await eventPathNsPerHeartbeat(2_000, 200_000, 'token'));
  return costs;
}

const TTL_MS = 60_000;
/**
 * Shorter than the default (10 min), so that the whole population is set up within one TTL: no heartbeats, and no
 * sweeps before the measured ones (over 10 minutes, the heartbeats would leave early heap entries a sweep puts right).
 * What a sweep costs depends on what is due, not on this value.
 */
const IDLE_MS = 30_000;
/** The 1 % groups report activity this far apart, so they reach their idle deadlines this far apart. */
const STEP_MS = 300;
const GROUPS = 100;

/**
 * `users` online, each with one connection; group g (1 % of them) reports `userActivity { idle: false }` at
 * T0 + g × STEP_MS, so it reaches its idle deadline at S + g × STEP_MS, S = T0 + IDLE_MS. Round r sweeps at
 * S + r × STEP_MS − 1 ms (nothing due) and at S + r × STEP_MS (group r due, nobody else).
 */
async function idleSweep(users: number, store: PresenceStore, nodes: NodeRegistry, rounds: number, serverCpuMs?: () => Promise<number>) {
  const t0 = Date.UTC(2026, 11, 1);
  let now = t0;
  const idle = { count: 0 };
  const service = new PresenceService({
    clock: { now: () => now },
    store,
    notifier: { publish: (event) => void (event.type === 'UserPresenceChanged' && event.reason === 'idle' && (idle.count += 1)) },
    lastSeen: new InMemoryLastSeenRepository(),
    nodes,
    settings: { ttlMs: TTL_MS, idleMs: IDLE_MS, disconnectGraceMs: 5_000, broadcastHeartbeats: false, sweepBatchSize: 1_000, nodeId: 'bench', nodeRecoveryClaimMs: 30_000 },
  });
  const group = users / GROUPS;
  const setupStarted = process.hrtime.bigint();
  for (let g = 0; g < GROUPS; g++) {
    now = t0 + g * STEP_MS;
    // A group's users all at once: on Redis, a thousand updates in flight on one connection (pipelined).
    await Promise.all(
      Array.from({ length: group }, async (_, k) => {
        const c = { connectionId: `c${g * group + k}`, nodeId: 'bench', userId: g * group + k };
        await service.goOnline(c);
        await service.reportActivity(c, false);
      }),
    );
  }
  const setupMs = Number(process.hrtime.bigint() - setupStarted) / 1e6;
  const none: Swept[] = [];
  const due: Array<Swept & { idleTransitions: number; serverCpuMs: number }> = [];
  for (let r = 0; r < rounds; r++) {
    now = t0 + IDLE_MS + r * STEP_MS - 1;
    none.push(await timedSweep(service));
    now += 1;
    const [idleBefore, serverBefore] = [idle.count, (await serverCpuMs?.()) ?? 0];
    const swept = await timedSweep(service);
    due.push({ ...swept, idleTransitions: idle.count - idleBefore, serverCpuMs: ((await serverCpuMs?.()) ?? 0) - serverBefore });
  }
  const figures = (of: readonly Swept[], digits: number) => ({
    wallMs: spread(of.map((s) => s.wallMs), digits),
    cpuMs: spread(of.map((s) => s.cpuMs), digits),
    usersChecked: of.map((s) => s.usersChecked),
    transitions: of.map((s) => s.transitions),
  });
  return {
    users,
    idleMs: IDLE_MS,
    ttlMs: TTL_MS,
    setupSeconds: round(setupMs / 1000, 1),
    onePercentDue: {
      ...figures(due, 3),
      idleTransitions: due.map((s) => s.idleTransitions),
      ...(serverCpuMs !== undefined && { redisServerCpuMs: spread(due.map((s) => s.serverCpuMs), 1) }),
    },
    noneDue: figures(none, 4),
    asExpected: due.every((s) => s.usersChecked === group && s.idleTransitions === group) && none.every((s) => s.usersChecked === 0),
    afterwards: { online: await store.countOnline(), ...(await store.usersByAvailability()), expectedAway: rounds * group },
  };
}

interface Swept {
  readonly wallMs: number;
  /** The process's CPU, V8's collector threads included (which is how it can exceed the wall time). */
  readonly cpuMs: number;
  readonly usersChecked: number;
  readonly transitions: number;
}

async function timedSweep(service: PresenceService): Promise<Swept> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await service.sweep();
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wallMs: round(wallMs, 4), cpuMs: round((used.user + used.system) / 1000, 3), usersChecked: result.usersChecked, transitions: result.transitions };
}

/** On Redis, under a throwaway prefix deleted afterwards; the server's CPU from `INFO cpu` (anything else on it counts too). */
async function idleSweepOnRedis(users: number, rounds: number, prefix: string) {
  const redis = createRedis('redis://127.0.0.1:6379', { name: 'bench-availability', commandTimeoutMs: 10_000 });
  if (!(await whenReady(redis, 5_000))) throw new Error('no Redis at 127.0.0.1:6379');
  const keys = new RedisKeys(prefix);
  const serverCpuMs = async (): Promise<number> => {
    const info = await redis.info('cpu');
    const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
    return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
  };
  try {
    return await idleSweep(users, new RedisPresenceStore(redis, keys, { transitionsKept: 100 }), new RedisNodeRegistry(redis, keys), rounds, serverCpuMs);
  } finally {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  }
}

export async function availabilityBenchmark(options: AvailabilityOptions) {
  const { quick, log } = options;
  log('availability: userActivity against userHeartbeat through the event path, rounds alternating…');
  const activity = await activityAgainstHeartbeat(quick);
  log(JSON.stringify(activity));
  log('availability: the heartbeat as BENCHMARKS.md measured it (token mode, best of three rounds), three times…');
  const heartbeatTokenModeNs = await heartbeatAsBefore();
  log(JSON.stringify(heartbeatTokenModeNs));
  const users = options.store === 'redis' && quick ? 10_000 : 100_000;
  log(`availability: the idle sweep, ${users} users on the ${options.store === 'redis' ? 'Redis' : 'in-memory'} store, 1 % due…`);
  // Each round sweeps the next 1 % group: the first rounds also pay for the JIT and for collecting the setup's garbage.
  const rounds = quick ? 5 : 10;
  const sweep =
    options.store === 'redis'
      ? await idleSweepOnRedis(users, rounds, `${options.redisPrefix}availability:`)
      : await idleSweep(users, new InMemoryPresenceStore(), new InMemoryNodeRegistry(), rounds);
  return { eventPath: activity, heartbeatTokenModeNs, idleSweep: { store: options.store, ...sweep } };
}
