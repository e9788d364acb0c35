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

type Listener = (payload: unknown, ack: () => void) => void;

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
export async function eventPathNsPerHeartbeat(users = 2_000, heartbeats = 200_000, mode: 'plain' | 'token' | 'audiences' | 'tenants' | 'visibility' = 'plain'): Promise<number> {
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
  const fire = (socket: EventEmitter, event: string, payload: unknown): Promise<void> =>
    new Promise((resolve) => (socket.listeners(event)[0] as Listener)(payload, () => resolve()));
  // With a token, the payload leaves the user out: the token's is meant.
  const payloadOf = (i: number) => (mode === 'plain' ? { userId: i } : {});
  for (const [i, socket] of sockets.entries()) await fire(socket, 'userOnline', payloadOf(i));

  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const started = process.hrtime.bigint();
    const pending: Array<Promise<void>> = [];
    for (let k = 0; k < heartbeats; k++) {
      pending.push(fire(sockets[k % users] as EventEmitter, 'userHeartbeat', payloadOf(k % users)));
      if (pending.length >= 1_000) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / heartbeats);
  }
  io.close();
  return Math.round(best);
}

if (require.main === module) {
  void eventPathNsPerHeartbeat().then((ns) => {
    process.stdout.write(`service layer, per heartbeat: ${ns} ns\n`);
    process.exit(0);
  });
}
