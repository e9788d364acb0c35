import Koa from 'koa';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import { errorHandler } from './error-handler.middleware';
import { allowOrigins } from './origin.middleware';
import type { Router } from '@koa/router';
import { recordRequestDuration } from './request-metrics.middleware';

export interface KoaAppDeps {
  readonly logger: Logger;
  readonly allowedOrigins: readonly string[];
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly routers: readonly Router[];
}

/** The HTTP API: timing, security headers, errors as JSON, the origin check, then the routes. */
export function createKoaApp(deps: KoaAppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  const middleware: Middleware[] = [
    recordRequestDuration(deps.requestDuration),
    securityHeaders,
    errorHandler(deps.logger),
    allowOrigins(deps.allowedOrigins),
  ];
  for (const m of middleware) app.use(m);
  for (const router of deps.routers) app.use(router.routes());
  return app;
}

const securityHeaders: Middleware = async (ctx, next) => {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  await next();
};
