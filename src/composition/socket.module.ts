import type { Container } from 'inversify';
import type { Logger } from 'pino';
import { AccessTokenVerifier } from '../adapters/auth/access-token.verifier';
import { ConnectionLimits } from '../adapters/socket/connection-limits';
import { OutputGuard } from '../adapters/socket/output-guard';
import { authenticateSockets, limitConnections } from '../adapters/socket/socket-auth.middleware';
import { SocketPresenceBroadcaster } from '../adapters/socket/socket-presence.broadcaster';
import { SocketPresenceGateway } from '../adapters/socket/socket-presence.gateway';
import { createSocketServer } from '../adapters/socket/socket-server';
import { WriteCoalescing } from '../adapters/socket/write-coalescing';
import { SubscriptionHub } from '../adapters/socket/subscriptions/subscription-hub';
import { SocketAudience } from '../adapters/socket/socket-audience';
import type { Config } from '../config';
import { audienceClaimNames } from './audience.module';
import { inTenant } from '../domain/presence.types';
import { TOKENS } from '../tokens';

/** Socket.IO: the server and its handshake checks, the gateway, §1 broadcasts and §7 subscriptions. */
export function bindSockets(c: Container, config: Config, logger: Logger): void {
  const { presence } = config;
  c.bind(TOKENS.AccessTokenVerifier).toDynamicValue((ctx) =>
        config.auth === null
      ? null
      : new AccessTokenVerifier(config.auth.secret, config.auth.userClaim, () => ctx.get(TOKENS.Clock).now(), audienceClaimNames(config)),
  );
  c.bind(TOKENS.SocketAudience).toDynamicValue(
    (ctx) => new SocketAudience(ctx.get(TOKENS.SocketServer), ctx.get(TOKENS.AudienceRules), config.audience.visibility !== null && config.auth !== null),
  );
  c.bind(TOKENS.ConnectionLimits).toDynamicValue(
    () => new ConnectionLimits({ perUser: presence.maxConnectionsPerUser, perAddress: presence.maxConnectionsPerAddress }),
  );
  c.bind(TOKENS.SocketServer).toDynamicValue((ctx) => {
    const adapter = ctx.get(TOKENS.SocketAdapter);
    const io = createSocketServer(ctx.get(TOKENS.HttpServer), {
      allowedOrigins: config.allowedOrigins,
      maxMessageBytes: presence.maxMessageBytes,
      handshakeTimeoutMs: presence.handshakeTimeoutMs,
      ...(adapter === null ? {} : { adapter }),
    });
    io.use(authenticateSockets(ctx.get(TOKENS.AccessTokenVerifier), config.auth?.cookieName ?? 'access_token', logger));
    io.use(limitConnections(ctx.get(TOKENS.ConnectionLimits), logger, config.trustProxy));
    new WriteCoalescing().attach(io);
    return io;
  });
  c.bind(TOKENS.SubscriptionHub).toDynamicValue((ctx) => {
    const service = ctx.get(TOKENS.PresenceService);
    return new SubscriptionHub(
      ctx.get(TOKENS.SocketServer),
      ctx.get(TOKENS.SocketAudience),
      async (userIds, tenant) => (await service.pageOf(userIds, { limit: userIds.length, ...inTenant(tenant) })).users,
      { replaySize: config.replaySize },
      ctx.get(TOKENS.Metrics).frameCounter,
      logger,
    );
  });
  c.bind(TOKENS.Broadcaster).toDynamicValue((ctx) => new SocketPresenceBroadcaster(ctx.get(TOKENS.SocketServer), ctx.get(TOKENS.SocketAudience), ctx.get(TOKENS.Metrics).frameCounter),
  );
  c.bind(TOKENS.SocketGateway).toDynamicValue(
    (ctx) =>
      new SocketPresenceGateway(
        ctx.get(TOKENS.SocketServer),
        ctx.get(TOKENS.PresenceService),
        ctx.get(TOKENS.Clock),
        {
          nodeId: config.nodeId,
          eventRate: presence.eventRate,
          listMaxAgeMs: presence.diffIntervalMs,
          statusRate: presence.statusRate,
          statusBurst: presence.maxConnectionsPerUser,
        },
        logger,
        ctx.get(TOKENS.Metrics),
        ctx.get(TOKENS.SubscriptionHub),
        ctx.get(TOKENS.SocketAudience),
        ctx.get(TOKENS.AudienceRules),
        ctx.get(TOKENS.ConnectionLimits),
        ctx.get(TOKENS.OutputGuard),
      ),
  );
  c.bind(TOKENS.OutputGuard).toDynamicValue(
    (ctx) =>
      new OutputGuard(ctx.get(TOKENS.SocketServer), { maxBytes: presence.maxBufferedBytes, stallMs: config.derived.outputStallMs }, ctx.get(TOKENS.Metrics), logger),
  );
}
