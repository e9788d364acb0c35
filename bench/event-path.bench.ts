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

/** A stand-in for a Socket.IO socket: just what the gateway touches. */
function standInSocket(id: string) {
  const socket = Object.assign(new EventEmitter(), {
    id,
    data: { authUserId: null },
    handshake: { address: '127.0.0.1' },
    connected: true,
    join: () => undefined,
    leave: () => undefined,
    onAny: () => undefined,
  });
  return socket;
}

export async function eventPathNsPerHeartbeat(users = 2_000, heartbeats = 200_000): Promise<number> {
  const config = loadConfig({ NODE_ENV: 'test', PRESENCE_EVENT_RATE: '100000' });
  const container = buildContainer(config, pino({ level: 'silent' }));
  const io = container.get(TOKENS.SocketServer);
  container.get(TOKENS.SocketGateway).attach();
  const connect = io.of('/').listeners('connection') as Array<(socket: unknown) => void>;
  const sockets = Array.from({ length: users }, (_, i) => standInSocket(`s${i}`));
  for (const socket of sockets) for (const listener of connect) listener(socket);
  const fire = (socket: EventEmitter, event: string, payload: unknown): Promise<void> =>
    new Promise((resolve) => (socket.listeners(event)[0] as Listener)(payload, () => resolve()));
  for (const [i, socket] of sockets.entries()) await fire(socket, 'userOnline', { userId: i });

  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const started = process.hrtime.bigint();
    const pending: Array<Promise<void>> = [];
    for (let k = 0; k < heartbeats; k++) {
      pending.push(fire(sockets[k % users] as EventEmitter, 'userHeartbeat', { userId: k % users }));
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
