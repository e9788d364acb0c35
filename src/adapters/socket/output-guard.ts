import type { Logger } from 'pino';
import type { PresenceServer, PresenceSocket } from './socket.types';

/** What the guard reports: a connection cut off for not reading what it was sent. */
export interface SlowConsumerCounter {
  slowConsumerDisconnected(): void;
}

// Engine.IO's types do not show a connection's buffers: its write buffer (packets not yet handed to the transport)
// and, on WebSocket, the `ws` socket whose `bufferedAmount` is what the kernel has not taken yet.
interface EngineConnection {
  readonly writeBuffer?: ReadonlyArray<{ readonly data?: unknown }>;
  readonly transport?: { readonly name?: string; readonly socket?: { readonly bufferedAmount?: number } };
  /** 'drain': the transport took what it was given last, and the next batch was handed to it. */
  on(event: 'drain', listener: () => void): unknown;
}

/**
 * Output that has waited this long without the transport taking any of it means a reader that stopped reading (or a
 * link that died): it is cut off however little it holds, rather than at the transport's ping timeout (45 s), which
 * would let it hold its backlog meanwhile. A slow reader takes some now and then (a batch, or bytes of a large
 * message), and is not.
 */
export const STALLED_OUTPUT_MS = 10_000;

/**
 * What the guard knows of a connection's output: how many batches its transport has taken, and, while it holds
 * output, since when none of it has moved and what it held and had taken at the last look.
 */
interface OutputWatch {
  drains: number;
  waiting: { since: number; drains: number; unsent: number } | undefined;
}

const sizeOf = (data: unknown): number =>
  typeof data === 'string' ? Buffer.byteLength(data) : Buffer.isBuffer(data) ? data.length : data instanceof ArrayBuffer ? data.byteLength : 0;

/** Bytes sent to a connection that it has not taken yet. */
export function unsentBytes(socket: PresenceSocket): number {
  const conn = socket.conn as unknown as EngineConnection;
  let bytes = conn.transport?.name === 'websocket' ? (conn.transport.socket?.bufferedAmount ?? 0) : 0;
  for (const packet of conn.writeBuffer ?? []) bytes += sizeOf(packet.data);
  return bytes;
}

/**
 * CONTRACT §11: a connection that does not read what it is sent is disconnected once its unsent output is over
 * `maxBytes`, before it can grow the node's memory. Checked after each answer the connection asked for (where one
 * client can make output grow fastest) and every `intervalMs` for everyone (broadcasts to a reader that stopped).
 */
export class OutputGuard {
  private timer: NodeJS.Timeout | undefined;
  /** Each connection's output, from the guard's first look at it. */
  private readonly watches = new WeakMap<object, OutputWatch>();
  /** Connections to check at the end of this turn. */
  private readonly toCheck = new Set<PresenceSocket>();
  private readonly checkQueued = (): void => {
    for (const socket of this.toCheck) this.check(socket);
    this.toCheck.clear();
  };

  constructor(
    private readonly io: PresenceServer,
    private readonly limits: { readonly maxBytes: number; readonly stallMs: number },
    private readonly counter: SlowConsumerCounter,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * `check`, once this turn's writes have gone out: a connection's writes wait, corked, for the end of the turn
   * (`WriteCoalescing`), and output merely not yet written is not output the client has not read. Connections are
   * checked in one `setImmediate` a turn, queued after the one that uncorks them.
   */
  checkOnceWritten(socket: PresenceSocket): void {
    this.toCheck.add(socket);
    if (this.toCheck.size === 1) setImmediate(this.checkQueued);
  }

  /** Disconnects the connection if it holds too much unsent output; false when it did. */
  check(socket: PresenceSocket): boolean {
    return socket.connected && this.withinLimit(socket, unsentBytes(socket));
  }

  private withinLimit(socket: PresenceSocket, unsent: number): boolean {
    return unsent <= this.limits.maxBytes || this.cut(socket, unsent, 'disconnecting a connection that does not read');
  }

  /**
   * `check`, and disconnects a connection whose output the transport has taken none of for `stallMs`. A
   * look that comes late (the node itself was held up, and has not yet run the callbacks that would tell of
   * progress) only starts the waits over.
   */
  look(socket: PresenceSocket, late: boolean): boolean {
    if (!socket.connected) return false;
    const unsent = unsentBytes(socket);
    if (!this.withinLimit(socket, unsent)) return false;
    return this.makesProgress(socket, unsent, late) || this.cut(socket, unsent, 'disconnecting a connection whose output has not moved');
  }

  private makesProgress(socket: PresenceSocket, unsent: number, late: boolean): boolean {
    const conn = socket.conn as unknown as EngineConnection;
    let watch = this.watches.get(conn);
    if (unsent === 0) {
      if (watch !== undefined) watch.waiting = undefined;
      return true;
    }
    // Watched from the first look that finds output waiting: a connection that keeps up costs no listener.
    if (watch === undefined) {
      const started: OutputWatch = { drains: 0, waiting: undefined };
      conn.on('drain', () => void (started.drains += 1));
      this.watches.set(conn, started);
      watch = started;
    }
    const now = this.now();
    const waiting = watch.waiting;
    if (waiting === undefined) {
      watch.waiting = { since: now, drains: watch.drains, unsent };
      return true;
    }
    const moved = waiting.drains !== watch.drains || unsent < waiting.unsent;
    waiting.drains = watch.drains;
    waiting.unsent = unsent;
    if (moved || late) {
      waiting.since = now;
      return true;
    }
    return now - waiting.since < this.limits.stallMs;
  }

  private cut(socket: PresenceSocket, unsent: number, message: string): false {
    this.logger.warn({ socket: socket.id, address: socket.handshake.address, unsent }, message);
    this.counter.slowConsumerDisconnected();
    socket.disconnect(true);
    return false;
  }

  start(intervalMs: number): void {
    let due = this.now() + intervalMs;
    this.timer = setInterval(() => {
      const now = this.now();
      const late = now - due > intervalMs;
      due = now + intervalMs;
      for (const socket of this.io.of('/').sockets.values()) this.look(socket, late);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
