import Koa from 'koa';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import { errorHandler } from './error-handler.middleware';
import { allowOrigins } from './origin.middleware';
import type { Router } from '@koa/router';
import { recordRequestDuration } from './request-metrics.middleware';
import { securityHeaders } from './security-headers.middleware';

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
    securityHeaders(),
    errorHandler(deps.logger),
    allowOrigins(deps.allowedOrigins),
  ];
  for (const m of middleware) app.use(m);
  for (const router of deps.routers) app.use(router.routes());
  return app;
}
