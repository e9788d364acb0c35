/**
 * `npm run bench`: measures the service against its targets and against a bare Socket.IO server, on this machine.
 * Prints a table and writes bench/results/latest.json. Figures, not tests: nothing here fails on speed.
 *
 *   npm run bench [-- --quick] [-- --store redis] [-- --persistence postgres]
 *   npm run bench -- --only serviceThroughput,bareThroughput --rates 12000,12000   (one figure, at set rates)
 *   npm run bench -- --only serviceThroughput,baselineThroughput --baseline /tmp/previous   (against another build)
 *   npm run bench -- --only abuse [--quick] [--attacks getOnlineUsers,hungDatabase]   (issue 16's attacks; only when named)
 *   npm run bench -- --only audiences [--quick]   (issue 17: 100 tenants × 100 users against 100 deployments; only when named)
 *   npm run bench -- --only availability [--quick] [--store redis]   (issue 18: userActivity's cost, the idle sweep of 100,000 users; only when named)
 *   npm run bench -- --only backendPush [--quick] [--store redis] [--persistence postgres]   (issue 19: the event stream and webhooks under 10,000 users churning; only when named)
 *   npm run bench -- --only population [--quick] [--connections 1000,5000]   (issue 20: populations up to the file limit, projected to 100,000; only when named)
 *   npm run bench -- --only memoryPair [--connections 5000,10000]   (issue 20: memory per connection, the service against bare Socket.IO; only when named)
 *   npm run bench -- --only cluster --store redis --nodes 3 [--quick]   (issue 20: Redis's cost per heartbeat and per transition, cross-node delay)
 *   npm run bench -- --only fanoutPair [--quick]   (issue 20: §1 fan-out CPU per delivered frame, the service against a bare broadcast; only when named)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { Pool } from 'pg';
import { io } from 'socket.io-client';
import { migrate, plannedMigrations } from '../src/adapters/postgres/migrator';
import { abuseBenchmark } from './abuse/abuse.bench';
import { audiencesBenchmark } from './audiences.bench';
import { availabilityBenchmark } from './availability.bench';
import { backendPushBenchmark } from './backend-push.bench';
import { clusterBenchmark } from './cluster.bench';
import { fanoutPairBenchmark } from './fanout-pair.bench';
import { memoryPairBenchmark, populationBenchmark } from './population.bench';
import { deleteKeysWithPrefix } from '../src/adapters/redis/redis-keys';
import { ClientFleet } from './cluster-of-clients';
import { completions, waitForArrivals } from './fleet-reports';
import { domainBenchmarks } from './domain.bench';
import { eventPathNsPerHeartbeat } from './event-path.bench';
import type { ClientSpec } from './load-worker';
import { cpuSeconds, cpuTimes, rssBytes } from './process-usage';
import { metric, ServerProcess } from './server-process';
import { nowMs, percentile, round, summarize } from './stats';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const store = args.includes('--store') ? args[args.indexOf('--store') + 1] : 'memory';
const persistence = args.includes('--persistence') ? args[args.indexOf('--persistence') + 1] : 'memory';
/** `--only scopedStorm,serviceThroughput`: just those parts (for working on one figure). */
const only = args.includes('--only') ? new Set((args[args.indexOf('--only') + 1] ?? '').split(',')) : undefined;
const wanted = (name: string): boolean => only === undefined || only.has(name);
/** `--baseline DIR`: a checkout of another build (its `npm run build` done), ramped in turn with this one. */
const baseline = args.includes('--baseline') ? resolve(args[args.indexOf('--baseline') + 1] ?? '.') : undefined;
/** `--attacks a,b`: with `--only abuse`, just those attacks. */
const attacksWanted = args.includes('--attacks') ? new Set((args[args.indexOf('--attacks') + 1] ?? '').split(',')) : undefined;

const SECRET = 'bench-secret-bench-secret-bench-secret';
const WORKERS = 3;
const sizes = {
  legacyStorm: quick ? 300 : 1_000,
  scopedStorm: quick ? 2_000 : 10_000,
  allScopeStorm: quick ? 300 : 1_000,
  throughputClients: quick ? 500 : 2_000,
  expiryClients: 200,
};

const token = (userId: number): string => jwt.sign({ sub: userId }, SECRET, { algorithm: 'HS256', expiresIn: '1h' });
const spec = (userId: number, scope: ClientSpec['scope'] = null, expected = 0): ClientSpec => ({ userId, token: token(userId), scope, expected });
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
const log = (line: string): void => void process.stdout.write(`${line}\n`);


function serviceEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    JWT_ACCESS_SECRET: SECRET,
    PRESENCE_EVENT_RATE: '1000',
    ...(store === 'redis' ? { PRESENCE_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `bench-${process.pid}:` } : {}),
    ...extra,
  };
}

/** §1 join storm, then fan-out of single transitions to every §1 client. */
async function legacyStorm(n: number) {
  const server = ServerProcess.service(serviceEnv());
  const url = await server.url();
  const fleet = new ClientFleet(WORKERS);
  try {
    await fleet.connect(url, range(1, n).map((id) => spec(id)), 'status');
    const framesBefore = await metric(url, 'presence_frames_total');
    const cpuBefore = cpuSeconds(server.pid);
    const started = nowMs();
    await fleet.ask({ cmd: 'online' });
    const r0 = await waitForArrivals(fleet, n, n);
    const joins = [...r0.emitted].map(([id, at]) => (r0.firstSeen.get(id) ?? NaN) - at);
    const storm = {
      clients: n,
      joinLatencyMs: summarize(joins),
      totalMs: round(Math.max(...r0.lastSeen.values()) - started),
      frames: (await metric(url, 'presence_frames_total')) - framesBefore,
      serverCpuSeconds: round(cpuSeconds(server.pid) - cpuBefore),
    };
    const fanout: number[] = [];
    for (let i = 0; i < 20; i++) {
      await fleet.ask({ cmd: 'toggle', index: 0, online: i % 2 === 1 }, 0);
      const r = await waitForArrivals(fleet, 1, n);
      for (const [id, at] of r.emitted) fanout.push((r.lastSeen.get(id) ?? NaN) - at);
    }
    return { ...storm, fanoutLastReceiverMs: summarize(fanout) };
  } finally {
    await fleet.close();
    await server.stop();
  }
}



/** §7 join storm: every client subscribes first, then all go online; done when every client holds its whole scope. */
async function scopedStorm(n: number, scope: 'small' | 'all') {
  const server = ServerProcess.service(serviceEnv());
  const url = await server.url();
  const fleet = new ClientFleet(WORKERS);
  try {
    const scopeOf = (id: number): ClientSpec['scope'] => (scope === 'all' ? 'all' : { userIds: range(id, 10).map((x) => ((x - 1) % n) + 1) });
    await fleet.connect(url, range(1, n).map((id) => spec(id, scopeOf(id), scope === 'all' ? n : 10)), 'mirror');
    const rssAfterConnect = rssBytes(server.pid);
    const framesBefore = await metric(url, 'presence_frames_total');
    const cpuBefore = cpuSeconds(server.pid);
    const started = nowMs();
    await fleet.ask({ cmd: 'online' });
    const completed = await completions(fleet, n);
    return {
      clients: n,
      scope,
      completedClients: completed.length,
      allHoldTheirViewMs: round(Math.max(...completed) - started),
      frames: (await metric(url, 'presence_frames_total')) - framesBefore,
      serverCpuSeconds: round(cpuSeconds(server.pid) - cpuBefore),
      rssPerConnectionKiB: round(rssAfterConnect / n / 1024, 1),
    };
  } finally {
    await fleet.close();
    await server.stop();
  }
}

/**
 * A reconnect wave: every subscribed client is online; the service restarts (on the same port), and every client
 * reconnects, resumes with the seq it had (a fresh node holds no replay, so each gets a state) and announces itself.
 * Done when every client holds its whole scope again.
 */
async function reconnectWave(n: number) {
  const first = ServerProcess.service(serviceEnv());
  const url = await first.url();
  const fleet = new ClientFleet(WORKERS);
  try {
    await fleet.connect(url, range(1, n).map((id) => spec(id, { userIds: range(id, 10).map((x) => ((x - 1) % n) + 1) }, 10)), 'mirror');
    await fleet.ask({ cmd: 'online' });
    await first.stop();
    const second = ServerProcess.service(serviceEnv({ PORT: new URL(url).port }));
    try {
      await second.url();
      const cpuBefore = cpuSeconds(second.pid);
      const started = nowMs();
      await fleet.ask({ cmd: 'reconnect', url });
      const completed = await completions(fleet, n);
      return {
        clients: n,
        completedClients: completed.length,
        allHoldTheirViewMs: round(Math.max(...completed) - started),
        frames: await metric(url, 'presence_frames_total'),
        serverCpuSeconds: round(cpuSeconds(second.pid) - cpuBefore),
      };
    } finally {
      await fleet.close();
      await second.stop();
    }
  } finally {
    await first.stop();
  }
}

interface HeartbeatStep {
  rate: number;
  achieved: number;
  p50: number;
  p99: number;
  failed: number;
  cpuSecondsPer1000: number;
  systemCpuSecondsPer1000: number;
  serverLoopLagMaxMs: number | null;
  retried?: true;
}

/** A server with `clients` connections online, ready to be driven at a heartbeat rate for a while. */
class HeartbeatLoad {
  private constructor(
    private readonly server: ServerProcess,
    private readonly url: string,
    private readonly fleet: ClientFleet,
    readonly rssPerConnectionKiB: number,
  ) {}

  static async start(server: ServerProcess, clients: number): Promise<HeartbeatLoad> {
    const url = await server.url();
    const fleet = new ClientFleet(WORKERS);
    try {
      const baseline = rssBytes(server.pid);
      await fleet.connect(url, range(1, clients).map((id) => spec(id, { userIds: [] })), 'none');
      await fleet.ask({ cmd: 'online' });
      return new HeartbeatLoad(server, url, fleet, round((rssBytes(server.pid) - baseline) / clients / 1024, 1));
    } catch (error) {
      await fleet.close();
      throw error;
    }
  }

  async run(rate: number, durationMs: number): Promise<HeartbeatStep> {
    await this.loopLagMaxMs();
    const before = cpuTimes(this.server.pid);
    const parts = await this.fleet.ask<{ latencies: number[]; failed: number; sent: number }>({ cmd: 'heartbeat', ratePerSec: rate / WORKERS, durationMs });
    const after = cpuTimes(this.server.pid);
    const latencies = parts.flatMap((p) => p.latencies);
    const per1000 = (seconds: number): number => round((seconds / Math.max(1, parts.reduce((s, p) => s + p.sent, 0))) * 1000, 4);
    return {
      rate,
      achieved: round(latencies.length / (durationMs / 1000)),
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      failed: parts.reduce((s, p) => s + p.failed, 0),
      cpuSecondsPer1000: per1000(after.user + after.system - before.user - before.system),
      systemCpuSecondsPer1000: per1000(after.system - before.system),
      serverLoopLagMaxMs: await this.loopLagMaxMs(),
    };
  }

  /**
   * The service's worst event-loop lag since the last reading (prom-client resets its maximum at every scrape); the
   * bare server has no /metrics.
   */
  private async loopLagMaxMs(): Promise<number | null> {
    return this.server.hasMetrics ? round((await metric(this.url, 'nodejs_eventloop_lag_max_seconds')) * 1000) : null;
  }

  private closed: Promise<void> | undefined;

  close(): Promise<void> {
    this.closed ??= this.fleet.close();
    return this.closed;
  }
}

const holds = (step: HeartbeatStep): boolean => step.p99 < 50 && step.failed === 0;

/** p99 at the real 30 s interval with many connections. */
async function steadyState(server: ServerProcess, clients: number, ratePerSecond: number) {
  const load = await HeartbeatLoad.start(server, clients);
  try {
    const steady = await load.run(ratePerSecond, 5_000);
    return { clients, rssPerConnectionKiB: load.rssPerConnectionKiB, steady };
  } finally {
    await load.close();
  }
}

/**
 * The highest heartbeat rate each server holds with p99 < 50 ms. The servers' steps alternate at each rate, so that
 * both see the machine as it is at that moment: on a shared machine the CPU a heartbeat costs drifts by tens of
 * percent within minutes, and two ramps run one after the other measured the drift as much as the servers.
 * A 3 s step can miss p99 < 50 ms by one scheduling hiccup: a rate that fails is tried once more, and a server's
 * ramp ends at the first rate whose two trials both fail. The same rule for the service and for the bare ceiling.
 */
async function throughputRamps(servers: ReadonlyArray<readonly [string, ServerProcess]>, clients: number, rates: readonly number[]) {
  const serverNamed = new Map(servers);
  const loads = new Map<string, HeartbeatLoad>();
  try {
    for (const [name, server] of servers) loads.set(name, await HeartbeatLoad.start(server, clients));
    const ramps = new Map<string, HeartbeatStep[]>([...loads.keys()].map((name) => [name, []]));
    const running = new Set(loads.keys());
    for (const [i, rate] of rates.entries()) {
      // Which server goes first alternates too, so neither always runs right after the other's load.
      const turn = i % 2 === 0 ? [...running] : [...running].reverse();
      for (const name of turn) {
        const load = loads.get(name) as HeartbeatLoad;
        const ramp = ramps.get(name) as HeartbeatStep[];
        let step = await load.run(rate, 3_000);
        if (!holds(step)) {
          ramp.push({ ...step, retried: true });
          step = await load.run(rate, 3_000);
        }
        ramp.push(step);
        if (!holds(step)) {
          // Done: its clients and server go now, not linger (and later expire) beside the other's steps.
          running.delete(name);
          await load.close();
          await serverNamed.get(name)?.stop();
        }
      }
      if (running.size === 0) break;
    }
    return new Map(
      [...ramps].map(([name, ramp]) => {
        const sustained = ramp.filter(holds).map((s) => s.achieved);
        const load = loads.get(name) as HeartbeatLoad;
        return [name, { clients, rssPerConnectionKiB: load.rssPerConnectionKiB, ramp, sustainedPerSecond: sustained.length ? Math.max(...sustained) : 0 }];
      }),
    );
  } finally {
    for (const load of loads.values()) await load.close();
  }
}

/** Expiry precision: clients go silent; how long after their last heartbeat does the offline reach an observer? */
async function expiryPrecision(n: number) {
  const ttl = 2_000;
  const sweep = 250;
  const server = ServerProcess.service(serviceEnv({ PRESENCE_TTL_MS: String(ttl), PRESENCE_SWEEP_INTERVAL_MS: String(sweep) }));
  const url = await server.url();
  const observer = io(url, { transports: ['websocket'], auth: { token: token(999_999) } });
  const delays: number[] = [];
  observer.on('userStatusChanged', (c: { status: string; lastSeen: string; reason: string }) => {
    if (c.status === 'offline' && c.reason === 'expired') delays.push(nowMs() - Date.parse(c.lastSeen));
  });
  const fleet = new ClientFleet(1);
  try {
    await new Promise<void>((r) => observer.once('connect', () => r()));
    await fleet.connect(url, range(1, n).map((id) => spec(id)), 'none');
    await fleet.ask({ cmd: 'online' });
    const deadline = Date.now() + ttl * 3;
    while (delays.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return { users: n, ttlMs: ttl, sweepIntervalMs: sweep, offlineAfterLastHeartbeatMs: summarize(delays), targetMs: ttl + sweep + 100 };
  } finally {
    observer.disconnect();
    await fleet.close();
    await server.stop();
  }
}

/** Database round trips per 1,000 heartbeats, with PostgreSQL behind the write-behind. */
async function persistenceCost() {
  const admin = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', max: 1 });
  const name = `presence_bench_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  const pool = new Pool({ connectionString: url, max: 1 });
  const clients = sizes.throughputClients;
  await migrate(pool, plannedMigrations({ dev: true }));
  await pool.query('INSERT INTO sys_user (sys_user_id) SELECT generate_series(1, $1)', [clients]);
  const server = ServerProcess.service(serviceEnv({ DATABASE_URL: url, PERSIST_FLUSH_INTERVAL_MS: '1000' }));
  const fleet = new ClientFleet(WORKERS);
  try {
    const serviceUrl = await server.url();
    await fleet.connect(serviceUrl, range(1, clients).map((id) => spec(id, { userIds: [] })), 'none');
    await fleet.ask({ cmd: 'online' });
    const flushesBefore = await metric(serviceUrl, 'presence_persist_flushes_total');
    const parts = await fleet.ask<{ sent: number }>({ cmd: 'heartbeat', ratePerSec: 2_000 / WORKERS, durationMs: 5_000 });
    await new Promise((r) => setTimeout(r, 1_100));
    const flushes = (await metric(serviceUrl, 'presence_persist_flushes_total')) - flushesBefore;
    const heartbeatsSent = parts.reduce((s, p) => s + p.sent, 0);
    return { users: clients, heartbeats: heartbeatsSent, flushIntervalMs: 1_000, roundTrips: flushes, roundTripsPer1000Heartbeats: round((flushes / heartbeatsSent) * 1000, 3) };
  } finally {
    await fleet.close();
    await server.stop();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version },
    options: { quick, store, persistence },
  };
  log(`presence service benchmarks (${quick ? 'quick' : 'full'}, store ${store}, persistence ${persistence})`);

  if (wanted('domain')) {
    log('domain micro-benchmarks…');
    results['domain'] = await domainBenchmarks(quick ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000]);
    console.table(results['domain']);
  }

  if (wanted('eventPath')) {
    log('the service layer alone, per heartbeat…');
    results['eventPathNsPerHeartbeat'] = await eventPathNsPerHeartbeat();
    log(String(results['eventPathNsPerHeartbeat']));
  }

  if (wanted('legacyStorm')) {
    log(`§1 join storm and fan-out, ${sizes.legacyStorm} clients…`);
    results['legacyStorm'] = await legacyStorm(sizes.legacyStorm);
    log(JSON.stringify(results['legacyStorm']));
  }

  if (wanted('scopedStorm')) {
    log(`§7 join storm, ${sizes.scopedStorm} clients with 10-user scopes…`);
    results['scopedStorm'] = await scopedStorm(sizes.scopedStorm, 'small');
    log(JSON.stringify(results['scopedStorm']));
  }

  if (wanted('allScopeStorm')) {
    log(`§7 join storm, ${sizes.allScopeStorm} clients subscribed to everyone…`);
    results['allScopeStorm'] = await scopedStorm(sizes.allScopeStorm, 'all');
    log(JSON.stringify(results['allScopeStorm']));
  }

  if (wanted('reconnectWave')) {
    log(`reconnect wave after a restart, ${sizes.scopedStorm} subscribed clients…`);
    results['reconnectWave'] = await reconnectWave(sizes.scopedStorm);
    log(JSON.stringify(results['reconnectWave']));
  }

  if (wanted('steadyState')) {
    log(`steady state: ${sizes.scopedStorm} connections heartbeating every 30 s…`);
    const server = ServerProcess.service(serviceEnv());
    try {
      results['steadyState'] = await steadyState(server, sizes.scopedStorm, Math.round(sizes.scopedStorm / 30));
    } finally {
      await server.stop();
    }
    log(JSON.stringify(results['steadyState']));
  }

  const rates = args.includes('--rates')
    ? (args[args.indexOf('--rates') + 1] ?? '').split(',').map(Number)
    : quick
      ? [1_000, 2_000, 4_000, 8_000]
      : [1_000, 2_000, 4_000, 8_000, 12_000, 14_000, 16_000, 18_000, 20_000, 22_500, 25_000, 27_500, 30_000, 35_000, 40_000];
  const throughputServers = (
    [
      ['serviceThroughput', () => ServerProcess.service(serviceEnv())],
      ['bareThroughput', () => ServerProcess.bare()],
      ['baselineThroughput', () => ServerProcess.service(serviceEnv(), resolve(baseline ?? '.', 'dist/main.js'))],
    ] as const
  )
    .filter(([name]) => wanted(name) && (name !== 'baselineThroughput' || baseline !== undefined))
    .map(([name, start]) => [name, start()] as const);
  if (throughputServers.length > 0) {
    log(`heartbeat throughput, ${sizes.throughputClients} connections: the service and the bare Socket.IO ceiling, step by step in turn…`);
    try {
      for (const [name, result] of await throughputRamps(throughputServers, sizes.throughputClients, rates)) {
        results[name] = result;
        log(`${name}: ${JSON.stringify(result)}`);
      }
    } finally {
      for (const [, server] of throughputServers) await server.stop();
    }
  }

  if (wanted('expiry')) {
    log('expiry precision…');
    results['expiry'] = await expiryPrecision(sizes.expiryClients);
    log(JSON.stringify(results['expiry']));
  }

  if (persistence === 'postgres' && wanted('persistence')) {
    log('persistence cost with PostgreSQL…');
    results['persistence'] = await persistenceCost();
    log(JSON.stringify(results['persistence']));
  }

  if (only?.has('abuse')) {
    // The documented limits, not the raised event rate the throughput figures use.
    const env = { JWT_ACCESS_SECRET: SECRET, ...(store === 'redis' ? { PRESENCE_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `bench-${process.pid}:` } : {}) };
    results['abuse'] = await abuseBenchmark({ quick, only: attacksWanted, common: { env, token, log } });
  }

  if (only?.has('audiences')) {
    log('audiences: a join storm of tenants × 100 users under a visibility rule, against separate deployments…');
    const storeEnv: Record<string, string> =
      store === 'redis' ? { PRESENCE_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `bench-${process.pid}:` } : {};
    results['audiences'] = await audiencesBenchmark({ secret: SECRET, quick, workers: WORKERS, storeEnv });
    log(JSON.stringify(results['audiences'], null, 2));
  }

  if (only?.has('availability')) {
    results['availability'] = await availabilityBenchmark({ quick, store: store === 'redis' ? 'redis' : 'memory', redisPrefix: `bench-${process.pid}:`, log });
    log(JSON.stringify(results['availability'], null, 2));
  }

  if (store === 'redis') await dropRedisKeys(`bench-${process.pid}:`);
  if (only?.has('backendPush')) {
    results['backendPush'] = await backendPushBenchmark({
      quick,
      log,
      store: store === 'redis' ? 'redis' : 'memory',
      persistence: persistence === 'postgres' ? 'postgres' : 'memory',
      redisPrefix: `bench-${process.pid}:`,
    });
    log(JSON.stringify(results['backendPush'], null, 2));
    if (store === 'redis') await dropRedisKeys(`bench-${process.pid}:`);
  }

  if (only?.has('population')) {
    const sizes = args.includes('--connections') ? (args[args.indexOf('--connections') + 1] ?? '').split(',').map(Number) : undefined;
    results['population'] = await populationBenchmark({ sizes, quick, serviceEnv, spec, log });
    log(JSON.stringify(results['population'], null, 2));
  }

  if (args.includes('--nodes')) {
    const nodes = Number(args[args.indexOf('--nodes') + 1] ?? 3);
    results['cluster'] = await clusterBenchmark({
      nodes,
      clients: quick ? 900 : 3_000,
      heartbeatsPerSecond: quick ? 300 : 1_000,
      seconds: quick ? 5 : 20,
      serviceEnv,
      spec: (id) => spec(id),
      redisPrefix: `bench-cluster-${process.pid}:`,
      log,
    });
    await dropRedisKeys(`bench-cluster-${process.pid}:`);
  }

  if (only?.has('fanoutPair')) {
    const clients = quick ? 300 : 1_000;
    results['fanoutPair'] = await fanoutPairBenchmark({ clients, service: () => ServerProcess.service(serviceEnv()), bare: () => ServerProcess.bare({ broadcast: true }), spec: (id) => spec(id), log });
  }

  if (only?.has('memoryPair')) {
    const sizes = args.includes('--connections') ? (args[args.indexOf('--connections') + 1] ?? '').split(',').map(Number) : [5_000, 10_000];
    results['memoryPair'] = await memoryPairBenchmark({ sizes, serviceEnv, spec, log });
  }

  if (only === undefined || [...only].some((name) => !['abuse', 'audiences', 'availability', 'backendPush', 'population', 'memoryPair', 'fanoutPair', 'cluster'].includes(name))) printSummary(results);
  const dir = resolve(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`\nwrote bench/results/latest.json`);
}

/** Leaves the shared Redis as it was found. */
async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis('redis://127.0.0.1:6379');
  try {
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** A ramp's CPU per 1,000 heartbeats in its (last) 2,000/s step, if it had one. */
function at2000(throughput: { ramp?: HeartbeatStep[] } | undefined): number | undefined {
  return throughput?.ramp?.filter((step) => step.rate === 2_000 && !step.retried).at(-1)?.cpuSecondsPer1000;
}

function printSummary(r: Record<string, any>): void {
  const service = r['serviceThroughput']?.sustainedPerSecond ?? 0;
  const bare = r['bareThroughput']?.sustainedPerSecond ?? 0;
  const d100k = ((r['domain'] ?? []) as Array<Record<string, number>>).find((d) => d['users'] === 100_000);
  const rows = [
    ['steady state p99 heartbeat latency (ms)', r['steadyState']?.steady?.p99, '< 50', `${r['steadyState']?.clients} connections, 1 heartbeat / 30 s each`],
    ['heartbeat throughput, service (/s, p99 < 50 ms)', service, '', ''],
    ['heartbeat throughput, bare Socket.IO (/s)', bare, '', 'the ceiling'],
    ['service / ceiling', bare ? `${round((service / bare) * 100, 1)} %` : 'n/a', '>= 60 %', ''],
    ['server CPU s per 1,000 heartbeats', at2000(r['serviceThroughput']), '', `at 2,000/s; bare Socket.IO ${at2000(r['bareThroughput'])}`],
    ...(r['baselineThroughput'] === undefined
      ? []
      : [
          ['service / baseline build, throughput', `${round((service / (r['baselineThroughput'].sustainedPerSecond || 1)) * 100, 1)} %`, 'within 10 %', `baseline ${r['baselineThroughput'].sustainedPerSecond}/s`],
          ['service / baseline build, CPU per heartbeat', `${round(((at2000(r['serviceThroughput']) ?? 0) / (at2000(r['baselineThroughput']) || 1)) * 100, 1)} %`, 'within 10 %', `at 2,000/s; baseline ${at2000(r['baselineThroughput'])}`],
        ]),
    ['the service layer alone, per heartbeat (µs)', r['eventPathNsPerHeartbeat'] === undefined ? undefined : round(r['eventPathNsPerHeartbeat'] / 1000, 1), '', 'in-process, no sockets'],
    ['RSS per connection (KiB)', r['steadyState']?.rssPerConnectionKiB, '', ''],
    ['sweep, 100,000 users, none expiring (ms)', d100k?.['sweepNoneExpiringMs'], '< 1', ''],
    ['sweep, 100,000 users, 1 % expiring (ms)', d100k?.['sweepOnePercentExpiringMs'], '', '1,000 users end'],
    ['offline after last heartbeat, max (ms)', r['expiry']?.offlineAfterLastHeartbeatMs?.max, `<= ${r['expiry']?.targetMs}`, 'TTL 2 s, sweep 250 ms'],
    ['§1 join storm: join latency p50 / p99 (ms)', `${r['legacyStorm']?.joinLatencyMs?.p50} / ${r['legacyStorm']?.joinLatencyMs?.p99}`, '', `${r['legacyStorm']?.clients} clients, ${r['legacyStorm']?.frames} frames`],
    ['§1 fan-out to all clients p50 / p99 (ms)', `${r['legacyStorm']?.fanoutLastReceiverMs?.p50} / ${r['legacyStorm']?.fanoutLastReceiverMs?.p99}`, '', 'last receiver'],
    ['§7 storm, 10-user scopes: all hold their view (ms)', r['scopedStorm']?.allHoldTheirViewMs, 'seconds', `${r['scopedStorm']?.clients} clients, ${r['scopedStorm']?.frames} frames, ${r['scopedStorm']?.serverCpuSeconds} CPU s`],
    ['reconnect wave after a restart: all hold their view (ms)', r['reconnectWave']?.allHoldTheirViewMs, '', `${r['reconnectWave']?.clients} clients, ${r['reconnectWave']?.frames} frames, ${r['reconnectWave']?.serverCpuSeconds} CPU s`],
    ['§7 storm, everyone scope: all hold their view (ms)', r['allScopeStorm']?.allHoldTheirViewMs, '', `${r['allScopeStorm']?.clients} clients, ${r['allScopeStorm']?.frames} frames`],
    ['DB round trips per 1,000 heartbeats', r['persistence']?.roundTripsPer1000Heartbeats ?? 'run with --persistence postgres', '<= 1 per flush', ''],
  ];
  log('\nfigure | value | target | note');
  for (const row of rows) log(row.map((c) => String(c ?? '')).join(' | '));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
