import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '../../src/adapters/redis/redis-keys';

export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A throwaway key prefix on the real Redis; `cleanup` deletes every key under it. */
export function testRedisPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `presence-test-${randomBytes(6).toString('hex')}:`;
  return {
    prefix,
    async cleanup() {
      const redis = new Redis(REDIS_URL);
      try {
        await deleteKeysWithPrefix(redis, prefix);
      } finally {
        redis.disconnect();
      }
    },
  };
}
