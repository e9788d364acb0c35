import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseCookies } from 'cookie';

const bearer = /^Bearer\s+(\S.*)$/i;

/** The token of an `Authorization: Bearer <token>` header (one or more spaces after `Bearer`); other schemes carry none. */
function bearerToken(authorization: string | undefined): string | undefined {
  return bearer.exec(authorization ?? '')?.[1]?.trim();
}

/**
 * The access token of an HTTP request or a socket handshake (CONTRACT §1): the `Authorization: Bearer` header,
 * else the cookie. The first place that carries a token decides: a bad header token is not rescued by a good cookie.
 */
export function readAccessToken(headers: IncomingHttpHeaders, cookieName: string): string | undefined {
  const fromHeader = bearerToken(headers.authorization);
  if (fromHeader !== undefined) return fromHeader;
  const cookie = headers.cookie ? parseCookies(headers.cookie)[cookieName] : undefined;
  return cookie !== undefined && cookie.length > 0 ? cookie : undefined;
}

/** A handshake's token: Socket.IO's `auth.token` (with or without `Bearer `) first, then as an HTTP request's. */
export function readHandshakeToken(auth: unknown, headers: IncomingHttpHeaders, cookieName: string): string | undefined {
  const fromAuth = typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>)['token'] : undefined;
  if (typeof fromAuth === 'string' && fromAuth.length > 0) return bearerToken(fromAuth) ?? fromAuth;
  return readAccessToken(headers, cookieName);
}
