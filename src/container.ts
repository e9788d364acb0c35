/** The composition root: the only place that binds ports to adapters. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import { AccessTokenVerifier } from './adapters/auth/access-token.verifier';
import { requireAccessToken } from './adapters/auth/koa-jwt.middleware';
import { SystemClock } from './adapters/clock/system.clock';
import { inProcessHealth, type HealthCheck } from './application/health-check';
import { createHttpServer } from './adapters/http/http-server';
import { createKoaApp } from './adapters/http/koa-app';
import { operationalRoutes } from './adapters/http/operational.routes';
import { presenceRoutes } from './adapters/http/presence.routes';
import { InMemoryLastSeenRepository } from './adapters/memory/in-memory-last-seen.repository';
import { createPostgresPool } from './adapters/postgres/postgres-pool';
import { PostgresLastSeenRepository } from './adapters/postgres/postgres-last-seen.repository';
import { SupabaseLastSeenRepository } from './adapters/supabase/supabase-last-seen.repository';
import { LastSeenWriteBehind } from './application/last-seen-write-behind';
import type { LastSeenRepository } from './domain/ports/last-seen.port';
import { InMemoryNodeRegistry } from './adapters/memory/in-memory-node.registry';
import { InMemoryPresenceStore } from './adapters/memory/in-memory-presence.store';
import { MetricsRecordingNotifier } from './adapters/metrics/metrics-recording.notifier';
import { PresenceMetrics } from './adapters/metrics/presence-metrics';
import { IntervalSweeper } from './adapters/scheduling/interval-sweeper';
import { authenticateSockets } from './adapters/socket/socket-auth.middleware';
import { SocketIoPresenceNotifier } from './adapters/socket/socket-io-presence.notifier';
import { SocketPresenceGateway } from './adapters/socket/socket-presence.gateway';
import { createSocketServer } from './adapters/socket/socket-server';
import type { Config } from './config';
import type { Clock } from './domain/ports/clock.port';
import type { PresenceStore } from './domain/ports/presence-store.port';
import { PresenceService } from './domain/presence.service';
import { TOKENS } from './tokens';

/** Replacements for tests: a fake clock, a failing store. */
export interface ContainerOverrides {
  readonly clock?: Clock;
  readonly store?: PresenceStore;
  readonly health?: { readonly store: HealthCheck; readonly persistence: HealthCheck };
  readonly lastSeenRepository?: LastSeenRepository;
}

function lastSeenRepositoryFor(config: Config): LastSeenRepository {
  const p = config.persistence;
  switch (p.kind) {
    case 'postgres':
      return new PostgresLastSeenRepository(
        createPostgresPool({ connectionString: p.url, maxConnections: p.poolMax, statementTimeoutMs: p.statementTimeoutMs }),
      );
    case 'supabase':
      return new SupabaseLastSeenRepository({ url: p.url, serviceRoleKey: p.serviceRoleKey });
    case 'memory':
      return new InMemoryLastSeenRepository();
  }
}

const SWEEP_BATCH_SIZE = 1_000;
const NODE_RECOVERY_CLAIM_MS = 30_000;
const OPENAPI_PATH = resolve(__dirname, '../openapi.yaml');

export function buildContainer(config: Config, logger: Logger, overrides: ContainerOverrides = {}): Container {
  const c = new Container({ defaultScope: 'Singleton' });
  c.bind(TOKENS.Config).toConstantValue(config);
  c.bind(TOKENS.Logger).toConstantValue(logger);
  c.bind(TOKENS.Clock).toConstantValue(overrides.clock ?? new SystemClock());
  c.bind(TOKENS.PresenceStore).toDynamicValue(() => overrides.store ?? new InMemoryPresenceStore());
  c.bind(TOKENS.NodeRegistry).toDynamicValue(() => new InMemoryNodeRegistry());
  c.bind(TOKENS.LastSeenRepository).toDynamicValue(() => overrides.lastSeenRepository ?? lastSeenRepositoryFor(config));
  c.bind(TOKENS.LastSeen).toDynamicValue(
    (ctx) =>
      new LastSeenWriteBehind(
        ctx.get(TOKENS.LastSeenRepository),
        {
          flushIntervalMs: config.persistFlushIntervalMs,
          baseBackoffMs: Math.min(1_000, config.persistFlushIntervalMs),
          maxBackoffMs: Math.max(30_000, config.persistFlushIntervalMs),
        },
        ctx.get(TOKENS.Metrics).persistence,
        () => ctx.get(TOKENS.Clock).now(),
      ),
  );
  c.bind(TOKENS.HealthChecks).toDynamicValue(
    (ctx) => overrides.health ?? { store: inProcessHealth, persistence: ctx.get(TOKENS.LastSeen).health() },
  );
  c.bind(TOKENS.AccessTokenVerifier).toDynamicValue(() =>
    config.auth === null ? null : new AccessTokenVerifier(config.auth.secret, config.auth.userClaim),
  );

  c.bind(TOKENS.Metrics).toDynamicValue(
    () =>
      new PresenceMetrics({
        countOnline: () => c.get(TOKENS.PresenceService).countOnline(),
        connectionsPerUser: () => c.get(TOKENS.PresenceService).connectionsPerUser(),
        openConnections: () => c.get(TOKENS.SocketServer).of('/').sockets.size,
      }),
  );

  c.bind(TOKENS.HttpApp).toDynamicValue((ctx) =>
    createKoaApp({
      logger,
      allowedOrigins: config.allowedOrigins,
      requestDuration: ctx.get(TOKENS.Metrics).httpDuration,
      routers: [
        presenceRoutes(
          ctx.get(TOKENS.PresenceService),
          config.auth === null ? null : requireAccessToken(config.auth.secret, config.auth.cookieName),
        ),
        operationalRoutes({
          health: ctx.get(TOKENS.HealthChecks),
          registry: ctx.get(TOKENS.Metrics).registry,
          metricsToken: config.metricsToken,
          openApiDocument: readFileSync(OPENAPI_PATH, 'utf8'),
        }),
      ],
    }),
  );
  c.bind(TOKENS.HttpServer).toDynamicValue(() => createHttpServer(() => c.get(TOKENS.HttpApp)));
  c.bind(TOKENS.SocketServer).toDynamicValue((ctx) => {
    const io = createSocketServer(ctx.get(TOKENS.HttpServer), {
      allowedOrigins: config.allowedOrigins,
      maxMessageBytes: config.presence.maxMessageBytes,
    });
    io.use(authenticateSockets(ctx.get(TOKENS.AccessTokenVerifier), config.auth?.cookieName ?? 'access_token', logger));
    return io;
  });
  c.bind(TOKENS.PresenceNotifier).toDynamicValue(
    (ctx) =>
      new MetricsRecordingNotifier(
        new SocketIoPresenceNotifier(ctx.get(TOKENS.SocketServer)),
        ctx.get(TOKENS.Metrics),
        ctx.get(TOKENS.Clock),
      ),
  );

  c.bind(TOKENS.PresenceService).toDynamicValue(
    (ctx) =>
      new PresenceService({
        clock: ctx.get(TOKENS.Clock),
        store: ctx.get(TOKENS.PresenceStore),
        notifier: ctx.get(TOKENS.PresenceNotifier),
        lastSeen: ctx.get(TOKENS.LastSeen),
        nodes: ctx.get(TOKENS.NodeRegistry),
        settings: {
          ttlMs: config.presence.ttlMs,
          disconnectGraceMs: config.presence.disconnectGraceMs,
          broadcastHeartbeats: config.presence.broadcastHeartbeats,
          sweepBatchSize: SWEEP_BATCH_SIZE,
          nodeId: config.nodeId,
          nodeRecoveryClaimMs: NODE_RECOVERY_CLAIM_MS,
        },
      }),
  );
  c.bind(TOKENS.SocketGateway).toDynamicValue(
    (ctx) =>
      new SocketPresenceGateway(
        ctx.get(TOKENS.SocketServer),
        ctx.get(TOKENS.PresenceService),
        ctx.get(TOKENS.Clock),
        { nodeId: config.nodeId, eventRate: config.presence.eventRate },
        logger,
        ctx.get(TOKENS.Metrics),
      ),
  );
  c.bind(TOKENS.Sweeper).toDynamicValue(
    (ctx) =>
      new IntervalSweeper(ctx.get(TOKENS.PresenceService), config.presence.sweepIntervalMs, logger, ctx.get(TOKENS.Metrics)),
  );
  return c;
}
