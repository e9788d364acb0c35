/**
 * Attack 5 of the abuse benchmark, the overload run: the seed's protocol (§1 clients, userOnline then a heartbeat
 * every second, no subscription) for many clients joining at once, with a 3 s TTL, the service pinned to one core
 * and the clients to the other. Does anyone go offline while connected and heartbeating, and how long until all
 * are online?
 */
import { metric, ServerProcess } from '../server-process';
import { nowMs, percentile, round } from '../stats';
import type { StageCommon } from './attack-stage';
import { ForkedWorker, pinToCpus, sleep } from './forked-worker';
import type { OverloadClientRecord, OverloadCommand, OverloadReport } from './overload-worker';

const TTL_MS = 3_000;
const HEARTBEAT_MS = 1_000;

/** Whether the client was connected all through [from, to], by its connects and disconnects. */
function connectedThroughout(record: OverloadClientRecord, from: number, to: number): boolean {
  const before = record.links.filter(([at]) => at <= from).at(-1);
  return before?.[1] === 1 && !record.links.some(([at, up]) => up === 0 && at > from && at <= to);
}

export async function overloadRun(clients: number, durationMs: number, common: StageCommon) {
  const server = ServerProcess.service({ ...common.env, PRESENCE_TTL_MS: String(TTL_MS) });
  const workers = [new ForkedWorker<OverloadCommand>('overload-worker.ts'), new ForkedWorker<OverloadCommand>('overload-worker.ts')];
  try {
    const url = await server.url();
    pinToCpus(server.pid, '0');
    for (const worker of workers) pinToCpus(worker.pid, '1');
    pinToCpus(process.pid, '1');
    const offlineBefore = await metric(url, 'presence_status_changes_total', 'status="offline"');
    const ids = Array.from({ length: clients }, (_, i) => i + 1);
    common.log(`  ${clients} §1 clients join at once, heartbeating every ${HEARTBEAT_MS} ms, TTL ${TTL_MS} ms, for ${durationMs / 1000} s…`);
    const joinAt = nowMs();
    await Promise.all(
      workers.map((worker, w) =>
        worker.ask({
          cmd: 'join',
          url,
          clients: ids.filter((_, i) => i % workers.length === w).map((userId) => ({ userId, token: common.token(userId) })),
          heartbeatMs: HEARTBEAT_MS,
        }),
      ),
    );
    const online: Array<[afterMs: number, users: number]> = [];
    while (nowMs() < joinAt + durationMs) {
      const at = nowMs();
      online.push([round(at - joinAt), await metric(url, 'presence_online_users').catch(() => Number.NaN)]);
      await sleep(500 - (nowMs() - at));
    }
    const reports = await Promise.all(workers.map((worker) => worker.ask<OverloadReport>({ cmd: 'report' })));
    const serverOfflines = {
      expired: await metric(url, 'presence_status_changes_total', 'reason="expired"'),
      disconnect: await metric(url, 'presence_status_changes_total', 'reason="disconnect"'),
      all: (await metric(url, 'presence_status_changes_total', 'status="offline"')) - offlineBefore,
    };
    return { clients, durationMs, ttlMs: TTL_MS, heartbeatMs: HEARTBEAT_MS, joinAt, ...judge(reports, joinAt), serverOfflines, onlineUsersByTime: online };
  } finally {
    await Promise.all(workers.map((worker) => worker.ask({ cmd: 'close' }).catch(() => undefined)));
    await Promise.all(workers.map((worker) => worker.stop()));
    await server.stop();
    pinToCpus(process.pid, '0,1');
  }
}

function judge(reports: readonly OverloadReport[], joinAt: number) {
  const records = new Map(reports.flatMap((r) => r.clients).map((c) => [c.userId, c]));
  const heard = new Map<string, [number, number, string, number]>();
  for (const [userId, lastSeen, reason, heardAt] of reports.flatMap((r) => r.offlines)) {
    const key = `${userId}|${lastSeen}`;
    const known = heard.get(key);
    if (known === undefined || heardAt < known[3]) heard.set(key, [userId, lastSeen, reason, heardAt]);
  }
  // A false offline: its user's client was connected from its last sign of life until the offline was heard.
  const falseOfflines = [...heard.values()].filter(([userId, lastSeen, , heardAt]) => {
    const record = records.get(userId);
    return record !== undefined && connectedThroughout(record, lastSeen, heardAt);
  });
  const onlineAfter = [...records.values()].map((c) => (c.onlineAt === null ? null : c.onlineAt - joinAt));
  const cameOnline = onlineAfter.filter((ms): ms is number => ms !== null);
  const latencies = reports.flatMap((r) => r.heartbeatMs);
  return {
    falseOfflines: falseOfflines.length,
    usersFalselyOffline: new Set(falseOfflines.map(([userId]) => userId)).size,
    falseOfflineReasons: falseOfflines.reduce<Record<string, number>>((acc, [, , reason]) => ({ ...acc, [reason]: (acc[reason] ?? 0) + 1 }), {}),
    offlinesHeard: heard.size,
    neverOnline: onlineAfter.length - cameOnline.length,
    allOnlineAfterMs: cameOnline.length === onlineAfter.length && cameOnline.length > 0 ? round(Math.max(...cameOnline)) : null,
    onlineAfterMs: { p50: round(percentile(cameOnline, 50)), p99: round(percentile(cameOnline, 99)) },
    connectTimeouts: [...records.values()].reduce((s, c) => s + c.timeouts, 0),
    connectErrors: [...records.values()].reduce((s, c) => s + c.connectErrors, 0),
    disconnects: [...records.values()].reduce((s, c) => s + c.links.filter(([, up]) => up === 0).length, 0),
    heartbeatAckMs: { count: latencies.length, p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
    heartbeatsFailed: reports.reduce((s, r) => s + r.heartbeatsFailed, 0),
  };
}

export type OverloadResult = Awaited<ReturnType<typeof overloadRun>>;

export function overloadRows(r: OverloadResult): Array<readonly [string, unknown, string, boolean | undefined]> {
  const windowS = r.durationMs / 1000;
  return [
    ['false offlines (offline heard while connected and heartbeating)', `${r.falseOfflines} (${r.usersFalselyOffline} users; ${JSON.stringify(r.falseOfflineReasons)})`, '0', r.falseOfflines === 0],
    [`every client online (userOnline acked) after the join (ms)`, r.allOnlineAfterMs ?? `${r.neverOnline} never in ${windowS} s`, '<= 60000', r.allOnlineAfterMs !== null && r.allOnlineAfterMs <= 60_000],
    ['clients online after (ms) p50 / p99', `${r.onlineAfterMs.p50} / ${r.onlineAfterMs.p99}`, '', undefined],
    ['connect timeouts / connect errors / disconnects', `${r.connectTimeouts} / ${r.connectErrors} / ${r.disconnects}`, '', undefined],
    ['heartbeat ack p50 / p99 (ms), failed', `${r.heartbeatAckMs.p50} / ${r.heartbeatAckMs.p99}, ${r.heartbeatsFailed} failed of ${r.heartbeatAckMs.count + r.heartbeatsFailed}`, '', undefined],
    ['service offline transitions: expired / disconnect', `${r.serverOfflines.expired} / ${r.serverOfflines.disconnect}`, '', undefined],
  ];
}
