import { Redis } from 'ioredis';
import { guardReplies } from './redis-reply.guard';
import { CLAIM_LAPSED_NODES, COMMIT_PRESENCE, PRUNE_AVAILABILITY, RAISE_SEQ } from './redis-scripts';
import { ACKNOWLEDGE_WEBHOOK, DROP_WEBHOOK_LEASE, HOLD_WEBHOOK_LEASE, START_WEBHOOK_CURSORS, TRIM_WEBHOOK_OUTBOX } from './redis-webhook-scripts';

export interface PresenceRedis extends Redis {
  /** Replies are checked by `redis-replies.ts`, not trusted by type. */
  commitPresence(...args: Array<string | number>): Promise<unknown>;
  claimLapsedNodes(nodes: string, now: number, claimUntil: number, limit: number): Promise<unknown>;
  raiseSeq(seqKey: string, atLeast: number): Promise<unknown>;
  pruneAvailability(...args: string[]): Promise<unknown>;
  holdWebhookLease(lease: string, nodeId: string, ms: number): Promise<unknown>;
  dropWebhookLease(lease: string, nodeId: string): Promise<unknown>;
  startWebhookCursors(cursors: string, transitions: string, ...endpoints: string[]): Promise<unknown>;
  acknowledgeWebhook(lease: string, cursors: string, nodeId: string, endpoint: string, id: string, seq: number): Promise<unknown>;
  trimWebhookOutbox(transitions: string, cursors: string, seq: string, kept: number, ...endpoints: string[]): Promise<unknown>;
}

export interface RedisConnectionSettings {
  readonly name: string;
  /** For reads that wait on purpose (XREAD BLOCK): no command timeout, and commands wait while it reconnects. */
  readonly blocking?: boolean;
  /** REDIS_COMMAND_TIMEOUT_MS: how long a command may wait for its reply, beyond its block time for a blocking one. */
  readonly commandTimeoutMs?: number;
  /** Hears of each malformed reply (the connection is reset after it). */
  readonly onMalformedReply?: (error: Error) => void;
}

/** The longest BLOCK any reader of ours uses (Socket.IO's adapter: 5 s; the feed: 1 s). */
const LONGEST_BLOCK_MS = 5_000;

/**
 * A Redis connection for the service. Commands fail at once while Redis is unreachable (no offline queue), so
 * presence answers INTERNAL instead of hanging, and a command Redis does not answer fails after the command timeout;
 * the connection keeps retrying in the background. A socket that stays silent while a reply is due is dropped and
 * reopened, so that a hung Redis cannot keep a connection, blocking or not, waiting for ever. A command that timed out
 * is not sent again on the new connection: its event was already refused.
 */
export function createRedis(url: string, settings: RedisConnectionSettings = { name: 'presence' }): PresenceRedis {
  const timeoutMs = settings.commandTimeoutMs ?? 2_000;
  const blocking = settings.blocking ?? false;
  const redis = new Redis(url, {
    connectionName: settings.name,
    enableOfflineQueue: blocking,
    maxRetriesPerRequest: blocking ? null : 1,
    connectTimeout: 3_000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
    ...(blocking
      ? { socketTimeout: LONGEST_BLOCK_MS + timeoutMs }
      : { commandTimeout: timeoutMs, socketTimeout: timeoutMs, autoResendUnfulfilledCommands: false }),
  });
  redis.defineCommand('commitPresence', { numberOfKeys: 7, lua: COMMIT_PRESENCE });
  redis.defineCommand('claimLapsedNodes', { numberOfKeys: 1, lua: CLAIM_LAPSED_NODES });
  redis.defineCommand('raiseSeq', { numberOfKeys: 1, lua: RAISE_SEQ });
  redis.defineCommand('pruneAvailability', { numberOfKeys: 0, lua: PRUNE_AVAILABILITY });
  redis.defineCommand('holdWebhookLease', { numberOfKeys: 1, lua: HOLD_WEBHOOK_LEASE });
  redis.defineCommand('dropWebhookLease', { numberOfKeys: 1, lua: DROP_WEBHOOK_LEASE });
  redis.defineCommand('startWebhookCursors', { numberOfKeys: 2, lua: START_WEBHOOK_CURSORS });
  redis.defineCommand('acknowledgeWebhook', { numberOfKeys: 2, lua: ACKNOWLEDGE_WEBHOOK });
  redis.defineCommand('trimWebhookOutbox', { numberOfKeys: 3, lua: TRIM_WEBHOOK_OUTBOX });
  guardReplies(redis, settings.onMalformedReply ?? (() => undefined));
  return redis as PresenceRedis;
}

/**
 * Closes a connection now. ioredis leaves the timer of its socket timeout running after a disconnect (it would only
 * destroy the closed socket again), which keeps a process that is done from exiting for that long.
 */
export function closeRedis(redis: Redis): void {
  redis.disconnect();
  clearTimeout((redis as unknown as { socketTimeoutTimer?: NodeJS.Timeout }).socketTimeoutTimer);
}

/** Resolves once the connection is ready, or false after `timeoutMs` (it goes on trying in the background). */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}
