import type { Container } from 'inversify';
import { InMemoryLastSeenRepository } from '../adapters/memory/in-memory-last-seen.repository';
import { createPostgresPool } from '../adapters/postgres/postgres-pool';
import { PostgresLastSeenRepository } from '../adapters/postgres/postgres-last-seen.repository';
import { SupabaseLastSeenRepository } from '../adapters/supabase/supabase-last-seen.repository';
import { LastSeenWriteBehind } from '../application/last-seen-write-behind';
import type { Config } from '../config';
import type { LastSeenRepository } from '../domain/ports/last-seen.port';
import { TOKENS } from '../tokens';

function repositoryFor(config: Config, onMalformedReply: (error: Error) => void): LastSeenRepository {
  const { persistence } = config;
  // With tenants on, a user is (tenant, userId): it is kept in migration 005's table, never in sys_user (CONTRACT §9).
  const tenants = config.audience.tenantClaim !== null;
  switch (persistence.kind) {
    case 'postgres':
      return new PostgresLastSeenRepository(
        createPostgresPool({
          connectionString: persistence.url,
          maxConnections: persistence.poolMax,
          statementTimeoutMs: persistence.statementTimeoutMs,
          onMalformedReply,
        }),
        { tenants },
      );
    case 'supabase':
      return new SupabaseLastSeenRepository({ url: persistence.url, serviceRoleKey: persistence.serviceRoleKey, tenants });
    case 'memory':
      return new InMemoryLastSeenRepository();
  }
}

/** Where `last_seen` goes (`PERSISTENCE`), behind the write-behind buffer that batches it. */
export function bindPersistence(c: Container, config: Config, repository?: LastSeenRepository): void {
  c.bind(TOKENS.LastSeenRepository).toDynamicValue((ctx) => {
    const [errors, logger] = [ctx.get(TOKENS.ProcessErrors), ctx.get(TOKENS.Logger)];
    return (
      repository ??
      repositoryFor(config, (error) => {
        errors.count('malformed_reply', 'postgres');
        logger.warn({ error: error.message }, 'the database sent a malformed reply: connection dropped');
      })
    );
  });
  c.bind(TOKENS.LastSeen).toDynamicValue(
    (ctx) =>
      new LastSeenWriteBehind(ctx.get(TOKENS.LastSeenRepository), config.derived.writeBehind, ctx.get(TOKENS.Metrics).persistence, () =>
        ctx.get(TOKENS.Clock).now(),
      ),
  );
}
