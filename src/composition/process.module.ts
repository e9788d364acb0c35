import type { Container } from 'inversify';
import { ProcessGuard } from '../adapters/process/process-guard';
import { MalformedRedisReply, resetConnection } from '../adapters/redis/redis-reply.guard';
import { TOKENS } from '../tokens';

/** Installs the process guard (see `ProcessGuard`) for the service `c` builds: by `main` only, never in a test's process. */
export function guardProcess(c: Container, target: NodeJS.Process): void {
  const errors = c.get(TOKENS.ProcessErrors);
  const redis = c.isBound(TOKENS.RedisConnections) ? c.get(TOKENS.RedisConnections) : [];
  new ProcessGuard({
    logger: c.get(TOKENS.Logger),
    count: (kind, source) => errors.count(kind, source),
    reset: {
      redis: () => {
        for (const connection of redis) resetConnection(connection, new MalformedRedisReply('reset after the Redis client threw'));
      },
    },
    exit: (code) => target.exit(code),
  }).install(target);
}
