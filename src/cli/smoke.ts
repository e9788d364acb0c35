/**
 * Operator smoke test: connects to a running presence service and walks one user through the socket protocol
 * (online, heartbeat, list, offline), printing `PASS`/`FAIL`/`SKIP` per step and a `N passed, N failed` summary.
 *
 *   node dist/cli/smoke.js [--url URL] [--token TOKEN] [--user ID] [--timeout MS]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  ServerToClientEvents,
  UserStatusChanged,
  WireOnlineUser,
  WireUserId,
} from '../protocol/socket-events';

export interface SmokeOptions {
  readonly url: string;
  /** Sent as the handshake's `auth.token`; never printed. */
  readonly token?: string;
  /** Left out with a token: the server then takes the token's user. Without both, a random `smoke-…` user. */
  readonly userId?: string | number;
  /** Per step [5000]. */
  readonly timeoutMs?: number;
  /** Where each line goes [stdout]. */
  readonly write?: (line: string) => void;
}

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

export const usage = `Usage: node dist/cli/smoke.js [options]

Connects to a running presence service and checks userOnline, userHeartbeat, getOnlineUsers and userOffline.

Options:
  --url URL       server URL [env SMOKE_URL, else http://localhost:\${PORT:-5000}]
  --token TOKEN   JWT sent as auth.token [env SMOKE_TOKEN]
  --user ID       user id; digits are sent as a number [env SMOKE_USER_ID; with a token, the token's user;
                  else smoke-<random>]
  --timeout MS    per-step timeout [5000]
  --help          print this help

Exit code: 0 when every step passes, 1 when one fails, 2 on bad arguments.`;

/** `42` is the number 42; anything else stays a string. */
export function toUserId(raw: string): string | number {
  return /^\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
}

/** The options from argv and the environment, or `help`; throws on bad arguments. */
export function smokeOptionsFrom(argv: string[], env: NodeJS.ProcessEnv): SmokeOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      user: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw new Error('--timeout must be a positive whole number of milliseconds');
  }
  const user = values.user || env['SMOKE_USER_ID'] || undefined;
  const token = values.token || env['SMOKE_TOKEN'] || undefined;
  return {
    url: values.url || env['SMOKE_URL'] || `http://localhost:${env['PORT'] || '5000'}`,
    ...(token === undefined ? {} : { token }),
    ...(user === undefined ? {} : { userId: toUserId(user) }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
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
