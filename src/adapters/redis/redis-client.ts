import { Redis } from 'ioredis';
import { CLAIM_LAPSED_NODES, COMMIT_PRESENCE, RAISE_SEQ } from './redis-scripts';

export interface PresenceRedis extends Redis {
  commitPresence(...args: Array<string | number>): Promise<[number, number?]>;
  claimLapsedNodes(nodes: string, now: number, claimUntil: number, limit: number): Promise<string[]>;
  raiseSeq(seqKey: string, atLeast: number): Promise<number>;
}

/**
 * A Redis connection for the service. Commands fail at once while Redis is unreachable (no offline queue), so
 * presence answers INTERNAL instead of hanging; the connection keeps retrying in the background.
 */
export function createRedis(url: string, options: { name: string; blocking?: boolean } = { name: 'presence' }): PresenceRedis {
  const redis = new Redis(url, {
    connectionName: options.name,
    enableOfflineQueue: options.blocking ?? false,
    maxRetriesPerRequest: options.blocking ? null : 1,
    connectTimeout: 3_000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
  });
  redis.defineCommand('commitPresence', { numberOfKeys: 6, lua: COMMIT_PRESENCE });
  redis.defineCommand('claimLapsedNodes', { numberOfKeys: 1, lua: CLAIM_LAPSED_NODES });
  redis.defineCommand('raiseSeq', { numberOfKeys: 1, lua: RAISE_SEQ });
  // Errors are seen through the commands that fail and through readiness; the event itself must not crash the process.
  redis.on('error', () => undefined);
  return redis as PresenceRedis;
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
