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
  /** Behind a reverse proxy: `ctx.ip` is the last address `X-Forwarded-For` names (see `clientAddressOf`). */
  readonly trustProxy: boolean;
}

/** The HTTP API: timing, security headers, errors as JSON, the origin check, then the routes. */
export function createKoaApp(deps: KoaAppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  // Only the proxy's own entry, the last: the ones before it are the client's to write.
  app.proxy = deps.trustProxy;
  app.maxIpsCount = 1;
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
