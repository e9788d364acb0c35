import type { NodeRegistry } from '../../domain/ports/node-registry.port';
import type { Instant } from '../../domain/presence.types';
import type { PresenceRedis } from './redis-client';
import type { RedisKeys } from './redis-keys';
import { decoded } from './redis-reply.guard';
import { stringList } from './redis-replies';

const claimedNodes = stringList('the claim script');

/** Node leases in Redis: a sorted set of node ids by lease expiry, claimed atomically by a script. */
export class RedisNodeRegistry implements NodeRegistry {
  constructor(
    private readonly redis: PresenceRedis,
    private readonly keys: RedisKeys,
  ) {}

  async renew(nodeId: string, until: Instant): Promise<void> {
    await this.redis.zadd(this.keys.nodes, until, nodeId);
  }

  claimLapsed(now: Instant, claimUntil: Instant, limit: number): Promise<string[]> {
    return decoded(this.redis, this.redis.claimLapsedNodes(this.keys.nodes, now, claimUntil, limit), claimedNodes);
  }

  async forget(nodeId: string): Promise<void> {
    await this.redis.multi().zrem(this.keys.nodes, nodeId).del(this.keys.nodeUsers(nodeId)).exec();
  }
}
