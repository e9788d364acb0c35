import type { Logger } from 'pino';
import type { AccessTokenVerifier } from '../auth/access-token.verifier';
import { InvalidAccessToken } from '../auth/access-token.verifier';
import { handshakeToken } from './handshake-token';
import type { PresenceSocket } from './socket.types';

type Next = (error?: Error) => void;

function unauthorized(): Error {
  return Object.assign(new Error('unauthorized'), { data: { code: 'UNAUTHORIZED' } });
}

/**
 * Refuses a handshake without a valid access token (`connect_error` with message `unauthorized`), and records the
 * token's user on the socket. With no verifier (no secret configured) every handshake passes, unauthenticated.
 */
export function authenticateSockets(verifier: AccessTokenVerifier | null, cookieName: string, logger: Logger) {
  return (socket: PresenceSocket, next: Next): void => {
    if (verifier === null) {
      socket.data.authUserId = null;
      next();
      return;
    }
    const token = handshakeToken(socket.handshake.auth, socket.handshake.headers, cookieName);
    try {
      if (token === undefined) throw new InvalidAccessToken('no token');
      socket.data.authUserId = verifier.verify(token).userId;
      next();
    } catch (error) {
      const reason = error instanceof InvalidAccessToken ? error.reason : 'verification failed';
      logger.info({ reason, address: socket.handshake.address }, 'socket handshake refused');
      next(unauthorized());
    }
  };
}
