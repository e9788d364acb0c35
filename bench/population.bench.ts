/**
 * Issue 20's population run: N real, authenticated socket.io-client WebSocket connections, from several client
 * processes on several loopback source addresses, each a §7 client subscribed to a 10-user scope, against one
 * service process, and the same N held by a bare Socket.IO server. Up to the process's file limit, which caps every
 * process here (the bench reads it and says so); then each figure's slope over N and what it gives at 100,000.
 */
import { readFileSync } from 'node:fs';
import { ClientFleet } from './cluster-of-clients';
import { completions } from './fleet-reports';
import type { ClientSpec } from './load-worker';
import { cpuTimes, rssBytes } from './process-usage';
import { metric, ServerProcess } from './server-process';
import { nowMs, percentile, round } from './stats';

export interface PopulationOptions {
  /** The populations to run; none given: 1,000, 5,000, 10,000 and the largest the file limit allows. */
  readonly sizes?: readonly number[];
  readonly quick: boolean;
  readonly serviceEnv: (extra?: Record<string, string>) => Record<string, string>;
  readonly spec: (userId: number, scope: ClientSpec['scope'], expected: number) => ClientSpec;
  readonly log: (line: string) => void;
}

/** Descriptors a server needs besides its connections: stdio, epoll, the listening socket, files it reads. */
const FD_MARGIN = 100;
/** Connections one client process holds at most: well under its own file limit. */
const CONNECTIONS_PER_WORKER = 5_000;
/** The contract's heartbeat: one per connection every 30 s. */
const HEARTBEAT_EVERY_S = 30;
const PROJECTED = 100_000;

/** This process's open-file limit (soft), which its children inherit. */
export function fileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PopulationFigures {
  readonly connections: number;
  readonly clientProcesses: number;
  readonly connectSeconds: number;
  readonly joinStorm: { readonly convergedMs: number; readonly converged: number; readonly serverCpuSeconds: number };
  readonly heartbeats: { readonly perSecond: number; readonly p50Ms: number; readonly p99Ms: number; readonly failed: number; readonly serverCpuPercent: number; readonly cpuMicrosecondsEach: number };
  readonly eventLoopLagMs: { readonly p99: number; readonly max: number };
  readonly rss: { readonly baselineMiB: number; readonly onlineMiB: number; readonly perConnectionKiB: number; readonly bareSocketIoPerConnectionKiB: number; readonly ratio: number };
  readonly reconnectWave: { readonly convergedMs: number; readonly converged: number };
}

/** Each client watches itself and the 9 users after it (wrapping), so that every scope is full once all are online. */
const scopeOf = (id: number, n: number): ClientSpec['scope'] => ({ userIds: range(id, 10).map((x) => ((x - 1) % n) + 1) });

async function populationAt(n: number, options: PopulationOptions): Promise<PopulationFigures> {
  const workers = Math.max(2, Math.ceil(n / CONNECTIONS_PER_WORKER));
  const specs = range(1, n).map((id) => options.spec(id, scopeOf(id, n), 10));
  const heartbeatMs = options.quick ? 10_000 : 30_000;
  const server = ServerProcess.service(options.serviceEnv());
  let restarted: ServerProcess | undefined;
  const url = await server.url();
  const fleet = new ClientFleet(workers);
  let fleetClosed = false;
  const closeFleet = async () => {
    if (fleetClosed) return;
    fleetClosed = true;
    await fleet.close();
  };
  try {
    await pause(500);
    const baseline = rssBytes(server.pid);
    const connectStarted = nowMs();
    await fleet.connect(url, specs, 'mirror', true);
    const connectSeconds = round((nowMs() - connectStarted) / 1000, 1);

    const cpuBeforeJoin = cpuTimes(server.pid);
    const joinStarted = nowMs();
    await fleet.ask({ cmd: 'online' });
    const joined = await completions(fleet, n);
    const cpuAfterJoin = cpuTimes(server.pid);
    const joinStorm = {
      convergedMs: round(Math.max(...joined) - joinStarted),
      converged: joined.length,
      serverCpuSeconds: round(cpuAfterJoin.user + cpuAfterJoin.system - cpuBeforeJoin.user - cpuBeforeJoin.system),
    };
    await pause(2_000);
    const online = rssBytes(server.pid);

    // prom-client resets the event-loop delay histogram at every scrape: this reading starts the phase's.
    await metric(url, 'nodejs_eventloop_lag_p99_seconds');
    const rate = n / HEARTBEAT_EVERY_S;
    const before = cpuTimes(server.pid);
    const parts = await fleet.ask<{ latencies: number[]; failed: number; sent: number }>({ cmd: 'heartbeat', ratePerSec: rate / workers, durationMs: heartbeatMs });
    const after = cpuTimes(server.pid);
    const lagText = await (await fetch(`${url}/metrics`)).text();
    const lag = (name: string) => round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(lagText)?.[1] ?? Number.NaN) * 1000);
    const latencies = parts.flatMap((p) => p.latencies);
    const sent = parts.reduce((s, p) => s + p.sent, 0);
    const cpu = after.user + after.system - before.user - before.system;
    const heartbeats = {
      perSecond: round(sent / (heartbeatMs / 1000)),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      failed: parts.reduce((s, p) => s + p.failed, 0),
      serverCpuPercent: round((cpu / (heartbeatMs / 1000)) * 100, 1),
      cpuMicrosecondsEach: round((cpu / Math.max(1, sent)) * 1e6, 1),
    };

    // The reconnect wave: the service restarts on the same port; every client comes back, resumes, announces itself.
    await server.stop();
    restarted = ServerProcess.service(options.serviceEnv({ PORT: new URL(url).port }));
    await restarted.url();
    const waveStarted = nowMs();
    await fleet.ask({ cmd: 'reconnect', url });
    const rejoined = await completions(fleet, n);
    const reconnectWave = { convergedMs: round(Math.max(...rejoined) - waveStarted), converged: rejoined.length };
    await closeFleet();
    await restarted.stop();

    // A bare Socket.IO server holding the same connections (it acks the subscriptions and announcements).
    const bareKiB = await rssPerConnection(ServerProcess.bare(), specs, 2_000);
    const perConnectionKiB = round((online - baseline) / n / 1024, 1);
    return {
      connections: n,
      clientProcesses: workers,
      connectSeconds,
      joinStorm,
      heartbeats,
      eventLoopLagMs: { p99: lag('nodejs_eventloop_lag_p99_seconds'), max: lag('nodejs_eventloop_lag_max_seconds') },
      rss: { baselineMiB: round(baseline / 2 ** 20, 1), onlineMiB: round(online / 2 ** 20, 1), perConnectionKiB, bareSocketIoPerConnectionKiB: bareKiB, ratio: round(perConnectionKiB / bareKiB) },
      reconnectWave,
    };
  } finally {
    await closeFleet();
    await server.stop();
    await restarted?.stop();
  }
}

/**
 * What a server's RSS grows by per connection (KiB) while it holds these clients, online, `holdMs` after they all
 * announced; the server is stopped after.
 */
async function rssPerConnection(server: ServerProcess, specs: readonly ClientSpec[], holdMs: number): Promise<number> {
  const fleet = new ClientFleet(Math.max(2, Math.ceil(specs.length / CONNECTIONS_PER_WORKER)));
  try {
    const url = await server.url();
    await pause(500);
    const baseline = rssBytes(server.pid);
    await fleet.connect(url, specs, 'none', true);
    await fleet.ask({ cmd: 'online' });
    await pause(holdMs);
    return round((rssBytes(server.pid) - baseline) / specs.length / 1024, 1);
  } finally {
    await fleet.close();
    await server.stop();
  }
}

/** Least squares: the line a + b·N through the points. */
function lineThrough(points: ReadonlyArray<readonly [number, number]>): { readonly intercept: number; readonly slope: number } {
  const count = points.length;
  const meanX = points.reduce((s, [x]) => s + x, 0) / count;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / count;
  const sxx = points.reduce((s, [x]) => s + (x - meanX) ** 2, 0);
  const slope = sxx === 0 ? 0 : points.reduce((s, [x, y]) => s + (x - meanX) * (y - meanY), 0) / sxx;
  return { intercept: meanY - slope * meanX, slope };
}

/** Each figure's slope over N and its value at 100,000 connections, by that line. */
function projection(runs: readonly PopulationFigures[]) {
  const at = (pick: (r: PopulationFigures) => number) => {
    const line = lineThrough(runs.map((r) => [r.connections, pick(r)] as const));
    return { per1000Connections: round(line.slope * 1_000, 3), intercept: round(line.intercept, 2), at100k: round(line.intercept + line.slope * PROJECTED, 1) };
  };
  return {
    connections: PROJECTED,
    rssMiB: at((r) => r.rss.onlineMiB),
    serverCpuPercentAtOneHeartbeatPer30s: at((r) => r.heartbeats.serverCpuPercent),
    joinStormMs: at((r) => r.joinStorm.convergedMs),
    reconnectWaveMs: at((r) => r.reconnectWave.convergedMs),
  };
}

export async function populationBenchmark(options: PopulationOptions) {
  const limit = fileLimit();
  const largest = limit - FD_MARGIN;
  options.log(`population: this process may open ${limit} files (ulimit -n); a server here holds at most about ${largest} connections`);
  const sizes = options.sizes ?? [1_000, 5_000, 10_000, largest];
  const runs: PopulationFigures[] = [];
  for (const n of sizes) {
    if (n > largest) {
      options.log(`population ${n}: over this machine's file limit (${limit}); skipped`);
      continue;
    }
    options.log(`population ${n}…`);
    const figures = await populationAt(n, options);
    options.log(JSON.stringify(figures));
    runs.push(figures);
  }
  return { fileLimit: limit, largestPopulation: largest, runs, ...(runs.length >= 2 ? { projection: projection(runs) } : {}) };
}

/**
 * Issue 20's memory pair: N connections each announcing a user and subscribed to an empty scope (so that what a
 * connection costs is measured, not its scope), held 10 s, by the service and by a bare Socket.IO server.
 */
export async function memoryPairBenchmark(options: Pick<PopulationOptions, 'serviceEnv' | 'spec' | 'log'> & { readonly sizes: readonly number[] }) {
  const emptyScopes = (n: number) => range(1, n).map((id) => options.spec(id, { userIds: [] }, 0));
  const rows = [];
  for (const n of options.sizes) {
    const service = await rssPerConnection(ServerProcess.service(options.serviceEnv()), emptyScopes(n), 10_000);
    const bare = await rssPerConnection(ServerProcess.bare(), emptyScopes(n), 10_000);
    const row = { connections: n, serviceKiBPerConnection: service, bareSocketIoKiBPerConnection: bare, ratio: round(service / bare) };
    options.log(JSON.stringify(row));
    rows.push(row);
  }
  return rows;
}
