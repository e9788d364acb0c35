/** The abuse benchmark's figures from its raw records, and the table of each figure against its target. */
import { percentile, round } from '../stats';
import type { AttackRecord } from './attack-stage';

const MB = 1024 * 1024;

interface Latencies {
  readonly count: number;
  readonly failed: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function latencies(rows: ReadonlyArray<readonly [number, number]>, from: number, to: number): Latencies {
  const inside = rows.filter(([at]) => at >= from && at < to);
  const ok = inside.map(([, ms]) => ms).filter((ms) => ms >= 0);
  const summary = (p: number): number => (ok.length === 0 ? Number.NaN : round(percentile(ok, p)));
  return { count: inside.length, failed: inside.length - ok.length, p50: summary(50), p99: summary(99), max: ok.length === 0 ? Number.NaN : round(ok.reduce((a, b) => Math.max(a, b))) };
}

/** Diff delays of the churn transitions made in [from, to); `missing` counts bystanders that never got one. */
function diffDelays(record: AttackRecord, from: number, to: number): Latencies & { missing: number } {
  const { transitions, deliveries } = record.probe;
  // Transitions this close to the end may still have been on their way when the bystanders stopped.
  const settledBefore = record.times.afterEnd - 4 * record.diffIntervalMs;
  const made = transitions.map(([at], i) => [i, at] as const).filter(([, at]) => at >= from && at < to);
  const wanted = new Set(made.map(([i]) => i));
  const delivered = deliveries.filter(([i]) => wanted.has(i));
  const settled = made.filter(([, at]) => at < settledBefore).length;
  const settledDeliveries = delivered.filter(([i]) => (transitions[i]?.[0] ?? Infinity) < settledBefore).length;
  return {
    ...latencies(delivered.map(([i, ms]) => [transitions[i]?.[0] ?? 0, ms] as const), from, to),
    missing: Math.max(0, settled * record.sizes.bystanders - settledDeliveries),
  };
}

/**
 * The longest any bystander waited for its next diff, over the waits that overlap [from, to). Churn makes a change in
 * every window, so a wait much over one window is a stalled flush, even where the changes netted out.
 */
function longestDiffWait(record: AttackRecord, from: number, to: number): number {
  const byBystander = new Map<number, number[]>();
  for (const [at, b] of record.probe.diffs) {
    const arrivals = byBystander.get(b) ?? [];
    arrivals.push(at);
    byBystander.set(b, arrivals);
  }
  let longest = 0;
  for (const arrivals of byBystander.values()) {
    const times = [...arrivals.sort((x, y) => x - y), record.times.afterEnd];
    for (let k = 1; k < times.length; k++) {
      const [previous, next] = [times[k - 1] as number, times[k] as number];
      if (next > from && previous < to) longest = Math.max(longest, next - previous);
    }
  }
  return round(longest);
}

function rssFigures(record: AttackRecord) {
  const { baselineStart, attackStart, attackStop, afterEnd } = record.times;
  const inside = (from: number, to: number): number[] => record.rss.filter(([at]) => at >= from && at <= to).map(([, b]) => b);
  const baseline = percentile(inside(baselineStart, attackStart), 50);
  const peakDuring = Math.max(...inside(attackStart, attackStop));
  const peakAfter = Math.max(...inside(attackStop, afterEnd));
  const atEnd = record.rss.at(-1)?.[1] ?? Number.NaN;
  const mb = (bytes: number): number => round(bytes / MB, 1);
  return { baselineMB: mb(baseline), peakDuringMB: mb(peakDuring), peakAfterMB: mb(peakAfter), atEndMB: mb(atEnd), growthDuringMB: mb(peakDuring - baseline), atEndOverBaselineMB: mb(atEnd - baseline) };
}

function attackerFigures(record: AttackRecord) {
  const a = record.attacker;
  const rateLimited = a.refused['RATE_LIMITED'] ?? 0;
  return {
    sent: a.sent,
    accepted: a.sent - rateLimited - a.unanswered,
    acked: a.ok,
    refused: a.refused,
    unanswered: a.unanswered,
    notSentClosed: a.notSentClosed,
    ackMs: { p50: round(percentile(a.okAckMs, 50)), p99: round(percentile(a.okAckMs, 99)), max: a.okAckMs.length ? round(Math.max(...a.okAckMs)) : Number.NaN },
    lastAckAfterStopMs: a.lastAckAt === null ? null : round(a.lastAckAt - a.stoppedAt),
    disconnectsSeen: a.disconnects.length,
    slowConsumersDisconnected: record.server['slowConsumersDisconnected'] ?? 0,
    serviceCounted: record.serviceCounted,
  };
}

export function summarizeAttack(record: AttackRecord) {
  const { baselineStart, attackStart, attackStop, afterEnd } = record.times;
  const phases = { baseline: [baselineStart, attackStart], during: [attackStart, attackStop], after: [attackStop, afterEnd] } as const;
  const each = <T>(f: (from: number, to: number) => T): Record<keyof typeof phases, T> =>
    ({ baseline: f(...phases.baseline), during: f(...phases.during), after: f(...phases.after) });
  const p = record.probe;
  const server = record.server;
  return {
    name: record.name,
    title: record.title,
    heartbeatAckMs: each((from, to) => latencies(p.heartbeats, from, to)),
    healthMs: each((from, to) => latencies(p.health, from, to)),
    diffDelayMs: each((from, to) => diffDelays(record, from, to)),
    longestDiffWaitMs: each((from, to) => longestDiffWait(record, from, to)),
    rss: rssFigures(record),
    attacker: attackerFigures(record),
    others: {
      bystanderHeartbeatsFailed: p.heartbeats.filter(([, ms]) => ms < 0).length,
      bystanderDisconnects: p.disconnects.length,
      bystanderRefusals: p.presenceErrors,
      churnFailures: p.churnFailures,
      unmatchedDiffEntries: p.unmatched,
      populationHeartbeatP99: round(record.population.heartbeats.p99),
      populationHeartbeatsFailed: record.population.failed,
      connectionsLost: Math.max(0, (server['others'] ?? 0) - (server['othersConnectedAtEnd'] ?? 0)),
    },
    server,
  };
}

export type AttackSummary = ReturnType<typeof summarizeAttack>;

export type Row = readonly [figure: string, baseline: unknown, during: unknown, after: unknown, target: string, met: boolean | undefined];

export function attackRows(s: AttackSummary, diffIntervalMs: number, afterMs: number): Row[] {
  const hb = s.heartbeatAckMs;
  const h = s.healthMs;
  const d = s.diffDelayMs;
  const o = s.others;
  const a = s.attacker;
  const othersUntouched =
    o.bystanderHeartbeatsFailed + o.bystanderDisconnects + o.bystanderRefusals + o.churnFailures + o.populationHeartbeatsFailed + o.connectionsLost === 0;
  const refusals = Object.entries(a.refused).map(([code, n]) => `${n} ${code}`).join(', ') || 'none refused';
  const refusedByService = Object.entries(a.serviceCounted).some(([result, n]) => result !== 'ok' && result !== 'dropped' && n > 0);
  const attackerHit = refusedByService || a.disconnectsSeen > 0 || a.slowConsumersDisconnected > 0 || a.ackMs.p50 > 2 * diffIntervalMs;
  const counted = Object.entries(a.serviceCounted).map(([result, n]) => `${n} ${result}`).join(', ');
  const lastAck = a.lastAckAfterStopMs === null ? 'no ack' : a.lastAckAfterStopMs > 0 ? `last ack ${a.lastAckAfterStopMs} ms after the stop` : 'last ack before the stop';
  return [
    ['bystanders: heartbeat ack p50 / p99 (ms)', `${hb.baseline.p50} / ${hb.baseline.p99}`, `${hb.during.p50} / ${hb.during.p99}`, `${hb.after.p50} / ${hb.after.p99}`, 'p99 < 50', hb.during.p99 < 50 && hb.during.failed === 0],
    ['/health p99 / max (ms)', `${h.baseline.p99} / ${h.baseline.max}`, `${h.during.p99} / ${h.during.max}`, `${h.after.p99} / ${h.after.max}`, 'max < 100', h.during.max < 100 && h.during.failed === 0],
    [
      'diff delay p50 / p99 / max (ms)',
      `${d.baseline.p50} / ${d.baseline.p99} / ${d.baseline.max}`,
      `${d.during.p50} / ${d.during.p99} / ${d.during.max}`,
      `${d.after.p50} / ${d.after.p99} / ${d.after.max}`,
      `max <= ${2 * diffIntervalMs} (2 windows)`,
      d.during.max <= 2 * diffIntervalMs && d.during.missing === 0,
    ],
    [
      'longest wait for the next diff, any bystander (ms)',
      s.longestDiffWaitMs.baseline,
      s.longestDiffWaitMs.during,
      s.longestDiffWaitMs.after,
      `<= ${2 * diffIntervalMs}`,
      s.longestDiffWaitMs.during <= 2 * diffIntervalMs,
    ],
    ['transitions a bystander never got in a diff (netted out in a stretched window, or lost)', d.baseline.missing, d.during.missing, d.after.missing, '0', d.during.missing === 0],
    ['server RSS (MB): baseline / peak / after', s.rss.baselineMB, s.rss.peakDuringMB, `${s.rss.peakAfterMB} peak, ${s.rss.atEndMB} at ${afterMs / 1000} s`, '', undefined],
    ['RSS growth during the attack (MB)', '', s.rss.growthDuringMB, '', '< 200', s.rss.growthDuringMB < 200],
    [`RSS over baseline ${afterMs / 1000} s after (MB)`, '', '', s.rss.atEndOverBaselineMB, '< 50', s.rss.atEndOverBaselineMB < 50],
    [
      'attacker: sent, accepted, acked ok',
      '',
      `${a.sent}, ${a.accepted}, ${a.acked}; ${refusals}; ${a.unanswered} unanswered`,
      lastAck,
      '',
      undefined,
    ],
    ['attacker, as the service counted it', '', counted, '', '', undefined],
    ['attacker: ok ack p50 / p99 / max (ms); disconnected', '', `${a.ackMs.p50} / ${a.ackMs.p99} / ${a.ackMs.max}`, `${a.disconnectsSeen} seen, ${a.slowConsumersDisconnected} as slow consumers`, '', undefined],
    [
      'kernel queues to the attacker at the stop (MB): service unsent / attacker unread',
      '',
      `${round((s.server['unsentByService'] ?? 0) / MB, 1)} / ${round((s.server['unreadByClients'] ?? 0) / MB, 1)}`,
      '',
      '',
      undefined,
    ],
    [
      'only the attacker slowed, refused or cut off',
      '',
      `others: ${o.bystanderHeartbeatsFailed + o.churnFailures} acks failed, ${o.bystanderRefusals} refusals, ${o.bystanderDisconnects} bystanders and ${o.connectionsLost} connections in all cut off; population ${o.populationHeartbeatsFailed} heartbeats failed (p99 ${o.populationHeartbeatP99} ms)`,
      '',
      // The control sends nothing: there is no attacker to hit.
      a.sent === 0 ? 'others 0' : 'others 0; attacker hit',
      othersUntouched && (a.sent === 0 || attackerHit),
    ],
  ];
}

export function printRows(title: string, header: readonly string[], rows: ReadonlyArray<readonly unknown[]>, log: (line: string) => void): void {
  log(`\n${title}`);
  log(`| ${header.join(' | ')} |`);
  log(`|${header.map(() => '---').join('|')}|`);
  const cell = (c: unknown): string => (c === true ? 'met' : c === false ? '**not met**' : c === undefined ? '' : String(c));
  for (const row of rows) log(`| ${row.map(cell).join(' | ')} |`);
}
