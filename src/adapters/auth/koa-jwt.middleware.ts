import type { Middleware } from 'koa';
import koaJwt from 'koa-jwt';
import { hmacKey } from './hmac-key';

/**
 * koa-jwt with the sockets' secret: HS256 only, from `Authorization: Bearer` or the access-token cookie.
 * Its 401s become the contract's JSON `UNAUTHORIZED` in the error handler.
 */
export function requireAccessToken(secret: string, cookieName: string): Middleware {
  // koa-jwt hands its secret to jsonwebtoken as it is; its typings predate key objects.
  const key = hmacKey(secret) as unknown as string;
  return koaJwt({ secret: key, algorithms: ['HS256'], cookie: cookieName, key: 'accessToken' }) as unknown as Middleware;
}
