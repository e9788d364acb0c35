import type { Middleware } from 'koa';
import type { Histogram } from 'prom-client';

/** Times every request, labelled by route template (never the raw path, which would hold user ids). */
export function recordRequestDuration(histogram: Histogram<'method' | 'route' | 'status'>): Middleware {
  return async (ctx, next) => {
    const end = histogram.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      end({ method: ctx.method, route: typeof route === 'string' ? route : 'unmatched', status: String(ctx.status) });
    }
  };
}
