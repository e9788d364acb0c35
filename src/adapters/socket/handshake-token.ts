import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseCookies } from 'cookie';

/** The access token a handshake carries: `auth.token`, else an `Authorization: Bearer` header, else the cookie. */
export function handshakeToken(auth: unknown, headers: IncomingHttpHeaders, cookieName: string): string | undefined {
  const fromAuth = typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>)['token'] : undefined;
  if (typeof fromAuth === 'string' && fromAuth.length > 0) return fromAuth.replace(/^Bearer\s+/i, '');
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (bearer?.[1]) return bearer[1];
  const cookie = headers.cookie ? parseCookies(headers.cookie)[cookieName] : undefined;
  return cookie && cookie.length > 0 ? cookie : undefined;
}
