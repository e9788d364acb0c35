/**
 * Issue 20's cluster figures: three nodes on one Redis (their own processes), clients spread over them, and what
 * decides how far a cluster goes on this machine, where three nodes cannot beat one on throughput: Redis's own CPU
 * and commands per heartbeat and per transition (`INFO commandstats`, `INFO cpu`), node CPU per heartbeat on Redis
 * against one in-memory node under the same load, and the delay of a transition from one node to another's clients.
 * A first cut (issue 20): the figures per transition still include what Redis does meanwhile for nothing (the
 * nodes' reads of the stream, leases, sweeps), to be taken off by an idle window of the same length; BENCHMARKS.md
 * quotes none of it until it is.
 */
import { Redis } from 'ioredis';
import { ClientFleet } from './cluster-of-clients';
import { waitForArrivals } from './fleet-reports';
import type { ClientSpec } from './load-worker';
import { cpuSeconds } from './process-usage';
import { ServerProcess } from './server-process';
import { percentile, round } from './stats';

export interface ClusterOptions {
  readonly nodes: number;
  readonly clients: number;
  readonly heartbeatsPerSecond: number;
  readonly seconds: number;
  readonly serviceEnv: (extra?: Record<string, string>) => Record<string, string>;
  readonly spec: (userId: number) => ClientSpec;
  readonly redisPrefix: string;
  readonly log: (line: string) => void;
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/** Redis's CPU seconds so far and each command's calls and time, from INFO. */
async function redisUsage(redis: Redis): Promise<{ cpu: number; commands: Map<string, { calls: number; usec: number }> }> {
  const cpu = await redis.info('cpu');
  const value = (name: string) => Number(new RegExp(`^${name}:(\\S+)`, 'm').exec(cpu)?.[1] ?? 0);
  const commands = new Map<string, { calls: number; usec: number }>();
  for (const [, name, calls, usec] of (await redis.info('commandstats')).matchAll(/^cmdstat_(\S+):calls=(\d+),usec=(\d+)/gm)) {
    commands.set(name as string, { calls: Number(calls), usec: Number(usec) });
  }
  return { cpu: value('used_cpu_user') + value('used_cpu_sys'), commands };
}

/** Per unit of work between two INFO readings: Redis CPU (µs), commands, and the costliest commands. */
function redisCost(before: Awaited<ReturnType<typeof redisUsage>>, after: Awaited<ReturnType<typeof redisUsage>>, units: number) {
  const deltas = [...after.commands].map(([name, a]) => {
    const b = before.commands.get(name) ?? { calls: 0, usec: 0 };
    return { name, calls: a.calls - b.calls, usec: a.usec - b.usec };
  });
  const calls = deltas.reduce((s, d) => s + d.calls, 0);
  return {
    redisCpuMicroseconds: round(((after.cpu - before.cpu) * 1e6) / units, 1),
    commands: round(calls / units, 2),
    top: deltas
      .filter((d) => d.calls > 0)
      .sort((x, y) => y.usec - x.usec)
      .slice(0, 6)
      .map((d) => `${d.name} ${round(d.calls / units, 2)} calls ${round(d.usec / units, 1)} µs`),
  };
}

/** Starts the servers, one client fleet on each, all online. */
async function startLoad(servers: ServerProcess[], options: ClusterOptions): Promise<{ urls: string[]; fleets: ClientFleet[] }> {
  const urls = await Promise.all(servers.map((s) => s.url()));
  const fleets = urls.map(() => new ClientFleet(1));
  const share = Math.ceil(options.clients / urls.length);
  await Promise.all(urls.map((url, i) => (fleets[i] as ClientFleet).connect(url, range(1 + i * share, share).map(options.spec), 'status')));
  await Promise.all(fleets.map((f) => f.ask({ cmd: 'online' })));
  return { urls, fleets };
}

/** Heartbeats at the set rate, spread over the fleets; the servers' CPU seconds meanwhile and the heartbeats sent. */
async function heartbeatPhase(servers: ServerProcess[], fleets: ClientFleet[], options: ClusterOptions) {
  const before = servers.map((s) => cpuSeconds(s.pid));
  const parts = await Promise.all(
    fleets.map((f) => f.ask<{ latencies: number[]; sent: number }>({ cmd: 'heartbeat', ratePerSec: options.heartbeatsPerSecond / fleets.length, durationMs: options.seconds * 1_000 })),
  );
  const cpu = servers.reduce((s, server, i) => s + cpuSeconds(server.pid) - (before[i] as number), 0);
  const latencies = parts.flat().flatMap((p) => p.latencies);
  const sent = parts.flat().reduce((s, p) => s + p.sent, 0);
  return { sent, nodeCpuMicrosecondsEach: round((cpu / sent) * 1e6, 1), ackP50Ms: round(percentile(latencies, 50)), ackP99Ms: round(percentile(latencies, 99)) };
}

export async function clusterBenchmark(options: ClusterOptions) {
  const redis = new Redis('redis://127.0.0.1:6379');
  const env = (i: number) => options.serviceEnv({ PRESENCE_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: options.redisPrefix, NODE_ID: `bench-node-${i}` });
  const nodes = range(0, options.nodes).map((i) => ServerProcess.service(env(i)));
  let clusterFigures;
  try {
    const { fleets } = await startLoad(nodes, options);
    const beforeBeats = await redisUsage(redis);
    const beats = await heartbeatPhase(nodes, fleets, options);
    const perHeartbeat = redisCost(beforeBeats, await redisUsage(redis), beats.sent);

    // Transitions: a user on the first node goes offline and online again; every client on every node hears it.
    const beforeToggles = await redisUsage(redis);
    const delays: number[] = [];
    const toggles = 40;
    // What the workers saw of the join is reported and forgotten first: only the toggles count.
    await Promise.all(fleets.map((f) => f.ask({ cmd: 'report' })));
    const toggled = 1;
    for (let i = 0; i < toggles; i++) {
      await (fleets[0] as ClientFleet).ask({ cmd: 'toggle', index: 0, online: i % 2 === 1 }, 0);
      // The first fleet emitted it (its report has when); the others' clients are on the other nodes.
      const [own, ...others] = await Promise.all(fleets.map((f) => waitForArrivals(f, 1, Math.ceil(options.clients / options.nodes))));
      const emittedAt = own?.emitted.get(toggled);
      if (emittedAt !== undefined) for (const r of others) delays.push((r.lastSeen.get(toggled) ?? Number.NaN) - emittedAt);
    }
    const perTransition = redisCost(beforeToggles, await redisUsage(redis), toggles);
    for (const f of fleets) await f.close();
    const crossNode = { p50Ms: round(percentile(delays, 50)), p99Ms: round(percentile(delays, 99)) };
    clusterFigures = { nodes: options.nodes, heartbeats: { ...beats, ...perHeartbeat }, transitions: { toggles, ...perTransition }, crossNodeDelayToLastClient: crossNode };
    options.log(JSON.stringify(clusterFigures));
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }

  // The same clients and rate on one in-memory node: what a heartbeat costs a node without Redis.
  const { PRESENCE_STORE: _store, REDIS_URL: _url, REDIS_KEY_PREFIX: _prefix, ...inMemoryEnv } = options.serviceEnv();
  const single = ServerProcess.service(inMemoryEnv);
  try {
    const { fleets } = await startLoad([single], options);
    const memory = await heartbeatPhase([single], fleets, options);
    for (const f of fleets) await f.close();
    options.log(JSON.stringify({ inMemory: memory }));
    return { ...clusterFigures, inMemoryNode: memory };
  } finally {
    await single.stop();
    redis.disconnect();
  }
}
