import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Container } from 'inversify';
import type { Logger } from 'pino';
import { requireAccessToken } from '../adapters/auth/koa-jwt.middleware';
import { createHttpServer } from '../adapters/http/http-server';
import { createKoaApp } from '../adapters/http/koa-app';
import { operationalRoutes } from '../adapters/http/operational.routes';
import { pageRoutes } from '../adapters/http/page.routes';
import { eventStreamRoutes } from '../adapters/http/event-stream/event-stream.routes';
import { EventStreamHub } from '../adapters/http/event-stream/event-stream-hub';
import { presenceRoutes } from '../adapters/http/presence.routes';
import { ReadAllowance } from '../adapters/http/read-allowance';
import { logReadiness } from '../adapters/logging/readiness-report';
import { ReadinessWatch } from '../application/readiness-watch';
import type { Config } from '../config';
import { audienceClaimNames } from './audience.module';
import { TOKENS } from '../tokens';

/** CONTRACT §10's streams one reader may hold open: a backend's replicas, each following, and their reconnects. */
const MAX_STREAMS_PER_READER = 10;

// The same paths from src/ (tests) and from dist/ (the built service).
const OPENAPI_PATH = resolve(__dirname, '../../openapi.yaml');
const PUBLIC_DIR = resolve(__dirname, '../../public');
const BUILT_PUBLIC_DIR = resolve(__dirname, '../../dist/public');

/** The HTTP API on Koa: REST, the operational routes, the page and its files; and the server sockets share. */
export function bindHttp(c: Container, config: Config, logger: Logger): void {
  c.bind(TOKENS.EventStreamHub).toDynamicValue((ctx) => new EventStreamHub(ctx.get(TOKENS.AudienceRules), config.replaySize));
  c.bind(TOKENS.HttpApp).toDynamicValue((ctx) => {
    const now = () => ctx.get(TOKENS.Clock).now();
    const metrics = ctx.get(TOKENS.Metrics);
    const access =
      config.auth === null
        ? null
        : {
            authenticate: requireAccessToken(config.auth.secret, config.auth.cookieName),
            claims: { userClaim: config.auth.userClaim, audience: audienceClaimNames(config) },
          };
    const allowance = new ReadAllowance({
      ratePerSecond: config.httpReadRate,
      now,
      userClaim: config.auth?.userClaim ?? null,
      tenantClaim: config.audience.tenantClaim,
    });
    const delivery = ctx.get(TOKENS.Delivery);
    return createKoaApp({
      logger,
      allowedOrigins: config.allowedOrigins,
      requestDuration: metrics.httpDuration,
      trustProxy: config.trustProxy,
      routers: [
        presenceRoutes(ctx.get(TOKENS.AudienceReads), access, allowance, { now, currentSeq: () => delivery.lastSeq, ...config.derived.freshness }),
        eventStreamRoutes({
          hub: ctx.get(TOKENS.EventStreamHub),
          reads: ctx.get(TOKENS.AudienceReads),
          access,
          allowance,
          limits: { maxBufferedBytes: config.presence.maxBufferedBytes, keepAliveMs: config.derived.eventStreamKeepAliveMs },
          startedEmpty: config.store.kind === 'memory',
          maxStreamsPerReader: MAX_STREAMS_PER_READER,
        }),
        operationalRoutes({
          readiness: new ReadinessWatch(ctx.get(TOKENS.HealthChecks), config.derived.readyCheckTimeoutMs, now, logReadiness(logger), new Set(['webhooks'] as const)),
          registry: metrics.registry,
          metricsToken: config.metricsToken,
          openApiDocument: readFileSync(OPENAPI_PATH, 'utf8'),
        }),
        pageRoutes({ publicDir: PUBLIC_DIR, builtDir: BUILT_PUBLIC_DIR }),
      ],
    });
  });
  c.bind(TOKENS.HttpServer).toDynamicValue(() => createHttpServer());
}
