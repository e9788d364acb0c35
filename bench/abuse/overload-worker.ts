/**
 * A client process of the abuse benchmark's overload run: §1 clients as the original backend's frontend was, all
 * joining at once (userOnline on connect, then userHeartbeat every second, no subscription), reconnecting as
 * socket.io-client does by default. Records when each came online, its connection's ups and downs, and every
 * offline broadcast it heard.
 */
import { io } from 'socket.io-client';
import { nowMs } from '../stats';

export type OverloadCommand =
  | { cmd: 'join'; url: string; clients: Array<{ userId: number; token: string }>; heartbeatMs: number }
  | { cmd: 'report' }
  | { cmd: 'close' };

export interface OverloadClientRecord {
  readonly userId: number;
  onlineAt: number | null;
  connectErrors: number;
  timeouts: number;
  /** Every connect and disconnect of the client: [at, 1 connected / 0 disconnected]. */
  readonly links: Array<[at: number, up: number]>;
}

export interface OverloadReport {
  readonly startedAt: number;
  readonly clients: OverloadClientRecord[];
  /** Distinct offline broadcasts heard: [userId, lastSeen (ms), reason, first heard at]. */
  readonly offlines: Array<[userId: number, lastSeen: number, reason: string, heardAt: number]>;
  readonly heartbeatMs: number[];
  readonly heartbeatsFailed: number;
}

const sockets: Array<ReturnType<typeof io>> = [];
const offlines = new Map<string, [number, number, string, number]>();
const heartbeatLatencies: number[] = [];
let heartbeatsFailed = 0;
let report: OverloadReport | undefined;

function join(url: string, clients: Array<{ userId: number; token: string }>, heartbeatMs: number): OverloadReport {
  const records: OverloadClientRecord[] = [];
  const startedAt = nowMs();
  for (const { userId, token } of clients) {
    const record: OverloadClientRecord = { userId, onlineAt: null, connectErrors: 0, timeouts: 0, links: [] };
    records.push(record);
    // The seed's frontends used Socket.IO's default transports: long-polling first, then the upgrade to WebSocket.
    const socket = io(url, { forceNew: true, auth: { token } });
    sockets.push(socket);
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      record.links.push([nowMs(), 1]);
      socket.timeout(60_000).emit('userOnline', { userId, userType: 'overload' }, (error: Error | null, answer?: { ok: boolean }) => {
        if (error === null && answer?.ok && record.onlineAt === null) record.onlineAt = nowMs();
      });
      clearInterval(timer);
      timer = setInterval(() => {
        const sentAt = nowMs();
        socket.timeout(5_000).emit('userHeartbeat', { userId }, (error: Error | null, answer?: { ok: boolean }) => {
          if (error === null && answer?.ok) heartbeatLatencies.push(nowMs() - sentAt);
          else heartbeatsFailed += 1;
        });
      }, heartbeatMs);
    });
    socket.on('disconnect', () => {
      clearInterval(timer);
      record.links.push([nowMs(), 0]);
    });
    socket.on('connect_error', (error: Error) => {
      record.connectErrors += 1;
      if (error.message === 'timeout') record.timeouts += 1;
    });
    socket.on('userStatusChanged', (c: { userId: number; status: string; lastSeen: string; reason: string }) => {
      if (c.status !== 'offline') return;
      const key = `${c.userId}|${c.lastSeen}`;
      if (!offlines.has(key)) offlines.set(key, [c.userId, Date.parse(c.lastSeen), c.reason, nowMs()]);
    });
  }
  return { startedAt, clients: records, offlines: [], heartbeatMs: heartbeatLatencies, heartbeatsFailed: 0 };
}

process.on('message', (message: OverloadCommand) => {
  const reply = (value: unknown): void => void process.send?.(value);
  switch (message.cmd) {
    case 'join':
      report = join(message.url, message.clients, message.heartbeatMs);
      reply({ startedAt: report.startedAt });
      return;
    case 'report':
      reply(report === undefined ? null : { ...report, offlines: [...offlines.values()], heartbeatsFailed });
      return;
    case 'close':
      for (const socket of sockets) socket.disconnect();
      reply({ ok: true });
      return;
  }
});
