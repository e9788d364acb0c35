/**
 * One attack of the abuse benchmark on a fresh service: an online population, the bystanders (probe-worker), the
 * attacker (attacker-worker), and the service's RSS, through a baseline, the attack and the time after it.
 */
import { ClientFleet } from '../cluster-of-clients';
import type { ClientSpec } from '../load-worker';
import { rssBytes } from '../process-usage';
import { metric, ServerProcess } from '../server-process';
import { nowMs, summarize, type Summary } from '../stats';
import type { AttackerCommand, FloodPlan, FloodResult } from './attacker-worker';
import { ForkedWorker, sleep } from './forked-worker';
import type { ProbeCommand, ProbeSamples, ProbeUser } from './probe-worker';
import { queuedBytes } from './socket-queues';

export interface StageSizes {
  readonly users: number;
  readonly bystanders: number;
  readonly churners: number;
  readonly churnPeriodMs: number;
  readonly bystanderHeartbeatMs: number;
  readonly healthEveryMs: number;
  /** Heartbeating before the baseline, not measured: until the service's memory is steady. */
  readonly warmupMs: number;
  readonly baselineMs: number;
  readonly afterMs: number;
}

/** What the benchmark gives every stage: the service's common settings and a token maker. */
export interface StageCommon {
  readonly env: Record<string, string>;
  readonly token: (userId: number) => string;
  readonly log: (line: string) => void;
}

/** What an attack needs around the service (a database behind a proxy), and what it does as the attack starts and stops. */
export interface Surroundings {
  readonly env: Record<string, string>;
  onAttackStart?(): void;
  onAttackStop?(): void;
  close(): Promise<void>;
}

export interface Attack {
  readonly name: string;
  readonly title: string;
  readonly connections: number;
  readonly plan: FloodPlan;
  readonly env?: Record<string, string>;
  readonly surroundings?: () => Promise<Surroundings>;
}

export interface AttackRecord {
  readonly name: string;
  readonly title: string;
  readonly sizes: StageSizes;
  readonly diffIntervalMs: number;
  readonly times: { readonly baselineStart: number; readonly attackStart: number; readonly attackStop: number; readonly afterEnd: number };
  readonly rss: Array<[at: number, bytes: number]>;
  readonly probe: ProbeSamples;
  readonly attacker: FloodResult;
  readonly population: { readonly heartbeats: Summary; readonly failed: number };
  readonly server: Record<string, number>;
  /** The attack's event as the service counted it during the attack and after it, by result. */
  readonly serviceCounted: Record<string, number>;
}

export const IDS = { bystanders: 100_001, churners: 200_001, attacker: 300_001, offline: 400_001 } as const;

const WORKERS = 3;
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/** Reads the service's RSS every 200 ms. */
class RssSampler {
  readonly samples: Array<[number, number]> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number) {
    this.timer = setInterval(() => this.samples.push([nowMs(), rssBytes(pid)]), 200);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** presence_events_total for one event, by result. */
async function eventResults(url: string, event: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const results: Record<string, number> = {};
  for (const [, name, result, value] of text.matchAll(/^presence_events_total\{event="([^"]+)",result="([^"]+)"\} (\S+)$/gm)) {
    if (name === event && result !== undefined) results[result] = Number(value);
  }
  return results;
}

export async function runAttack(attack: Attack, sizes: StageSizes, common: StageCommon): Promise<AttackRecord> {
  const surroundings = attack.surroundings === undefined ? undefined : await attack.surroundings();
  const env = { ...common.env, ...attack.env, ...surroundings?.env };
  const diffIntervalMs = Number(env['PRESENCE_DIFF_INTERVAL_MS'] ?? 250);
  const server = ServerProcess.service(env);
  const fleet = new ClientFleet(WORKERS);
  const probe = new ForkedWorker<ProbeCommand>('probe-worker.ts');
  const attacker = new ForkedWorker<AttackerCommand>('attacker-worker.ts');
  let rss: RssSampler | undefined;
  let population: Promise<Array<{ latencies: number[]; failed: number }>> | undefined;
  try {
    const url = await server.url();
    common.log(`  ${sizes.users} users connecting…`);
    const specs = range(1, sizes.users).map((id): ClientSpec => ({ userId: id, token: common.token(id), scope: { userIds: [] }, expected: 0 }));
    await fleet.connect(url, specs, 'none');
    await fleet.ask({ cmd: 'online' });
    const users = (from: number, count: number): ProbeUser[] => range(from, count).map((userId) => ({ userId, token: common.token(userId) }));
    await probe.ask({
      cmd: 'start',
      settings: {
        url,
        bystanders: users(IDS.bystanders, sizes.bystanders),
        churners: users(IDS.churners, sizes.churners),
        heartbeatMs: sizes.bystanderHeartbeatMs,
        churnPeriodMs: sizes.churnPeriodMs,
        healthEveryMs: sizes.healthEveryMs,
      },
    });
    const { ports } = await attacker.ask<{ ports: number[] }>({ cmd: 'connect', url, token: common.token(IDS.attacker), userId: IDS.attacker, connections: attack.connections });
    await sleep(1_000);
    const others = sizes.users + sizes.bystanders + sizes.churners;
    const connectionsBefore = await metric(url, 'presence_connections');

    rss = new RssSampler(server.pid);
    // The population heartbeats as real clients do, once every 30 s each, all along (kept online at the default TTL).
    const heartbeatMs = sizes.warmupMs + sizes.baselineMs + attack.plan.durationMs + sizes.afterMs;
    population = fleet.ask({ cmd: 'heartbeat', ratePerSec: sizes.users / 30 / WORKERS, durationMs: heartbeatMs });
    // The heap grows for a while once every user heartbeats: the baseline is taken after that, in a steady state.
    common.log(`  warm-up ${sizes.warmupMs / 1000} s…`);
    await sleep(sizes.warmupMs);
    const baselineStart = nowMs();
    common.log(`  baseline ${sizes.baselineMs / 1000} s…`);
    await sleep(sizes.baselineMs);
    common.log(`  attack: ${attack.title}…`);
    const countedBefore = await eventResults(url, attack.plan.event);
    surroundings?.onAttackStart?.();
    const { startedAt, stoppedAt } = await attacker.ask<{ startedAt: number; stoppedAt: number }>({ cmd: 'flood', plan: attack.plan });
    const kernelQueuesAtStop = queuedBytes(new Set(ports));
    surroundings?.onAttackStop?.();
    common.log(`  after the attack ${sizes.afterMs / 1000} s…`);
    await sleep(stoppedAt + sizes.afterMs - nowMs());
    const afterEnd = nowMs();
    rss.stop();

    const flood = await attacker.ask<FloodResult>({ cmd: 'collect' });
    const countedAfter = await eventResults(url, attack.plan.event);
    const serviceCounted = Object.fromEntries(Object.entries(countedAfter).map(([result, n]) => [result, n - (countedBefore[result] ?? 0)]));
    const attackerHeld = (await metric(url, 'presence_connections')) - others;
    // With the attacker gone, the count shows whether any other connection was cut off.
    await attacker.ask({ cmd: 'close' });
    await sleep(1_000);
    const serverFigures = {
      connectionsBefore,
      attackerConnectionsAtEnd: attackerHeld,
      othersConnectedAtEnd: await metric(url, 'presence_connections'),
      others,
      slowConsumersDisconnected: await metric(url, 'presence_slow_consumers_disconnected_total'),
      persistReadTimeouts: await metric(url, 'presence_persist_reads_total', 'result="timeout"'),
      onlineUsersAtEnd: await metric(url, 'presence_online_users'),
      ...kernelQueuesAtStop,
    };
    const probeSamples = await probe.ask<ProbeSamples>({ cmd: 'stop' });
    const parts = await population;
    population = undefined;
    return {
      name: attack.name,
      title: attack.title,
      sizes,
      diffIntervalMs,
      times: { baselineStart, attackStart: startedAt, attackStop: stoppedAt, afterEnd },
      rss: rss.samples,
      probe: probeSamples,
      attacker: flood,
      population: { heartbeats: summarize(parts.flatMap((p) => p.latencies)), failed: parts.reduce((s, p) => s + p.failed, 0) },
      server: serverFigures,
      serviceCounted,
    };
  } finally {
    rss?.stop();
    await attacker.ask({ cmd: 'close' }).catch(() => undefined);
    await attacker.stop();
    await probe.stop();
    // A heartbeat run still going would take the close's reply.
    await population?.catch(() => undefined);
    await fleet.close();
    await server.stop();
    await surroundings?.close();
  }
}
