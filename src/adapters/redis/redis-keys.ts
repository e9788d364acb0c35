import type { Redis } from 'ioredis';
import type { Availability } from '../../domain/availability';
import type { UserKey } from '../../domain/presence.types';

/** Every key the service keeps in Redis, under one prefix (so that several services, or test runs, share a Redis). */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  user(key: UserKey): string {
    return `${this.userPrefix}${key}`;
  }

  get userPrefix(): string {
    return `${this.prefix}user:`;
  }

  /** Online users by earliest connection deadline (score: ms). */
  get deadlines(): string {
    return `${this.prefix}deadlines`;
  }

  /** Online users in key order (all scores 0, read by lex range). */
  get users(): string {
    return `${this.prefix}users`;
  }

  /** How many users each tenant has online (a hash): the tenants-online gauge. */
  get tenants(): string {
    return `${this.prefix}tenants`;
  }

  get typePrefix(): string {
    return `${this.prefix}type:`;
  }

  /** Online users of one type, in key order. */
  type(userType: string): string {
    return `${this.typePrefix}${userType}`;
  }

  get availabilityPrefix(): string {
    return `${this.prefix}availability:`;
  }

  /** Online users shown with one availability (CONTRACT §8), of one type if given, in key order. */
  availability(availability: Availability, userType?: string): string {
    return userType === undefined ? `${this.availabilityPrefix}${availability}` : `${this.availabilityPrefix}${availability}:${userType}`;
  }

  get nodeUsersPrefix(): string {
    return `${this.prefix}node-users:`;
  }

  /** Users with a connection on one node. */
  nodeUsers(nodeId: string): string {
    return `${this.nodeUsersPrefix}${nodeId}`;
  }

  /** Nodes by lease expiry (score: ms). */
  get nodes(): string {
    return `${this.prefix}nodes`;
  }

  /** The counter every stored presence takes its version from. */
  get versions(): string {
    return `${this.prefix}versions`;
  }

  get seq(): string {
    return `${this.prefix}seq`;
  }

  /** Committed transitions in seq order: what every node delivers to its clients, and the replay buffer. */
  get transitions(): string {
    return `${this.prefix}transitions`;
  }

  /** Which node delivers the webhooks (CONTRACT §10): its id, expiring unless it keeps it. */
  get webhookLease(): string {
    return `${this.prefix}webhooks:lease`;
  }

  /** Each webhook endpoint's cursor in the transitions stream: "<entry id> <seq>" of the last it acknowledged. */
  get webhookCursors(): string {
    return `${this.prefix}webhooks:cursors`;
  }

  /** Socket.IO's own stream, for its adapter's broadcasts. */
  get socketIoStream(): string {
    return `${this.prefix}socket.io`;
  }
}

/** Deletes every key under a prefix (a throwaway test run's, or a service's being retired), in batches. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
