import type { ServiceIdentifier } from 'inversify';
import type Koa from 'koa';
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import type { AccessTokenVerifier } from './adapters/auth/access-token.verifier';
import type { HealthCheck } from './application/health-check';
import type { PresenceMetrics } from './adapters/metrics/presence-metrics';
import type { IntervalSweeper } from './adapters/scheduling/interval-sweeper';
import type { SocketPresenceGateway } from './adapters/socket/socket-presence.gateway';
import type { PresenceServer } from './adapters/socket/socket.types';
import type { PresenceRedis } from './adapters/redis/redis-client';
import type { ConnectionLimits } from './adapters/socket/connection-limits';
import type { LocalPresenceView } from './adapters/socket/local-presence-view';
import type { SubscriptionHub } from './adapters/socket/subscriptions/subscription-hub';
import type { SocketPresenceBroadcaster } from './adapters/socket/socket-presence.broadcaster';
import type { Config } from './config';
import type { Lifecycle } from './lifecycle';
import type { Clock } from './domain/ports/clock.port';
import type { LastSeenWriteBehind } from './application/last-seen-write-behind';
import type { LastSeenRepository } from './domain/ports/last-seen.port';
import type { PresenceNotifier } from './domain/ports/presence-notifier.port';
import type { NodeRegistry } from './domain/ports/node-registry.port';
import type { PresenceStore } from './domain/ports/presence-store.port';
import type { PresenceService } from './domain/presence.service';

const token = <T>(name: string): ServiceIdentifier<T> => Symbol.for(`presence.${name}`);

/** Every service identifier of the container, typed. */
export const TOKENS = {
  Config: token<Config>('Config'),
  Logger: token<Logger>('Logger'),
  Clock: token<Clock>('Clock'),
  PresenceStore: token<PresenceStore>('PresenceStore'),
  NodeRegistry: token<NodeRegistry>('NodeRegistry'),
  PresenceNotifier: token<PresenceNotifier>('PresenceNotifier'),
  LastSeenRepository: token<LastSeenRepository>('LastSeenRepository'),
  LastSeen: token<LastSeenWriteBehind>('LastSeen'),
  PresenceService: token<PresenceService>('PresenceService'),
  AccessTokenVerifier: token<AccessTokenVerifier | null>('AccessTokenVerifier'),
  HealthChecks: token<{ readonly store: HealthCheck; readonly persistence: HealthCheck }>('HealthChecks'),
  Metrics: token<PresenceMetrics>('Metrics'),
  HttpApp: token<Koa>('HttpApp'),
  HttpServer: token<HttpServer>('HttpServer'),
  SocketServer: token<PresenceServer>('SocketServer'),
  SocketGateway: token<SocketPresenceGateway>('SocketGateway'),
  Sweeper: token<IntervalSweeper>('Sweeper'),
  Redis: token<PresenceRedis>('Redis'),
  StoreHealth: token<HealthCheck>('StoreHealth'),
  LocalView: token<LocalPresenceView>('LocalView'),
  ConnectionLimits: token<ConnectionLimits>('ConnectionLimits'),
  SubscriptionHub: token<SubscriptionHub>('SubscriptionHub'),
  Broadcaster: token<SocketPresenceBroadcaster>('Broadcaster'),
  /** Where the domain's notifications go, before metrics wrap them. */
  PresenceNotifierTarget: token<PresenceNotifier>('PresenceNotifierTarget'),
  StoreLifecycle: token<Lifecycle[]>('StoreLifecycle'),
  /** Everything to start, in order (and to stop in reverse). */
  Lifecycle: token<Lifecycle[]>('Lifecycle'),
} as const;
