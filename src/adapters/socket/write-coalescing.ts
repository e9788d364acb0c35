import { Socket as NetSocket } from 'node:net';
import type { PresenceServer } from './socket.types';

/** The parts of engine.io's connection and ws's socket that carry a WebSocket connection's bytes. */
interface EngineConnection {
  readonly transport?: { readonly name?: string; readonly socket?: { readonly _socket?: NetSocket } };
  on(event: 'upgrade', listener: () => void): void;
}

/**
 * Writes to one connection in one turn of the event loop leave in one system call: the first write of a turn corks
 * the connection's TCP socket and one `setImmediate` uncorks every socket corked in it. A join storm tells each
 * client of many users in the same turn; each told on its own, a frame costs a `writev`, the most of what a frame
 * costs (bench/fanout-pair.bench.ts). A frame waits at most for the rest of the turn.
 */
export class WriteCoalescing {
  private readonly corked = new Set<NetSocket>();
  private scheduled = false;
  /** Every coalesced socket's `write`: one function for all, not a closure per connection. */
  private readonly coalescedWrite: NetSocket['write'];
  private readonly uncorkAll = (): void => {
    this.scheduled = false;
    for (const socket of this.corked) if (!socket.destroyed) socket.uncork();
    this.corked.clear();
  };

  constructor() {
    const coalescing = this;
    const write = NetSocket.prototype.write;
    this.coalescedWrite = function (this: NetSocket, ...args: Parameters<NetSocket['write']>): boolean {
      if (!coalescing.corked.has(this)) coalescing.cork(this);
      return write.apply(this, args);
    } as NetSocket['write'];
  }

  /** Coalesces the writes of every WebSocket connection of the server, from its start or its upgrade. */
  attach(io: PresenceServer): void {
    io.engine.on('connection', (conn: EngineConnection) => {
      this.coalesce(conn);
      conn.on('upgrade', () => this.coalesce(conn));
    });
  }

  private coalesce(conn: EngineConnection): void {
    const socket = conn.transport?.name === 'websocket' ? conn.transport.socket?._socket : undefined;
    if (socket !== undefined) socket.write = this.coalescedWrite;
  }

  private cork(socket: NetSocket): void {
    socket.cork();
    this.corked.add(socket);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.uncorkAll);
    }
  }
}
