import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { WriteCoalescing } from '../../../../src/adapters/socket/write-coalescing';
import type { PresenceServer } from '../../../../src/adapters/socket/socket.types';

/** The TCP socket under a server-side Socket.IO connection on the WebSocket transport. */
const tcpOf = (socket: ServerSocket): NetSocket => (socket.conn as unknown as { transport: { socket: { _socket: NetSocket } } }).transport.socket._socket;

/** Writes coalesced per turn of the event loop (issue 20): many frames in one turn leave in one system call. */
describe('write coalescing', () => {
  let http: HttpServer;
  let io: Server;
  let client: ClientSocket;

  afterEach(async () => {
    client.close();
    await new Promise<void>((resolve) => io.close(() => resolve()));
  });

  const start = async (coalesce: boolean): Promise<ServerSocket> => {
    http = createServer();
    io = new Server(http, { transports: ['websocket'] });
    if (coalesce) new WriteCoalescing().attach(io as unknown as PresenceServer);
    const connected = new Promise<ServerSocket>((resolve) => io.once('connection', resolve));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    client = connectClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
    return connected;
  };

  /** Sends 50 frames in one turn; says how many writes reached the TCP socket's handle, and what the client got. */
  const burst = async (socket: ServerSocket): Promise<{ writes: number; received: number[] }> => {
    const tcp = tcpOf(socket) as NetSocket & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
    let writes = 0;
    for (const method of ['_write', '_writev'] as const) {
      const original = tcp[method].bind(tcp);
      tcp[method] = (...args: unknown[]) => {
        writes += 1;
        original(...args);
      };
    }
    const received: number[] = [];
    const all = new Promise<void>((resolve) => client.on('m', (i: number) => received.push(i) === 50 && resolve()));
    for (let i = 0; i < 50; i += 1) socket.emit('m', i);
    await all;
    return { writes, received };
  };

  it('sends frames written in one turn in one write, whole and in order', async () => {
    const { writes, received } = await burst(await start(true));
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(writes).toBeLessThanOrEqual(2);
  });

  it('is what makes the difference: without it, the same turn takes a write a frame or so', async () => {
    const { writes } = await burst(await start(false));
    expect(writes).toBeGreaterThan(2);
  });
});
