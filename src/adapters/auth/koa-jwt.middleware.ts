import type { Middleware } from 'koa';
import koaJwt from 'koa-jwt';
import { readAccessToken } from './access-token.reader';
import { hmacKey } from './hmac-key';

/**
 * koa-jwt with the sockets' secret and the sockets' token reader: HS256 only, the `Authorization: Bearer` header
 * first, then the access-token cookie. koa-jwt's own cookie-first order is never reached: no `cookie` option.
 * Its 401s become the contract's JSON `UNAUTHORIZED` in the error handler.
 */
export function requireAccessToken(secret: string, cookieName: string): Middleware {
  // koa-jwt hands its secret to jsonwebtoken as it is; its typings predate key objects.
  const key = hmacKey(secret) as unknown as string;
  return koaJwt({
    secret: key,
    algorithms: ['HS256'],
    key: 'accessToken',
    getToken: (ctx) => readAccessToken(ctx.headers, cookieName) ?? null,
  }) as unknown as Middleware;
}
