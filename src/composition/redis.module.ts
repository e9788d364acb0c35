import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import type { Container, ResolutionContext, ServiceIdentifier } from 'inversify';
import type { Logger } from 'pino';
import { closeRedis, createRedis, whenReady, type PresenceRedis } from '../adapters/redis/redis-client';
import { RedisKeys } from '../adapters/redis/redis-keys';
import { RedisNodeRegistry } from '../adapters/redis/redis-node.registry';
import { RedisPresenceStore } from '../adapters/redis/redis-presence.store';
import { RedisTransitionFeed } from '../adapters/redis/redis-transition.feed';
import { StoreRecovery } from '../adapters/redis/store-recovery';
import { NodeLeaseKeeper } from '../adapters/scheduling/node-lease-keeper';
import { TransitionFanout } from '../application/transition-fanout';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import { MAX_PENDING_EVENTS } from './webhook-config';
import { TOKENS } from '../tokens';

type RedisSettings = Extract<Config['store'], { kind: 'redis' }>;

/** How long a start waits for the feed's first read of the stream before listening anyway. */
const FEED_START_WAIT_MS = 2_000;
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

// This module's own parts: the blocking connections (the feed's and Socket.IO's) and the recovery.
const AdapterRedis: ServiceIdentifier<PresenceRedis> = Symbol('presence.redis.socketAdapter');
const FeedRedis: ServiceIdentifier<PresenceRedis> = Symbol('presence.redis.feed.connection');
const Feed: ServiceIdentifier<RedisTransitionFeed> = Symbol('presence.redis.feed');
const Recovery: ServiceIdentifier<StoreRecovery> = Symbol('presence.redis.recovery');

/**
 * Several nodes on one Redis: the shared store, node leases, the transitions feed every node delivers from (the
 * same delivery path an in-memory store hands to), Socket.IO's adapter, and the recovery after an outage.
 */
export function bindRedisStore(c: Container, config: Config, redis: RedisSettings, logger: Logger): void {
  const keys = new RedisKeys(redis.keyPrefix);
  const client = (ctx: ResolutionContext, part: string, blocking = false): PresenceRedis => {
    const errors = ctx.get(TOKENS.ProcessErrors);
    return createRedis(redis.url, {
      name: `presence:${config.nodeId}${part}`,
      blocking,
      commandTimeoutMs: redis.commandTimeoutMs,
      onMalformedReply: (error) => {
        errors.count('malformed_reply', 'redis');
        logger.warn({ error: error.message, connection: part || 'commands' }, 'Redis sent a malformed reply: connection reset');
      },
    });
  };
  c.bind(TOKENS.Delivery).toDynamicValue(() => new TransitionFanout(0));
  c.bind(TOKENS.Redis).toDynamicValue((ctx) => client(ctx, ''));
  c.bind(AdapterRedis).toDynamicValue((ctx) => client(ctx, ':socket.io', true));
  c.bind(FeedRedis).toDynamicValue((ctx) => client(ctx, ':feed', true));
  c.bind(TOKENS.RedisConnections).toDynamicValue((ctx) => [ctx.get(TOKENS.Redis), ctx.get(AdapterRedis), ctx.get(FeedRedis)]);
  c.bind(TOKENS.RedisStore).toDynamicValue(
    (ctx) => new RedisPresenceStore(ctx.get(TOKENS.Redis), keys, {
        // With webhooks, the stream is their outbox too: the delivering node trims it to what they need.
        transitionsKept: config.webhooks === null ? config.replaySize : Math.max(config.replaySize, MAX_PENDING_EVENTS),
        updateTimeoutMs: redis.commandTimeoutMs,
        namesLeaves: config.webhooks !== null,
      }),
  );
  c.bind(TOKENS.PresenceStore).toService(TOKENS.RedisStore);
  c.bind(TOKENS.NodeRegistry).toDynamicValue((ctx) => new RedisNodeRegistry(ctx.get(TOKENS.Redis), keys));
  c.bind(TOKENS.StoreHealth).toDynamicValue((ctx) => ({ check: () => ctx.get(TOKENS.RedisStore).ping().then(() => ({ status: 'up' as const })) }));
  c.bind(TOKENS.SocketAdapter).toDynamicValue((ctx) => createStreamsAdapter(ctx.get(AdapterRedis), { streamName: keys.socketIoStream }));
  c.bind(Feed).toDynamicValue((ctx) => new RedisTransitionFeed(ctx.get(FeedRedis), keys, ctx.get(TOKENS.Delivery), logger));
  c.bind(Recovery).toDynamicValue(
    (ctx) =>
      new StoreRecovery({
        redis: ctx.get(TOKENS.Redis),
        store: ctx.get(TOKENS.RedisStore),
        delivery: ctx.get(TOKENS.Delivery),
        connections: ctx.get(TOKENS.SocketGateway),
        presence: ctx.get(TOKENS.PresenceService),
        clock: ctx.get(TOKENS.Clock),
        settleMs: config.derived.recoverySettleMs,
        logger,
      }),
  );
  c.bind(TOKENS.StoreLifecycle).toDynamicValue((ctx): Lifecycle[] => {
    const [commands, adapterRedis, feed, recovery] = [ctx.get(TOKENS.Redis), ctx.get(AdapterRedis), ctx.get(Feed), ctx.get(Recovery)];
    const [service, delivery, hub] = [ctx.get(TOKENS.PresenceService), ctx.get(TOKENS.Delivery), ctx.get(TOKENS.SubscriptionHub)];
    const lease = new NodeLeaseKeeper(service, ctx.get(TOKENS.Clock), redis.nodeLeaseMs, logger);
    return [
      {
        name: 'redis',
        start: async () => {
          if (!(await whenReady(commands, 5_000))) logger.warn('Redis is not reachable yet; presence events fail until it is');
          recovery.attach();
          delivery.subscribe(recovery);
        },
        stop: () => {
          recovery.stop();
          closeRedis(commands);
          closeRedis(adapterRedis);
        },
      },
      { name: 'node lease', start: () => lease.start(), stop: () => lease.stop() },
      {
        name: 'transitions feed',
        start: async () => {
          const seeded = feed.start().then(async () => {
            const online = await service.listOnline().catch(() => []);
            delivery.seed(online, feed.lastSeq);
            hub.seed(online, delivery.lastSeq);
            ctx.get(TOKENS.EventStreamHub).startAt(delivery.lastSeq);
          });
          // With Redis down the feed waits for it; the node listens meanwhile (CONTRACT §11) and reads once it is back.
          const late = await Promise.race([seeded.then(() => false), delay(FEED_START_WAIT_MS).then(() => true)]);
          if (late) logger.warn('the transitions feed waits for Redis; the node serves meanwhile');
        },
        stop: () => feed.stop(),
      },
    ];
  });
}
