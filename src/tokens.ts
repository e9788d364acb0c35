import type { ServiceIdentifier } from 'inversify';
import type Koa from 'koa';
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import type { ServerOptions } from 'socket.io';
import type { AccessTokenVerifier } from './adapters/auth/access-token.verifier';
import type { PresenceMetrics } from './adapters/metrics/presence-metrics';
import type { ProcessErrors } from './adapters/metrics/process-errors';
import type { PresenceRedis } from './adapters/redis/redis-client';
import type { RedisPresenceStore } from './adapters/redis/redis-presence.store';
import type { DeadlineSweeper } from './adapters/scheduling/deadline-sweeper';
import type { ConnectionLimits } from './adapters/socket/connection-limits';
import type { OutputGuard } from './adapters/socket/output-guard';
import type { SocketAudience } from './adapters/socket/socket-audience';
import type { SocketPresenceGateway } from './adapters/socket/socket-presence.gateway';
import type { SocketPresenceBroadcaster } from './adapters/socket/socket-presence.broadcaster';
import type { PresenceServer } from './adapters/socket/socket.types';
import type { SubscriptionHub } from './adapters/socket/subscriptions/subscription-hub';
import type { HealthCheck } from './application/health-check';
import type { LastSeenWriteBehind } from './application/last-seen-write-behind';
import type { TransitionFanout } from './application/transition-fanout';
import type { Config } from './config';
import type { Clock } from './domain/ports/clock.port';
import type { LastSeenRepository } from './domain/ports/last-seen.port';
import type { NodeRegistry } from './domain/ports/node-registry.port';
import type { PresenceNotifier } from './domain/ports/presence-notifier.port';
import type { PresenceStore } from './domain/ports/presence-store.port';
import type { PresenceService } from './domain/presence.service';
import type { AudienceRules } from './domain/audience';
import type { AudienceReads } from './domain/audience-reads';
import type { Lifecycle } from './lifecycle';
import type { EventStreamHub } from './adapters/http/event-stream/event-stream-hub';
import type { WebhookDispatcher } from './adapters/webhooks/webhook-dispatcher';
import type { OutboxIntake } from './adapters/webhooks/outbox-intake';
import type { WebhookFeed } from './application/webhook-feed';

const token = <T>(name: string): ServiceIdentifier<T> => Symbol.for(`presence.${name}`);

/** Every service identifier of the container, typed. */
export const TOKENS = {
  Config: token<Config>('Config'),
  Logger: token<Logger>('Logger'),
  Clock: token<Clock>('Clock'),
  /** Committed transitions, in seq order, to every consumer of this node: the one delivery path. */
  Delivery: token<TransitionFanout>('Delivery'),
  PresenceStore: token<PresenceStore>('PresenceStore'),
  Redis: token<PresenceRedis>('Redis'),
  /** Every Redis connection of this node, for the process guard to reset. */
  RedisConnections: token<readonly PresenceRedis[]>('RedisConnections'),
  RedisStore: token<RedisPresenceStore>('RedisStore'),
  NodeRegistry: token<NodeRegistry>('NodeRegistry'),
  PresenceNotifier: token<PresenceNotifier>('PresenceNotifier'),
  LastSeenRepository: token<LastSeenRepository>('LastSeenRepository'),
  LastSeen: token<LastSeenWriteBehind>('LastSeen'),
  PresenceService: token<PresenceService>('PresenceService'),
  AudienceRules: token<AudienceRules>('AudienceRules'),
  /** The service's reads as each viewer may see them (CONTRACT §9). */
  AudienceReads: token<AudienceReads>('AudienceReads'),
  AccessTokenVerifier: token<AccessTokenVerifier | null>('AccessTokenVerifier'),
  StoreHealth: token<HealthCheck>('StoreHealth'),
  HealthChecks: token<{ readonly store: HealthCheck; readonly persistence: HealthCheck; readonly webhooks?: HealthCheck }>('HealthChecks'),
  Metrics: token<PresenceMetrics>('Metrics'),
  /** Counted by the backend connections and the process guard; registered with the other metrics. */
  ProcessErrors: token<ProcessErrors>('ProcessErrors'),
  HttpApp: token<Koa>('HttpApp'),
  HttpServer: token<HttpServer>('HttpServer'),
  /** Socket.IO's adapter: the Redis streams one with several nodes, none (in-process) with one. */
  SocketAdapter: token<ServerOptions['adapter'] | null>('SocketAdapter'),
  SocketServer: token<PresenceServer>('SocketServer'),
  SocketGateway: token<SocketPresenceGateway>('SocketGateway'),
  /** Who each connection sees, and the rooms that carry §1's events to it (CONTRACT §9). */
  SocketAudience: token<SocketAudience>('SocketAudience'),
  ConnectionLimits: token<ConnectionLimits>('ConnectionLimits'),
  OutputGuard: token<OutputGuard>('OutputGuard'),
  SubscriptionHub: token<SubscriptionHub>('SubscriptionHub'),
  EventStreamHub: token<EventStreamHub>('EventStreamHub'),
  Webhooks: token<WebhookDispatcher | null>('Webhooks'),
  /** The webhooks' outbox (CONTRACT §10): Redis's transitions stream, or this node's own, journaled or not. */
  WebhookFeed: token<WebhookFeed | null>('WebhookFeed'),
  /** What puts this node's transitions into its own outbox: null on Redis, whose stream is the outbox. */
  WebhookIntake: token<OutboxIntake | null>('WebhookIntake'),
  Broadcaster: token<SocketPresenceBroadcaster>('Broadcaster'),
  Sweeper: token<DeadlineSweeper>('Sweeper'),
  /** What the store family starts and stops (connections, leases, the feed), in order. */
  StoreLifecycle: token<Lifecycle[]>('StoreLifecycle'),
  /** Everything to start, in order (and to stop in reverse). */
  Lifecycle: token<Lifecycle[]>('Lifecycle'),
} as const;
