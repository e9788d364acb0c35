/**
 * Operator smoke test: connects to a running presence service and walks one user through the socket protocol
 * (online, heartbeat, list, offline), printing `PASS`/`FAIL`/`SKIP` per step and a `N passed, N failed` summary.
 *
 *   node dist/cli/smoke.js [--url URL] [--token TOKEN] [--user ID] [--timeout MS]
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  ServerToClientEvents,
  UserStatusChanged,
  WireOnlineUser,
  WireUserId,
} from '../protocol/socket-events';
import { smokeOptionsFrom, usage, type SmokeOptions } from './smoke-options';

export { smokeOptionsFrom, type SmokeOptions } from './smoke-options';

export interface SmokeResult {
  readonly passed: number;
  readonly failed: number;
  readonly lines: string[];
}

type SmokeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Every value an event delivers, kept, so that a wait started after the event arrived still sees it. */
class Inbox<T> {
  private readonly seen: T[] = [];
  private wake: Array<() => void> = [];

  push(value: T): void {
    this.seen.push(value);
    for (const resolve of this.wake.splice(0)) resolve();
  }

  async find(match: (value: T) => boolean): Promise<T> {
    for (;;) {
      const hit = this.seen.find(match);
      if (hit !== undefined) return hit;
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
  }
}

/** Resolves with the ack's answer when it is `ok`, rejects with the refusal otherwise. */
function acked<T extends object>(send: (ack: Ack<T>) => void): Promise<{ ok: true } & T> {
  return new Promise((resolve, reject) =>
    send((answer) => (answer.ok ? resolve(answer) : reject(new Error(`refused: ${answer.error.code} ${answer.error.message}`)))),
  );
}

const sameUser = (a: WireUserId, b: WireUserId): boolean => String(a) === String(b);

export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const token = options.token || undefined;
  const claimed = options.userId ?? (token === undefined ? `smoke-${randomBytes(4).toString('hex')}` : undefined);
  const payload = claimed === undefined ? {} : { userId: claimed };

  const lines: string[] = [];
  const say = (line: string): void => {
    const safe = token === undefined ? line : line.split(token).join('<token>');
    lines.push(safe);
    write(safe);
  };

  let socket: SmokeSocket | undefined;
  let userId: WireUserId | undefined = claimed;
  const statuses = new Inbox<UserStatusChanged>();
  const lists = new Inbox<WireOnlineUser[]>();
  let dropped: Promise<never> = new Promise<never>(() => undefined); // rejects if the server drops the connection
  let closing = false;

  const connected = (): SmokeSocket => {
    if (socket === undefined) throw new Error('not connected');
    return socket;
  };
  const me = (): WireUserId => {
    if (userId === undefined) throw new Error('no user id');
    return userId;
  };
  const statusOf = (status: 'online' | 'offline', reason: string) =>
    statuses.find((change) => sameUser(change.userId, me()) && change.status === status && change.reason === reason);
  const includesMe = (users: WireOnlineUser[]): boolean => users.some((user) => sameUser(user.userId, me()));

  const steps: Array<[name: string, run: () => Promise<void>]> = [
    ['connect', async () => {
      socket = io(options.url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        timeout: timeoutMs,
        ...(token === undefined ? {} : { auth: { token } }),
      });
      socket.on('userStatusChanged', (change) => statuses.push(change));
      socket.on('onlineUsersList', (users) => lists.push(users));
      const s = socket;
      await new Promise<void>((resolve, reject) => {
        s.once('connect', resolve);
        s.once('connect_error', (error) => reject(new Error(`connect_error: ${error.message}`)));
      });
      dropped = new Promise<never>((_, reject) =>
        s.once('disconnect', (reason) => {
          if (!closing) reject(new Error(`disconnected: ${reason}`));
        }),
      );
      dropped.catch(() => undefined);
    }],
    ['userOnline', async () => {
      const answer = await acked<{ userId: WireUserId; status: 'online' }>((ack) =>
        connected().emit('userOnline', { ...payload, userType: 'smoke', userName: 'Smoke Test' }, ack),
      );
      if (claimed !== undefined && !sameUser(answer.userId, claimed)) throw new Error(`ack is for user ${answer.userId}, not ${claimed}`);
      userId = answer.userId;
      await statusOf('online', 'online');
    }],
    ['userHeartbeat', async () => {
      const answer = await acked<{ userId: WireUserId }>((ack) => connected().emit('userHeartbeat', payload, ack));
      if (!sameUser(answer.userId, me())) throw new Error(`ack is for user ${answer.userId}, not ${me()}`);
    }],
    ['getOnlineUsers', async () => {
      const answer = await acked<{ users: WireOnlineUser[] }>((ack) => connected().emit('getOnlineUsers', ack));
      if (!includesMe(answer.users)) throw new Error(`user ${me()} is not in the ack's users`);
      await lists.find(includesMe);
    }],
    ['userOffline', async () => {
      const answer = await acked<{ userId: WireUserId; status: 'offline' }>((ack) => connected().emit('userOffline', payload, ack));
      if (!sameUser(answer.userId, me())) throw new Error(`ack is for user ${answer.userId}, not ${me()}`);
      await statusOf('offline', 'explicit');
    }],
    ['disconnect', async () => {
      const s = connected();
      const closed = new Promise<void>((resolve) => s.once('disconnect', () => resolve()));
      closing = true;
      s.disconnect();
      await closed;
    }],
  ];

  let passed = 0;
  let failed = 0;
  try {
    for (const [name, run] of steps) {
      if (failed > 0) {
        say(`SKIP ${name}`);
        continue;
      }
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([run(), timedOut, dropped]);
        passed += 1;
        say(`PASS ${name} (${Math.round(performance.now() - started)} ms)`);
      } catch (error) {
        failed += 1;
        say(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    socket?.disconnect();
  }
  say(`${passed} passed, ${failed} failed`);
  return { passed, failed, lines };
}

if (require.main === module) {
  let options: SmokeOptions | 'help';
  try {
    options = smokeOptionsFrom(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(`${usage}\n`);
  } else {
    runSmoke(options).then(
      ({ failed }) => {
        process.exitCode = failed === 0 ? 0 : 1;
      },
      (error: unknown) => {
        process.stderr.write(`smoke failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
