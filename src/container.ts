/** The composition root: chooses the modules that bind ports to adapters, and binds the core between them. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import { SystemClock } from './adapters/clock/system.clock';
import { MetricsRecordingNotifier } from './adapters/metrics/metrics-recording.notifier';
import { PresenceMetrics } from './adapters/metrics/presence-metrics';
import { ProcessErrors } from './adapters/metrics/process-errors';
import { DeadlineSweeper } from './adapters/scheduling/deadline-sweeper';
import { StallMeter } from './adapters/scheduling/stall-meter';
import { SocketHeartbeatNotifier } from './adapters/socket/socket-presence.broadcaster';
import type { HealthCheck } from './application/health-check';
import { bindAudience } from './composition/audience.module';
import { bindHttp } from './composition/http.module';
import { bindWebhooks } from './composition/webhooks.module';
import { bindMemoryStore, type StoreFactory } from './composition/memory.module';
import { bindPersistence } from './composition/persistence.module';
import { bindRedisStore } from './composition/redis.module';
import { bindSockets } from './composition/socket.module';
import type { Config } from './config';
import type { Clock } from './domain/ports/clock.port';
import type { LastSeenRepository } from './domain/ports/last-seen.port';
import { PresenceService } from './domain/presence.service';
import type { Lifecycle } from './lifecycle';
import { TOKENS } from './tokens';

/** Replacements for tests: a fake clock, a store that fails on demand, health checks, a repository. */
export interface ContainerOverrides {
  readonly clock?: Clock;
  readonly store?: StoreFactory;
  readonly health?: { readonly store: HealthCheck; readonly persistence: HealthCheck };
  readonly lastSeenRepository?: LastSeenRepository;
}

const PACKAGE_JSON_PATH = resolve(__dirname, '../package.json');

/** Deadlines this close together are ended by one sweep, which runs this long after the first of them. */
const SWEEP_BATCH_MS = 10;

/** The version package.json names, for `presence_build_info`. */
function packageVersion(): string {
  const parsed: unknown = JSON.parse(readFileSync(PACKAGE_JSON_PATH, 'utf8'));
  return typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string' ? parsed.version : 'unknown';
}

export function buildContainer(config: Config, logger: Logger, overrides: ContainerOverrides = {}): Container {
  const c = new Container({ defaultScope: 'Singleton' });
  c.bind(TOKENS.Config).toConstantValue(config);
  c.bind(TOKENS.Logger).toConstantValue(logger);
  c.bind(TOKENS.Clock).toConstantValue(overrides.clock ?? new SystemClock());
  c.bind(TOKENS.ProcessErrors).toConstantValue(new ProcessErrors());
  if (config.store.kind === 'redis') bindRedisStore(c, config, config.store, logger);
  else bindMemoryStore(c, overrides.store);
  bindPersistence(c, config, overrides.lastSeenRepository);
  bindAudience(c, config);
  bindHttp(c, config, logger);
  bindWebhooks(c, config, logger);
  bindSockets(c, config, logger);
  bindCore(c, config, logger, overrides);
  return c;
}

/** The presence rules and what runs beside them on every node: metrics, notifications, expiry, lifecycle. */
function bindCore(c: Container, config: Config, logger: Logger, overrides: ContainerOverrides): void {
  c.bind(TOKENS.Metrics).toDynamicValue((ctx) => {
    const store = ctx.get(TOKENS.PresenceStore);
    const limits = ctx.get(TOKENS.ConnectionLimits);
    const stream = ctx.get(TOKENS.EventStreamHub);
    const sources = {
      countOnline: () => store.countOnline(),
      countTenants: () => store.countTenants(),
      usersByConnections: () => store.usersByConnections(),
      usersByAvailability: () => store.usersByAvailability(),
      eventStreamClients: () => stream.size,
      // Read at scrape time: the dispatcher counts into these metrics, so it is made after them.
      webhookPending: () => c.get(TOKENS.Webhooks)?.pending ?? 0,
      webhookLagSeconds: () => (c.get(TOKENS.Webhooks)?.lagMs ?? 0) / 1_000,
      openConnections: () => limits.open,
    };
    const metrics = new PresenceMetrics(sources, { version: packageVersion() });
    metrics.registry.registerMetric(ctx.get(TOKENS.ProcessErrors).counter);
    return metrics;
  });
  c.bind(TOKENS.PresenceNotifier).toDynamicValue((ctx) => {
    const metrics = ctx.get(TOKENS.Metrics);
    return new MetricsRecordingNotifier(new SocketHeartbeatNotifier(ctx.get(TOKENS.SocketServer), ctx.get(TOKENS.SocketAudience), metrics.frameCounter), metrics, ctx.get(TOKENS.Clock));
  });
  c.bind(TOKENS.PresenceService).toDynamicValue(
    (ctx) =>
      new PresenceService({
        clock: ctx.get(TOKENS.Clock),
        store: ctx.get(TOKENS.PresenceStore),
        notifier: ctx.get(TOKENS.PresenceNotifier),
        lastSeen: ctx.get(TOKENS.LastSeen),
        nodes: ctx.get(TOKENS.NodeRegistry),
        settings: config.derived.rules,
        alarm: ctx.get(TOKENS.Sweeper),
      }),
  );
  c.bind(TOKENS.HealthChecks).toDynamicValue((ctx) => {
    const webhooks = ctx.get(TOKENS.Webhooks);
    return (
      overrides.health ?? {
        store: ctx.get(TOKENS.StoreHealth),
        persistence: ctx.get(TOKENS.LastSeen).health(),
        ...(webhooks === null ? {} : { webhooks: webhooks.health }),
      }
    );
  });
  c.bind(TOKENS.Sweeper).toDynamicValue(
    (ctx) =>
      new DeadlineSweeper(
        (options) => ctx.get(TOKENS.PresenceService).sweep(options),
        { intervalMs: config.presence.sweepIntervalMs, batchMs: SWEEP_BATCH_MS },
        ctx.get(TOKENS.Clock),
        logger,
        ctx.get(TOKENS.Metrics),
        new StallMeter(config.presence.ttlMs),
      ),
  );
  c.bind(TOKENS.Lifecycle).toDynamicValue((ctx): Lifecycle[] => {
    const [sweeper, lastSeen, hub, delivery] = [ctx.get(TOKENS.Sweeper), ctx.get(TOKENS.LastSeen), ctx.get(TOKENS.SubscriptionHub), ctx.get(TOKENS.Delivery)];
    const repository = ctx.get(TOKENS.LastSeenRepository);
    return [
      { name: 'last_seen repository', start: () => undefined, stop: () => repository.close() },
      {
        name: 'transition delivery',
        start: () => {
          delivery.subscribe(ctx.get(TOKENS.Broadcaster));
          delivery.subscribe(hub);
          delivery.subscribe(ctx.get(TOKENS.EventStreamHub));
          const intake = ctx.get(TOKENS.WebhookIntake);
          if (intake !== null) delivery.subscribe(intake);
        },
        stop: () => undefined,
      },
      ...ctx.get(TOKENS.StoreLifecycle),
      {
        name: 'webhooks',
        start: async () => {
          await ctx.get(TOKENS.Webhooks)?.start();
          // An in-memory store starts empty: receivers are told every user they knew of is gone.
          ctx.get(TOKENS.WebhookIntake)?.reset(delivery.lastSeq);
        },
        stop: () => ctx.get(TOKENS.Webhooks)?.stop(),
      },
      { name: 'sweeper', start: () => sweeper.start(), stop: () => sweeper.stop() },
      { name: 'output guard', start: () => ctx.get(TOKENS.OutputGuard).start(config.derived.outputCheckIntervalMs), stop: () => ctx.get(TOKENS.OutputGuard).stop() },
      { name: 'presence diffs', start: () => hub.start(config.presence.diffIntervalMs), stop: () => hub.stop() },
      {
        name: 'last_seen write-behind',
        start: () => lastSeen.start(),
        stop: async () => {
          const left = await lastSeen.stop(config.derived.writeBehind.drainMs);
          if (left > 0) logger.error({ users: left }, 'last_seen writes could not be flushed before shutdown');
        },
      },
    ];
  });
}
