import { InMemoryNodeRegistry } from '../../src/adapters/memory/in-memory-node.registry';
import { createRedis, whenReady } from '../../src/adapters/redis/redis-client';
import { RedisKeys } from '../../src/adapters/redis/redis-keys';
import { RedisNodeRegistry } from '../../src/adapters/redis/redis-node.registry';
import type { NodeRegistry } from '../../src/domain/ports/node-registry.port';
import { REDIS_URL, testRedisPrefix } from '../support/redis';

const registries: Array<[string, () => Promise<{ registry: NodeRegistry; close(): Promise<void> }>]> = [
  ['InMemoryNodeRegistry', async () => ({ registry: new InMemoryNodeRegistry(), close: async () => undefined })],
  [
    'RedisNodeRegistry',
    async () => {
      const { prefix, cleanup } = testRedisPrefix();
      const redis = createRedis(REDIS_URL, { name: 'registry-contract' });
      await whenReady(redis, 5_000);
      return {
        registry: new RedisNodeRegistry(redis, new RedisKeys(prefix)),
        async close() {
          redis.disconnect();
          await cleanup();
        },
      };
    },
  ],
];

describe.each(registries)('%s (NodeRegistry contract)', (_name, create) => {
  let registry: NodeRegistry;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ registry, close } = await create());
  });

  afterEach(() => close());

  it('hands out a lapsed node to one claimer until the claim lapses too', async () => {
    await registry.renew('alive', 10_000);
    await registry.renew('dead', 1_000);
    expect(await registry.claimLapsed(5_000, 8_000, 10)).toEqual(['dead']);
    expect(await registry.claimLapsed(6_000, 9_000, 10)).toEqual([]);
    expect(await registry.claimLapsed(8_000, 12_000, 10)).toEqual(['dead']);
  });

  it('forgets a node, and a renewed lease is not lapsed', async () => {
    await registry.renew('a', 1_000);
    await registry.renew('b', 1_000);
    await registry.forget('a');
    await registry.renew('b', 20_000);
    expect(await registry.claimLapsed(5_000, 6_000, 10)).toEqual([]);
  });

  it('claims at most the limit', async () => {
    for (const id of ['n1', 'n2', 'n3']) await registry.renew(id, 1);
    expect(await registry.claimLapsed(10, 20, 2)).toHaveLength(2);
  });
});
