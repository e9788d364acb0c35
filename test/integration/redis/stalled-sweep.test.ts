import { createRedis, type PresenceRedis, whenReady } from '../../../src/adapters/redis/redis-client';
import { RedisKeys } from '../../../src/adapters/redis/redis-keys';
import { RedisPresenceStore } from '../../../src/adapters/redis/redis-presence.store';
import { buildDomain, on } from '../../support/build-domain';
import { REDIS_URL, testRedisPrefix } from '../../support/redis';

const TTL = 60_000;

describe('a stalled sweep on Redis', () => {
  let redis: PresenceRedis;
  let cleanup: () => Promise<void>;
  let store: RedisPresenceStore;

  beforeEach(async () => {
    const prefix = testRedisPrefix();
    cleanup = prefix.cleanup;
    redis = createRedis(REDIS_URL, { name: 'stalled-sweep' });
    await whenReady(redis, 5_000);
    store = new RedisPresenceStore(redis, new RedisKeys(prefix.prefix), { transitionsKept: 100 });
  });

  afterEach(async () => {
    redis.disconnect();
    await cleanup();
  });

  it('asks Redis only for what passed before the stall, defers the rest, and counts each deferred user once', async () => {
    const { service, notifier, clock } = buildDomain({ ttlMs: TTL }, store);
    await service.goOnline(on('a1', 'a'));
    clock.advance(1_000);
    await service.goOnline(on('b1', 'b'));
    clock.advance(TTL + 500);
    expect(await service.sweep({ stallMs: 1_000 })).toMatchObject({ usersChecked: 1, transitions: 1, deferred: 1 });
    expect(await service.sweep({ stallMs: 1_000 })).toMatchObject({ usersChecked: 0, transitions: 0, deferred: 0 });
    await service.heartbeat(on('b1', 'b'));
    expect(await service.sweep({ stallMs: 0 })).toMatchObject({ transitions: 0, deferred: 0 });
    expect(notifier.summary()).toEqual(['a online online', 'b online online', 'a offline expired']);
    clock.advance(TTL);
    expect(await service.sweep({ stallMs: 0 })).toMatchObject({ transitions: 1, deferred: 0 });
  });
});
