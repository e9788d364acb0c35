import pino from 'pino';
import { createRedis, whenReady } from '../../../src/adapters/redis/redis-client';
import { RedisKeys } from '../../../src/adapters/redis/redis-keys';
import { RedisPresenceStore } from '../../../src/adapters/redis/redis-presence.store';
import { RedisTransitionFeed } from '../../../src/adapters/redis/redis-transition.feed';
import { TransitionFanout } from '../../../src/application/transition-fanout';
import { announce, endConnection } from '../../../src/domain/presence';
import type { CommittedTransition } from '../../../src/domain/presence.events';
import { REDIS_URL, testRedisPrefix } from '../../support/redis';
import { waitUntil } from '../../support/wait-until';
import { freshDetails, onlineState } from '../../../src/domain/presence-state';

const AT = Date.UTC(2026, 10, 27, 20, 11, 26, 123);

/**
 * Redis's transitions stream is shared by every node, during a rolling upgrade by nodes of this version and of 0.10:
 * what this version appends must be what 0.10 appended, and what 0.10 appended must be read by this version.
 */
describe('the transitions stream on Redis', () => {
  it('holds each committed transition as 0.10 wrote it: the seq, and the event JSON of UserWentOnline/UserWentOffline', async () => {
    const { prefix, cleanup } = testRedisPrefix();
    const keys = new RedisKeys(prefix);
    const redis = createRedis(REDIS_URL, { name: 'stream-format' });
    await whenReady(redis, 5_000);
    try {
      const store = new RedisPresenceStore(redis, keys, { transitionsKept: 100 });
      const connection = { connectionId: 'c1', nodeId: 'n1', userId: 7, userType: 'agent', userName: 'Ada' };
      await store.update('7', (u) => announce(u, connection, AT, { ttlMs: 60_000, idleMs: 600_000 }));
      await store.update('7', (u) => endConnection(u, 'c1', AT + 5));
      const entries = await redis.xrange(keys.transitions, '-', '+');
      expect(entries.map(([, fields]) => fields)).toEqual([
        ['seq', '1', 'transition', `{"type":"UserWentOnline","userId":7,"lastSeen":${AT},"reason":"online","userType":"agent","userName":"Ada"}`],
        ['seq', '2', 'transition', `{"type":"UserWentOffline","userId":7,"lastSeen":${AT + 5},"reason":"explicit"}`],
      ]);
    } finally {
      redis.disconnect();
      await cleanup();
    }
  });

  it('delivers entries a 0.10 node appended as this version’s transitions, a leave from what was told of its user', async () => {
    const { prefix, cleanup } = testRedisPrefix();
    const keys = new RedisKeys(prefix);
    const redis = createRedis(REDIS_URL, { name: 'stream-writer' });
    await whenReady(redis, 5_000);
    const fanout = new TransitionFanout(0);
    const delivered: CommittedTransition[] = [];
    fanout.subscribe({ deliver: (t) => delivered.push(t), missedBefore: () => undefined });
    const feed = new RedisTransitionFeed(createRedis(REDIS_URL, { name: 'stream-reader', blocking: true }), keys, fanout, pino({ level: 'silent' }));
    try {
      await feed.start();
      // As 0.10's script appended them: XADD with the seq and its event JSON.
      const old = [
        `{"type":"UserWentOnline","userId":"u","lastSeen":${AT},"reason":"online","userType":"client","userName":"Bo"}`,
        `{"type":"UserWentOffline","userId":"u","lastSeen":${AT + 9},"reason":"expired"}`,
      ];
      for (const [i, json] of old.entries()) await redis.xadd(keys.transitions, '*', 'seq', i + 1, 'transition', json);
      await waitUntil(async () => delivered.length === 2);
      expect(delivered).toEqual([
        {
          type: 'UserPresenceChanged',
          userId: 'u',
          lastSeen: AT,
          from: { status: 'offline' },
          to: onlineState('client', 'Bo', freshDetails(AT)),
          reason: 'online',
          seq: 1,
        },
        {
          type: 'UserPresenceChanged',
          userId: 'u',
          lastSeen: AT + 9,
          from: onlineState('client', 'Bo', freshDetails(AT)),
          to: { status: 'offline' },
          reason: 'expired',
          seq: 2,
        },
      ]);
    } finally {
      await feed.stop();
      redis.disconnect();
      await cleanup();
    }
  });
});
