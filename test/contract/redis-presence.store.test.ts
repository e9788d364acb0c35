import { createRedis, type PresenceRedis, whenReady } from '../../src/adapters/redis/redis-client';
import { RedisKeys } from '../../src/adapters/redis/redis-keys';
import { RedisPresenceStore } from '../../src/adapters/redis/redis-presence.store';
import type { UserPresence } from '../../src/domain/presence.types';
import { REDIS_URL, testRedisPrefix } from '../support/redis';
import { onlineTransition } from '../support/transitions';
import { describePresenceStoreContract } from './presence-store.contract';
import { connection, storedUser } from '../support/presence-values';

describePresenceStoreContract('RedisPresenceStore', async () => {
  const { prefix, cleanup } = testRedisPrefix();
  const redis = createRedis(REDIS_URL, { name: 'contract' });
  await whenReady(redis, 5_000);
  return {
    store: new RedisPresenceStore(redis, new RedisKeys(prefix), { transitionsKept: 100 }),
    async close() {
      redis.disconnect();
      await cleanup();
    },
  };
});

/** One store on a throwaway key prefix, for a test that also reaches into Redis itself. */
async function withOneStore(name: string, run: (store: RedisPresenceStore, redis: PresenceRedis, keys: RedisKeys) => Promise<void>): Promise<void> {
  const { prefix, cleanup } = testRedisPrefix();
  const keys = new RedisKeys(prefix);
  const redis = createRedis(REDIS_URL, { name });
  await whenReady(redis, 5_000);
  try {
    await run(new RedisPresenceStore(redis, keys, { transitionsKept: 100 }), redis, keys);
  } finally {
    redis.disconnect();
    await cleanup();
  }
}

describe('RedisPresenceStore across nodes', () => {
  const presence = (userId: string, connectionId: string, nodeId: string): UserPresence => storedUser(userId, [connection(connectionId, nodeId, 1, 1_000)]);

  it('lets exactly one of two nodes commit the same transition, and appends it once to the transitions stream', async () => {
    const { prefix, cleanup } = testRedisPrefix();
    const keys = new RedisKeys(prefix);
    const nodeA = createRedis(REDIS_URL, { name: 'a' });
    const nodeB = createRedis(REDIS_URL, { name: 'b' });
    await Promise.all([whenReady(nodeA, 5_000), whenReady(nodeB, 5_000)]);
    try {
      const stores = [new RedisPresenceStore(nodeA, keys, { transitionsKept: 100 }), new RedisPresenceStore(nodeB, keys, { transitionsKept: 100 })];
      const online = (store: RedisPresenceStore, connectionId: string, nodeId: string) =>
        store.update('u', (current) =>
          current === undefined
            ? {
                next: presence('u', connectionId, nodeId),
                transition: onlineTransition('u', 1),
              }
            : { next: { ...current, connections: [...current.connections, ...presence('u', connectionId, nodeId).connections] }, transition: null },
        );
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => online(stores[i % 2] as RedisPresenceStore, `c${i}`, i % 2 ? 'b' : 'a')));
      expect(results.filter((r) => r.transition !== null)).toHaveLength(1);
      expect((await stores[0]?.find('u'))?.connections).toHaveLength(10);
      expect(await nodeA.xlen(keys.transitions)).toBe(1);
      expect((await stores[1]?.usersOnNode('a'))?.sort()).toEqual(['u']);
      expect((await stores[1]?.usersOnNode('b'))?.sort()).toEqual(['u']);
    } finally {
      nodeA.disconnect();
      nodeB.disconnect();
      await cleanup();
    }
  });

  it('never lets a node commit onto a presence that was removed and stored again since it read it', async () => {
    await withOneStore('aba', async (store, redis, keys) => {
      await store.update('u', () => ({ next: presence('u', 'cA', 'a'), transition: null }));
      const [staleVersion] = await redis.hmget(keys.user('u'), 'v');
      // Another node, between a stale reader's read and its commit: removes the user, then stores it anew.
      await store.update('u', () => ({ next: undefined, transition: null }));
      await store.update('u', () => ({ next: presence('u', 'cB', 'b'), transition: null }));
      const [committed] = await redis.commitPresence(
        keys.user('u'), keys.deadlines, keys.users, keys.seq, keys.transitions, keys.versions,
        'u', staleVersion ?? '', '', 0, '', '', keys.typePrefix, keys.nodeUsersPrefix, '', 'a', '', 100,
      ) as [number];
      expect(committed).toBe(0);
      expect((await store.find('u'))?.connections.map((c) => c.connectionId)).toEqual(['cB']);
    });
  });

  it('stores presence in the format of 0.7, connections keyed by id, so that mixed versions can share a Redis', async () => {
    await withOneStore('format', async (store, redis, keys) => {
      await store.update('u', () => ({ next: presence('u', 'cA', 'a'), transition: null }));
      expect(JSON.parse((await redis.hget(keys.user('u'), 'p')) ?? '')).toEqual({
        userId: 'u',
        userType: null,
        userName: null,
        connections: { cA: { nodeId: 'a', lastSeen: 1, expiresAt: 1_000, dropped: false } },
        onlineSince: 1,
      });
      // As a 0.7 node writes it: two connections, one in its grace.
      const written = {
        userId: 7,
        userType: 'agent',
        userName: 'Ann',
        connections: { c1: { nodeId: 'a', lastSeen: 5, expiresAt: 9, dropped: true }, c2: { nodeId: 'b', lastSeen: 6, expiresAt: 8, dropped: false } },
      };
      await redis.hset(keys.user('7'), 'p', JSON.stringify(written));
      // Without §8's fields (as 0.13 and earlier write it): nothing chosen, no activity, online since its oldest sign.
      expect(await store.find('7')).toEqual(
        storedUser(7, [connection('c1', 'a', 5, 9, true), connection('c2', 'b', 6, 8)], { userType: 'agent', userName: 'Ann', onlineSince: 5 }),
      );
    });
  });

  it('stores §8’s availability as extra fields that 0.13 reads past, and reads what 0.13 writes back (CONTRACT §8)', async () => {
    await withOneStore('format-8', async (store, redis, keys) => {
      const tracked = { ...connection('cA', 'a', 1, 1_000), idle: true };
      const active = { ...connection('cB', 'b', 2, 1_000), idleAt: 900 };
      const user = storedUser('u', [tracked, active], { chosen: 'busy', statusText: 'on a call', onlineSince: 1, lastActive: 3 });
      await store.update('u', () => ({ next: user, transition: null }));
      const json = (await redis.hget(keys.user('u'), 'p')) ?? '';
      expect(JSON.parse(json)).toEqual({
        userId: 'u',
        userType: null,
        userName: null,
        connections: { cA: { nodeId: 'a', lastSeen: 1, expiresAt: 1_000, dropped: false, idle: true }, cB: { nodeId: 'b', lastSeen: 2, expiresAt: 1_000, dropped: false, idleAt: 900 } },
        onlineSince: 1,
        chosen: 'busy',
        statusText: 'on a call',
        lastActive: 3,
      });
      expect(await store.find('u')).toEqual(user);
      // 0.13's decoder: its fields as they are, every connection's fields spread onto it.
      const asRead013 = JSON.parse(json) as { userId: unknown; userType: unknown; userName: unknown; connections: Record<string, object> };
      expect({ userId: asRead013.userId, userType: asRead013.userType, userName: asRead013.userName }).toEqual({ userId: 'u', userType: null, userName: null });
      expect(Object.entries(asRead013.connections).map(([connectionId, c]) => ({ connectionId, ...c }))).toMatchObject([
        { connectionId: 'cA', nodeId: 'a', lastSeen: 1, expiresAt: 1_000, dropped: false },
        { connectionId: 'cB', nodeId: 'b', lastSeen: 2, expiresAt: 1_000, dropped: false },
      ]);
      // The idle deadline is a deadline of the index that expiry uses.
      expect(await store.dueUsers(900, 10)).toEqual(['u']);
    });
  });

  it('never lists a user a 0.13 node changed or removed under an availability it is not in, and prunes those keys', async () => {
    await withOneStore('format-8-mixed', async (store, redis, keys) => {
      const agent = (userId: string) => storedUser(userId, [connection('c1', 'a', 6, 9_500)], { userType: 'agent' });
      for (const userId of ['a-ghost', 'b-retyped', 'c-real']) await store.update(userId, () => ({ next: agent(userId), transition: null }));
      // As a 0.13 node does it: a type change rewrites v and p and moves the type index; a removal deletes the hash.
      const retyped = { userId: 'b-retyped', userType: 'admin', userName: null, connections: { c1: { nodeId: 'a', lastSeen: 6, expiresAt: 9_500, dropped: false } } };
      await redis.hset(keys.user('b-retyped'), 'v', '999', 'p', JSON.stringify(retyped));
      await redis.zrem(keys.type('agent'), 'b-retyped');
      await redis.zadd(keys.type('admin'), 0, 'b-retyped');
      await redis.del(keys.user('a-ghost'));
      await redis.zrem(keys.users, 'a-ghost');
      await redis.zrem(keys.type('agent'), 'a-ghost');
      // A page of one meets the ghost first: it is left out, and the next page starts after it.
      const first = await store.pageOnline({ limit: 1, availabilities: ['available'], userTypes: ['agent'] });
      expect(first).toMatchObject({ users: [], more: true, lastKey: 'a-ghost' });
      const second = await store.pageOnline({ limit: 5, availabilities: ['available'], userTypes: ['agent'], after: 'a-ghost' });
      // The retyped user is an admin now: never shown as an agent, whoever may see only agents.
      expect(second.users.map((u) => u.userId)).toEqual(['c-real']);
      // Both stale keys were taken out: the counts are right again.
      expect((await store.pageOnline({ limit: 5, availabilities: ['available'], userTypes: ['agent'] })).total).toBe(1);
      expect(await store.usersByAvailability()).toEqual({ available: 2, away: 0, busy: 0 });
      // The retyped user's next commit here indexes it under its pair, from the pair its hash says it had.
      await store.update('b-retyped', (u) => ({ next: { ...(u as UserPresence), chosen: 'busy' }, transition: null }));
      expect((await store.pageOnline({ limit: 5, availabilities: ['busy'], userTypes: ['admin'] })).users.map((u) => u.userId)).toEqual(['b-retyped']);
      expect(await store.usersByAvailability()).toEqual({ available: 1, away: 0, busy: 1 });
    });
  });

  it('indexes by availability a user that a 0.13 node wrote, at the first change this version commits for it', async () => {
    await withOneStore('format-8-index', async (store, redis, keys) => {
      const written013 = { userId: 'old', userType: 'agent', userName: null, connections: { c1: { nodeId: 'a', lastSeen: 5, expiresAt: 9_000, dropped: false } } };
      await redis.hset(keys.user('old'), 'v', '1', 'p', JSON.stringify(written013));
      await redis.zadd(keys.users, 0, 'old');
      // As a 0.13 node may leave it: in an availability index it no longer belongs to.
      await redis.zadd(keys.availability('busy'), 0, 'old');
      expect((await store.pageOnline({ limit: 10, availabilities: ['available'] })).total).toBe(0);
      await store.update('old', (u) => ({ next: { ...(u as UserPresence), connections: [connection('c1', 'a', 6, 9_500)] }, transition: null }));
      expect((await store.pageOnline({ limit: 10, availabilities: ['available'], userTypes: ['agent'] })).users.map((u) => u.userId)).toEqual(['old']);
      // The page that meets the stale busy entry leaves the user out and takes the entry out of the index.
      expect((await store.pageOnline({ limit: 10, availabilities: ['busy'] })).users).toEqual([]);
      expect((await store.pageOnline({ limit: 10, availabilities: ['busy'] })).total).toBe(0);
    });
  });
});
