import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports/clock.port';
import type { PresenceService } from '../../domain/presence.service';
import type { ConnectionLimits } from './connection-limits';
import type { OutputGuard } from './output-guard';
import { PresenceEventHandlers } from './presence-event.handlers';
import type { AudienceRules, Tenant } from '../../domain/audience';
import { AudienceOnlineLists, OnlineSnapshot } from './audience-online-lists';
import { SharedOnlineList } from './shared-online-list';
import type { SocketAudience } from './socket-audience';
import { StatusAllowance } from './status-allowance';
import { type EventMetrics, SocketEventRouter } from './socket-event.router';
import { SocketIdentity } from './socket-identity';
import type { SubscriptionHub } from './subscriptions/subscription-hub';
import type { PresenceServer, PresenceSocket } from './socket.types';
import { TokenExpiry } from './token-expiry';

export interface SocketGatewaySettings {
  readonly nodeId: string;
  /** Events a second per connection; bursts of twice that. */
  readonly eventRate: number;
  /** The longest one encoding of §1's list is served to everyone asking. */
  readonly listMaxAgeMs: number;
  /** Status events (userOnline, userOffline) a second per user, and how many at once. */
  readonly statusRate: number;
  readonly statusBurst: number;
}

/**
 * The inbound side of the socket protocol, wired together: each connection's token expiry is watched, and its
 * events go through the router (rate limit, order, ack or refusal, metrics) to the presence handlers, which check
 * them against the connection's identity and run the use cases; its close is handled after its last event.
 */
export class SocketPresenceGateway {
  private readonly handlers: PresenceEventHandlers;
  private readonly router: SocketEventRouter;
  private readonly tokenExpiry: TokenExpiry;

  constructor(
    private readonly io: PresenceServer,
    service: PresenceService,
    clock: Clock,
    settings: SocketGatewaySettings,
    logger: Logger,
    metrics: EventMetrics,
    private readonly hub: SubscriptionHub,
    audience: SocketAudience,
    rules: AudienceRules,
    limits: ConnectionLimits,
    output: OutputGuard,
  ) {
    const sharedReadOf = (tenant: Tenant) =>
      new SharedOnlineList({
        read: async () => new OnlineSnapshot(await service.listOnline(tenant)),
        version: () => `${service.transitionsCommitted}:${hub.seq}`,
        now: () => clock.now(),
        maxAgeMs: settings.listMaxAgeMs,
      });
    const onlineLists = new AudienceOnlineLists(sharedReadOf, rules);
    const statuses = new StatusAllowance({ ratePerSecond: settings.statusRate, burst: settings.statusBurst, now: () => clock.now() });
    this.handlers = new PresenceEventHandlers(service, hub, new SocketIdentity(limits), settings.nodeId, onlineLists, statuses, audience);
    const closed = (socket: PresenceSocket) => this.handlers.disconnected(socket);
    this.router = new SocketEventRouter(this.handlers.byEvent(), closed, clock, settings, logger, metrics, output);
    this.tokenExpiry = new TokenExpiry(clock);
  }

  attach(): void {
    this.io.on('connection', (socket) => {
      this.hub.accept(socket);
      this.tokenExpiry.watch(socket);
      this.router.route(socket);
    });
  }

  /**
   * Heartbeats every announced connection of this node now: after the store lost or missed state (Redis restarted,
   * or unreachable for a while), what this node knows to be connected is online again.
   */
  async reannounce(): Promise<number> {
    const announced = [...this.io.of('/').sockets.values()].filter((s) => s.data.userId !== undefined);
    await Promise.all(announced.map((socket) => this.router.inOrder(socket, () => this.handlers.reannounce(socket))));
    return announced.length;
  }

  /** Resolves when every event received so far, disconnects included, has been handled. */
  drain(): Promise<void> {
    return this.router.drain();
  }
}
