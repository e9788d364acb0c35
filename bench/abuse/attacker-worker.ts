/**
 * The attacker of the abuse benchmark, in a process of its own: one user's connections (one valid token), sending
 * one kind of read as fast as a plan says, and optionally no longer reading what the service sends them.
 */
import type { Socket as TcpSocket } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { nowMs } from '../stats';

export interface FloodPlan {
  readonly event: 'getOnlineUsers' | 'presenceSubscribe';
  /** Events a second on each connection. */
  readonly perConnectionRate: number;
  readonly durationMs: number;
  /** Pause every connection's TCP socket first: the service's output to it piles up unread. */
  readonly stopReading: boolean;
  /**
   * For presenceSubscribe: `count` userIds, from a window over [base, base + span) that differs by connection and
   * moves on at every subscribe, so that no two subscribes share a scope.
   */
  readonly ids?: { readonly count: number; readonly base: number; readonly span: number };
}

export type AttackerCommand =
  | { cmd: 'connect'; url: string; token: string; userId: number; connections: number }
  | { cmd: 'flood'; plan: FloodPlan }
  | { cmd: 'collect' }
  | { cmd: 'close' };

export interface FloodResult {
  readonly startedAt: number;
  stoppedAt: number;
  sent: number;
  ok: number;
  /** Refusals by code. */
  readonly refused: Record<string, number>;
  /** Still unanswered when collected. */
  unanswered: number;
  /** Not sent: the connection had been closed. */
  notSentClosed: number;
  readonly okAckMs: number[];
  lastAckAt: number | null;
  readonly disconnects: Array<[at: number, reason: string]>;
}

const sockets: Socket[] = [];
let result: FloodResult | undefined;
let pending = 0;

/** The TCP socket under a socket.io-client connection on the websocket transport (the `ws` package's). */
function tcpOf(socket: Socket): TcpSocket | undefined {
  const engine = socket.io.engine as unknown as { transport?: { ws?: { _socket?: TcpSocket } } };
  return engine.transport?.ws?._socket;
}

async function connect(url: string, token: string, userId: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.on('disconnect', (reason: string) => result?.disconnects.push([nowMs(), reason]));
    await socket.timeout(10_000).emitWithAck('userOnline', { userId, userType: 'attacker' });
    sockets.push(socket);
  }
}

function idsFor(plan: FloodPlan, connection: number, k: number): number[] {
  const ids = plan.ids ?? { count: 0, base: 1, span: 1 };
  const offset = (connection * ids.count + k * 1_009) % ids.span;
  return Array.from({ length: ids.count }, (_, i) => ids.base + ((offset + i) % ids.span));
}

function send(socket: Socket, plan: FloodPlan, connection: number, k: number, r: FloodResult): void {
  if (!socket.connected) {
    r.notSentClosed += 1;
    return;
  }
  const sentAt = nowMs();
  r.sent += 1;
  pending += 1;
  const answered = (answer: { ok: boolean; error?: { code: string } }): void => {
    pending -= 1;
    const at = nowMs();
    r.lastAckAt = at;
    if (answer.ok) {
      r.ok += 1;
      r.okAckMs.push(at - sentAt);
    } else {
      const code = answer.error?.code ?? 'UNKNOWN';
      r.refused[code] = (r.refused[code] ?? 0) + 1;
    }
  };
  if (plan.event === 'getOnlineUsers') socket.emit('getOnlineUsers', answered);
  else socket.emit('presenceSubscribe', { userIds: idsFor(plan, connection, k) }, answered);
}

/** Runs the flood; resolves when it stops (its acks keep being counted until `collect`). */
async function flood(plan: FloodPlan): Promise<{ startedAt: number; stoppedAt: number }> {
  if (plan.stopReading) for (const socket of sockets) tcpOf(socket)?.pause();
  const startedAt = nowMs();
  const r: FloodResult = { startedAt, stoppedAt: 0, sent: 0, ok: 0, refused: {}, unanswered: 0, notSentClosed: 0, okAckMs: [], lastAckAt: null, disconnects: [] };
  result = r;
  const periodMs = 1_000 / plan.perConnectionRate;
  const timers: NodeJS.Timeout[] = [];
  // A rate of 0 is the control: connected, and silent.
  if (plan.perConnectionRate > 0) sockets.forEach((socket, c) => {
    let k = 0;
    timers.push(
      setTimeout(
        () => {
          send(socket, plan, c, k++, r);
          timers.push(setInterval(() => send(socket, plan, c, k++, r), periodMs));
        },
        (c * periodMs) / sockets.length,
      ),
    );
  });
  await new Promise((resolve) => setTimeout(resolve, plan.durationMs));
  for (const timer of timers) clearInterval(timer);
  r.stoppedAt = nowMs();
  return { startedAt, stoppedAt: r.stoppedAt };
}

process.on('message', async (message: AttackerCommand) => {
  const reply = (value: unknown): void => void process.send?.(value);
  switch (message.cmd) {
    case 'connect':
      await connect(message.url, message.token, message.userId, message.connections);
      reply({ ports: sockets.map((socket) => tcpOf(socket)?.localPort ?? 0) });
      return;
    case 'flood':
      reply(await flood(message.plan));
      return;
    case 'collect':
      if (result !== undefined) result.unanswered = pending;
      reply(result ?? null);
      return;
    case 'close':
      for (const socket of sockets) {
        // A paused socket would never read the close handshake's answer.
        tcpOf(socket)?.destroy();
        socket.disconnect();
      }
      reply({ ok: true });
      return;
  }
});
