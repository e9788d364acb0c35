/** The composition root: the only place that binds ports to adapters. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import { AccessTokenVerifier } from './adapters/auth/access-token.verifier';
import { requireAccessToken } from './adapters/auth/koa-jwt.middleware';
import { SystemClock } from './adapters/clock/system.clock';
import { inProcessHealth, type HealthCheck } from './application/health-check';
import { ReadinessWatch } from './application/readiness-watch';
import { logReadiness } from './adapters/logging/readiness-report';
import { createHttpServer } from './adapters/http/http-server';
import { createKoaApp } from './adapters/http/koa-app';
import { operationalRoutes } from './adapters/http/operational.routes';
import { pageRoutes } from './adapters/http/page.routes';
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
import { ConnectionLimits } from './adapters/socket/connection-limits';
import { authenticateSockets, limitConnections } from './adapters/socket/socket-auth.middleware';
import { LocalPresenceView } from './adapters/socket/local-presence-view';
import { SubscriptionHub } from './adapters/socket/subscriptions/subscription-hub';
import { DirectSocketNotifier, SocketPresenceBroadcaster, StreamedSocketNotifier } from './adapters/socket/socket-presence.broadcaster';
import { createRedis, whenReady, type PresenceRedis } from './adapters/redis/redis-client';
import { RedisKeys } from './adapters/redis/redis-keys';
import { RedisNodeRegistry } from './adapters/redis/redis-node.registry';
import { RedisPresenceStore } from './adapters/redis/redis-presence.store';
import { RedisTransitionFeed } from './adapters/redis/redis-transition.feed';
import { StoreRecovery } from './adapters/redis/store-recovery';
import { NodeLeaseKeeper } from './adapters/scheduling/node-lease-keeper';
import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { Lifecycle } from './lifecycle';
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
/** How long `/ready` waits for each component before calling it down. */
const READY_CHECK_TIMEOUT_MS = 2_000;
const OPENAPI_PATH = resolve(__dirname, '../openapi.yaml');
const PACKAGE_JSON_PATH = resolve(__dirname, '../package.json');
// The same paths from src/ (tests) and from dist/ (the built service).
const PUBLIC_DIR = resolve(__dirname, '../public');
const BUILT_PUBLIC_DIR = resolve(__dirname, '../dist/public');

export function buildContainer(config: Config, logger: Logger, overrides: ContainerOverrides = {}): Container {
  const c = new Container({ defaultScope: 'Singleton' });
  c.bind(TOKENS.Config).toConstantValue(config);
  c.bind(TOKENS.Logger).toConstantValue(logger);
  c.bind(TOKENS.Clock).toConstantValue(overrides.clock ?? new SystemClock());
  if (config.store.kind === 'redis') bindRedis(c, config, config.store, logger);
  else {
    c.bind(TOKENS.PresenceStore).toDynamicValue(() => overrides.store ?? new InMemoryPresenceStore());
    c.bind(TOKENS.NodeRegistry).toDynamicValue(() => new InMemoryNodeRegistry());
    c.bind(TOKENS.StoreHealth).toConstantValue(inProcessHealth);
    c.bind(TOKENS.PresenceNotifierTarget).toDynamicValue((ctx) => new DirectSocketNotifier(ctx.get(TOKENS.Broadcaster)));
    c.bind(TOKENS.StoreLifecycle).toConstantValue([]);
  }
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
    (ctx) => overrides.health ?? { store: ctx.get(TOKENS.StoreHealth), persistence: ctx.get(TOKENS.LastSeen).health() },
  );
  c.bind(TOKENS.AccessTokenVerifier).toDynamicValue((ctx) =>
    config.auth === null ? null : new AccessTokenVerifier(config.auth.secret, config.auth.userClaim, () => ctx.get(TOKENS.Clock).now()),
  );

  c.bind(TOKENS.Metrics).toDynamicValue(
    () =>
      new PresenceMetrics(
        {
          countOnline: () => c.get(TOKENS.PresenceService).countOnline(),
          usersByConnections: () => c.get(TOKENS.PresenceService).usersByConnections(),
          openConnections: () => c.get(TOKENS.SocketServer).of('/').sockets.size,
          persistPending: () => c.get(TOKENS.LastSeen).pendingUsers,
        },
        { version: (JSON.parse(readFileSync(PACKAGE_JSON_PATH, 'utf8')) as { version: string }).version },
      ),
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
          {
            now: () => ctx.get(TOKENS.Clock).now(),
            maxStalenessMs: Math.max(config.presence.ttlMs, config.presence.disconnectGraceMs) + config.presence.sweepIntervalMs,
            nodeLossBoundMs: config.store.kind === 'redis' ? config.store.nodeLeaseMs + config.presence.sweepIntervalMs : null,
          },
        ),
        operationalRoutes({
          readiness: new ReadinessWatch(ctx.get(TOKENS.HealthChecks), READY_CHECK_TIMEOUT_MS, () => ctx.get(TOKENS.Clock).now(), logReadiness(logger)),
          registry: ctx.get(TOKENS.Metrics).registry,
          metricsToken: config.metricsToken,
          openApiDocument: readFileSync(OPENAPI_PATH, 'utf8'),
        }),
        pageRoutes({ publicDir: PUBLIC_DIR, builtDir: BUILT_PUBLIC_DIR }),
      ],
    }),
  );
  c.bind(TOKENS.HttpServer).toDynamicValue(() => createHttpServer(() => c.get(TOKENS.HttpApp)));
  c.bind(TOKENS.SocketServer).toDynamicValue((ctx) => {
    const io = createSocketServer(ctx.get(TOKENS.HttpServer), {
      allowedOrigins: config.allowedOrigins,
      maxMessageBytes: config.presence.maxMessageBytes,
      handshakeTimeoutMs: config.presence.handshakeTimeoutMs,
    });
    io.use(authenticateSockets(ctx.get(TOKENS.AccessTokenVerifier), config.auth?.cookieName ?? 'access_token', logger));
    io.use(limitConnections(ctx.get(TOKENS.ConnectionLimits), logger));
    return io;
  });
  c.bind(TOKENS.LocalView).toDynamicValue(() => new LocalPresenceView());
  c.bind(TOKENS.ConnectionLimits).toDynamicValue(
    () =>
      new ConnectionLimits({
        perUser: config.presence.maxConnectionsPerUser,
        perAddress: config.presence.maxConnectionsPerAddress,
      }),
  );
  c.bind(TOKENS.SubscriptionHub).toDynamicValue(
    (ctx) =>
      new SubscriptionHub(
        ctx.get(TOKENS.SocketServer),
        async (userIds) => (await c.get(TOKENS.PresenceService).pageOf(userIds, { limit: userIds.length })).users,
        { replaySize: config.replaySize },
        ctx.get(TOKENS.Metrics).frameCounter,
        logger,
      ),
  );
  c.bind(TOKENS.Broadcaster).toDynamicValue(
    (ctx) =>
      new SocketPresenceBroadcaster(
        ctx.get(TOKENS.SocketServer),
        ctx.get(TOKENS.LocalView),
        ctx.get(TOKENS.SubscriptionHub),
        ctx.get(TOKENS.Metrics).frameCounter,
      ),
  );
  c.bind(TOKENS.PresenceNotifier).toDynamicValue(
    (ctx) => new MetricsRecordingNotifier(ctx.get(TOKENS.PresenceNotifierTarget), ctx.get(TOKENS.Metrics), ctx.get(TOKENS.Clock)),
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
        ctx.get(TOKENS.SubscriptionHub),
        ctx.get(TOKENS.ConnectionLimits),
      ),
  );
  c.bind(TOKENS.Sweeper).toDynamicValue(
    (ctx) =>
      new IntervalSweeper(ctx.get(TOKENS.PresenceService), config.presence.sweepIntervalMs, logger, ctx.get(TOKENS.Metrics)),
  );
  c.bind(TOKENS.Lifecycle).toDynamicValue((ctx): Lifecycle[] => {
    const sweeper = ctx.get(TOKENS.Sweeper);
    const lastSeen = ctx.get(TOKENS.LastSeen);
    const hub = ctx.get(TOKENS.SubscriptionHub);
    const repository = ctx.get(TOKENS.LastSeenRepository);
    return [
      { name: 'last_seen repository', start: () => undefined, stop: () => repository.close() },
      ...ctx.get(TOKENS.StoreLifecycle),
      { name: 'sweeper', start: () => sweeper.start(), stop: () => sweeper.stop() },
      { name: 'presence diffs', start: () => hub.start(config.presence.diffIntervalMs), stop: () => hub.stop() },
      {
        name: 'last_seen write-behind',
        start: () => lastSeen.start(),
        stop: async () => {
          const left = await lastSeen.stop(PERSISTENCE_DRAIN_MS);
          if (left > 0) logger.error({ users: left }, 'last_seen writes could not be flushed before shutdown');
        },
      },
    ];
  });
  return c;
}

/** How long a clean shutdown keeps trying to flush last_seen: inside the 10 s a SIGTERM allows. */
const PERSISTENCE_DRAIN_MS = 5_000;

/** Several nodes on one Redis: the shared store, node leases, the transitions feed and Socket.IO's adapter. */
function bindRedis(c: Container, config: Config, store: Extract<Config['store'], { kind: 'redis' }>, logger: Logger): void {
  const keys = new RedisKeys(store.keyPrefix);
  c.bind(TOKENS.Redis).toDynamicValue(() => createRedis(store.url, { name: `presence:${config.nodeId}` }));
  c.bind(TOKENS.PresenceStore).toDynamicValue(
    (ctx) => new RedisPresenceStore(ctx.get(TOKENS.Redis), keys, { transitionsKept: config.replaySize }),
  );
  c.bind(TOKENS.NodeRegistry).toDynamicValue((ctx) => new RedisNodeRegistry(ctx.get(TOKENS.Redis), keys));
  c.bind(TOKENS.StoreHealth).toDynamicValue((ctx) => {
    const redisStore = ctx.get(TOKENS.PresenceStore) as RedisPresenceStore;
    return {
      check: async () => {
        await redisStore.ping();
        return { status: 'up' as const };
      },
    };
  });
  c.bind(TOKENS.PresenceNotifierTarget).toDynamicValue((ctx) => new StreamedSocketNotifier(ctx.get(TOKENS.Broadcaster)));
  c.bind(TOKENS.StoreLifecycle).toDynamicValue((ctx): Lifecycle[] => {
    const redis = ctx.get(TOKENS.Redis);
    const service = ctx.get(TOKENS.PresenceService);
    const view = ctx.get(TOKENS.LocalView);
    const hub = ctx.get(TOKENS.SubscriptionHub);
    const broadcaster = ctx.get(TOKENS.Broadcaster);
    const io = ctx.get(TOKENS.SocketServer);
    const adapterRedis = createRedis(store.url, { name: `presence:${config.nodeId}:socket.io`, blocking: true });
    io.adapter(createStreamsAdapter(adapterRedis, { streamName: keys.socketIoStream }));
    let recovery: StoreRecovery | undefined;
    const feed = new RedisTransitionFeed(
      createRedis(store.url, { name: `presence:${config.nodeId}:feed`, blocking: true }),
      keys,
      (transition) => broadcaster.deliverTransition(transition),
      (seq) => {
        hub.missedBefore(seq);
        recovery?.scheduleReconcile();
      },
      logger,
    );
    recovery = new StoreRecovery({
      redis,
      store: ctx.get(TOKENS.PresenceStore) as RedisPresenceStore,
      feed,
      gateway: ctx.get(TOKENS.SocketGateway),
      service,
      view,
      broadcaster,
      clock: ctx.get(TOKENS.Clock),
      settleMs: Math.max(1_000, 2 * config.presence.sweepIntervalMs),
      logger,
    });
    const lease = new NodeLeaseKeeper(service, ctx.get(TOKENS.Clock), store.nodeLeaseMs, logger);
    const started = recovery;
    return [
      {
        name: 'redis',
        start: async () => {
          if (!(await whenReady(redis, 5_000))) logger.warn('Redis is not reachable yet; presence events fail until it is');
          started.attach();
        },
        stop: () => {
          started.stop();
          redis.disconnect();
          adapterRedis.disconnect();
        },
      },
      { name: 'node lease', start: () => lease.start(), stop: () => lease.stop() },
      {
        name: 'transitions feed',
        start: async () => {
          await feed.start();
          const online = await service.listOnline().catch(() => []);
          view.seed(online.map((u) => u.userId));
          hub.seed(online, feed.lastSeq);
        },
        stop: () => feed.stop(),
      },
    ];
  });
}
