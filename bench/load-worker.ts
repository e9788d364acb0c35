/**
 * A client process of the benchmark: holds a share of the connections (real socket.io-client sockets) and does
 * what the coordinator asks over IPC, recording times with a clock comparable across processes.
 */
import { io, type Socket } from 'socket.io-client';
import { nowMs } from './stats';

export interface ClientSpec {
  readonly userId: number;
  readonly token?: string;
  /** What to subscribe to before going online: null for none (§1 client). */
  readonly scope: { userIds?: number[] } | 'all' | null;
  /** How many users the client's scope will hold once everyone is online (for §7 completion). */
  readonly expected: number;
  /** The type it announces: its token's, where the token carries one (CONTRACT §9); `bench` otherwise. */
  readonly userType?: string;
}

export type Command =
  | { cmd: 'connect'; url: string; clients: ClientSpec[]; listen: 'status' | 'mirror' | 'none'; localAddress?: string }
  | { cmd: 'online' }
  | { cmd: 'heartbeat'; ratePerSec: number; durationMs: number }
  | { cmd: 'toggle'; index: number; online: boolean }
  | { cmd: 'reconnect'; url: string }
  | { cmd: 'report' }
  | { cmd: 'close' };

interface Client {
  readonly spec: ClientSpec;
  readonly socket: Socket;
  readonly mirror: Set<number>;
  completedAt?: number;
  /** The seq of the last state or diff applied, to resume with. */
  seq?: number;
}

const clients: Client[] = [];
let listen: 'status' | 'mirror' | 'none' = 'none';
/** The loopback address this worker's connections come from (127.0.0.2, ...): each has its own ephemeral ports. */
let localAddress: string | undefined;
/** For each user: when this worker's clients first and last saw its latest transition, and how many did. */
const arrivals = new Map<number, { first: number; last: number; count: number; status: string }>();
const emitted = new Map<number, number>();

function onStatus(change: { userId: number; status: string }): void {
  const at = nowMs();
  const known = arrivals.get(change.userId);
  if (known === undefined || known.status !== change.status) arrivals.set(change.userId, { first: at, last: at, count: 1, status: change.status });
  else {
    known.last = at;
    known.count += 1;
  }
}

function connectClient(url: string, spec: ClientSpec, since?: number): Promise<Client> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(localAddress === undefined ? {} : { localAddress }),
    ...(spec.token ? { auth: { token: spec.token } } : {}),
  });
  const client: Client = { spec, socket, mirror: new Set() };
  if (listen === 'status') socket.on('userStatusChanged', onStatus);
  if (listen === 'mirror') {
    const complete = (): void => {
      if (client.completedAt === undefined && client.mirror.size >= spec.expected) client.completedAt = nowMs();
    };
    socket.on('presenceState', (state: { seq: number; users: Array<{ userId: number; status: string }> }) => {
      client.seq = state.seq;
      client.mirror.clear();
      for (const u of state.users) if (u.status === 'online') client.mirror.add(u.userId);
      complete();
    });
    socket.on('presenceDiff', (diff: { seq: number; joins: Array<{ userId: number }>; leaves: Array<{ userId: number }> }) => {
      client.seq = diff.seq;
      for (const j of diff.joins) client.mirror.add(j.userId);
      for (const l of diff.leaves) client.mirror.delete(l.userId);
      complete();
    });
  }
  return new Promise((resolve, reject) => {
    socket.once('connect', async () => {
      if (spec.scope !== null) {
        const scope = spec.scope === 'all' ? {} : spec.scope;
        await socket.timeout(60_000).emitWithAck('presenceSubscribe', since === undefined ? scope : { ...scope, since });
      }
      resolve(client);
    });
    socket.once('connect_error', reject);
  });
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

async function heartbeat(ratePerSec: number, durationMs: number): Promise<{ latencies: number[]; failed: number; sent: number }> {
  const latencies: number[] = [];
  let failed = 0;
  let sent = 0;
  let next = 0;
  const tickMs = 10;
  const perTick = (ratePerSec * tickMs) / 1000;
  let carry = 0;
  const pending: Array<Promise<void>> = [];
  const end = nowMs() + durationMs;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (nowMs() >= end) {
        clearInterval(timer);
        resolve();
        return;
      }
      carry += perTick;
      for (; carry >= 1; carry -= 1) {
        const client = clients[next++ % clients.length] as Client;
        const sentAt = nowMs();
        sent += 1;
        pending.push(
          client.socket
            .timeout(5_000)
            .emitWithAck('userHeartbeat', { userId: client.spec.userId })
            .then(
              (answer: { ok: boolean }) => {
                if (answer.ok) latencies.push(nowMs() - sentAt);
                else failed += 1;
              },
              () => {
                failed += 1;
              },
            ),
        );
      }
    }, tickMs);
  });
  await Promise.all(pending);
  return { latencies, failed, sent };
}

process.on('message', async (message: Command) => {
  const reply = (value: unknown): void => void process.send?.(value);
  switch (message.cmd) {
    case 'connect': {
      listen = message.listen;
      localAddress = message.localAddress;
      const started = clients.length;
      await inBatches(message.clients, 200, async (spec) => clients.push(await connectClient(message.url, spec)));
      reply({ connected: clients.length - started });
      return;
    }
    case 'online': {
      await Promise.all(
        clients.map((c) => {
          emitted.set(c.spec.userId, nowMs());
          return c.socket.timeout(60_000).emitWithAck('userOnline', { userId: c.spec.userId, userType: c.spec.userType ?? 'bench' });
        }),
      );
      reply({ ok: true });
      return;
    }
    case 'toggle': {
      const client = clients[message.index] as Client;
      emitted.set(client.spec.userId, nowMs());
      await client.socket.emitWithAck(message.online ? 'userOnline' : 'userOffline', { userId: client.spec.userId });
      reply({ ok: true });
      return;
    }
    case 'reconnect': {
      // A restart closed every connection: each client comes back, resumes its subscription and announces itself.
      const before = clients.splice(0);
      for (const c of before) c.socket.disconnect();
      await inBatches(before, 200, async (old) => {
        const client = await connectClient(message.url, old.spec, old.seq);
        clients.push(client);
        await client.socket.timeout(60_000).emitWithAck('userOnline', { userId: client.spec.userId, userType: client.spec.userType ?? 'bench' });
      });
      reply({ ok: true });
      return;
    }
    case 'heartbeat':
      reply(await heartbeat(message.ratePerSec, message.durationMs));
      return;
    case 'report':
      reply({
        emitted: [...emitted],
        arrivals: [...arrivals],
        completed: clients.map((c) => c.completedAt ?? null),
      });
      arrivals.clear();
      emitted.clear();
      return;
    case 'close':
      for (const c of clients) c.socket.disconnect();
      clients.length = 0;
      reply({ ok: true });
      return;
  }
});
