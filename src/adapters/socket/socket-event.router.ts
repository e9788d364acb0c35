import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports/clock.port';
import { clientEvents, type ClientEventName, type Refusal } from '../../protocol/socket-events';
import { keyOfUser, tenantPart, type UserKey } from '../../domain/presence.types';
import { KeyedAllowances } from '../limits/keyed-allowances';
import { readCost, subscriptionCost, USERS_PER_READ_TOKEN } from '../limits/read-costs';
import { EncodedJson } from './shared-encoding';
import { SerialQueue } from './serial-queue';
import { toRefusal } from './socket-refusal.mapper';
import type { PresenceSocket } from './socket.types';
import { TokenBucket } from '../limits/token-bucket';

export interface EventRouterSettings {
  /** Events a second per connection; bursts of twice that. */
  readonly eventRate: number;
}

/** What the router reports: each event once, by name and result, with how long it took. */
export interface EventMetrics {
  eventHandled(event: string, result: string, seconds: number): void;
}

/**
 * An answer that comes after the event's work is done: the connection's next events do not wait for it (a subscribe
 * is acked when its state goes out).
 */
export class LaterAnswer {
  constructor(readonly answer: Promise<object>) {}
}

/** One event's work: what the ack answers, or an error that `toRefusal` turns into the refusal. */
export type EventHandler = (socket: PresenceSocket, payload: unknown) => Promise<object | LaterAnswer>;
export type EventHandlers = { readonly [event in ClientEventName]: EventHandler };

/** What a connection's close does; it runs after every event the connection sent before it. */
export type CloseHandler = (socket: PresenceSocket) => Promise<void>;

type AckFn = (answer: object) => void;

/**
 * One connection's place in the router: its queue, its allowances, and whose reads it counts against. The read and
 * refusal allowances are made at their first use, full, as they would be by then had they been made at the connect:
 * most connections never need the second, and a connection costs two numbers fewer for each not made.
 */
interface ConnectionRoute {
  readonly socket: PresenceSocket;
  readonly queue: SerialQueue;
  readonly allowed: TokenBucket;
  refusals?: TokenBucket;
  reads?: TokenBucket;
  readonly reader: UserKey | undefined;
}

/**
 * The events that read presence: they draw from a read allowance of their own (so that reads never cost a heartbeat
 * its place), by what they cost, charged as they are taken, so that reads sent at once cannot all pass before any is
 * charged. A subscription costs its listed ids (a state by type or of everyone is encoded once per scope for all its
 * subscribers); a list costs the size of the last list answered, made right once its own size is known.
 */
const READS: ReadonlySet<string> = new Set<ClientEventName>(['getOnlineUsers', 'presenceSubscribe']);

/** How many users a list answer held. */
function itemsOf(answer: object): number {
  const users = (answer as { users?: unknown }).users;
  return users instanceof EncodedJson ? users.items : Array.isArray(users) ? users.length : 0;
}

/** What a task queued for a connection that closed meanwhile ends with: it never reaches its handler (CONTRACT §11). */
const DROPPED = new Error('connection closed before its event was handled');

const secondsSince = (startedAt: number): number => (performance.now() - startedAt) / 1_000;

/** Socket.IO passes an event's acknowledgement callback as its last argument: taken off the arguments, if there. */
function takeAck(args: unknown[]): AckFn | undefined {
  return typeof args[args.length - 1] === 'function' ? (args.pop() as AckFn) : undefined;
}

/**
 * What every event goes through on its way to its handler and back: a rate limit (a connection that keeps over it
 * is cut off), one queue per connection so that its events are handled in the order sent, the answer on the ack or
 * the refusal (`presenceError` always, the ack when there is one), and the event metrics.
 */
export class SocketEventRouter {
  /** Each connection's events, in order; kept until its close has been handled. */
  private readonly queues = new Map<string, SerialQueue>();
  private readonly known: ReadonlySet<string> = new Set<string>(clientEvents);
  /** The read allowance each token's user shares over all of its connections on this node, by user key. */
  private readonly userReads: KeyedAllowances;
  /** The size of the last list answered: what the next one is charged before its own size is known. */
  private lastListItems = 0;

  constructor(
    private readonly handlers: EventHandlers,
    private readonly closed: CloseHandler,
    private readonly clock: Clock,
    private readonly settings: EventRouterSettings,
    private readonly logger: Logger,
    private readonly metrics: EventMetrics,
    /** Looks at what the connection has not read yet, after each answer (a large list can be asked for often). */
    private readonly output: { checkOnceWritten(socket: PresenceSocket): void } = { checkOnceWritten: () => undefined },
  ) {
    this.userReads = new KeyedAllowances(settings.eventRate, 2 * settings.eventRate);
  }

  /**
   * Routes a connection's events, and then its close, until it has closed. An event still queued when its connection
   * closes is dropped (counted as `dropped`): a closed connection's backlog costs nothing more, and its close runs next.
   */
  route(socket: PresenceSocket): void {
    const queue = new SerialQueue();
    this.queues.set(socket.id, queue);
    const rate = this.settings.eventRate;
    const now = this.clock.now();
    const route: ConnectionRoute = {
      socket,
      queue,
      allowed: new TokenBucket(rate, 2 * rate, now),
      reader: socket.data.authUserId === null ? undefined : keyOfUser({ ...tenantPart(socket.data), userId: socket.data.authUserId }),
    };
    // One listener for every event, known or not: a connection costs one closure, not one per event it may send.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && this.known.has(event)) this.handle(route, event as ClientEventName, args);
      else this.refuseUnknown(route, event, args);
    });
    socket.on('disconnect', () => {
      void queue
        .run(() => this.closed(socket))
        .catch((error: unknown) => this.logger.error({ err: error, socket: socket.id }, 'disconnect failed'))
        .finally(() => this.queues.delete(socket.id));
    });
  }

  private handle(route: ConnectionRoute, event: ClientEventName, args: unknown[]): void {
    const { socket, reader } = route;
    const receivedAt = performance.now();
    const ack = takeAck(args);
    const now = this.clock.now();
    const read = READS.has(event);
    if (read ? !(this.readsOf(route, now).take(now) && (reader === undefined || this.userReads.of(reader, now).take(now))) : !route.allowed.take(now)) {
      const rate = this.settings.eventRate;
      const message = read ? `over the read allowance (${rate} a second, a list of ${USERS_PER_READ_TOKEN} users costs one more)` : `over ${rate} events a second`;
      this.refuse(socket, event, ack, { code: 'RATE_LIMITED', message }, receivedAt);
      if (!this.refusalsOf(route, now).take(now)) {
        this.logger.warn({ socket: socket.id, address: socket.handshake.address }, 'disconnecting a flooding connection');
        socket.disconnect(true);
      }
      return;
    }
    const charged = read ? this.extraCost(event, args[0]) : 0;
    if (read) this.chargeReads(route, charged);
    const failed = (error: unknown): void => {
      if (error === DROPPED) this.metrics.eventHandled(event, 'dropped', secondsSince(receivedAt));
      else this.refuse(socket, event, ack, toRefusal(error, this.logger, event), receivedAt);
    };
    const answered = (answer: object | LaterAnswer): void => {
      if (answer instanceof LaterAnswer) {
        answer.answer.then(answered, failed);
        return;
      }
      ack?.({ ok: true, ...answer });
      this.metrics.eventHandled(event, 'ok', secondsSince(receivedAt));
      if (read) this.chargeReads(route, this.extraCost(event, args[0], answer) - charged);
      this.output.checkOnceWritten(socket);
    };
    const handler = this.handlers[event];
    route.queue.run(() => (socket.connected ? handler(socket, args[0]) : Promise.reject(DROPPED))).then(answered, failed);
  }

  /** Events the protocol does not have get an answer too, so that a client waiting for an ack is not left hanging. */
  private refuseUnknown(route: ConnectionRoute, event: unknown, args: unknown[]): void {
    const receivedAt = performance.now();
    const ack = takeAck(args);
    const name = String(event).slice(0, 64);
    this.refuse(route.socket, name, ack, { code: 'INVALID_PAYLOAD', message: `unknown event ${name}` }, receivedAt, 'unknown');
    const now = this.clock.now();
    if (!route.allowed.take(now) && !this.refusalsOf(route, now).take(now)) route.socket.disconnect(true);
  }

  private readsOf(route: ConnectionRoute, now: number): TokenBucket {
    route.reads ??= new TokenBucket(this.settings.eventRate, 2 * this.settings.eventRate, now);
    return route.reads;
  }

  /** Refusals have a budget too: a client over twice the rate for long, or flooding, spends it and is cut off. */
  private refusalsOf(route: ConnectionRoute, now: number): TokenBucket {
    route.refusals ??= new TokenBucket(this.settings.eventRate, 4 * this.settings.eventRate, now);
    return route.refusals;
  }

  /**
   * Charges a read's cost to the connection's read allowance and to its token's user's, looked up at each use: an
   * allowance that refilled meanwhile is forgotten, and a debt lands on the one in use.
   */
  private chargeReads(route: ConnectionRoute, cost: number): void {
    this.readsOf(route, this.clock.now()).charge(cost);
    if (route.reader !== undefined) this.userReads.of(route.reader, this.clock.now()).charge(cost);
  }

  /** Runs a task in a connection's order, after the events it sent before; `undefined` once its close was handled. */
  inOrder<T>(socket: PresenceSocket, task: () => Promise<T>): Promise<T> | undefined {
    return this.queues.get(socket.id)?.run(task);
  }

  /** Resolves when every event received so far, closes included, has been handled. */
  async drain(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.run(() => Promise.resolve())));
  }

  /** What a read costs beyond its first token: its listed ids, or a list's size (the last one's until it is answered). */
  private extraCost(event: string, payload: unknown, answer?: object): number {
    if (event === 'presenceSubscribe') {
      const ids = (payload as { userIds?: unknown } | undefined)?.userIds;
      return subscriptionCost(Array.isArray(ids) ? ids.length : 0) - 1;
    }
    if (answer !== undefined) this.lastListItems = itemsOf(answer);
    return readCost(this.lastListItems) - 1;
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
