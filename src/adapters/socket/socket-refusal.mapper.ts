import type { Logger } from 'pino';
import { PresenceError, type PresenceErrorCode } from '../../domain/presence.errors';
import type { Refusal, RefusalCode } from '../../protocol/socket-events';

/** A refusal the socket adapter decides itself, with no domain rule behind it (a connection over a limit). */
export class SocketRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'SocketRefusal';
  }
}

/** Each rule of the domain as the code a client is told. */
const refusalCodeOf: { readonly [code in PresenceErrorCode]: RefusalCode } = {
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  FORBIDDEN: 'FORBIDDEN',
};

/**
 * The one place where an error becomes what a client is told: a broken domain rule and the adapter's own refusals
 * say what is wrong and are not logged; anything else is INTERNAL, says nothing more, and is logged.
 */
export function toRefusal(error: unknown, logger: Logger, event: string): Refusal {
  if (error instanceof PresenceError) return { code: refusalCodeOf[error.code], message: error.message };
  if (error instanceof SocketRefusal) return { code: error.code, message: error.message };
  logger.error({ err: error, event }, 'socket event failed');
  return { code: 'INTERNAL', message: 'internal error' };
}
