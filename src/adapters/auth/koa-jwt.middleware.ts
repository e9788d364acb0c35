import type { Middleware } from 'koa';
import koaJwt from 'koa-jwt';

/**
 * koa-jwt with the sockets' secret: HS256 only, from `Authorization: Bearer` or the access-token cookie.
 * Its 401s become the contract's JSON `UNAUTHORIZED` in the error handler.
 */
export function requireAccessToken(secret: string, cookieName: string): Middleware {
  return koaJwt({ secret, algorithms: ['HS256'], cookie: cookieName, key: 'accessToken' }) as unknown as Middleware;
}
