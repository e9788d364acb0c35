import cors from '@koa/cors';
import type { Middleware } from 'koa';
import { originAllowed } from '../origins/allowed-origin.policy';
import { HttpError } from './http-error';

/**
 * CORS for the allowed browser origins, and a 403 for any other: a browser request always says where its page
 * came from. Requests without `Origin` (servers, scripts, probes) are not browser requests and pass, and so do the
 * service's own pages (the origin is the request's own host).
 */
export function allowOrigins(allowedOrigins: readonly string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      // No origin: @koa/cors adds no CORS headers and passes the request on.
      if (origin === '') return '';
      if (!originAllowed(origin, ctx.get('Host'), allowed)) throw new HttpError(403, 'FORBIDDEN_ORIGIN', `origin ${origin} is not allowed`);
      return origin;
    },
    credentials: true,
    allowMethods: ['GET', 'HEAD'],
    allowHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });
}
