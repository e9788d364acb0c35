/**
 * The service's own cost per heartbeat, without sockets: the real container and gateway, driven by stand-in
 * sockets, so that what Socket.IO and the network cost is left out. Compare with the whole server's CPU per
 * heartbeat to see what is ours and what is Socket.IO's.
 */
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { buildContainer } from '../src/container';
import { TOKENS } from '../src/tokens';

type Listener = (payload: unknown, ack: (answer?: unknown) => void) => void;

/** A stand-in for a Socket.IO socket: just what the gateway touches; `data` as the handshake would leave it. */
function standInSocket(id: string, data: Record<string, unknown>) {
  const socket = Object.assign(new EventEmitter(), {
    id,
    data,
    handshake: { address: '127.0.0.1' },
    // What the output guard reads after each answer: a websocket that has taken everything it was given.
    conn: { transport: { name: 'websocket', socket: { bufferedAmount: 0 } }, writeBuffer: [], on: () => undefined },
    connected: true,
    join: () => undefined,
    leave: () => undefined,
    onAny: () => undefined,
  });
  return socket;
}

/**
 * `plain`: without authentication; `token`: each connection with its token's user; `audiences`: that, with tenants
 * and a visibility rule on (CONTRACT §9), 100 tenants, a tenth of the users agents, each token with its tenant and type.
 */
export type EventPathMode = 'plain' | 'token' | 'audiences' | 'tenants' | 'visibility';

/** The real container and gateway with stand-in sockets, every one online, ready to be sent events. */
export interface EventPath {
  /** What an event of connection `i` says of its user: with a token, nothing (the token's is meant); else its id. */
  readonly payloadOf: (i: number) => Record<string, unknown>;
  /** The ack's answer to one event of connection `i`. */
  fire(i: number, event: string, payload: unknown): Promise<unknown>;
  /** Nanoseconds per event over `count` events, the connections in turn, 1,000 in flight. */
  nsPerEvent(event: string, count: number, payloadOf?: (i: number) => unknown): Promise<number>;
  close(): void;
}

export async function eventPath(users = 2_000, mode: EventPathMode = 'plain'): Promise<EventPath> {
  const audiences = mode === 'audiences' || mode === 'tenants' || mode === 'visibility';
  const modeEnv = {
    plain: {},
    token: { JWT_ACCESS_SECRET: 'bench-secret' },
    audiences: { JWT_ACCESS_SECRET: 'bench-secret', JWT_TENANT_CLAIM: 'org', PRESENCE_VISIBILITY: 'client:agent;agent:*' },
    tenants: { JWT_ACCESS_SECRET: 'bench-secret', JWT_TENANT_CLAIM: 'org' },
    visibility: { JWT_ACCESS_SECRET: 'bench-secret', PRESENCE_VISIBILITY: 'client:agent;agent:*' },
  }[mode];
  const config = loadConfig({ NODE_ENV: 'test', PRESENCE_EVENT_RATE: '100000', ...modeEnv });
  const container = buildContainer(config, pino({ level: 'silent' }));
  const io = container.get(TOKENS.SocketServer);
  container.get(TOKENS.SocketGateway).attach();
  const connect = io.of('/').listeners('connection') as Array<(socket: unknown) => void>;
  const dataOf = (i: number): Record<string, unknown> => {
    if (mode === 'plain') return { authUserId: null };
    if (!audiences) return { authUserId: i };
    const type = i % 10 === 0 ? 'agent' : 'client';
    return { authUserId: i, tenant: `tenant-${i % 100}`, tokenUserType: type, userType: type };
  };
  const sockets = Array.from({ length: users }, (_, i) => standInSocket(`s${i}`, dataOf(i)));
  for (const socket of sockets) for (const listener of connect) listener(socket);
  const fire = (i: number, event: string, payload: unknown): Promise<unknown> =>
    new Promise((resolve) => ((sockets[i] as EventEmitter).listeners(event)[0] as Listener)(payload, resolve));
  const payloadOf = (i: number) => (mode === 'plain' ? { userId: i } : {});
  for (let i = 0; i < users; i++) await fire(i, 'userOnline', payloadOf(i));

  return {
    payloadOf,
    fire,
    async nsPerEvent(event, count, payload = payloadOf) {
      const started = process.hrtime.bigint();
      const pending: Array<Promise<unknown>> = [];
      for (let k = 0; k < count; k++) {
        pending.push(fire(k % users, event, payload(k % users)));
        if (pending.length >= 1_000) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
      return Number(process.hrtime.bigint() - started) / count;
    },
    close: () => void io.close(),
  };
}

export async function eventPathNsPerHeartbeat(users = 2_000, heartbeats = 200_000, mode: EventPathMode = 'plain'): Promise<number> {
  const path = await eventPath(users, mode);
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) best = Math.min(best, await path.nsPerEvent('userHeartbeat', heartbeats));
  path.close();
  return Math.round(best);
}

if (require.main === module) {
  void eventPathNsPerHeartbeat().then((ns) => {
    process.stdout.write(`service layer, per heartbeat: ${ns} ns\n`);
    process.exit(0);
  });
}
