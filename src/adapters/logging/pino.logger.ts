import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths that could hold a credential: never written, even if a log call passes them by mistake. */
const redactedPaths = [
  'token',
  '*.token',
  'auth.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'cookie',
  'secret',
  '*.secret',
  'password',
  '*.password',
];

/** JSON lines; readable lines in development. */
export function createLogger(options: { level: string; pretty: boolean; nodeId: string }): Logger {
  return pino({
    level: options.level,
    base: { node: options.nodeId },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}
