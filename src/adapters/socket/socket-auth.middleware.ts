import type { Logger } from 'pino';
import { readHandshakeToken } from '../auth/access-token.reader';
import type { AccessTokenVerifier } from '../auth/access-token.verifier';
import { clientAddressOf } from '../origins/client-address';
import { InvalidAccessToken } from '../auth/access-token.verifier';
import { tenantPart } from '../../domain/presence.types';
import type { ConnectionLimits } from './connection-limits';
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
    const token = readHandshakeToken(socket.handshake.auth, socket.handshake.headers, cookieName);
    try {
      if (token === undefined) throw new InvalidAccessToken('no token');
      const verified = verifier.verify(token);
      socket.data.authUserId = verified.userId;
      socket.data.tokenUserType = verified.audience.userType;
      if (verified.audience.tenant !== null) socket.data.tenant = verified.audience.tenant;
      // A heartbeat before any userOnline brings the user online as the token's type too.
      if (verified.audience.userType !== null) socket.data.userType = verified.audience.userType;
      if (verified.expiresAt !== null) socket.data.tokenExpiresAt = verified.expiresAt;
      next();
    } catch (error) {
      const reason = error instanceof InvalidAccessToken ? error.reason : 'verification failed';
      logger.info({ reason, address: socket.handshake.address }, 'socket handshake refused');
      next(unauthorized());
    }
  };
}

/**
 * Refuses a handshake over the connection limits (`connect_error` with message `too many connections`): per remote
 * address always (the proxy's word for it with `trustProxy`), per user when the token names one. Places are given
 * back when the connection closes.
 */
export function limitConnections(limits: ConnectionLimits, logger: Logger, trustProxy: boolean) {
  return (socket: PresenceSocket, next: Next): void => {
    const address = clientAddressOf(socket.handshake.address, socket.handshake.headers['x-forwarded-for'], trustProxy);
    const refusedAddress = limits.admitAddress(address);
    const userId = socket.data.authUserId;
    const user = userId === null ? null : { ...tenantPart(socket.data), userId };
    const refusedUser = refusedAddress === undefined && user !== null ? limits.admitUser(user) : undefined;
    const refusal = refusedAddress ?? refusedUser;
    if (refusal !== undefined) {
      if (refusedAddress === undefined) limits.releaseAddress(address);
      logger.warn({ address, reason: refusal }, 'socket handshake refused');
      next(Object.assign(new Error('too many connections'), { data: { code: 'RATE_LIMITED', message: refusal } }));
      return;
    }
    socket.once('disconnect', () => {
      limits.releaseAddress(address);
      if (user !== null) limits.releaseUser(user);
    });
    next();
  };
}
