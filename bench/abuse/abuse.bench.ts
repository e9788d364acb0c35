/**
 * `npm run bench -- --only abuse [--quick] [--attacks getOnlineUsers,hungDatabase]`: issue 16's abuse benchmark.
 * Each attack runs on a fresh service with its users online and a population of bystanders measured before, during
 * and after it; prints every figure against its target and writes the raw records to bench/results/abuse-*.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { attackRows, printRows, summarizeAttack, type Row } from './abuse-report';
import { runAttack, type StageCommon, type StageSizes } from './attack-stage';
import { attacks } from './attacks';
import { largeSubscribe } from './large-subscribe';
import { overloadRows, overloadRun } from './overload';

export const ATTACK_NAMES = ['control', 'getOnlineUsers', 'getOnlineUsersUnread', 'subscribeFlood', 'hungDatabase', 'largeSubscribe', 'overload'] as const;

export interface AbuseOptions {
  readonly quick: boolean;
  /** Just these attacks (of `ATTACK_NAMES`); all when undefined. */
  readonly only: ReadonlySet<string> | undefined;
  readonly common: StageCommon;
}

function plan(quick: boolean) {
  const sizes: StageSizes = quick
    ? { users: 2_000, bystanders: 100, churners: 20, churnPeriodMs: 2_000, bystanderHeartbeatMs: 1_000, healthEveryMs: 50, warmupMs: 5_000, baselineMs: 4_000, afterMs: 10_000 }
    : { users: 10_000, bystanders: 200, churners: 30, churnPeriodMs: 3_000, bystanderHeartbeatMs: 1_000, healthEveryMs: 50, warmupMs: 45_000, baselineMs: 10_000, afterMs: 30_000 };
  const durations = quick ? { readFloodMs: 5_000, subscribeFloodMs: 10_000, hangMs: 8_000 } : { readFloodMs: 5_000, subscribeFloodMs: 30_000, hangMs: 20_000 };
  // BENCH_OVERLOAD_CLIENTS: more §1 clients than the issue's 1,000, to find where this machine tips over.
  const clients = Number(process.env['BENCH_OVERLOAD_CLIENTS'] ?? (quick ? 300 : 1_000));
  const overload = { clients, durationMs: quick ? 20_000 : 60_000 };
  return { sizes, durations, overload };
}

export async function abuseBenchmark(options: AbuseOptions): Promise<Record<string, unknown>> {
  const { sizes, durations, overload } = plan(options.quick);
  const { log } = options.common;
  const wanted = (name: string): boolean => options.only === undefined || options.only.has(name);
  const unknown = [...(options.only ?? [])].filter((name) => !(ATTACK_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown attacks ${unknown.join(', ')}; there are ${ATTACK_NAMES.join(', ')}`);
  const dir = resolve(__dirname, '../results');
  mkdirSync(dir, { recursive: true });
  const write = (name: string, value: unknown): void => writeFileSync(resolve(dir, `abuse-${name}.json`), `${JSON.stringify(value)}\n`);

  const results: Record<string, unknown> = { sizes, durations, overload };
  const tables: Array<[string, Row[]]> = [];
  for (const attack of attacks(sizes, durations).filter((a) => wanted(a.name))) {
    log(`abuse: ${attack.name}, ${sizes.users} users online, ${sizes.bystanders} bystanders, ${sizes.churners} churning…`);
    const record = await runAttack(attack, sizes, options.common);
    write(attack.name, record);
    const summary = summarizeAttack(record);
    results[attack.name] = summary;
    tables.push([`${attack.name}: ${attack.title}`, attackRows(summary, record.diffIntervalMs, sizes.afterMs)]);
    log(JSON.stringify(summary));
  }
  const other: Array<readonly [string, string, unknown, string, boolean | undefined]> = [];
  if (wanted('largeSubscribe')) {
    log(`abuse: largeSubscribe, ${sizes.users} users online…`);
    const r = await largeSubscribe(sizes.users, options.common);
    results['largeSubscribe'] = r;
    write('largeSubscribe', r);
    other.push([
      'largeSubscribe',
      `${r.userIds} userIds (${r.payloadBytes} bytes of JSON), bundled client defaults: accepted`,
      `${r.accepted ? 'yes' : 'no'}: view of ${r.usersInView} users after ${r.firstViewMs} ms${r.errors.length ? `; errors ${r.errors.join('; ')}` : ''}`,
      'accepted',
      r.accepted,
    ]);
  }
  if (wanted('overload')) {
    log(`abuse: overload, ${overload.clients} §1 clients…`);
    const r = await overloadRun(overload.clients, overload.durationMs, options.common);
    results['overload'] = r;
    write('overload', r);
    for (const [figure, value, target, met] of overloadRows(r)) other.push(['overload', figure, value, target, met]);
  }

  for (const [title, rows] of tables) printRows(title, ['figure', 'baseline', 'during', 'after', 'target', 'met'], rows, log);
  if (other.length > 0) printRows('the other attacks', ['attack', 'figure', 'value', 'target', 'met'], other, log);
  log(`\nraw records in bench/results/abuse-*.json`);
  return results;
}
