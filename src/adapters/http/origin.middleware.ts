import type { Middleware } from 'koa';
import { originAllowed } from '../socket/socket-server';
import { HttpError } from './http-error';

/**
 * CORS for the allowed browser origins, and a 403 for any other: a browser request always says where its page
 * came from. Requests without `Origin` (servers, scripts, probes) are not browser requests and pass, and so do the
 * service's own pages (the origin is the request's own host).
 */
export function allowOrigins(allowedOrigins: readonly string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  return async (ctx, next) => {
    const origin = ctx.get('Origin');
    if (origin === '') return next();
    if (!originAllowed(origin, ctx.get('Host'), allowed)) throw new HttpError(403, 'FORBIDDEN_ORIGIN', `origin ${origin} is not allowed`);
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Access-Control-Allow-Credentials', 'true');
    ctx.vary('Origin');
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', 'GET, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return undefined;
    }
    return next();
  };
}
