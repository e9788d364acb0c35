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

  constructor(
    private readonly io: PresenceServer,
    private readonly maxBytes: number,
    private readonly counter: SlowConsumerCounter,
    private readonly logger: Logger,
  ) {}

  /** Disconnects the connection if it holds too much unsent output; false when it did. */
  check(socket: PresenceSocket): boolean {
    if (!socket.connected) return false;
    const unsent = unsentBytes(socket);
    if (unsent <= this.maxBytes) return true;
    this.logger.warn({ socket: socket.id, address: socket.handshake.address, unsent }, 'disconnecting a connection that does not read');
    this.counter.slowConsumerDisconnected();
    socket.disconnect(true);
    return false;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      for (const socket of this.io.of('/').sockets.values()) this.check(socket);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
