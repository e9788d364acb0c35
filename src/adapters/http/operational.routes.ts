import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Registry } from 'prom-client';
import type { components } from './generated/openapi.types';
import type { ReadinessWatch } from '../../application/readiness-watch';
import { unauthorized } from './http-error';

type Readiness = components['schemas']['Readiness'];

export interface OperationalRoutesDeps {
  readonly readiness: ReadinessWatch<'store' | 'persistence' | 'webhooks'>;
  readonly registry: Registry;
  /** When set, `/metrics` wants `Authorization: Bearer <metricsToken>`. */
  readonly metricsToken: string | null;
  readonly openApiDocument: string;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `/health`, `/ready`, `/metrics`, `/openapi.yaml`: open, except `/metrics` behind METRICS_TOKEN when it is set. */
export function operationalRoutes(deps: OperationalRoutesDeps): Router {
  const router = new Router();

  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/ready', async (ctx) => {
    const { ready, components } = await deps.readiness.read();
    // The store and persistence are always checked; webhooks only when there are endpoints.
    const body: Readiness = { status: ready ? 'ready' : 'not_ready', components: components as Readiness['components'] };
    ctx.status = ready ? 200 : 503;
    ctx.body = body;
  });

  router.get('/metrics', async (ctx) => {
    if (deps.metricsToken !== null) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'))?.[1];
      if (bearer === undefined || !sameSecret(bearer, deps.metricsToken)) throw unauthorized();
    }
    ctx.type = deps.registry.contentType;
    ctx.body = await deps.registry.metrics();
  });

  router.get('/openapi.yaml', (ctx) => {
    ctx.type = 'application/yaml';
    ctx.body = deps.openApiDocument;
  });

  return router;
}
