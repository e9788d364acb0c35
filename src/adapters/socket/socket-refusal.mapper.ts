import type { Logger } from 'pino';
import { PresenceError } from '../../domain/presence.errors';
import type { Refusal } from '../../protocol/socket-events';

/** The one place where an error becomes what a client is told: refusals pass through, anything else is INTERNAL. */
export function toRefusal(error: unknown, logger: Logger, event: string): Refusal {
  if (error instanceof PresenceError) return { code: error.code, message: error.message };
  logger.error({ err: error, event }, 'socket event failed');
  return { code: 'INTERNAL', message: 'internal error' };
}
