import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports/clock.port';
import { forbidden, invalidPayload, PresenceError } from '../../domain/presence.errors';
import type { PresenceService } from '../../domain/presence.service';
import type { UserId } from '../../domain/presence.types';
import { userKeyOf } from '../../domain/presence.types';
import type { ClientEventName, Refusal } from '../../protocol/socket-events';
import type { PresenceMetrics } from '../metrics/presence-metrics';
import type { ConnectionLimits } from './connection-limits';
import { SerialQueue } from './serial-queue';
import { parsePayload, parseUserPayload, presenceSubscribePayload, userOnlinePayload } from './socket-payload.schema';
import { PresenceScope } from './subscriptions/presence-scope';
import type { SubscriptionHub } from './subscriptions/subscription-hub';
import { toRefusal } from './socket-refusal.mapper';
import type { PresenceServer, PresenceSocket } from './socket.types';
import { TokenBucket } from './token-bucket';
import { toWireOnlineUser } from './wire';

export interface SocketGatewaySettings {
  readonly nodeId: string;
  /** Events a second per connection; bursts of twice that. */
  readonly eventRate: number;
}

type AckFn = (answer: object) => void;

const secondsSince = (startedAt: number): number => (performance.now() - startedAt) / 1_000;

/** Node's timers hold at most about 24.8 days; a longer-lived token is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
type Handler = (payload: unknown) => Promise<object>;

/**
 * The inbound side of the socket protocol: validates each event, checks it against the token, runs the use case
 * and answers by ack, or refuses it with `presenceError` (and the ack, when there is one) and changes nothing.
 */
export class SocketPresenceGateway {
  constructor(
    private readonly io: PresenceServer,
    private readonly service: PresenceService,
    private readonly clock: Clock,
    private readonly settings: SocketGatewaySettings,
    private readonly logger: Logger,
    private readonly metrics: PresenceMetrics,
    private readonly hub: SubscriptionHub,
    private readonly limits: ConnectionLimits,
  ) {}

  /** Each connection's events, in order; kept until its disconnect has been handled. */
  private readonly queues = new Map<string, SerialQueue>();

  attach(): void {
    this.io.on('connection', (socket) => this.accept(socket));
  }

  /**
   * Heartbeats every announced connection of this node now: after the store lost or missed state (Redis restarted,
   * or unreachable for a while), what this node knows to be connected is online again.
   */
  async reannounce(): Promise<number> {
    const announced = [...this.io.of('/').sockets.values()].filter((s) => s.data.userId !== undefined);
    await Promise.all(
      announced.map((socket) =>
        this.queues.get(socket.id)?.run(async () => {
          const { userId, userType, userName } = socket.data;
          if (userId !== undefined) await this.service.heartbeat({ ...this.connection(socket), userId, userType, userName });
        }),
      ),
    );
    return announced.length;
  }

  /** Resolves when every event received so far, disconnects included, has been handled. */
  async drain(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.run(() => Promise.resolve())));
  }

  private accept(socket: PresenceSocket): void {
    const queue = new SerialQueue();
    this.queues.set(socket.id, queue);
    this.hub.accept(socket);
    this.closeWhenTokenExpires(socket);
    const burst = 2 * this.settings.eventRate;
    const allowed = new TokenBucket(this.settings.eventRate, burst, this.clock.now());
    // Refusals have a budget too: a client over twice the rate for long, or flooding, spends it and is cut off.
    const refusals = new TokenBucket(this.settings.eventRate, 2 * burst, this.clock.now());

    const handlers: Record<ClientEventName, Handler> = {
      userOnline: (payload) => this.userOnline(socket, payload),
      userHeartbeat: (payload) => this.userHeartbeat(socket, payload),
      userOffline: (payload) => this.userOffline(socket, payload),
      getOnlineUsers: () => this.getOnlineUsers(socket),
      presenceSubscribe: (payload) => this.presenceSubscribe(socket, payload),
      presenceUnsubscribe: () => {
        this.hub.unsubscribe(socket);
        return Promise.resolve({});
      },
    };

    for (const [event, handle] of Object.entries(handlers)) {
      socket.on(event as ClientEventName, (...args: unknown[]) => {
        const receivedAt = performance.now();
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as AckFn) : undefined;
        const now = this.clock.now();
        if (!allowed.take(now)) {
          this.refuse(socket, event, ack, { code: 'RATE_LIMITED', message: `over ${this.settings.eventRate} events a second` }, receivedAt);
          if (!refusals.take(now)) {
            this.logger.warn({ socket: socket.id, address: socket.handshake.address }, 'disconnecting a flooding connection');
            socket.disconnect(true);
          }
          return;
        }
        queue.run(() => handle(args[0])).then(
          (answer) => {
            ack?.({ ok: true, ...answer });
            this.metrics.eventHandled(event, 'ok', secondsSince(receivedAt));
          },
          (error: unknown) => this.refuse(socket, event, ack, toRefusal(error, this.logger, event), receivedAt),
        );
      });
    }

    // Events the protocol does not have get an answer too, so that a client waiting for an ack is not left hanging.
    const known = new Set<string>(Object.keys(handlers));
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && known.has(event)) return;
      const receivedAt = performance.now();
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as AckFn) : undefined;
      const name = String(event).slice(0, 64);
      this.refuse(socket, name, ack, { code: 'INVALID_PAYLOAD', message: `unknown event ${name}` }, receivedAt, 'unknown');
      if (!allowed.take(this.clock.now()) && !refusals.take(this.clock.now())) socket.disconnect(true);
    });

    socket.on('disconnect', () => {
      void queue
        .run(async () => {
          this.hub.unsubscribe(socket);
          if (socket.data.countedUserId !== undefined) this.limits.releaseUser(socket.data.countedUserId);
          const userId = socket.data.userId;
          if (userId !== undefined) await this.service.disconnect({ connectionId: socket.id, userId });
        })
        .catch((error: unknown) => this.logger.error({ err: error, socket: socket.id }, 'disconnect failed'))
        .finally(() => this.queues.delete(socket.id));
    });
  }

  private async userOnline(socket: PresenceSocket, raw: unknown): Promise<object> {
    const payload = parsePayload(userOnlinePayload, raw);
    const userId = this.userOf(socket, payload.userId);
    this.countUser(socket, userId);
    const previous = this.previousUser(socket, userId);
    if (previous !== undefined) await this.leaveUser(socket, previous);
    await this.service.goOnline({ ...this.connection(socket), userId, userType: payload.userType, userName: payload.userName });
    socket.data.userId = userId;
    if (payload.userType !== undefined) socket.data.userType = payload.userType;
    if (payload.userName !== undefined) socket.data.userName = payload.userName;
    return { userId, status: 'online' };
  }

  /** Not `async`, like the service's heartbeat: the event every client sends all the time keeps to one promise chain. */
  private userHeartbeat(socket: PresenceSocket, raw: unknown): Promise<object> {
    const payload = parseUserPayload(raw);
    const userId = this.userOf(socket, payload.userId);
    this.countUser(socket, userId);
    const previous = this.previousUser(socket, userId);
    if (previous !== undefined) return this.leaveUser(socket, previous).then(() => this.heartbeatAs(socket, userId));
    return this.heartbeatAs(socket, userId);
  }

  private heartbeatAs(socket: PresenceSocket, userId: UserId): Promise<object> {
    const { userType, userName } = socket.data;
    return this.service.heartbeat({ connectionId: socket.id, nodeId: this.settings.nodeId, userId, userType, userName }).then(() => {
      socket.data.userId = userId;
      return { userId };
    });
  }

  private async userOffline(socket: PresenceSocket, raw: unknown): Promise<object> {
    const payload = parseUserPayload(raw);
    const userId = this.userOf(socket, payload.userId);
    await this.service.goOffline({ connectionId: socket.id, userId });
    if (socket.data.userId !== undefined && userKeyOf(socket.data.userId) === userKeyOf(userId)) delete socket.data.userId;
    return { userId, status: 'offline' };
  }

  private async getOnlineUsers(socket: PresenceSocket): Promise<object> {
    const users = (await this.service.listOnline()).map(toWireOnlineUser);
    socket.emit('onlineUsersList', users);
    return { users };
  }

  private async presenceSubscribe(socket: PresenceSocket, raw: unknown): Promise<object> {
    const payload = parsePayload(presenceSubscribePayload, raw);
    const seq = await this.hub.subscribe(socket, new PresenceScope(payload.userIds, payload.userTypes), payload.since);
    return { seq };
  }

  /** The user an event speaks for: the token's; or, without authentication, the payload's. */
  private userOf(socket: PresenceSocket, claimed: UserId | undefined): UserId {
    const authenticated = socket.data.authUserId;
    if (authenticated === null) {
      if (claimed === undefined) throw invalidPayload('userId: is required');
      return claimed;
    }
    if (claimed === undefined) return authenticated;
    if (userKeyOf(claimed) !== userKeyOf(authenticated)) throw forbidden('userId is not the authenticated user');
    return claimed;
  }

  /**
   * Without authentication the user is known only when announced: that is when the connection counts against the
   * per-user limit (authenticated connections were counted at the handshake).
   */
  private countUser(socket: PresenceSocket, userId: UserId): void {
    if (socket.data.authUserId !== null) return;
    const counted = socket.data.countedUserId;
    if (counted !== undefined && userKeyOf(counted) === userKeyOf(userId)) return;
    const refusal = this.limits.admitUser(userId);
    if (refusal !== undefined) throw new PresenceError('RATE_LIMITED', refusal);
    if (counted !== undefined) this.limits.releaseUser(counted);
    socket.data.countedUserId = userId;
  }

  /** A connection outlives its token only until the token expires: then it is told, and closed. */
  private closeWhenTokenExpires(socket: PresenceSocket): void {
    const expiresAt = socket.data.tokenExpiresAt;
    if (expiresAt === undefined) return;
    const left = expiresAt - this.clock.now();
    const timer = setTimeout(
      () => {
        if (expiresAt - this.clock.now() > 0) {
          this.closeWhenTokenExpires(socket);
          return;
        }
        socket.emit('presenceError', { event: 'connection', code: 'UNAUTHORIZED', message: 'the access token expired' });
        socket.disconnect(true);
      },
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
    timer.unref();
    socket.once('disconnect', () => clearTimeout(timer));
  }

  /** The other user this connection announced before, if any (open mode only): it has to be left first. */
  private previousUser(socket: PresenceSocket, userId: UserId): UserId | undefined {
    const previous = socket.data.userId;
    return previous !== undefined && userKeyOf(previous) !== userKeyOf(userId) ? previous : undefined;
  }

  /** A connection speaks for one user at a time: announcing another user ends the previous one. */
  private async leaveUser(socket: PresenceSocket, previous: UserId): Promise<void> {
    await this.service.goOffline({ connectionId: socket.id, userId: previous });
    delete socket.data.userId;
    delete socket.data.userType;
    delete socket.data.userName;
  }

  private connection(socket: PresenceSocket) {
    return { connectionId: socket.id, nodeId: this.settings.nodeId };
  }

  /** Refuses an event; `metricsEvent` is the bounded label it is counted under (unknown names are not labels). */
  private refuse(
    socket: PresenceSocket,
    event: string,
    ack: AckFn | undefined,
    refusal: Refusal,
    receivedAt: number,
    metricsEvent = event,
  ): void {
    this.metrics.eventHandled(metricsEvent, refusal.code.toLowerCase(), secondsSince(receivedAt));
    socket.emit('presenceError', { event, ...refusal });
    ack?.({ ok: false, error: refusal });
  }
}
