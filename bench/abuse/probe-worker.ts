/**
 * The bystanders of the abuse benchmark, in a process of their own: clients that heartbeat at a steady rate and
 * follow churning users with §7, the churning users themselves, and a /health poller. Records raw samples, timed
 * with a clock comparable across the benchmark's processes.
 */
import { io, type Socket } from 'socket.io-client';
import { nowMs } from '../stats';

export interface ProbeUser {
  readonly userId: number;
  readonly token: string;
}

export interface ProbeSettings {
  readonly url: string;
  readonly bystanders: readonly ProbeUser[];
  /** Users who go online and offline in turn, each every `churnPeriodMs`: what the bystanders' diffs carry. */
  readonly churners: readonly ProbeUser[];
  readonly heartbeatMs: number;
  readonly churnPeriodMs: number;
  readonly healthEveryMs: number;
}

export type ProbeCommand = { cmd: 'start'; settings: ProbeSettings } | { cmd: 'stop' };

/** A failed sample (refused, or no answer within `ACK_TIMEOUT_MS`) has latency -1. */
export interface ProbeSamples {
  readonly heartbeats: Array<[sentAt: number, ms: number]>;
  readonly health: Array<[sentAt: number, ms: number]>;
  /** Every churn transition, as its client emitted it; online 1, offline 0. */
  readonly transitions: Array<[at: number, userId: number, online: number]>;
  /** One entry per bystander that got a transition in a diff: [index in `transitions`, delay]. */
  readonly deliveries: Array<[transition: number, ms: number]>;
  /** Every presenceDiff a bystander got: [at, index of the bystander]. */
  readonly diffs: Array<[at: number, bystander: number]>;
  /** Diff entries that matched no transition of their user (a repeat, or one out of order). */
  unmatched: number;
  churnFailures: number;
  presenceErrors: number;
  readonly disconnects: Array<[at: number, reason: string]>;
}

const ACK_TIMEOUT_MS = 5_000;
const TAG = 'churn';

const samples: ProbeSamples = { heartbeats: [], health: [], transitions: [], deliveries: [], diffs: [], unmatched: 0, churnFailures: 0, presenceErrors: 0, disconnects: [] };
const sockets: Socket[] = [];
const timers: NodeJS.Timeout[] = [];
const lastTransition = new Map<number, number>();
let pendingAcks = 0;
let running = false;

function open(url: string, user: ProbeUser): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: user.token } });
  sockets.push(socket);
  socket.on('presenceError', () => (samples.presenceErrors += 1));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.on('disconnect', (reason: string) => running && samples.disconnects.push([nowMs(), reason]));
      resolve(socket);
    });
    socket.once('connect_error', reject);
  });
}

/** Emits with an ack; resolves with the latency, or -1 when refused or unanswered. */
function timed(socket: Socket, event: string, payload: object): Promise<number> {
  const sentAt = nowMs();
  pendingAcks += 1;
  return new Promise((resolve) => {
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (error: Error | null, answer?: { ok: boolean }) => {
      pendingAcks -= 1;
      resolve(error === null && answer?.ok === true ? nowMs() - sentAt : -1);
    });
  });
}

function onDiff(bystander: number, diff: { joins: Array<{ userId: number }>; leaves: Array<{ userId: number }> }): void {
  const at = nowMs();
  samples.diffs.push([at, bystander]);
  const record = (userId: number, online: number): void => {
    const index = lastTransition.get(userId);
    const transition = index === undefined ? undefined : samples.transitions[index];
    if (index === undefined || transition === undefined || transition[2] !== online) samples.unmatched += 1;
    else samples.deliveries.push([index, at - transition[0]]);
  };
  for (const j of diff.joins) record(j.userId, 1);
  for (const l of diff.leaves) record(l.userId, 0);
}

/** Calls `tick` every `periodMs`, the first time after `offsetMs`. */
function every(periodMs: number, offsetMs: number, tick: () => void): void {
  timers.push(
    setTimeout(() => {
      tick();
      timers.push(setInterval(tick, periodMs));
    }, offsetMs),
  );
}

async function pollHealth(url: string, everyMs: number): Promise<void> {
  while (running) {
    const sentAt = nowMs();
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(ACK_TIMEOUT_MS) });
      await response.text();
      samples.health.push([sentAt, response.ok ? nowMs() - sentAt : -1]);
    } catch {
      samples.health.push([sentAt, -1]);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (nowMs() - sentAt))));
  }
}

async function start(s: ProbeSettings): Promise<void> {
  const bystanders = await Promise.all(s.bystanders.map((u) => open(s.url, u)));
  await Promise.all(
    bystanders.map(async (socket, i) => {
      const userId = (s.bystanders[i] as ProbeUser).userId;
      await socket.timeout(60_000).emitWithAck('userOnline', { userId, userType: 'bystander' });
      socket.on('presenceDiff', (diff: Parameters<typeof onDiff>[1]) => onDiff(i, diff));
      await socket.timeout(60_000).emitWithAck('presenceSubscribe', { userTypes: [TAG] });
    }),
  );
  const churners = await Promise.all(s.churners.map((u) => open(s.url, u)));
  // An empty scope: churners get no §1 broadcasts of one another.
  await Promise.all(churners.map((socket) => socket.timeout(60_000).emitWithAck('presenceSubscribe', { userIds: [] })));
  running = true;
  bystanders.forEach((socket, i) => {
    const userId = (s.bystanders[i] as ProbeUser).userId;
    every(s.heartbeatMs, (i * s.heartbeatMs) / bystanders.length, () => {
      const sentAt = nowMs();
      void timed(socket, 'userHeartbeat', { userId }).then((ms) => samples.heartbeats.push([sentAt, ms]));
    });
  });
  churners.forEach((socket, i) => {
    const userId = (s.churners[i] as ProbeUser).userId;
    let online = false;
    every(s.churnPeriodMs, (i * s.churnPeriodMs) / churners.length, () => {
      online = !online;
      lastTransition.set(userId, samples.transitions.push([nowMs(), userId, online ? 1 : 0]) - 1);
      const event = online ? 'userOnline' : 'userOffline';
      void timed(socket, event, online ? { userId, userType: TAG } : { userId }).then((ms) => ms < 0 && (samples.churnFailures += 1));
    });
  });
  void pollHealth(s.url, s.healthEveryMs);
}

async function stop(): Promise<ProbeSamples> {
  running = false;
  for (const timer of timers) clearInterval(timer);
  const deadline = nowMs() + ACK_TIMEOUT_MS + 500;
  while (pendingAcks > 0 && nowMs() < deadline) await new Promise((r) => setTimeout(r, 50));
  return samples;
}

process.on('message', async (message: ProbeCommand) => {
  if (message.cmd === 'start') {
    await start(message.settings);
    process.send?.({ ok: true });
  } else {
    process.send?.(await stop());
    for (const socket of sockets) socket.disconnect();
  }
});
