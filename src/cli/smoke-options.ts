/** `npm run smoke`'s options: from argv and the environment, and its usage text. */
import { parseArgs } from 'node:util';
import type { WireUserId } from '../protocol/socket-events';

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
