import type { Container, ResolutionContext } from 'inversify';
import type { Logger } from 'pino';
import { createPostgresPool } from '../adapters/postgres/postgres-pool';
import { PostgresOutboxJournal } from '../adapters/postgres/postgres-outbox.journal';
import { RedisKeys } from '../adapters/redis/redis-keys';
import { RedisWebhookFeed } from '../adapters/redis/redis-webhook.feed';
import { OutboxIntake } from '../adapters/webhooks/outbox-intake';
import { WebhookDispatcher } from '../adapters/webhooks/webhook-dispatcher';
import { LocalWebhookFeed } from '../application/local-webhook-feed';
import type { OutboxJournal } from '../application/outbox-journal';
import type { WebhookFeed } from '../application/webhook-feed';
import type { Config } from '../config';
import { MAX_PENDING_EVENTS } from './webhook-config';
import { TOKENS } from '../tokens';

/** The longest wait between two attempts of a failing batch. */
const MAX_BACKOFF_MS = 60_000;
/** How often a failing outbox (Redis or the database unreachable) is logged at most. */
const FAILURE_LOG_EVERY_MS = 60_000;

/** A warning at most once a minute for a failure that repeats every batch interval. */
function throttledWarning(logger: Logger, message: string): (error: unknown) => void {
  let loggedAt = Number.NEGATIVE_INFINITY;
  return (error) => {
    const now = performance.now();
    if (now - loggedAt < FAILURE_LOG_EVERY_MS) return;
    loggedAt = now;
    logger.warn({ err: error }, message);
  };
}

/** The journal of an in-memory outbox: a PostgreSQL table with `DATABASE_URL`, none otherwise (memory only). */
function journalOf(config: Config): OutboxJournal | null {
  const { persistence } = config;
  if (persistence.kind !== 'postgres') return null;
  const pool = createPostgresPool({ connectionString: persistence.url, maxConnections: 1, statementTimeoutMs: persistence.statementTimeoutMs });
  return new PostgresOutboxJournal(pool, MAX_PENDING_EVENTS);
}

function feedOf(ctx: ResolutionContext, config: Config, logger: Logger): WebhookFeed {
  const webhooks = config.webhooks as NonNullable<Config['webhooks']>;
  const [metrics, clock] = [ctx.get(TOKENS.Metrics), ctx.get(TOKENS.Clock)];
  const dropped = (events: number) => metrics.webhookDropped.inc(events);
  if (config.store.kind === 'redis') {
    const settings = { nodeId: config.nodeId, leaseMs: config.store.nodeLeaseMs, maxAgeMs: webhooks.maxAgeMs, replayKept: config.replaySize };
    const observer = { dropped, leaseFailed: throttledWarning(logger, 'the webhook delivery lease could not be renewed in Redis') };
    const delivery = ctx.get(TOKENS.Delivery);
    return new RedisWebhookFeed(ctx.get(TOKENS.Redis), new RedisKeys(config.store.keyPrefix), settings, observer, () => clock.now(), () => delivery.lastSeq);
  }
  const settings = { maxAgeMs: webhooks.maxAgeMs, maxPending: MAX_PENDING_EVENTS, journalEveryMs: webhooks.batchMs };
  const observer = { dropped, journalFailed: throttledWarning(logger, 'the webhook outbox could not be written to the database; kept in memory') };
  return new LocalWebhookFeed(settings, journalOf(config), observer, () => clock.now());
}

/**
 * CONTRACT §10's webhooks, when `WEBHOOK_URLS` names endpoints (null otherwise), and their outbox: Redis's
 * transitions stream with Redis; this node's transitions in memory otherwise, journaled in PostgreSQL with
 * `DATABASE_URL`.
 */
export function bindWebhooks(c: Container, config: Config, logger: Logger): void {
  c.bind(TOKENS.WebhookFeed).toDynamicValue((ctx) => (config.webhooks === null ? null : feedOf(ctx, config, logger)));
  c.bind(TOKENS.WebhookIntake).toDynamicValue((ctx) => {
    const feed = ctx.get(TOKENS.WebhookFeed);
    return feed instanceof LocalWebhookFeed ? new OutboxIntake(feed, () => ctx.get(TOKENS.Clock).now()) : null;
  });
  c.bind(TOKENS.Webhooks).toDynamicValue((ctx) => {
    const feed = ctx.get(TOKENS.WebhookFeed);
    if (config.webhooks === null || feed === null) return null;
    const metrics = ctx.get(TOKENS.Metrics);
    return new WebhookDispatcher({ ...config.webhooks, maxBackoffMs: MAX_BACKOFF_MS }, feed, {
      attempted: (result) => metrics.webhookDeliveries.inc({ result }),
      feedFailed: throttledWarning(logger, 'the webhook outbox could not be read; trying again'),
    });
  });
}
